"""Verification of credentials: every check passes, fails, or could not be checked — never a guess.

Checks (the design's Verification section):

``format``     VC 2.0 / Open Badges 3.0 / EU Annex I elements
``signature``  the Data Integrity proof(s), keys resolved from the issuer's DID
``issuer``     the DID resolves, the key was authorised for assertion *at the anchor's block time* (the chain's
               time, not the time the credential claims), and the DID is bound to the on-chain issuer account
``anchor``     the inclusion proof leads to a root that this issuer anchored on this registry, for a range that
               holds the credential's status index
``status``     active / suspended / revoked, with reason and time, from the chain
``validity``   validFrom / validUntil against the time of the check
``accreditation``  the issuer held a grant covering the credential at the anchor's time (with a trust list)

An RPC outage or a lying node makes a check ``error`` ("could not check"), never ``fail``. Credentials of one
issuer on one registry are read together: one ``verificationState`` call for all their roots and indexes, and, only
when some are not active, one log query for the reasons and times of their changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Protocol, Sequence

from eth_utils import is_address, to_checksum_address

from microcred.errors import MicrocredError, NetworkError
from microcred.registry.anchoring._anchor import (
    anchor_proofs,
    credential_digest,
    signature_proofs,
    status_entry,
)
from microcred.registry.ledger._client import Batch, RegistryClient, Status, reason_label
from microcred.registry.anchoring._merkle import leaf_hash, verify_proof

__all__ = ["Check", "Verification", "Verifier", "CheckResult", "parse_time"]

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
CheckResult = str
CHECK_ORDER = ("format", "signature", "issuer", "anchor", "status", "validity", "accreditation")


@dataclass
class Check:
    name: str
    result: CheckResult
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "result": self.result, "detail": self.detail}


@dataclass
class Verification:
    file: str | None
    id: str | None
    checks: list[Check] = field(default_factory=list)
    status: str = "unknown"
    # facts found on the way, for people and for `history`
    facts: dict[str, Any] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return all(c.result in (PASS, SKIPPED) for c in self.checks) and any(c.result == PASS for c in self.checks)

    @property
    def outcome(self) -> str:
        """``valid``, ``invalid`` (some check failed) or ``unknown`` (some could not be checked)."""
        if any(c.result == FAIL for c in self.checks):
            return "invalid"
        if any(c.result == ERROR for c in self.checks):
            return "unknown"
        return "valid"

    def add(self, name: str, result: CheckResult, detail: str) -> None:
        self.checks.append(Check(name, result, detail))

    def as_json(self) -> dict[str, Any]:
        ordered = sorted(self.checks, key=lambda c: CHECK_ORDER.index(c.name) if c.name in CHECK_ORDER else 99)
        return {"file": self.file, "id": self.id, "valid": self.valid, "status": self.status,
                "checks": [c.as_json() for c in ordered]}


def parse_time(value: str | int | float | datetime) -> datetime:
    """A time given as ISO 8601 (``2026-05-01``, ``2026-05-01T12:00:00Z``) or unix seconds."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(int(value), timezone.utc)
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        from microcred.errors import InvalidInputError

        raise InvalidInputError(f"not a time: {value!r} (use ISO 8601 like 2026-05-01T12:00:00Z, or unix seconds)") \
            from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


class SignatureChecker(Protocol):
    def __call__(self, doc: dict, *, at: datetime | None) -> tuple[bool, str, list[str]]:
        """(verified, detail, verification method ids used). Raise NetworkError when keys could not be read."""


class IssuerChecker(Protocol):
    def __call__(self, doc: dict, *, account: str, vm_ids: list[str], anchored_at: datetime) -> tuple[bool, str]:
        """(ok, detail): DID resolves, each vm authorised for assertion at ``anchored_at``, DID bound to account.
        Raise NetworkError when it could not be checked."""


class FormatChecker(Protocol):
    def __call__(self, doc: dict) -> list[str]:
        """Problems with the document, in plain words; empty when well-formed."""


class Verifier:
    """Verifies credentials against one connected chain.

    The checkers of format, signature and issuer are injected (the DID and proof layers provide them);
    ``registry_for(address)`` gives a read-only :class:`RegistryClient` for a registry address on this chain.
    """

    def __init__(self, *, chain_caip2: str, registry_for: Callable[[str], RegistryClient],
                 format_checker: FormatChecker, signature_checker: SignatureChecker,
                 issuer_checker: IssuerChecker, accreditation_checker: Callable[..., tuple[str, str]] | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self.chain = chain_caip2
        self.registry_for = registry_for
        self.format_checker = format_checker
        self.signature_checker = signature_checker
        self.issuer_checker = issuer_checker
        self.accreditation_checker = accreditation_checker
        self.clock = clock

    # ------------------------------------------------------------------------------------------------------------
    def verify(self, items: Sequence[tuple[str | None, dict]], *, at: datetime | None = None) -> list[Verification]:
        """Verify each ``(file name, credential)``; ``at`` answers every check as of that time."""
        when = at or self.clock()
        results: list[Verification] = []
        groups: dict[tuple[str, str], list[tuple[Verification, dict, dict]]] = {}
        for name, doc in items:
            v = Verification(file=name, id=doc.get("id") if isinstance(doc, dict) else None)
            results.append(v)
            if not isinstance(doc, dict):
                v.add("format", FAIL, "a credential is a JSON object")
                continue
            self._format(v, doc)
            self._validity(v, doc, when)
            try:
                entry = status_entry(doc)
            except MicrocredError as exc:
                v.add("anchor", FAIL, f"no usable registry status entry: {exc}")
                v.add("status", FAIL, "the credential names no status in a registry")
                self._signature(v, doc, at=None)
                v.add("issuer", SKIPPED, "no anchor, so no on-chain time to check the issuer's key at")
                continue
            if entry["chain"] != self.chain:
                v.add("anchor", FAIL, f"the credential is anchored on chain {entry['chain']}, not on this chain "
                                      f"({self.chain}); check it with --network for that chain")
                v.add("status", ERROR, f"could not check: the status lives on chain {entry['chain']}")
                self._signature(v, doc, at=None)
                v.add("issuer", ERROR, f"could not check: the issuer's account lives on chain {entry['chain']}")
                continue
            if not is_address(str(entry["registry"])) or not is_address(str(entry["issuerAccount"])):
                v.add("anchor", FAIL, "the status entry's registry or issuer account is not an address")
                v.add("status", FAIL, "the status entry is malformed")
                self._signature(v, doc, at=None)
                v.add("issuer", SKIPPED, "no issuer account to bind")
                continue
            key = (to_checksum_address(entry["registry"]), to_checksum_address(entry["issuerAccount"]))
            groups.setdefault(key, []).append((v, doc, entry))
        for (registry, account), members in groups.items():
            self._verify_group(registry, account, members, when, at)
        return results

    # ------------------------------------------------------------------------------------------------------------
    def _format(self, v: Verification, doc: dict) -> None:
        problems = self.format_checker(doc)
        if problems:
            v.add("format", FAIL, "; ".join(problems[:6]) + (f" (and {len(problems) - 6} more)"
                                                              if len(problems) > 6 else ""))
        else:
            v.add("format", PASS, "a VC 2.0 Open Badges 3.0 micro-credential with every Annex I element")

    def _validity(self, v: Verification, doc: dict, when: datetime) -> None:
        try:
            start = parse_time(doc["validFrom"]) if doc.get("validFrom") else None
            end = parse_time(doc["validUntil"]) if doc.get("validUntil") else None
        except MicrocredError as exc:
            v.add("validity", FAIL, f"unreadable validity dates: {exc}")
            return
        stamp = when.strftime("%Y-%m-%d %H:%M UTC")
        if start and when < start:
            v.add("validity", FAIL, f"not yet valid at {stamp}: valid from {doc['validFrom']}")
        elif end and when > end:
            v.add("validity", FAIL, f"expired at {doc['validUntil']} (checked at {stamp})")
        else:
            span = f"valid from {doc.get('validFrom', 'always')}" + (f" until {doc['validUntil']}" if end else "")
            v.add("validity", PASS, f"{span}; checked at {stamp}")

    def _signature(self, v: Verification, doc: dict, *, at: datetime | None) -> list[str]:
        if not signature_proofs(doc):
            v.add("signature", FAIL, "the credential carries no signature proof")
            return []
        try:
            ok, detail, vms = self.signature_checker(doc, at=at)
        except NetworkError as exc:
            v.add("signature", ERROR, f"could not check: {exc}")
            return []
        v.add("signature", PASS if ok else FAIL, detail)
        return vms if ok else []

    def _verify_group(self, registry: str, account: str, members: list[tuple[Verification, dict, dict]],
                      when: datetime, at: datetime | None) -> None:
        client = self.registry_for(registry)
        proofs: list[dict | None] = []
        for v, doc, entry in members:
            found = anchor_proofs(doc)
            proofs.append(found[0] if len(found) == 1 else None)
            if len(found) > 1:
                v.facts["anchor_problem"] = "the credential carries more than one anchor proof"
            elif not found:
                v.facts["anchor_problem"] = "the credential was never anchored (no anchor proof)"
        roots = sorted({p["merkleRoot"] for p in proofs if p and _is_bytes32(p.get("merkleRoot"))})
        indexes = [entry["statusIndex"] for _, _, entry in members]
        chain_error: str | None = None
        batches: dict[str, Batch | None] = {}
        statuses: list[Status] = []
        try:
            got, statuses, _head = client.verification_state(account, roots, indexes)
            batches = dict(zip(roots, got))
        except MicrocredError as exc:
            if not isinstance(exc, NetworkError) and "no contract" not in str(exc):
                raise
            chain_error = str(exc)
        # the times of status changes, only for the credentials that are not active
        changes: dict[int, dict] = {}
        if chain_error is None and (at is not None or any(s != Status.ACTIVE for s in statuses)):
            anchored_blocks = [b.block_number for b in batches.values() if b is not None]
            try:
                changes = self._changes(client, account, at, min(anchored_blocks)) if anchored_blocks else {}
            except NetworkError as exc:
                chain_error = str(exc)
        for i, (v, doc, entry) in enumerate(members):
            batch = self._anchor(v, doc, entry, proofs[i], batches, chain_error)
            anchored_at = datetime.fromtimestamp(batch.anchored_at, timezone.utc) if batch else None
            vms = self._signature(v, doc, at=anchored_at)
            self._issuer(v, doc, account, vms, anchored_at, chain_error)
            self._status(v, entry, statuses[i] if i < len(statuses) else None, changes, at, batch, chain_error)
            self._accreditation(v, doc, account, anchored_at)

    def _anchor(self, v: Verification, doc: dict, entry: dict, proof: dict | None,
                batches: dict[str, Batch | None], chain_error: str | None) -> Batch | None:
        if proof is None:
            v.add("anchor", FAIL, v.facts.get("anchor_problem", "no anchor proof"))
            return None
        for field_name, expected in (("chain", entry["chain"]), ("registry", entry["registry"]),
                                     ("issuerAccount", entry["issuerAccount"])):
            if str(proof.get(field_name, "")).lower() != str(expected).lower():
                v.add("anchor", FAIL, f"the anchor proof names {field_name} {proof.get(field_name)!r} but the "
                                      f"signed status entry says {expected!r}")
                return None
        root = proof.get("merkleRoot")
        path = proof.get("merklePath")
        if not _is_bytes32(root) or not isinstance(path, list) or not all(_is_bytes32(p) for p in path):
            v.add("anchor", FAIL, "the anchor proof's merkleRoot/merklePath are not 32-byte hex values")
            return None
        leaf = leaf_hash(credential_digest(doc))
        if not verify_proof(leaf, [bytes.fromhex(p[2:]) for p in path], bytes.fromhex(root[2:])):
            v.add("anchor", FAIL, "the inclusion proof does not lead from this credential to its root: the "
                                  "credential was changed after it was anchored, or the proof is forged")
            return None
        if chain_error is not None:
            v.add("anchor", ERROR, f"could not check: {chain_error}")
            return None
        batch = batches.get(root)
        if batch is None:
            v.add("anchor", FAIL, f"root {root[:18]}… is not anchored by issuer account {entry['issuerAccount']} on "
                                  f"registry {entry['registry']}")
            return None
        if not batch.covers(entry["statusIndex"]):
            v.add("anchor", FAIL, f"status index {entry['statusIndex']} is outside the anchored range "
                                  f"[{batch.first_index}, {batch.first_index + batch.count})")
            return None
        when = datetime.fromtimestamp(batch.anchored_at, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        v.facts["anchored_at"] = batch.anchored_at
        v.facts["anchor_block"] = batch.block_number
        v.add("anchor", PASS, f"anchored in block {batch.block_number} at {when} (root {root[:12]}…, "
                              f"batch of indexes {batch.first_index}–{batch.first_index + batch.count - 1})")
        return batch

    def _issuer(self, v: Verification, doc: dict, account: str, vms: list[str], anchored_at: datetime | None,
                chain_error: str | None) -> None:
        if not vms:
            v.add("issuer", SKIPPED if any(c.name == "signature" and c.result == FAIL for c in v.checks) else ERROR,
                  "no verified signature whose key could be checked")
            return
        if anchored_at is None:
            v.add("issuer", ERROR if chain_error else SKIPPED,
                  f"could not check: {chain_error}" if chain_error else
                  "not anchored, so there is no on-chain time to check the issuer's key at")
            return
        try:
            ok, detail = self.issuer_checker(doc, account=account, vm_ids=vms, anchored_at=anchored_at)
        except NetworkError as exc:
            v.add("issuer", ERROR, f"could not check: {exc}")
            return
        v.add("issuer", PASS if ok else FAIL, detail)

    def _changes(self, client: RegistryClient, account: str, at: datetime | None,
                 from_block: int) -> dict[int, dict]:
        """index → its latest status change (kind, reason, time, block) up to ``at``, from the issuer's events
        since the earliest anchor among the credentials (one log query)."""
        latest: dict[int, dict] = {}
        for event in client.status_changes(account, from_block):
            if at is not None and event.time is not None and event.time > at.timestamp():
                continue
            for index in event.data["indexes"]:
                latest[index] = {"kind": event.kind, "reason": event.data["reason"], "time": event.time,
                                 "block": event.block_number, "tx": event.tx_hash}
        return latest

    def _status(self, v: Verification, entry: dict, current: Status | None, changes: dict[int, dict],
                at: datetime | None, batch: Batch | None, chain_error: str | None) -> None:
        if chain_error is not None or current is None:
            v.status = "unknown"
            v.add("status", ERROR, f"could not check: {chain_error or 'no answer'}")
            return
        index = entry["statusIndex"]
        if batch is None:
            v.status = "unknown"
            v.add("status", FAIL, f"no status: the anchor check failed, so index {index} is not known to belong "
                                  "to this credential")
            return
        change = changes.get(index)
        if at is not None:  # as of a past time: replay the history up to it
            status = {"revoked": Status.REVOKED, "suspended": Status.SUSPENDED,
                      "reinstated": Status.ACTIVE}[change["kind"]] if change else Status.ACTIVE
            if batch.anchored_at > at.timestamp():
                v.status = "unknown"
                v.add("status", FAIL, f"not yet anchored at {at:%Y-%m-%d %H:%M UTC}")
                return
        else:
            status = current
        v.status = status.label
        if status == Status.ACTIVE:
            extra = ""
            if change and change["kind"] == "reinstated":
                extra = f" (reinstated {_fmt(change['time'])}, {reason_label(change['reason'])})"
            v.add("status", PASS, f"active{extra}")
            return
        if change is None:
            v.add("status", FAIL, f"{status.label} (the reason could not be found in the issuer's history)")
            return
        v.facts["status_change"] = change
        v.add("status", FAIL, f"{status.label} on {_fmt(change['time'])} for reason {change['reason']} "
                              f"({reason_label(change['reason'])}), block {change['block']}")

    def _accreditation(self, v: Verification, doc: dict, account: str, anchored_at: datetime | None) -> None:
        if self.accreditation_checker is None:
            v.add("accreditation", SKIPPED, "no trust list given (--trust FILE)")
            return
        try:
            result, detail = self.accreditation_checker(doc, account=account, anchored_at=anchored_at)
        except NetworkError as exc:
            result, detail = ERROR, f"could not check: {exc}"
        v.add("accreditation", result, detail)


def _is_bytes32(value: Any) -> bool:
    if not isinstance(value, str) or not value.startswith("0x") or len(value) != 66:
        return False
    try:
        bytes.fromhex(value[2:])
    except ValueError:
        return False
    return True


def _fmt(ts: int | None) -> str:
    if ts is None:
        return "an unknown time"
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
