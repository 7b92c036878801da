from __future__ import annotations

import os

import pytest
from hypothesis import given, strategies as st

from microcred.registry import MerkleTree, leaf_hash, verify_proof


@given(st.integers(min_value=1, max_value=70), st.data())
def test_every_leaf_proves_and_a_stranger_does_not(n, data):
    leaves = [leaf_hash(os.urandom(32)) for _ in range(n)]
    tree = MerkleTree(leaves)
    i = data.draw(st.integers(min_value=0, max_value=n - 1))
    assert verify_proof(leaves[i], tree.proof(i), tree.root)
    assert not verify_proof(leaf_hash(os.urandom(32)), tree.proof(i), tree.root)
    assert len(tree.proof(i)) <= max(1, (n - 1).bit_length())


def test_single_leaf_and_bad_digest():
    leaf = leaf_hash(b"\x01" * 32)
    assert MerkleTree([leaf]).root == leaf and MerkleTree([leaf]).proof(0) == []
    with pytest.raises(ValueError):
        leaf_hash(b"short")
    with pytest.raises(ValueError):
        MerkleTree([])


@given(st.binary(min_size=32, max_size=32), st.binary(min_size=32, max_size=32))
def test_hashes_are_ethereums_keccak256(a, b):
    """The C Keccak the tree uses gives what eth_utils (and the contract's keccak256) gives."""
    from eth_utils import keccak

    from microcred.registry.anchoring._merkle import hash_pair

    assert leaf_hash(a) == keccak(a)
    assert hash_pair(a, b) == keccak(min(a, b) + max(a, b)) == hash_pair(b, a)
