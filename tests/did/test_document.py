"""DID syntax (DID Core §3), the typed DID document and its helpers, and resolution results."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest
from eth_account import Account
from pydantic import ValidationError

from microcred.did import (
    DIDDocument,
    DIDResolutionResult,
    InvalidDIDDocumentError,
    KeyFormatError,
    KeyPair,
    MalformedDIDError,
    UnsupportedKeyTypeError,
    VerificationMethod,
    is_did,
    parse_did,
    parse_did_url,
)
from microcred.errors import InvalidInputError
from tests.support.paths import VECTORS


@pytest.mark.parametrize("did, method, msid", [
    ("did:example:123456789abcdefghi", "example", "123456789abcdefghi"),
    ("did:web:localhost%3A8443", "web", "localhost%3A8443"),
    ("did:ethr:0xaa36a7:0xb9c5714089478a327f09197987f16f9e5d936e8a", "ethr",
     "0xaa36a7:0xb9c5714089478a327f09197987f16f9e5d936e8a"),
    ("did:example::a", "example", ":a"),
    ("did:a1:A.b-c_d", "a1", "A.b-c_d"),
])
def test_valid_dids(did: str, method: str, msid: str) -> None:
    assert parse_did(did) == (method, msid)
    assert is_did(did)


@pytest.mark.parametrize("text, reason", [
    ("DID:example:1", "start with 'did:'"),
    ("did:Example:1", "lowercase"),
    ("did:ex-ample:1", "lowercase"),
    ("did::1", "lowercase"),
    ("did:example", "did:<method>"),
    ("did:example:", "empty"),
    ("did:example:a:", "end with ':'"),
    ("did:example:a b", "' '"),
    ("did:example:a#b", "'#'"),
    ("did:example:a/b", "'/'"),
    ("did:example:a%2", "percent"),
    ("did:example:a%zz", "percent"),
])
def test_invalid_dids_say_why(text: str, reason: str) -> None:
    with pytest.raises(MalformedDIDError, match=reason) as info:
        parse_did(text)
    assert isinstance(info.value, InvalidInputError)
    assert text in str(info.value)
    assert not is_did(text)


def test_non_string_did() -> None:
    with pytest.raises(MalformedDIDError, match="string"):
        parse_did(42)
    assert not is_did(None)


def test_did_url_parts() -> None:
    url = parse_did_url("did:example:123/path/x?versionTime=2021-05-10T17:00:00Z#key-1")
    assert (url.did, url.method, url.path, url.query, url.fragment) == (
        "did:example:123", "example", "/path/x", "versionTime=2021-05-10T17:00:00Z", "key-1")
    assert str(url) == "did:example:123/path/x?versionTime=2021-05-10T17:00:00Z#key-1"
    bare = parse_did_url("did:example:123")
    assert (bare.path, bare.query, bare.fragment) == ("", "", None)
    assert parse_did_url("did:example:123#").fragment == ""


@pytest.mark.parametrize("url, match", [
    ("did:Example:1#a", "not a DID URL"),
    ("did:example:1#a b", "fragment"),
    ("did:example:1?a b", "query"),
    ("did:example:1/a b", "path"),
    (7, "string"),
])
def test_invalid_did_urls(url: Any, match: str) -> None:
    with pytest.raises(MalformedDIDError, match=match):
        parse_did_url(url)


# -- documents --------------------------------------------------------------------------------------------------

SPEC_EXAMPLE = VECTORS / "04-did-key" / "spec-examples" / "did-key-z6MkhaXg-did-document.json"


def test_spec_example_round_trips_and_exposes_its_keys() -> None:
    data = json.loads(SPEC_EXAMPLE.read_text())
    doc = DIDDocument.from_json(data, did=data["id"])
    assert doc.to_json() == data
    assert doc.verification_method[0].type == "Ed25519VerificationKey2020"
    (assertion,) = doc.assertion_keys()
    key = assertion.public_key()
    assert key is not None and key.key_type == "ed25519" and key.multibase == data["id"][8:]
    # the keyAgreement method is embedded in the relationship, and is an X25519 key microcred does not handle
    agreement = doc.find_method(data["keyAgreement"][0]["id"])
    assert agreement is not None and agreement.type == "X25519KeyAgreementKey2020"
    with pytest.raises(UnsupportedKeyTypeError, match=agreement.id):
        agreement.public_key()
    assert doc.methods_for("keyAgreement") == [agreement]
    assert doc.authorizes(assertion.id)
    assert not doc.authorizes(agreement.id)
    assert doc.authorizes(agreement.id, "keyAgreement")


def _ethr_like(address: str, extra: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    did = f"did:ethr:0xaa36a7:{address.lower()}"
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/secp256k1recovery-2020/v2"],
        "id": did,
        "verificationMethod": [
            {"id": f"{did}#controller", "type": "EcdsaSecp256k1RecoveryMethod2020", "controller": did,
             "blockchainAccountId": f"eip155:11155111:{address.lower()}"},
            *(extra or []),
        ],
        "authentication": [f"{did}#controller"],
        "assertionMethod": [f"{did}#controller", *(e["id"] for e in extra or [])],
    }


def test_blockchain_account_methods_have_an_address_and_no_key() -> None:
    account = Account.create()
    doc = DIDDocument.from_json(_ethr_like(account.address))
    (controller,) = doc.assertion_keys()
    assert controller.public_key() is None
    assert controller.eth_address == account.address  # checksummed from lowercase


def test_public_key_hex_and_relative_ids() -> None:
    """did:ethr attribute keys use publicKeyHex; some documents use relative ids (#delegate-1)."""
    pair = KeyPair.generate("secp256k1")
    address = Account.create().address
    data = _ethr_like(address, [{
        "id": "#delegate-1", "type": "EcdsaSecp256k1VerificationKey2019", "controller": "did:ethr:x",
        "publicKeyHex": pair.public.uncompressed.hex(),
    }])
    doc = DIDDocument.from_json(data)
    delegate = doc.find_method(f"{doc.id}#delegate-1")
    assert delegate is doc.find_method("#delegate-1")
    assert delegate.public_key() == pair.public
    assert delegate.eth_address == pair.eth_address
    assert [vm.id for vm in doc.assertion_keys()] == [f"{doc.id}#controller", "#delegate-1"]
    assert doc.authorizes("#delegate-1") and doc.authorizes(f"{doc.id}#delegate-1")
    assert doc.find_method("#nope") is None


@pytest.mark.parametrize("vm, error, match", [
    ({"blockchainAccountId": "eip155:1:0x12"}, KeyFormatError, "CAIP-10"),
    ({"publicKeyHex": "zz", "type": "EcdsaSecp256k1VerificationKey2019"}, KeyFormatError, "hexadecimal"),
    ({"publicKeyBase58": "abc", "type": "SomethingElse2030"}, KeyFormatError, "SomethingElse2030"),
    ({"publicKeyMultibase": KeyPair.generate("p256").public_key_multibase, "type": "Ed25519VerificationKey2020"},
     KeyFormatError, "multibase key is p256"),
    ({}, KeyFormatError, "carries no key"),
])
def test_bad_verification_methods_name_themselves(vm: dict[str, Any], error: type, match: str) -> None:
    method = VerificationMethod.model_validate(
        {"id": "did:example:1#k", "type": "Multikey", "controller": "did:example:1", **vm})
    with pytest.raises(error, match=match) as info:
        method.eth_address if "blockchainAccountId" in vm else method.public_key()
    assert "did:example:1#k" in str(info.value)


def test_legacy_account_format_and_ethereum_address() -> None:
    account = Account.create()
    legacy = VerificationMethod(id="d#o", type="EcdsaSecp256k1RecoveryMethod2020", controller="d",
                                blockchain_account_id=f"{account.address.lower()}@eip155:1")
    assert legacy.eth_address == account.address
    old = VerificationMethod(id="d#o", type="Secp256k1VerificationKey2018", controller="d",
                             ethereum_address=account.address.lower())
    assert old.public_key() is None and old.eth_address == account.address
    ed = VerificationMethod(id="d#e", type="Multikey", controller="d",
                            public_key_multibase=KeyPair.generate().public_key_multibase)
    assert ed.eth_address is None


@pytest.mark.parametrize("data, did, match", [
    ([], None, "not a JSON object"),
    ({"id": "did:example:1"}, "did:example:2", "has id 'did:example:1'"),
    ({"id": "not a did"}, None, "id: Value error, the document id 'not a did' is not a DID"),
    ({}, "did:example:1", "id: Field required"),
    ({"id": "did:example:1", "verificationMethod": [{"id": "did:example:1#a"}]}, None,
     r"verificationMethod\.0\.type"),
    ({"id": "did:example:1", "assertionMethod": [3]}, None, "assertionMethod.0"),
])
def test_invalid_documents_are_named(data: Any, did: str | None, match: str) -> None:
    with pytest.raises(InvalidDIDDocumentError, match=match) as info:
        DIDDocument.from_json(data, did=did)
    assert isinstance(info.value, InvalidInputError)


def test_unknown_members_are_kept_and_models_are_frozen() -> None:
    data = {"id": "did:example:1", "alsoKnownAs": ["https://example.com"], "custom": {"a": 1},
            "service": [{"id": "#s", "type": "LinkedDomains", "serviceEndpoint": "https://example.com"}]}
    doc = DIDDocument.from_json(data)
    assert doc.to_json() == data
    assert doc.service[0].service_endpoint == "https://example.com"
    with pytest.raises(ValidationError, match="frozen"):
        doc.id = "did:example:2"  # type: ignore[misc]


def test_unknown_relationship_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="assertionMethod"):
        DIDDocument(id="did:example:1").methods_for("assertion")


def test_resolution_result_json_names() -> None:
    doc = {"id": "did:example:1"}
    result = DIDResolutionResult.model_validate({
        "didDocument": doc,
        "didDocumentMetadata": {"deactivated": True, "versionId": "7", "updated": "2026-01-02T03:04:05Z"},
        "didResolutionMetadata": {"contentType": "application/did+json"},
    })
    assert result.deactivated and result.did == "did:example:1"
    assert result.metadata.version_id == "7"
    assert result.metadata.updated == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    out = result.to_json()
    assert out["didDocumentMetadata"] == {"deactivated": True, "versionId": "7", "updated": "2026-01-02T03:04:05Z"}
    assert out["didDocument"] == doc
    assert DIDResolutionResult(document=DIDDocument(id="did:example:2")).deactivated is False
