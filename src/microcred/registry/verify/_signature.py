"""``signature``: the credential's Data Integrity proof(s), keys resolved from the issuer's DID (as of the anchor's
block time when the chain has told it; the proof's suite is looked up by name in the proof layer's registry)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from microcred.did import JWSError, verify_compact
from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.credential._documents import signature_proofs, strip_anchor
from microcred.registry.proofs import suite_of_proof, verify_proofs
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import FAIL, PASS, Outcome

__all__ = ["SignatureCheck"]


class SignatureCheck:
    """``resolver``: a :class:`microcred.did.Resolver` (``resolve_verification_method(vm, at=)``). Keys are resolved
    once per verification method and time, so a batch of one issuer costs one resolution."""

    name = "signature"

    def __init__(self, resolver: Any, *, fetcher: Any = None) -> None:
        self.resolver = resolver
        self.fetcher = fetcher
        self._keys: dict[tuple[str, datetime | None], tuple[str, bytes, str]] = {}

    def _lookup(self, at: datetime | None) -> Callable[[str], tuple[str, bytes, str]]:
        keys = self._keys

        def lookup(vm_id: str) -> tuple[str, bytes, str]:
            found = keys.get((vm_id, at))
            if found is None:
                found = keys[(vm_id, at)] = self._resolve(vm_id, at)
            return found
        return lookup

    def _resolve(self, vm_id: str, at: datetime | None) -> tuple[str, bytes, str]:
        """(key type, public key, controller) of a verification method, as of ``at``."""
        if vm_id.startswith("https:"):
            return https_key(vm_id, self.fetcher)
        vm, _doc = self.resolver.resolve_verification_method(vm_id, at=at)
        key = vm.public_key()
        if key is None:
            raise InvalidInputError(f"{vm_id} carries no public key that can check a signature")
        return key.key_type, key.public_key, vm.controller

    def run(self, subject: Subject, view: ChainView | None) -> Outcome:
        doc = subject.doc
        jws = None if type(doc) is dict else getattr(doc, "jws", None)  # a VC-JWT carries its compact JWS
        if jws is not None:
            return self._jws(subject, jws)
        proofs = signature_proofs(doc)
        if not proofs:
            return FAIL, "the credential carries no signature proof"
        try:
            at = subject.facts.get("anchored_at")
            # the text is there already when the anchor check made the digest; else it is made for a JCS proof only
            text, text_sha256 = subject.made_unsecured_jcs()
            if text is None and any(isinstance(p, dict) and getattr(suite_of_proof(p), "transformation", None)
                                    == "jcs" for p in proofs):
                text = subject.unsecured_jcs()
            results = verify_proofs(strip_anchor(doc), self._lookup(at), expected_purpose="assertionMethod",
                                    unsecured_jcs=text, unsecured_sha256=text_sha256)
        except NetworkError:
            raise
        except MicrocredError as exc:
            return FAIL, f"the proof cannot be checked: {exc}"
        verified = [r for r in results.proofs if r.status == "verified"]
        failed = [r for r in results.proofs if r.status == "failed"] if len(verified) < len(results.proofs) else []
        if failed or not results.verified:
            messages = "; ".join(f"{r.error or 'error'}: {r.message}" for r in failed) or \
                (results.problem or "no proof this verifier knows verified")
            return FAIL, f"signature does not verify: {messages}"
        if not verified:
            return FAIL, "the credential carries no Data Integrity proof this verifier knows"
        keys = self._keys
        vms = [str(r.verification_method) for r in verified]
        subject.facts["vms"] = vms
        subject.facts["controllers"] = {vm: keys[(vm, at)][2] for vm in vms if (vm, at) in keys}
        suites = sorted({str(r.cryptosuite or r.type) for r in verified})
        return PASS, f"{len(verified)} proof(s) verified ({', '.join(suites)}) with {', '.join(vms)}"

    def _jws(self, subject: Subject, jws: str) -> Outcome:
        """A VC-JWT (compact JWS): its signature, with the key its ``kid`` names (the key stack's
        :func:`~microcred.did.verify_compact`: EdDSA, ES256, ES256K or ES384, each with its own key type)."""
        lookup = self._lookup(subject.at)

        def key_for(kid: str) -> tuple[str, bytes, str]:
            try:
                return lookup(kid)
            except NetworkError:
                raise
            except MicrocredError as exc:
                raise JWSError(f"the JWS key {kid} cannot be used: {exc}") from None

        try:
            verified = verify_compact(jws, key_for, what="the JWS")
        except JWSError as exc:
            return FAIL, str(exc)
        subject.facts["vms"] = [verified.kid]
        subject.facts["controllers"] = {verified.kid: verified.controller}
        return PASS, f"JWS ({verified.header['alg']}) verified with {verified.kid}"


def https_key(vm_id: str, fetcher: Any) -> tuple[str, bytes, str]:
    """The key of a verification method at an ``https:`` URL (an issuer profile or controller document, fetched
    with the did:web fetcher's limits and address rules); never guessed from the URL."""
    from microcred.did import VerificationMethod
    from microcred.did._net import HTTPSFetcher

    fetcher = fetcher or HTTPSFetcher()
    base = vm_id.split("#")[0]
    response = fetcher.get(base, accept="application/json, application/ld+json")
    try:
        document = json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInputError(f"{base} did not answer a JSON document") from None
    if not isinstance(document, dict):
        raise InvalidInputError(f"{base} did not answer a JSON object")
    candidates = [document] + [m for m in _as_list(document.get("verificationMethod")) if isinstance(m, dict)]
    for relationship in ("assertionMethod", "authentication"):
        candidates += [m for m in _as_list(document.get(relationship)) if isinstance(m, dict)]
    for method in candidates:
        mid = method.get("id")
        if isinstance(mid, str) and (mid == vm_id or (mid.startswith("#") and base + mid == vm_id)):
            try:
                vm = VerificationMethod.model_validate({**method, "id": vm_id,
                                                        "controller": method.get("controller") or base})
            except ValueError as exc:
                raise InvalidInputError(f"{vm_id} is not a usable verification method: {exc}") from None
            key = vm.public_key()
            if key is None:
                raise InvalidInputError(f"{vm_id} carries no public key that can check a signature")
            return key.key_type, key.public_key, vm.controller
    raise InvalidInputError(f"{base} has no verification method {vm_id}")


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]
