"""Anchoring: Merkle batches of credential digests and the crash-safe anchorer that puts their roots on chain."""

from microcred.registry.anchoring._anchor import (
    AnchorError,
    AnchorResult,
    Anchorer,
    BatchLimitError,
    DEFAULT_BATCH_LIMIT,
    check_batch_limit,
)
from microcred.registry.anchoring._merkle import (
    MerkleTree,
    hash_pair,
    leaf_hash,
    verify_proof,
)

__all__ = [
    "AnchorError",
    "AnchorResult",
    "Anchorer",
    "BatchLimitError",
    "DEFAULT_BATCH_LIMIT",
    "check_batch_limit",
    "MerkleTree",
    "hash_pair",
    "leaf_hash",
    "verify_proof",
]
