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
