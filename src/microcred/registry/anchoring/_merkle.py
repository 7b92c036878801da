"""Merkle trees with sorted-pair keccak256, the shape the registry's ``verifyInclusion`` checks on chain.

Inner nodes hash the *sorted* pair, ``keccak256(min(a, b) || max(a, b))``, so a proof needs no left/right flags
and verifies on chain. A leaf is ``keccak256(credential digest)``: hashing the 32-byte digest once more keeps leaves
apart from inner nodes (whose preimages are 64 bytes). A tree of one leaf has the leaf as its root and an empty
proof; an odd node is promoted as is.
"""

from __future__ import annotations

from sha3 import keccak_256  # the C Keccak of safe-pysha3: 1 µs a hash, where eth_utils' keccak takes 5

__all__ = ["leaf_hash", "hash_pair", "MerkleTree", "verify_proof"]


def leaf_hash(digest: bytes) -> bytes:
    """The leaf for a 32-byte credential digest: ``keccak256(digest)``."""
    if len(digest) != 32:
        raise ValueError(f"a credential digest is 32 bytes, not {len(digest)}")
    return keccak_256(digest).digest()


def hash_pair(a: bytes, b: bytes) -> bytes:
    return keccak_256(a + b).digest() if a < b else keccak_256(b + a).digest()


class MerkleTree:
    """A tree over ``leaves`` (already leaf-hashed), kept level by level for proofs."""

    def __init__(self, leaves: list[bytes]) -> None:
        if not leaves:
            raise ValueError("a Merkle tree needs at least one leaf")
        self.levels: list[list[bytes]] = [list(leaves)]
        level = self.levels[0]
        while len(level) > 1:
            nxt = [hash_pair(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])
            self.levels.append(nxt)
            level = nxt

    @property
    def root(self) -> bytes:
        return self.levels[-1][0]

    def proof(self, position: int) -> list[bytes]:
        """Sibling hashes from the leaf at ``position`` up to the root."""
        path = []
        for level in self.levels[:-1]:
            sibling = position ^ 1
            if sibling < len(level):
                path.append(level[sibling])
            position //= 2
        return path


def verify_proof(leaf: bytes, proof: list[bytes], root: bytes) -> bool:
    node = leaf
    for sibling in proof:
        node = hash_pair(node, sibling)
    return node == root
