"""The anchor check asks the trusted registries once per chain and run, and its remembered tree nodes give the
same answers as the Merkle module."""

from __future__ import annotations

import hashlib

from eth_utils import to_checksum_address

from microcred.registry import MerkleTree, leaf_hash, verify_proof
from microcred.registry.verify._anchor import AnchorCheck, _walk

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
        written = ["0x" + p.hex() for p in path]
        assert _walk(leaf, written) == tree.root and verify_proof(leaf, path, tree.root)
        other = leaves[(position + 1) % len(leaves)]
        assert (_walk(other, written) == tree.root) == verify_proof(other, path, tree.root)
        assert _walk(leaf, [w.upper().replace("0X", "0x") for w in written]) == tree.root  # hex of either case
    path = ["0x" + p.hex() for p in tree.proof(3)]
    for bad in ("0x" + "ab " * 21 + "a", "0x" + "zz" * 32, path[0][:-2], 7, None):
        assert _walk(leaves[3], [*path[:-1], bad]) is None, bad


def test_bytes32_takes_exactly_64_hex_digits() -> None:
    from microcred.registry.verify._anchor import bytes32, is_bytes32

    good = "0x" + "ab" * 32
    assert bytes32(good) == bytes.fromhex("ab" * 32) and is_bytes32(good)
    assert bytes32(good.upper().replace("0X", "0x")) == bytes.fromhex("ab" * 32)
    # bytes.fromhex skips spaces: 66 characters with spaces among them hold fewer than 32 bytes
    for bad in ("0x" + "ab " * 21 + "a", "0x" + "ab" * 31, "ab" * 33, "0x" + "zz" * 32, 32, None, b"\x00" * 32):
        assert bytes32(bad) is None and not is_bytes32(bad), bad
