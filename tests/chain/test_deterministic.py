"""Deterministic deployment: the registries through the CREATE2 factory, at the same addresses on every chain."""

from __future__ import annotations

from eth_utils import keccak

from microcred.chain import (
    CREATE2_FACTORY,
    SALTS,
    connect,
    create2_address,
    deterministic_addresses,
    factory_installed,
)
from microcred.chain._deterministic import FACTORY_RUNTIME
from microcred.contracts import CONTRACT_NAMES, load_artifact


def test_create2_address_matches_eip_1014():
    # EIP-1014, example 0 and example 5
    zero = "0x0000000000000000000000000000000000000000"
    assert create2_address(b"\x00", bytes(32), zero) == "0x4D1A2e2bB4F88F0250f26Ffff098B0b30B26BF38"
    assert create2_address(bytes.fromhex("deadbeef"), bytes.fromhex("00" * 28 + "cafebabe"),
                           "0x00000000000000000000000000000000deadbeef") == \
        "0x60f3f640a8508fC6a86d45DF051962668E1e8AC7"


def test_addresses_follow_from_the_shipped_code_and_fixed_salts():
    addresses = deterministic_addresses()
    assert set(addresses) == set(CONTRACT_NAMES) and len(set(addresses.values())) == len(CONTRACT_NAMES)
    for name, address in addresses.items():
        assert SALTS[name] == keccak(text=f"microcred/{name}/v1")
        init = bytes.fromhex(load_artifact(name)["bytecode"][2:])
        assert keccak(b"\xff" + bytes.fromhex(CREATE2_FACTORY[2:]) + SALTS[name] + keccak(init))[12:] == \
            bytes.fromhex(address[2:])


def test_memory_and_anvil_have_the_same_addresses(chain):
    assert factory_installed(chain.w3)
    assert bytes(chain.w3.eth.get_code(CREATE2_FACTORY)) == FACTORY_RUNTIME
    assert chain.addresses == deterministic_addresses()
    for name, address in chain.addresses.items():
        assert bytes(chain.w3.eth.get_code(address)) == bytes.fromhex(load_artifact(name)["deployedBytecode"][2:])


def test_two_memory_chains_agree():
    assert connect("memory").addresses == connect("memory").addresses == deterministic_addresses()
