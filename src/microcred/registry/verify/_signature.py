"""``signature``: the credential's Data Integrity proof(s), keys resolved from the issuer's DID (as of the anchor's
block time when the chain has told it; the proof's suite is looked up by name in the proof layer's registry)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.credential._documents import signature_proofs, strip_anchor
from microcred.registry.proofs import verify_proofs
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import FAIL, PASS, Outcome

__all__ = ["SignatureCheck"]


class SignatureCheck:
    """``resolver``: a :class:`microcred.did.Resolver` (``resolve_verification_method(vm, at=)``). Keys are resolved
    once per verification method and time, so a batch of one issuer costs one resolution."""

    name = "signature"

    def __init__(self, resolver: Any) -> None:
        self.resolver = resolver
        self._keys: dict[tuple[str, datetime | None], tuple[str, bytes, str]] = {}

    def _lookup(self, at: datetime | None):
        def lookup(vm_id: str):
            if (vm_id, at) not in self._keys:
                vm, _doc = self.resolver.resolve_verification_method(vm_id, at=at)
                key = vm.public_key()
                if key is None:
                    raise InvalidInputError(f"{vm_id} carries no public key that can check a signature")
                self._keys[(vm_id, at)] = (key.key_type, key.public_key, vm.controller)
            return self._keys[(vm_id, at)]
        return lookup

    def run(self, subject: Subject, view: ChainView | None) -> Outcome:
        doc = subject.doc
        if not signature_proofs(doc):
            return FAIL, "the credential carries no signature proof"
        try:
            results = verify_proofs(strip_anchor(doc), self._lookup(subject.facts.get("anchored_at")),
                                    expected_purpose="assertionMethod")
        except NetworkError:
            raise
        except MicrocredError as exc:
            return FAIL, f"the proof cannot be checked: {exc}"
        verified, failed = list(results.verified_proofs), list(results.failed_proofs)
        if failed or not results.verified:
            messages = "; ".join(f"{r.error or 'error'}: {r.message}" for r in failed) or \
                (results.problem or "no proof this verifier knows verified")
            return FAIL, f"signature does not verify: {messages}"
        if not verified:
            return FAIL, "the credential carries no Data Integrity proof this verifier knows"
        vms = [str(r.verification_method) for r in verified]
        subject.facts["vms"] = vms
        suites = sorted({str(r.cryptosuite or r.type) for r in verified})
        return PASS, f"{len(verified)} proof(s) verified ({', '.join(suites)}) with {', '.join(vms)}"
