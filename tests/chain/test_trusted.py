"""Which registries a verifier believes: configured, shipped and deterministic ones — never the credential's."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from microcred.chain import (
    ANY_CHAIN,
    NoTrustedRegistryError,
    TrustedRegistries,
    UntrustedRegistryError,
    connect,
    deterministic_addresses,
)
from microcred.contracts import CONTRACT_NAMES
from microcred.errors import InvalidInputError

KIND = "CredentialRegistry"


@pytest.fixture(scope="module")
def memory():
    return connect("memory")


def test_a_dev_chain_believes_the_deterministic_addresses(memory):
    trusted = TrustedRegistries()
    for kind in CONTRACT_NAMES:
        assert trusted.addresses(memory.w3, memory.chain_id, kind) == {deterministic_addresses()[kind]}
        assert trusted.primary(memory.w3, memory.chain_id, kind) == deterministic_addresses()[kind]


def test_a_registry_the_credential_names_is_not_believed(memory):
    trusted = TrustedRegistries()
    forged = Account.create().address  # e.g. the attacker's own contract
    assert not trusted.is_trusted(memory.w3, memory.chain_id, KIND, forged)
    with pytest.raises(UntrustedRegistryError, match=f"{forged}.*not one this verifier trusts") as info:
        trusted.require(memory.w3, memory.chain_id, KIND, forged)
    assert info.value.exit_code == 1
    assert trusted.require(memory.w3, memory.chain_id, KIND, deterministic_addresses()[KIND].lower()) == \
        deterministic_addresses()[KIND]


def test_configured_addresses_are_believed_where_they_have_code(memory):
    other = deterministic_addresses()["AccreditationRegistry"]  # some contract with code, standing in
    empty = Account.create().address
    trusted = TrustedRegistries({memory.chain_id: {KIND: [other, empty]}})
    assert trusted.sources(memory.chain_id, KIND) == {other: "configured", empty: "configured",
                                                      deterministic_addresses()[KIND]: "deterministic"}
    assert trusted.addresses(memory.w3, memory.chain_id, KIND) == {other, deterministic_addresses()[KIND]}
    assert trusted.primary(memory.w3, memory.chain_id, KIND) == other
    everywhere = TrustedRegistries({ANY_CHAIN: {KIND: other}}, deterministic=False)
    assert everywhere.addresses(memory.w3, memory.chain_id, KIND) == {other}


def test_the_shipped_public_deployments_are_believed():
    sources = TrustedRegistries().sources(11155111, "EthereumDIDRegistry")
    assert sources["0x03d5003bf0e79C5F5223588F347ebA39AfbC3818"] == "shipped"
    assert TrustedRegistries(shipped=False).sources(11155111, "EthereumDIDRegistry") == {
        deterministic_addresses()["EthereumDIDRegistry"]: "deterministic"}


def test_a_chain_without_any_believed_registry_is_a_named_error_with_a_hint():
    empty = connect("memory", read_only=True)  # nothing deployed
    with pytest.raises(NoTrustedRegistryError, match=r"microcred deploy.*--registry ADDRESS") as info:
        TrustedRegistries().addresses(empty.w3, empty.chain_id, KIND)
    assert info.value.exit_code == 2


def test_the_verifiers_own_home_records_are_configuration(tmp_path, memory):
    other = deterministic_addresses()["EthereumDIDRegistry"]
    (tmp_path / "deployments.json").write_text(json.dumps({str(memory.chain_id): {KIND: other}}))
    trusted = TrustedRegistries.for_home(tmp_path)
    assert trusted.sources(memory.chain_id, KIND)[other] == "configured"
    assert TrustedRegistries.for_home(tmp_path / "nowhere").sources(memory.chain_id, KIND) == {
        deterministic_addresses()[KIND]: "deterministic"}


def test_bad_configuration_is_refused():
    with pytest.raises(InvalidInputError, match="not a 0x-prefixed"):
        TrustedRegistries({1: {KIND: "0x1234"}})
    with pytest.raises(InvalidInputError, match="unknown registry kind"):
        TrustedRegistries({1: {"Whatever": "0x" + "11" * 20}})
