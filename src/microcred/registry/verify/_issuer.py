"""``issuer``: the issuer's DID resolves, each signing key was authorised for assertion *at the anchor's block time*
(the chain's time, not the time the credential claims), and the DID is the on-chain account that anchored it
(did:ethr) or is bound to it for the credential's registry (any other DID, through the endpoint's binding
look-up: the binding names account, chain and credential registry, and the credential's registry must be the
bound one)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from microcred.did import DIDError, DIDNetworkError
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import ERROR, FAIL, PASS, SKIPPED, Outcome

__all__ = ["IssuerCheck", "binding_on", "issuer_did"]


def binding_on(ethr_resolver: Any) -> Callable[..., Any]:
    """The :attr:`Endpoint.binding <microcred.registry.verify.Endpoint>` look-up of one chain: whether a DID is
    bound to an account there (its ERC-1056 history, read by ``ethr_resolver``), as of a time, for the credential
    registry ``registry`` (``None``: any)."""
    from microcred.did._binding import verify_binding

    def binding(account: str, did: str, at: datetime, registry: str | None = None) -> Any:
        return verify_binding(ethr_resolver, account, did, at=at, credential_registry=registry)

    return binding


def issuer_did(doc: dict) -> str | None:
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer if isinstance(issuer, str) else None


class IssuerCheck:
    """``resolver``: a :class:`microcred.did.Resolver`. Answers are kept per DID, keys, account, anchor time and
    endpoint, so a batch of one issuer costs one resolution and one binding look-up."""

    name = "issuer"

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self._memo: dict[tuple[Any, ...], Outcome] = {}

    def run(self, subject: Subject, view: ChainView | None) -> Outcome | None:
        signature = subject.result("signature")
        if signature == FAIL:
            return SKIPPED, "no verified signature whose key could be checked"
        if signature != PASS or not subject.facts.get("vms"):
            return ERROR, "could not check: no verified signature whose key could be checked"
        if subject.entry is None:
            return self._offline(subject)
        anchor = subject.result("anchor")
        if anchor == FAIL:
            return SKIPPED, "not anchored, so there is no on-chain time to check the issuer's key at"
        if anchor == ERROR:
            return ERROR, "could not check: the anchor (and so the time to check the key at) could not be checked"
        if view is None:
            return None
        anchored_at = view.facts.get("anchored_at")
        if anchored_at is None:
            return SKIPPED, "not anchored, so there is no on-chain time to check the issuer's key at"
        account = subject.entry["issuerAccount"]  # both checksummed (Subject.of): one spelling each
        vms = subject.facts["vms"]
        registry = subject.entry["registry"]
        key = (issuer_did(subject.doc), tuple(vms), account, registry, anchored_at, view.endpoint.name)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = self._check(subject.doc, account, vms, anchored_at, view, registry=registry)
        return found

    def _offline(self, subject: Subject) -> Outcome:
        """A credential with no registry entry: each signing key is the issuer's, authorised for assertion now (or
        at ``--at``)."""
        did = issuer_did(subject.doc)
        if not did:
            return FAIL, "the credential names no issuer"
        vms = list(subject.facts["vms"])
        controllers = subject.facts.get("controllers") or {}
        for vm in vms:
            if vm.startswith("https:"):
                if controllers.get(vm) != did:
                    return FAIL, (f"the proof was made with {vm}, whose controller "
                                  f"{controllers.get(vm)!r} is not the issuer {did}")
                continue
            if vm.split("#")[0] != did:
                return FAIL, f"the proof was made with {vm}, a key of another DID than the issuer {did}"
        dids = [vm for vm in vms if not vm.startswith("https:")]
        if dids:
            try:
                document = self.resolver.resolve(did, at=subject.at)
            except DIDNetworkError:
                raise
            except DIDError as exc:
                return FAIL, f"the issuer DID {did} does not resolve: {exc}"
            if document.deactivated:
                return FAIL, f"the issuer DID {did} is deactivated"
            for vm in dids:
                full = vm if "#" in vm or not did.startswith("did:key:") else f"{did}#{did[8:]}"
                if not document.document.authorizes(full, "assertionMethod"):
                    return FAIL, f"{vm} is not authorised for assertion by {did}"
        return PASS, f"signed with a key of its issuer {did}, authorised for assertion (no registry entry)"

    def _check(self, doc: dict, account: str, vm_ids: list[str], anchored_at: datetime, view: ChainView, *,
               registry: str | None = None) -> Outcome:
        did = issuer_did(doc)
        if not did:
            return FAIL, "the credential names no issuer DID"
        for vm in vm_ids:
            if vm.split("#")[0] != did:
                return FAIL, f"the proof was made with {vm}, a key of another DID than the issuer {did}"
        try:
            document = self.resolver.resolve(did, at=anchored_at)
        except DIDNetworkError:
            raise
        except DIDError as exc:
            return FAIL, f"the issuer DID {did} does not resolve: {exc}"
        if document.deactivated:
            return FAIL, f"the issuer DID {did} was deactivated at the anchor's time"
        for vm in vm_ids:
            if not document.document.authorizes(vm, "assertionMethod"):
                return FAIL, (f"{vm} was not authorised for assertion by {did} at the anchor's time "
                              f"{anchored_at:%Y-%m-%d %H:%M:%S UTC}")
        if did.startswith("did:ethr:"):
            from microcred.did._ethr import parse_ethr_did

            address = str(getattr(parse_ethr_did(did), "address", ""))
            if address.lower() != account.lower():
                return FAIL, f"the issuer DID {did} is not the chain account {account} that anchored it"
            return PASS, f"{did} is the anchoring account; key authorised at {anchored_at:%Y-%m-%d %H:%M UTC}"
        if view.endpoint.binding is None:
            return ERROR, f"could not check: no DID registry is known on {view.endpoint.name} to read the binding"
        bound = view.endpoint.binding(account, did, anchored_at, registry)
        if not bound.bound:
            code = getattr(bound, "code", "")
            if code in ("no-credential-registry", "other-credential-registry"):
                return FAIL, (f"{did} is bound to the anchoring account {account}, but not for the credential's "
                              f"registry {registry} ({code}): {bound.reason}")
            return FAIL, f"{did} is not bound to the anchoring account {account}: {bound.reason}"
        return PASS, (f"{did} resolves, its key was authorised, and it is bound to account {account} for registry "
                      f"{registry} (binding in block {bound.block})")
