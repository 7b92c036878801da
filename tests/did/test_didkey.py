"""did:key against the W3C CCG vectors (tests/vectors/04-did-key, commit f5abee84) and against didkit.

The vectors use the 2022 verification-method types (Ed25519VerificationKey2018, EcdsaSecp256k1VerificationKey2019,
JsonWebKey2020, P256Key2021); microcred emits Multikey (or JsonWebKey), so what is compared is the DID, the key
material (publicKeyBase58 decoded with the independent `base58` package, or publicKeyJwk kty/crv/x/y), the method
id and controller, and the verification relationships.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import base58
import pytest

from microcred.did import (
    KEY_TYPES,
    DIDDocument,
    KeyPair,
    MalformedDIDError,
    PublicKey,
    did_key_from_public,
    multibase_encode,
    public_key_from_did_key,
    resolve_did_key,
)
from microcred.errors import InvalidInputError
from tests.support.paths import VECTORS

VECTOR_DIR = VECTORS / "04-did-key" / "test-vectors"
#: multibase prefixes of the key types microcred supports (P-384, P-521, X25519, BLS, RSA are out of scope)
SUPPORTED = {"z6Mk": "ed25519", "zQ3s": "secp256k1", "zDna": "p256"}
RELATIONSHIPS = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation")


def _vectors() -> list[Any]:
    params = []
    for name in ("ed25519-x25519.json", "secp256k1.json", "nist-curves.json"):
        for did, vector in json.loads((VECTOR_DIR / name).read_text()).items():
            if did[8:12] in SUPPORTED:
                params.append(pytest.param(did, vector, id=f"{name.split('.')[0]}-{did[8:20]}"))
    return params


VECTORS_04 = _vectors()


def test_every_supported_vector_is_collected() -> None:
    counts = {t: sum(1 for p in VECTORS_04 if SUPPORTED[p.values[0][8:12]] == t) for t in KEY_TYPES}
    assert counts == {"ed25519": 5, "secp256k1": 6, "p256": 3}


def _private_key(did: str, vector: dict[str, Any]) -> KeyPair:
    """The key pair of a vector, from whichever private material it gives."""
    key_type = SUPPORTED[did[8:12]]
    pair = vector.get("verificationKeyPair") or vector.get("verificationMethod")
    if "privateKeyJwk" in pair:
        return KeyPair.from_jwk(pair["privateKeyJwk"])
    if "privateKeyBase58" in pair:
        return KeyPair.from_private_bytes(key_type, base58.b58decode(pair["privateKeyBase58"]))
    return KeyPair.from_private_bytes(key_type, bytes.fromhex(vector["seed"]))


@pytest.mark.parametrize("did, vector", VECTORS_04)
def test_did_from_the_vector_private_key(did: str, vector: dict[str, Any]) -> None:
    pair = _private_key(did, vector)
    assert pair.did == did
    assert did_key_from_public(pair) == did
    assert did_key_from_public(pair.public) == did
    if "seed" in vector:  # the seed is the private key itself for ed25519 and secp256k1
        assert pair.private_bytes().hex() == vector["seed"]


@pytest.mark.parametrize("did, vector", VECTORS_04)
def test_resolved_key_material_matches_the_vector(did: str, vector: dict[str, Any]) -> None:
    expected_doc = vector["didDocument"]
    expected_vm = expected_doc["verificationMethod"][0]
    doc = resolve_did_key(did)
    vm = doc.verification_method[0]
    assert doc.id == did
    assert vm.id == expected_vm["id"] == f"{did}#{did[8:]}"
    assert vm.controller == expected_vm["controller"] == did
    assert vm.type == "Multikey"
    assert vm.public_key_multibase == did[8:]
    key = vm.public_key()
    assert key is not None and key.key_type == SUPPORTED[did[8:12]]
    if "publicKeyBase58" in expected_vm:
        assert key.public_key == base58.b58decode(expected_vm["publicKeyBase58"])
    else:
        jwk_vm = resolve_did_key(did, jwk=True).verification_method[0]
        assert jwk_vm.type == "JsonWebKey"
        assert jwk_vm.public_key_jwk == {k: expected_vm["publicKeyJwk"][k] for k in ("kty", "crv", "x", "y")
                                         if k in expected_vm["publicKeyJwk"]}
    for relationship in RELATIONSHIPS:
        assert doc.to_json()[relationship] == expected_doc[relationship]


@pytest.mark.parametrize("did, vector", VECTORS_04)
def test_the_vector_documents_parse_and_yield_the_same_key(did: str, vector: dict[str, Any]) -> None:
    """Reading the 2022-type documents exercises the legacy publicKeyBase58 / JsonWebKey2020 paths."""
    legacy = DIDDocument.from_json(vector["didDocument"], did=did)
    keys = [vm.public_key() for vm in legacy.assertion_keys()]
    assert keys == [public_key_from_did_key(did)]


@pytest.mark.parametrize("did, vector", VECTORS_04)
def test_jwk_form_has_the_same_key(did: str, vector: dict[str, Any]) -> None:
    multikey = resolve_did_key(did)
    jwk = resolve_did_key(did, jwk=True)
    assert jwk.context == ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1")
    assert multikey.context == ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
    assert jwk.verification_method[0].public_key() == multikey.verification_method[0].public_key()
    assert PublicKey.from_jwk(jwk.verification_method[0].public_key_jwk) == public_key_from_did_key(did)


def test_resolved_document_validates_as_a_model() -> None:
    """model_construct skips validation: the same JSON must pass full validation and dump identically."""
    for key_type in KEY_TYPES:
        for jwk in (False, True):
            doc = resolve_did_key(KeyPair.generate(key_type).did, jwk=jwk)
            assert DIDDocument.from_json(doc.to_json(), did=doc.id).to_json() == doc.to_json()


def test_spec_example_document() -> None:
    did = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    example = json.loads((VECTORS / "04-did-key" / "spec-examples" / "did-key-z6MkhaXg-did-document.json").read_text())
    ours = resolve_did_key(did).to_json()
    assert ours["verificationMethod"][0]["publicKeyMultibase"] == example["verificationMethod"][0]["publicKeyMultibase"]
    for relationship in RELATIONSHIPS:
        assert ours[relationship] == example[relationship]


@pytest.mark.parametrize("did, match", [
    ("did:web:example.com", "must start with 'did:key:'"),
    ("did:key:", "multibase"),
    ("did:key:Q3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", "multibase prefix 'Q'"),
    ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2do0", "base58btc character '0'"),
    ("did:key:" + multibase_encode(b"\xed\x01" + bytes(31)), "32 bytes, got 31"),
    ("did:key:" + multibase_encode(b"\xed\x01" + bytes(33)), "32 bytes, got 33"),
    ("did:key:" + multibase_encode(b"\xed"), "truncated varint"),
    ("did:key:" + multibase_encode(b"\xe7\x01\x02" + bytes(32)), "not on the curve"),
    ("did:key:" + multibase_encode(b"\x80\x24\x04" + bytes(32)), "compressed"),
    ("did:key:z6LSeu9HkTHSfLLeUs2nnzUSNedgDUevfNQgQjQC23ZCit6F", "x25519-pub"),
    ("did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7",
     "p521-pub"),
])
def test_invalid_did_keys_are_named_errors(did: str, match: str) -> None:
    with pytest.raises(MalformedDIDError, match=match) as info:
        resolve_did_key(did)
    assert isinstance(info.value, InvalidInputError)
    assert info.value.did == did
    assert did in str(info.value) or "did:key:" in str(info.value)


def test_a_p384_did_key_resolves() -> None:
    """P-384 (vc-di-ecdsa) was refused here while the proofs accepted it; one key stack resolves it everywhere."""
    did = "did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9"
    key = resolve_did_key(did).verification_method[0].public_key()
    assert key is not None and key.key_type == "p384" and len(key.public_key) == 49
    assert resolve_did_key(did, jwk=True).verification_method[0].public_key_jwk["crv"] == "P-384"
    assert did_key_from_public(key) == did


def test_did_key_from_public_refuses_other_types() -> None:
    with pytest.raises(TypeError):
        did_key_from_public("did:key:z6Mk")  # type: ignore[arg-type]


# -- interop with didkit (SpruceID's Rust implementation, PyPI `didkit`) -------------------------------------------

didkit = pytest.importorskip("didkit")


def _didkit_resolve(did: str) -> dict[str, Any]:
    async def run() -> str:
        return await didkit.resolve_did(did, "{}")

    return json.loads(asyncio.run(run()))


@pytest.mark.parametrize("key_type", KEY_TYPES)
def test_didkit_derives_the_same_did_and_key(key_type: str) -> None:
    for _ in range(3):
        pair = KeyPair.generate(key_type)
        did = didkit.key_to_did("key", json.dumps(pair.to_jwk(private=True)))
        assert did == pair.did
        theirs = _didkit_resolve(did)
        assert theirs["id"] == did
        their_vm = theirs["verificationMethod"][0]
        our_vm = resolve_did_key(did, jwk=True).verification_method[0]
        assert their_vm["id"] == our_vm.id
        assert their_vm["controller"] == our_vm.controller
        assert their_vm["publicKeyJwk"] == our_vm.public_key_jwk
        assert theirs["assertionMethod"] == [our_vm.id]


def test_didkit_generated_key_resolves_here() -> None:
    jwk = json.loads(didkit.generate_ed25519_key())
    did = didkit.key_to_did("key", json.dumps(jwk))
    assert KeyPair.from_jwk(jwk).did == did
    assert resolve_did_key(did, jwk=True).verification_method[0].public_key_jwk == {
        k: jwk[k] for k in ("kty", "crv", "x")
    }
