"""The credential registry contract from Python: anchors, statuses, history events; status lists derived from it."""

from microcred.registry.ledger._client import (
    BATCHES_SLOT,
    Batch,
    HistoryEvent,
    ProvenState,
    ProvenStatus,
    REASONS,
    STATUS_SLOT,
    RegistryClient,
    Status,
    reason_code,
    reason_label,
    registry_client,
)
from microcred.registry.ledger._statuslist import (
    MIN_BITS,
    decode_bitstring,
    encode_bitstring,
    status_list_credential,
)

__all__ = [
    "BATCHES_SLOT",
    "Batch",
    "HistoryEvent",
    "MIN_BITS",
    "ProvenState",
    "ProvenStatus",
    "REASONS",
    "RegistryClient",
    "STATUS_SLOT",
    "Status",
    "decode_bitstring",
    "encode_bitstring",
    "reason_code",
    "reason_label",
    "registry_client",
    "status_list_credential",
]
