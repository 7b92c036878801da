"""The anchor check asks the trusted registries once per chain and run, and its remembered tree nodes give the
same answers as the Merkle module."""

from __future__ import annotations

import hashlib

from eth_utils import to_checksum_address

from microcred.registry import MerkleTree, leaf_hash, verify_proof
from microcred.registry.verify._anchor import AnchorCheck, _leads_to

ADDRESS = "0x" + "ab" * 20


def test_trusted_registries_are_asked_once_per_chain_and_run() -> None:
    asked: list[str] = []

    def trusted(chain: str) -> set[str]:
        asked.append(chain)
        return {ADDRESS}

    check = AnchorCheck(trusted)
    check.begin()
    for _ in range(3):
        assert check.trusted_on("eip155:1") == {to_checksum_address(ADDRESS)}
    check.trusted_on("eip155:2")
    assert asked == ["eip155:1", "eip155:2"]
    check.begin()  # a new run asks again: a deployment may have been recorded in between
    check.trusted_on("eip155:1")
    assert asked == ["eip155:1", "eip155:2", "eip155:1"]


def test_remembered_nodes_verify_as_the_merkle_module_does() -> None:
    leaves = [leaf_hash(hashlib.sha256(str(i).encode()).digest()) for i in range(37)]
    tree = MerkleTree(leaves)
    for position, leaf in enumerate(leaves):
        path = tree.proof(position)
        assert _leads_to(leaf, path, tree.root) and verify_proof(leaf, path, tree.root)
        other = leaves[(position + 1) % len(leaves)]
        assert _leads_to(other, path, tree.root) == verify_proof(other, path, tree.root)
        assert not _leads_to(leaf, path, hashlib.sha256(tree.root).digest())
