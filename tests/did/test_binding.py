"""Binding a did:key / did:web DID to an issuer's account through the ERC-1056 registry, on the in-process EVM."""

from __future__ import annotations

import json
import socket
from datetime import datetime, timezone
from typing import Any

import pytest
from eth_account import Account
from web3 import EthereumTesterProvider, HTTPProvider, Web3

from microcred.contracts import load_artifact
from microcred.did import KeyPair, PublicKey
from microcred.did._binding import (
    BINDING_ATTRIBUTE,
    BINDING_TYPE,
    binding_statement,
    binding_value,
    decode_binding,
    encode_binding,
    publish_binding,
    revoke_binding,
    verify_binding,
)
from microcred.did._errors import DIDNetworkError, VerificationMethodNotFoundError
from microcred.did._ethr import EthrDIDController, EthrResolver, ethr_did
from microcred.errors import InvalidInputError

DAY = 86400


class Chain:
    def __init__(self) -> None:
        self.w3 = Web3(EthereumTesterProvider())
        art = load_artifact("EthereumDIDRegistry")
        factory = self.w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        receipt = self.w3.eth.wait_for_transaction_receipt(
            factory.constructor().transact({"from": self.w3.eth.accounts[0]}))
        self.registry = receipt["contractAddress"]
        self.chain_id = self.w3.eth.chain_id
        self.resolver = EthrResolver(self.w3, self.registry, self.chain_id, call_from=self.w3.eth.accounts[0])

    def controller(self, identity: str | None = None) -> EthrDIDController:
        acct = Account.create()
        self.w3.eth.send_transaction({"from": self.w3.eth.accounts[0], "to": acct.address, "value": 10**19})
        return EthrDIDController(self.w3, self.registry, acct, identity=identity, chain_id=self.chain_id,
                                 poll_latency=0.01)

    def time_of(self, receipt: Any) -> int:
        return int(self.w3.eth.get_block(receipt["blockNumber"])["timestamp"])

    def travel(self, seconds: int) -> None:
        self.w3.provider.ethereum_tester.time_travel(int(self.w3.eth.get_block("latest")["timestamp"]) + seconds)


@pytest.fixture
def chain() -> Chain:  # shadows the project-wide `chain` fixture inside this module on purpose
    return Chain()


@pytest.mark.parametrize("key_type", ["ed25519", "p256", "secp256k1"])
def test_bound(chain: Chain, key_type: str):
    issuer = chain.controller()
    key = KeyPair.generate(key_type)
    receipt = publish_binding(issuer, key.did, key, chain.registry)
    result = verify_binding(chain.resolver, issuer.identity, key.did)
    assert result.bound and bool(result)
    assert result.block == receipt["blockNumber"]
    assert result.verification_method == f"{key.did}#{key.public_key_multibase}"
    assert "is bound to" in result.reason


def test_statement_is_canonical_and_readable(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    value = binding_value(issuer, key.did, key)
    statement, raw, signature = decode_binding(value)
    assert statement == {
        "type": BINDING_TYPE, "did": key.did, "verificationMethod": f"{key.did}#{key.public_key_multibase}",
        "account": issuer.identity, "chainId": chain.chain_id, "registry": chain.registry,
    }
    assert raw == json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()  # JCS of this object
    assert key.verify(raw, signature)
    assert value.startswith(b'{"account":"0x')
    with pytest.raises(ValueError, match="canonical"):
        decode_binding(json.dumps(statement).encode() + b".AAAA")
    with pytest.raises(ValueError):
        decode_binding(b"no signature here")


def test_not_bound_without_attribute(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    result = verify_binding(chain.resolver, issuer.identity, key.did)
    assert not result.bound
    assert f"has published no {BINDING_ATTRIBUTE} attribute" in result.reason
    # a binding of another DID does not bind this one
    other = KeyPair.generate("ed25519")
    publish_binding(issuer, other.did, other)
    result = verify_binding(chain.resolver, issuer.identity, key.did)
    assert not result.bound and "binds other DIDs" in result.reason


def test_statement_signed_by_another_key(chain: Chain):
    issuer = chain.controller()
    key, impostor = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    statement = binding_statement(key.did, f"{key.did}#{key.public_key_multibase}", issuer.identity,
                                  chain.chain_id, chain.registry)
    issuer.set_attribute(BINDING_ATTRIBUTE, encode_binding(statement, impostor.sign(statement)), DAY)
    result = verify_binding(chain.resolver, issuer.identity, key.did)
    assert not result.bound and "signature does not verify" in result.reason
    with pytest.raises(InvalidInputError, match="not the key of"):
        publish_binding(issuer, key.did, impostor)


@pytest.mark.parametrize("field, value, message", [
    ("account", "0x" + "12" * 20, "names the account"),
    ("chainId", 1, "names chain 1"),
    ("registry", "0x" + "34" * 20, "names the registry"),
])
def test_statement_for_another_account_chain_or_registry(chain: Chain, field: str, value: Any, message: str):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    fields = {"account": issuer.identity, "chainId": chain.chain_id, "registry": chain.registry, field: value}
    statement = binding_statement(key.did, f"{key.did}#{key.public_key_multibase}", fields["account"],
                                  fields["chainId"], fields["registry"])
    issuer.set_attribute(BINDING_ATTRIBUTE, encode_binding(statement, key.sign(statement)), DAY)
    result = verify_binding(chain.resolver, issuer.identity, key.did)
    assert not result.bound and message in result.reason


def test_a_binding_published_by_one_account_does_not_bind_another(chain: Chain):
    issuer, other = chain.controller(), chain.controller()
    key = KeyPair.generate("ed25519")
    publish_binding(issuer, key.did, key)
    assert verify_binding(chain.resolver, issuer.identity, key.did).bound
    assert not verify_binding(chain.resolver, other.identity, key.did).bound


def test_revoked_before_at(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    published = publish_binding(issuer, key.did, key)
    chain.travel(DAY)
    revoked = revoke_binding(issuer, chain.resolver, key.did)
    assert len(revoked) == 1
    t_published, t_revoked = chain.time_of(published), chain.time_of(revoked[0])
    at_before = datetime.fromtimestamp(t_published + 10, timezone.utc)
    assert verify_binding(chain.resolver, issuer.identity, key.did, at=at_before).bound
    after = verify_binding(chain.resolver, issuer.identity, key.did, at=t_revoked)
    assert not after.bound and "was revoked or had expired" in after.reason
    assert after.block == published["blockNumber"]
    assert not verify_binding(chain.resolver, issuer.identity, key.did).bound
    assert verify_binding(chain.resolver, issuer.identity, key.did, block=revoked[0]["blockNumber"] - 1).bound


def test_expired_binding(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    published = publish_binding(issuer, key.did, key, validity=3600)
    t = chain.time_of(published)
    # validTo is inclusive, as in the DID documents (spec, ethr-did-resolver: validTo >= the time asked)
    assert verify_binding(chain.resolver, issuer.identity, key.did, at=t + 3600).bound
    assert not verify_binding(chain.resolver, issuer.identity, key.did, at=t + 3601).bound


def test_deactivated_account_binds_nothing(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    publish_binding(issuer, key.did, key)
    issuer.deactivate()
    result = verify_binding(chain.resolver, issuer.identity, key.did)
    assert not result.bound and "deactivated" in result.reason


def test_did_web_with_a_key_resolver(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("p256")
    did = "did:web:issuer.example"
    vm = f"{did}#key-1"
    with pytest.raises(InvalidInputError, match="name the verification method"):
        publish_binding(issuer, did, key)
    publish_binding(issuer, did, key, verification_method=vm)

    def resolve_key(vm_id: str) -> PublicKey:
        if vm_id != vm:
            raise VerificationMethodNotFoundError(f"{did} has no verification method {vm_id}", did=did)
        return key.public

    assert verify_binding(chain.resolver, issuer.identity, did, resolve_key).bound
    with pytest.raises(InvalidInputError, match="pass resolve_key"):
        verify_binding(chain.resolver, issuer.identity, did)

    def key_gone(vm_id: str) -> PublicKey:
        raise VerificationMethodNotFoundError(f"{did} has no verification method {vm_id}", did=did)

    result = verify_binding(chain.resolver, issuer.identity, did, key_gone)
    assert not result.bound and "cannot be used" in result.reason


def test_did_ethr_is_bound_to_its_own_account(chain: Chain):
    issuer = chain.controller()
    did = ethr_did(issuer.identity, chain.chain_id)
    assert verify_binding(chain.resolver, issuer.identity, did).bound
    other = Account.create().address
    assert not verify_binding(chain.resolver, other, did).bound
    result = verify_binding(chain.resolver, issuer.identity, ethr_did(issuer.identity, 11155111))
    assert not result.bound and "chain 11155111" in result.reason


def test_rpc_down_is_not_reported_as_not_bound():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    w3 = Web3(HTTPProvider(f"http://127.0.0.1:{port}", exception_retry_configuration=None))
    resolver = EthrResolver(w3, "0x" + "11" * 20, 31337)
    key = KeyPair.generate("ed25519")
    with pytest.raises(DIDNetworkError):
        verify_binding(resolver, "0x" + "22" * 20, key.did)


def test_key_resolver_network_failure_propagates(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    did = "did:web:issuer.example"
    publish_binding(issuer, did, key, verification_method=f"{did}#k")

    def down(vm_id: str) -> PublicKey:
        raise DIDNetworkError("https://issuer.example cannot be reached", did=did)

    with pytest.raises(DIDNetworkError):
        verify_binding(chain.resolver, issuer.identity, did, down)


# -- the credential registry the binding is for ---------------------------------------------------------------------

CREDENTIALS_A = "0x" + "aa" * 20
CREDENTIALS_B = "0x" + "bb" * 20


def test_a_binding_names_the_credential_registry_and_binds_for_it_only(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    value = binding_value(issuer, key.did, key, credential_registry=CREDENTIALS_A)
    statement, _, _ = decode_binding(value)
    assert statement["credentialRegistry"] == Web3.to_checksum_address(CREDENTIALS_A)
    assert statement["registry"] == chain.registry  # the DID registry it is published in, as before
    publish_binding(issuer, key.did, key, credential_registry=CREDENTIALS_A)
    ok = verify_binding(chain.resolver, issuer.identity, key.did, credential_registry=CREDENTIALS_A)
    assert ok.bound and ok.code == "bound" and ok.credential_registry == Web3.to_checksum_address(CREDENTIALS_A)
    assert "for the credential registry" in ok.reason
    other = verify_binding(chain.resolver, issuer.identity, key.did, credential_registry=CREDENTIALS_B)
    assert not other.bound and other.code == "other-credential-registry"
    assert Web3.to_checksum_address(CREDENTIALS_B) in other.reason
    assert verify_binding(chain.resolver, issuer.identity, key.did).bound  # asked about no registry: bound
    # a second binding for registry B: each registry finds its own
    publish_binding(issuer, key.did, key, credential_registry=CREDENTIALS_B)
    for registry in (CREDENTIALS_A, CREDENTIALS_B):
        assert verify_binding(chain.resolver, issuer.identity, key.did, credential_registry=registry).bound


def test_an_old_binding_is_read_and_reported_when_a_registry_is_asked_for(chain: Chain):
    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    publish_binding(issuer, key.did, key)  # the old form: no credentialRegistry
    assert "credentialRegistry" not in decode_binding(binding_value(issuer, key.did, key))[0]
    anything = verify_binding(chain.resolver, issuer.identity, key.did)
    assert anything.bound and anything.credential_registry is None
    old = verify_binding(chain.resolver, issuer.identity, key.did, credential_registry=CREDENTIALS_A)
    assert not old.bound and old.code == "no-credential-registry"
    assert "names no credential registry" in old.reason and "microcred issuer bind" in old.reason
    # binding again for the registry fixes it; the old statement stays on the chain, harmless
    publish_binding(issuer, key.did, key, credential_registry=CREDENTIALS_A)
    assert verify_binding(chain.resolver, issuer.identity, key.did, credential_registry=CREDENTIALS_A).bound


def test_a_forged_binding_for_another_registry_is_a_bad_signature_not_a_registry_mismatch(chain: Chain):
    issuer = chain.controller()
    key, thief = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    statement = binding_statement(key.did, f"{key.did}#{key.public_key_multibase}", issuer.identity, chain.chain_id,
                                  chain.registry, CREDENTIALS_B)
    issuer.set_attribute(BINDING_ATTRIBUTE, encode_binding(statement, thief.sign(statement)), DAY)
    result = verify_binding(chain.resolver, issuer.identity, key.did, credential_registry=CREDENTIALS_B)
    assert not result.bound and result.code == "bad-signature"


def test_every_result_has_a_named_code(chain: Chain):
    from microcred.did._binding import BINDING_CODES

    issuer = chain.controller()
    key = KeyPair.generate("ed25519")
    results = [verify_binding(chain.resolver, issuer.identity, key.did),
               verify_binding(chain.resolver, issuer.identity, ethr_did(issuer.identity, chain.chain_id)),
               verify_binding(chain.resolver, issuer.identity, ethr_did(Account.create().address, chain.chain_id))]
    other = KeyPair.generate("ed25519")
    publish_binding(issuer, other.did, other)
    results.append(verify_binding(chain.resolver, issuer.identity, key.did))
    assert [r.code for r in results] == ["not-published", "ethr-identity", "ethr-other-account", "other-dids"]
    assert all(r.code in BINDING_CODES for r in results)
