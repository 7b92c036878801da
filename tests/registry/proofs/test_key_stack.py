"""One key stack: every key type resolves in every place that reads keys, or is refused in every one.

The places: did:key resolution (the document the CLI's resolver returns), the resolver's verification-method
look-up (what `microcred verify` uses), the proofs' `did_key_lookup`, Multikey and JWK decoding. For each type the
proofs sign with, a credential signed with a did:key of that type verifies through the resolver as through
`did_key_lookup`. Before, a P-384 did:key passed `did_key_lookup` and the resolver refused it.
"""

from __future__ import annotations

import json

import pytest

from microcred.did import (
    PUBLIC_KEY_TYPES,
    KeyPair,
    MalformedDIDError,
    PublicKey,
    Resolver,
    multibase_encode,
    resolve_did_key,
)
from microcred.errors import InvalidInputError
from microcred.registry.proofs import SUITES, add_proof, did_key_lookup, verify_proofs
from tests.support.paths import VECTORS

V2 = "https://www.w3.org/ns/credentials/v2"


def _resolver_lookup(vm_id: str) -> tuple[str, bytes, str]:
    vm, _doc = Resolver().resolve_verification_method(vm_id)
    key = vm.public_key()
    assert key is not None
    return key.key_type, key.public_key, vm.controller


@pytest.mark.parametrize("key_type", PUBLIC_KEY_TYPES)
def test_every_key_type_resolves_everywhere(key_type: str) -> None:
    pair = KeyPair.generate(key_type)
    vm_id = f"{pair.did}#{pair.public_key_multibase}"
    expected = (key_type, pair.public_key, pair.did)
    assert did_key_lookup(vm_id) == expected
    assert did_key_lookup(pair.did) == expected
    assert _resolver_lookup(vm_id) == expected
    document = resolve_did_key(pair.did)
    assert document.verification_method is not None
    assert document.verification_method[0].public_key() == pair.public
    assert PublicKey.from_multibase(pair.public_key_multibase) == pair.public
    assert PublicKey.from_jwk(pair.public.jwk) == pair.public
    assert resolve_did_key(pair.did, jwk=True).verification_method[0].public_key() == pair.public  # type: ignore[index]


@pytest.mark.parametrize("multicodec, name", [(0xEC, "x25519-pub"), (0x1202, "p521-pub"), (0x1205, "rsa-pub"),
                                               (0xEB, "bls12_381-g2-pub")])
def test_other_key_types_are_refused_everywhere(multicodec: int, name: str) -> None:
    from microcred.did._multiformats import multicodec_wrap

    did = "did:key:" + multibase_encode(multicodec_wrap(multicodec, bytes(range(1, 33))))
    with pytest.raises(MalformedDIDError, match=name):
        resolve_did_key(did)
    with pytest.raises(MalformedDIDError, match=name):
        Resolver().resolve_verification_method(f"{did}#{did[8:]}")
    with pytest.raises(InvalidInputError, match=name):
        did_key_lookup(f"{did}#{did[8:]}")
    with pytest.raises(InvalidInputError, match=name):
        PublicKey.from_multibase(did[8:])


def _suite_keys() -> list[tuple[str, str]]:
    return [(name, key_type) for name, suite in SUITES.items() for key_type in sorted(suite.key_types)]


@pytest.mark.parametrize("suite, key_type", _suite_keys())
def test_a_credential_of_every_suite_and_key_type_verifies_through_both_lookups(suite: str, key_type: str) -> None:
    pair = KeyPair.generate(key_type)
    vm_id = f"{pair.did}#{pair.public_key_multibase}"
    credential = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": pair.did,
                  "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:learner"}}
    signed = add_proof(credential, pair, verification_method=vm_id, cryptosuite=suite)
    assert verify_proofs(signed, did_key_lookup).verified
    assert verify_proofs(signed, _resolver_lookup).verified
    signed["credentialSubject"]["id"] = "did:example:other"
    assert not verify_proofs(signed, did_key_lookup).verified


def test_the_p384_vector_did_resolves_to_the_vector_key() -> None:
    vectors = json.loads((VECTORS / "04-did-key/test-vectors/nist-curves.json").read_text())
    p384 = {did: v for did, v in vectors.items() if did.startswith("did:key:z82L")}
    assert p384
    for did, vector in p384.items():
        key = resolve_did_key(did, jwk=True).verification_method[0]  # type: ignore[index]
        theirs = vector["verificationMethod"]["publicKeyJwk"]
        assert key.public_key_jwk == {k: theirs[k] for k in ("kty", "crv", "x", "y")}
