"""Credentials and the chain: models, proofs, issuance, anchoring, verification, audit, and the chain client."""

from microcred.chain._connect import Chain, connect, deploy_contracts, known_networks
from microcred.registry.ledger._client import (
    REASONS,
    Batch,
    HistoryEvent,
    RegistryClient,
    Status,
    reason_code,
    reason_label,
)
from microcred.chain._errors import (
    ChainError,
    InsufficientFundsError,
    NoContractError,
    RegistryRevert,
    RPCResponseError,
    RPCUnavailableError,
    TransactionDroppedError,
    TransactionFailedError,
    UnknownRevertError,
    WrongChainError,
)
from microcred.registry.anchoring._merkle import MerkleTree, leaf_hash, verify_proof
from microcred.registry.anchoring._anchor import AnchorError, Anchorer
from microcred.registry.credential._documents import ANCHOR_PROOF_TYPE, credential_digest, strip_anchor
from microcred.registry.verify._verifier import Check, Verification, Verifier
from microcred.registry.accreditation._client import AccreditationClient, Scope
from microcred.registry.accreditation._trust import AccreditationChecker, load_trust_list
from microcred.registry.audit._timeline import (
    TimelineEntry,
    from_registry_events,
    merge_timelines,
    status_at,
    statuses_at,
)
from microcred.registry.audit._report import AuditReport
from microcred.chain._node import LocalNode, NodeStatus
from microcred.chain._tx import PreparedTx, Receipt, TxSender

__all__ = [
    "ANCHOR_PROOF_TYPE",
    "AccreditationChecker",
    "AccreditationClient",
    "AnchorError",
    "Anchorer",
    "AuditReport",
    "Check",
    "Scope",
    "TimelineEntry",
    "Verification",
    "Verifier",
    "credential_digest",
    "from_registry_events",
    "load_trust_list",
    "merge_timelines",
    "status_at",
    "statuses_at",
    "strip_anchor",
    "Batch",
    "Chain",
    "ChainError",
    "HistoryEvent",
    "InsufficientFundsError",
    "LocalNode",
    "MerkleTree",
    "NoContractError",
    "NodeStatus",
    "PreparedTx",
    "REASONS",
    "RPCResponseError",
    "RPCUnavailableError",
    "Receipt",
    "RegistryClient",
    "RegistryRevert",
    "Status",
    "TransactionDroppedError",
    "TransactionFailedError",
    "TxSender",
    "UnknownRevertError",
    "WrongChainError",
    "connect",
    "deploy_contracts",
    "known_networks",
    "leaf_hash",
    "reason_code",
    "reason_label",
    "verify_proof",
]
