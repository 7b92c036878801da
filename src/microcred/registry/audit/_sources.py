"""Timeline entries from the DID registry (ERC-1056) and the accreditation registry, beside the credential
registry's: an issuer's whole history, each entry still tied to its transaction and block."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from microcred.registry.audit._timeline import TimelineEntry, iso_date

__all__ = ["from_did_events", "from_accreditation_events"]


def _hex(tx: str) -> str:
    tx = tx if tx.startswith("0x") else "0x" + tx
    return tx.lower()


def from_did_events(events: Iterable, times: dict[int, int] | None = None) -> list[TimelineEntry]:
    """Entries of ERC-1056 events (``microcred.did._ethr`` OwnerChanged / DelegateChanged / AttributeChanged)."""
    from microcred.did._ethr import AttributeChanged, DelegateChanged, OwnerChanged

    out = []
    for e in events:
        time = e.block_timestamp if e.block_timestamp is not None else (times or {}).get(e.block_number)
        if isinstance(e, OwnerChanged):
            kind, summary = "owner-changed", f"DID owner of {e.identity} changed to {e.owner}."
            details: dict[str, Any] = {"identity": e.identity, "owner": e.owner}
        elif isinstance(e, DelegateChanged):
            dtype = e.delegate_type.rstrip(b"\0").decode("utf-8", "replace")
            revoked = time is not None and e.valid_to <= time
            kind = "delegate-revoked" if revoked else "delegate-added"
            summary = (f"DID delegate {e.delegate} ({dtype}) " + ("revoked." if revoked else
                                                                  f"added until {iso_date(e.valid_to)}."))
            details = {"identity": e.identity, "delegate_type": dtype, "delegate": e.delegate,
                       "valid_to": e.valid_to}
        elif isinstance(e, AttributeChanged):
            name = e.name_text or "0x" + e.name.hex()
            kind, summary = "attribute-changed", f"DID attribute {name} set (valid until {iso_date(e.valid_to)})."
            details = {"identity": e.identity, "name": name, "value": "0x" + e.value.hex(), "valid_to": e.valid_to}
        else:
            continue
        out.append(TimelineEntry(time=time, block=e.block_number, tx_hash=_hex(e.transaction_hash),
                                 log_index=e.log_index, source="did", kind=kind, summary=summary, details=details))
    return out


def from_accreditation_events(events: Iterable) -> list[TimelineEntry]:
    """Entries of accreditation registry events (``AccreditationClient.history``)."""
    out = []
    for e in events:
        if e.kind not in ("granted", "withdrawn", "root-declared"):
            continue
        kind = {"granted": "accreditation-granted", "withdrawn": "accreditation-withdrawn",
                "root-declared": "root-declared"}[e.kind]
        facts = {k: v for k, v in e.data.items() if isinstance(v, (str, int, bool, type(None)))}
        summary = f"Accreditation {e.kind} ({e.role})" + (f": grant {facts['grantId']}" if "grantId" in facts
                                                           else "") + "."
        out.append(TimelineEntry(time=e.time, block=e.block_number, tx_hash=_hex(e.tx_hash), log_index=e.log_index,
                                 source="accreditation", kind=kind, summary=summary, details=facts))
    return out
