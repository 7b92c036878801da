"""`microcred verify FILE... [--at TIME] [--trust FILE] [--json]`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.errors import MicrocredError, NetworkError
from microcred.registry.ledger import registry_client


def _field(obj: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return default


def issuer_did(doc: dict) -> str | None:
    issuer = doc.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer if isinstance(issuer, str) else None


def make_checkers(app: AppContext):
    """The format, signature and issuer checkers of the verifier, built on the DID resolver and proof layer."""
    from microcred.cli._did import build_resolver, ethr_resolver
    from microcred.did import DIDError
    from microcred.did._errors import DIDNetworkError
    from microcred.registry.proofs import _pipeline as _proofs
    from microcred.registry.credential._model import format_problems

    resolver = build_resolver(app)
    bindings: dict = {}

    keys: dict = {}
    issuers: dict = {}

    def key_lookup_at(at: datetime | None):
        def lookup(vm_id: str):
            if (vm_id, at) in keys:  # the credentials of one batch share their key: resolve it once
                return keys[(vm_id, at)]
            try:
                vm, _doc = resolver.resolve_verification_method(vm_id, at=at)
            except DIDNetworkError as exc:
                raise NetworkError(str(exc)) from exc
            key = vm.public_key()
            if key is None:
                from microcred.errors import InvalidInputError

                raise InvalidInputError(f"{vm_id} carries no public key that can check a signature")
            keys[(vm_id, at)] = (key.key_type, key.public_key, vm.controller)
            return keys[(vm_id, at)]
        return lookup

    def signature(doc: dict, *, at: datetime | None):
        from microcred.registry.anchoring._anchor import strip_anchor

        try:
            results = _proofs.verify_proofs(strip_anchor(doc), key_lookup_at(at), expected_purpose="assertionMethod")
        except NetworkError:
            raise
        except MicrocredError as exc:
            return False, f"the proof cannot be checked: {exc}", []
        verified = list(results.verified_proofs)
        failed = list(results.failed_proofs)
        if failed or not results.verified:
            messages = "; ".join(f"{r.error or 'error'}: {r.message}" for r in failed) or \
                (results.problem or "no proof this verifier knows verified")
            return False, f"signature does not verify: {messages}", []
        if not verified:
            return False, "the credential carries no Data Integrity proof this verifier knows", []
        vms = [str(r.verification_method) for r in verified]
        suites = sorted({str(r.cryptosuite or r.type) for r in verified})
        return True, f"{len(verified)} proof(s) verified ({', '.join(suites)}) with {', '.join(vms)}", vms

    def issuer(doc: dict, *, account: str, vm_ids: list[str], anchored_at: datetime):
        memo = (issuer_did(doc), tuple(vm_ids), account.lower(), anchored_at)
        if memo not in issuers:  # the same issuer, keys and anchor time give the same answer
            issuers[memo] = check_issuer(doc, account=account, vm_ids=vm_ids, anchored_at=anchored_at)
        return issuers[memo]

    def check_issuer(doc: dict, *, account: str, vm_ids: list[str], anchored_at: datetime):
        did = issuer_did(doc)
        if not did:
            return False, "the credential names no issuer DID"
        for vm in vm_ids:
            if vm.split("#")[0] != did:
                return False, f"the proof was made with {vm}, a key of another DID than the issuer {did}"
        try:
            document = resolver.resolve(did, at=anchored_at)
        except DIDNetworkError as exc:
            raise NetworkError(str(exc)) from exc
        except DIDError as exc:
            return False, f"the issuer DID {did} does not resolve: {exc}"
        if document.deactivated:
            return False, f"the issuer DID {did} was deactivated at the anchor's time"
        doc_model = document.document
        for vm in vm_ids:
            if not doc_model.authorizes(vm, "assertionMethod"):
                return False, (f"{vm} was not authorised for assertion by {did} at the anchor's time "
                               f"{anchored_at:%Y-%m-%d %H:%M:%S UTC}")
        if did.startswith("did:ethr:"):
            from microcred.did._ethr import parse_ethr_did

            parsed = parse_ethr_did(did)
            address = _field(parsed, "address", default="")
            if str(address).lower() != account.lower():
                return False, f"the issuer DID {did} is not the chain account {account} that anchored it"
            return True, f"{did} is the anchoring account; key authorised at {anchored_at:%Y-%m-%d %H:%M UTC}"
        from microcred.did._binding import verify_binding

        key = (did, account.lower(), anchored_at)
        bound = bindings.get(key)
        if bound is None:  # one binding look-up per issuer and anchor time, however many credentials
            try:
                bound = bindings[key] = verify_binding(ethr_resolver(app), account, did, at=anchored_at)
            except DIDNetworkError as exc:
                raise NetworkError(str(exc)) from exc
        if not bound.bound:
            return False, f"{did} is not bound to the anchoring account {account}: {bound.reason}"
        return True, (f"{did} resolves, its key was authorised, and it is bound to account {account} "
                      f"(binding in block {bound.block})")

    return format_problems, signature, issuer


def build_verifier(app: AppContext, trust: Path | None = None):
    from microcred.registry.verify._verifier import Verifier

    chain = app.chain()
    fmt, sig, iss = make_checkers(app)
    accreditation = None
    if trust is not None:
        from microcred.registry.accreditation._client import AccreditationClient
        from microcred.registry.accreditation._trust import AccreditationChecker, load_trust_list

        accreditation = AccreditationChecker(load_trust_list(trust),
                                             lambda address: AccreditationClient(chain.w3, address,
                                                                                 endpoint=chain.endpoint),
                                             chain=chain.caip2)
    return Verifier(chain_caip2=chain.caip2, registry_for=lambda address: registry_client(chain, address=address),
                    format_checker=fmt, signature_checker=sig, issuer_checker=iss,
                    accreditation_checker=accreditation)


def _verify_all(app: AppContext, trust, items, when):
    from microcred.registry.verify._verifier import Verification

    try:
        verifier = build_verifier(app, trust)
        return verifier.verify(items, at=when) if items else []
    except NetworkError as exc:
        results = []
        for name, doc in items:
            v = Verification(file=name, id=doc.get("id"))
            v.add("anchor", "error", f"could not check: {exc}")
            results.append(v)
        return results


def _agree(per_endpoint: list, urls: list[str], items) -> list:
    """The results when every endpoint gave the same; where they differ, those checks become errors naming the
    endpoints and what each said (a lying or lagging node is never believed alone)."""
    from microcred.registry.verify._verifier import Verification

    merged = []
    for position, (name, doc) in enumerate(items):
        answers = [results[position] for results in per_endpoint]
        first = answers[0]
        checks = [{c.name: (c.result, c.detail) for c in a.checks} for a in answers]
        if all(c == checks[0] for c in checks[1:]) and all(a.status == first.status for a in answers):
            merged.append(first)
            continue
        v = Verification(file=first.file, id=first.id, status="unknown")
        for check in first.checks:
            said = [c.get(check.name) for c in checks]
            if all(s == said[0] for s in said[1:]):
                v.add(check.name, check.result, check.detail)
            else:
                detail = "; ".join(f"{u} says {s[0] if s else 'nothing'}" for u, s in zip(urls, said))
                v.add(check.name, "error", f"could not check: the RPC endpoints disagree ({detail})")
        merged.append(v)
    return merged


_MARK = {"pass": "✔", "fail": "✘", "error": "?", "skipped": "–"}


def render(v) -> str:
    data = v.as_json()
    head = {"valid": "VALID", "invalid": "INVALID", "unknown": "COULD NOT CHECK"}[v.outcome]
    lines = [f"{data['file'] or data['id']}: {head} (status: {data['status']})"]
    for check in data["checks"]:
        lines.append(f"  {_MARK[check['result']]} {check['name']:<13} {check['detail']}")
    return "\n".join(lines)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--at", "at", default=None, help="Answer every check as of this time (ISO 8601 or unix seconds).")
@click.option("--trust", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Trust list of accreditation bodies (adds the accreditation check).")
@pass_app
def verify(app: AppContext, files: tuple[Path, ...], at: str | None, trust: Path | None) -> None:
    """Verify credential files: format, signature, issuer, anchor, status, validity (and accreditation).

    Each check passes, fails, or could not be checked (an unreachable RPC is never "invalid"). Exit code 0 when
    all are valid, 1 when something is invalid, 2 when something could not be checked.

    \b
    Example:
      microcred verify out/*.json
      microcred --json verify ada.json --at 2026-06-01T00:00:00Z --trust trust.json
    """
    from microcred.cli._common import credential_files
    from microcred.registry.anchoring._anchor import load_credential
    from microcred.registry.verify._verifier import Verification, parse_time

    when = parse_time(at) if at else None
    rpcs = app.rpc_urls
    items, unreadable = [], []
    for path in credential_files([str(f) for f in files]):
        try:
            items.append((str(path), load_credential(path)))
        except MicrocredError as exc:
            bad = Verification(file=str(path), id=None)
            bad.add("format", "fail", str(exc))
            unreadable.append(bad)
    if len(rpcs) > 1:
        from microcred.cli._common import endpoint_contexts

        per_endpoint = [_verify_all(ctx, trust, items, when) for ctx in endpoint_contexts(app, tuple(rpcs))]
        results = _agree(per_endpoint, list(rpcs), items)
    else:
        results = _verify_all(app, trust, items, when)
    results = unreadable + results
    for v in results:
        app.emit(v.as_json(), render(v))
    outcomes = {v.outcome for v in results}
    code = 1 if "invalid" in outcomes else 2 if "unknown" in outcomes else 0
    raise SystemExit(code)
