"""Credentials signed with a real did:key and anchored by a one-leaf tree, and endpoints that answer from a table:
enough to drive every path of the verifier without a chain."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from microcred.chain import RPCUnavailableError
from microcred.did import KeyPair, Resolver
from microcred.registry import leaf_hash
from microcred.registry.credential import credential_digest
from microcred.registry.ledger._client import Batch, Status
from microcred.registry.proofs import add_proof
from microcred.registry.verify import Endpoint, LedgerState, Verifier, default_checks
from microcred.registry.verify import (
    AccreditationCheck,
    AnchorCheck,
    FormatCheck,
    IssuerCheck,
    RegistryLedger,
    StatusCheck,
    ValidityCheck,
)
from microcred.registry.ledger import registry_client

CHAIN = "eip155:31337"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ACCOUNT = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
ANCHORED_AT = 1_780_000_000


def signed_credential(key: KeyPair, index: int = 0, *, registry: str = REGISTRY, chain: str = CHAIN,
                      account: str = ACCOUNT, anchored: bool = True, with_status: bool = True) -> dict:
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"urn:uuid:00000000-0000-4000-8000-{index:012d}",
        "type": ["VerifiableCredential"],
        "issuer": key.did,
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {"id": f"did:example:learner{index}", "name": f"Learner {index}"},
        "credentialStatus": {"type": "MicrocredRegistryEntry2026", "chain": chain, "registry": registry,
                             "issuerAccount": account, "statusIndex": index},
    }
    if not with_status:
        del doc["credentialStatus"]
    doc = add_proof(doc, key, verification_method=f"{key.did}#{key.did.split(':')[-1]}", cryptosuite="eddsa-jcs-2022")
    if anchored:
        root = leaf_hash(credential_digest(doc))  # a one-leaf tree: the root is the leaf
        doc["proof"] = [doc["proof"], {"type": "MicrocredAnchorProof2026", "chain": chain, "registry": registry,
                                       "issuerAccount": account, "merkleRoot": "0x" + root.hex(),
                                       "merklePath": []}]
    return doc


def root_of(doc: dict) -> str:
    return next(p for p in doc["proof"] if p["type"] == "MicrocredAnchorProof2026")["merkleRoot"]


class TableLedger:
    """A ledger reader answering from ``anchored`` (root → (first index, count)) and ``statuses``; or failing."""

    def __init__(self, anchored: dict[str, tuple[int, int]] | None = None, statuses: dict[int, Status] | None = None,
                 *, down: bool = False, block: int = 100) -> None:
        self.anchored = anchored or {}
        self.statuses = statuses or {}
        self.down = down
        self.block = block
        self.reads = 0

    def read(self, registry: str, account: str, roots, indexes, *, at, block=None) -> LedgerState:
        self.reads += 1
        if self.down:
            raise RPCUnavailableError("connection refused")
        batches = {r: Batch(account, r, *self.anchored[r], ANCHORED_AT, 42) if r in self.anchored else None
                   for r in roots}
        return LedgerState(batches, {i: self.statuses.get(i, Status.ACTIVE) for i in indexes}, block=self.block)


class Bound:
    bound, reason, block = True, "bound", 7


def endpoint(name: str, ledger: Any, caip2: str = CHAIN, **kw: Any) -> Endpoint:
    return Endpoint(name, caip2, ledger=ledger, binding=lambda account, did, at, registry=None: Bound(), **kw)


def make_verifier(endpoints, *, trusted=None, quorum=None, extra_checks=()) -> Verifier:
    checks = default_checks(resolver=Resolver(), trusted_registries=trusted or {CHAIN: [REGISTRY]},
                            format_problems=lambda doc: [])
    return Verifier([*checks, *extra_checks], endpoints=endpoints, quorum=quorum,
                    clock=lambda: datetime(2026, 6, 1, tzinfo=timezone.utc))


def results(v) -> dict[str, str]:
    return {c.name: c.result for c in v.checks}


def detail(v, name: str) -> str:
    return next(c.detail for c in v.checks if c.name == name)




def ok_format(doc):
    return []


def ok_signature(doc, *, at):
    return True, "signature verified", ["did:example:issuer#key-1"]


def ok_issuer(doc, *, account, vm_ids, anchored_at):
    return True, "issuer key authorised and bound"


class FnSignature:
    """The signature check as a stand-in function ``(doc, at) -> (ok, detail, verification methods)``."""

    name = "signature"

    def __init__(self, fn):
        self.fn = fn

    def run(self, subject, view):
        ok, detail, vms = self.fn(subject.doc, at=subject.facts.get("anchored_at"))
        if ok:
            subject.facts["vms"] = vms
        return ("pass" if ok else "fail"), detail


class FnIssuer(IssuerCheck):
    """The issuer check with its last step (DID, key, binding) a stand-in ``(doc, account, vm_ids, anchored_at)``."""

    def __init__(self, fn):
        super().__init__(resolver=None)
        self.fn = fn

    def _check(self, doc, account, vm_ids, anchored_at, view, *, registry=None):
        ok, detail = self.fn(doc, account=account, vm_ids=vm_ids, anchored_at=anchored_at)
        return ("pass" if ok else "fail"), detail


def verifier(chain, *, registry_for=None, format_checker=ok_format, signature_checker=ok_signature,
             issuer_checker=ok_issuer, accreditation_checker=None, trusted=None, quorum=None):
    """A verifier on ``chain`` with stand-in format/signature/issuer checks; it trusts the chain's registry."""
    registry_for = registry_for or (lambda address: registry_client(chain, address=address))
    trusted = trusted if trusted is not None else {chain.caip2: [chain.address_of("CredentialRegistry")]}
    checks = [FormatCheck(format_checker), ValidityCheck(), AnchorCheck(trusted), FnSignature(signature_checker),
              FnIssuer(issuer_checker), StatusCheck(), AccreditationCheck(enabled=accreditation_checker is not None)]
    endpoint = Endpoint(chain.endpoint, chain.caip2, ledger=RegistryLedger(registry_for),
                        accreditation=accreditation_checker)
    return Verifier(checks, endpoints=[endpoint], quorum=quorum)


