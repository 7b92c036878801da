"""``anchor``: the inclusion proof leads from the credential to a root that the credential's issuer anchored, for
a range holding its status index, in a registry the *verifier* trusts (never one the credential chose)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from typing import Any, Final
from collections.abc import Callable, Iterable, Mapping

from eth_utils import is_address, to_checksum_address

from microcred.registry.anchoring._merkle import hash_pair, leaf_hash
from microcred.registry.credential._documents import credential_digest
from microcred.registry.ledger._client import Batch
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import ERROR, FAIL, PASS, Outcome

__all__ = ["AnchorCheck", "TrustedRegistries", "bytes32", "is_bytes32"]

#: chain (CAIP-2) → the CredentialRegistry addresses the verifier believes there, as a mapping or a callable
TrustedRegistries = Mapping[str, Iterable[str]] | Callable[[str], Iterable[str]]


_MALFORMED_PROOF: Final = "the anchor proof's merkleRoot/merklePath are not 32-byte hex values"


@lru_cache(maxsize=1024)
def _checksum(address: str) -> str:
    return to_checksum_address(address)


def bytes32(value: Any) -> bytes | None:
    """The 32 bytes a ``0x``-prefixed hex string of 64 digits holds, else ``None``."""
    if type(value) is not str or len(value) != 66 or not value.startswith("0x"):
        return None
    try:
        found = bytes.fromhex(value[2:])
    except ValueError:
        return None
    return found if len(found) == 32 else None  # fromhex skips whitespace: "0x" and 64 characters may hold less


def is_bytes32(value: Any) -> bool:
    return bytes32(value) is not None


@lru_cache(maxsize=65536)
def _step(node: bytes, sibling: str) -> bytes | None:
    """The parent of ``node`` and the sibling written as in a proof (``0x`` and 64 hex digits), remembered by that
    text: a batch's credentials name the same upper siblings, so each is read and hashed once. ``None`` for a
    sibling that is not 32 bytes of hex."""
    other = bytes32(sibling)
    return None if other is None else hash_pair(node, other)


def _anchored(batch: Batch, root: str) -> tuple[datetime, Outcome]:
    """The time of a batch, and the outcome of a credential in it (the credentials of a batch share both:
    :meth:`AnchorCheck.run` remembers them for the batch it read)."""
    moment = datetime.fromtimestamp(batch.anchored_at, timezone.utc)
    return moment, (PASS, f"anchored in block {batch.block_number} at {moment:%Y-%m-%d %H:%M:%S UTC} (root "
                          f"{root[:12]}…, batch of indexes {batch.first_index}–{batch.first_index + batch.count - 1})")


def _walk(leaf: bytes, path: list[Any]) -> bytes | None:
    """The root the sorted-pair inclusion proof ``path`` (siblings as written: hex strings) leads to from ``leaf``
    (as :func:`microcred.registry.anchoring._merkle.verify_proof`, each step remembered); ``None`` when a sibling
    is not 32 bytes of hex."""
    node: bytes | None = leaf
    for sibling in path:
        node = _step(node, sibling) if type(sibling) is str else None
        if node is None:
            return None
    return node


class AnchorCheck:
    """``trusted``: the CredentialRegistry addresses to believe, per chain. A credential naming any other
    registry fails: whoever deploys a contract could make it answer "anchored, active". The addresses are asked
    once per chain and verification run (:meth:`begin`)."""

    name = "anchor"

    def __init__(self, trusted: TrustedRegistries) -> None:
        self.trusted = trusted
        self._trusted: dict[str, set[str]] = {}
        #: per root and batch read in this run: the batch, its time and the outcome of its credentials
        self._outcomes: dict[tuple[str, int], tuple[Batch, datetime, Outcome]] = {}

    def begin(self) -> None:
        """A verification run starts: the trusted addresses are asked anew (a deployment may have been recorded
        since the last run)."""
        self._trusted.clear()
        self._outcomes.clear()

    def trusted_on(self, chain: str) -> set[str]:
        found = self._trusted.get(chain)
        if found is None:
            given = self.trusted(chain) if callable(self.trusted) else self.trusted.get(chain, ())
            found = self._trusted[chain] = {_checksum(str(a)) for a in (given or ()) if is_address(str(a))}
        return found

    def run(self, subject: Subject, view: ChainView | None) -> Outcome | None:
        entry, proof = subject.entry, subject.anchor_proof
        if entry is None:
            return FAIL, f"no usable registry status entry: {subject.entry_problem}"
        if proof is None:
            return FAIL, subject.anchor_problem or "no anchor proof"
        if view is None:
            return self._offline(subject, entry, proof)
        trusted = self.trusted_on(str(entry["chain"]))
        if trusted and entry["registry"] not in trusted:
            return self._untrusted(entry, trusted)
        if not trusted:
            return ERROR, (f"could not check: this verifier knows no trusted CredentialRegistry on chain "
                           f"{entry['chain']} (deploy one with `microcred deploy` on a development chain, or name "
                           "the registries to trust in the verifier's configuration)")
        root = proof["merkleRoot"]
        batch = view.state().batches.get(root)
        if batch is None:
            return FAIL, (f"root {root[:18]}… is not anchored by issuer account {entry['issuerAccount']} on "
                          f"registry {entry['registry']}")
        if not batch.covers(entry["statusIndex"]):
            return FAIL, (f"status index {entry['statusIndex']} is outside the anchored range "
                          f"[{batch.first_index}, {batch.first_index + batch.count})")
        view.facts["batch"] = batch
        key = (root, id(batch))  # by identity: a batch each endpoint's read of this run holds (a Batch hashes slowly)
        known = self._outcomes.get(key)
        if known is None or known[0] is not batch:
            known = self._outcomes[key] = (batch, *_anchored(batch, root))
        view.facts["anchored_at"] = known[1]
        return known[2]

    @staticmethod
    def _untrusted(entry: dict, trusted: set[str]) -> Outcome:
        return FAIL, (f"registry {entry['registry']} on chain {entry['chain']} is not trusted by this verifier "
                      f"(it trusts {', '.join(sorted(trusted))}): anyone can deploy a contract that says \"anchored\"")

    def _offline(self, subject: Subject, entry: dict, proof: dict) -> Outcome | None:
        for field_name, expected in (("chain", entry["chain"]), ("registry", entry["registry"]),
                                     ("issuerAccount", entry["issuerAccount"])):
            stated = proof.get(field_name, "")
            if stated != expected and str(stated).lower() != str(expected).lower():
                return FAIL, (f"the anchor proof names {field_name} {proof.get(field_name)!r} but the signed status "
                              f"entry says {expected!r}")
        trusted = self.trusted_on(str(entry["chain"]))
        if trusted and entry["registry"] not in trusted:
            return self._untrusted(entry, trusted)
        root, path = bytes32(proof.get("merkleRoot")), proof.get("merklePath")
        if root is None or not isinstance(path, list):
            return FAIL, _MALFORMED_PROOF
        leaf = leaf_hash(subject.digest() or credential_digest(subject.doc))  # (the latter names the problem)
        reached = _walk(leaf, path)
        if reached is None:
            return FAIL, _MALFORMED_PROOF
        if reached != root:
            return FAIL, ("the inclusion proof does not lead from this credential to its root: the credential was "
                          "changed after it was anchored, or the proof is forged")
        return None  # the rest is on the chain (and, when no registry is known yet, the trust too)
