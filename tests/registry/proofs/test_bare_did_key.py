"""A proof whose verificationMethod is the bare did:key (``did:key:z6Mk…``, as the Open Badges 3.0 validator
accepts) resolves to the DID's key: in did_key_lookup, in the resolver the CLI uses, and for the issuer check
(the document authorises it for assertion). Other bare DIDs still name no method."""

from __future__ import annotations

import pytest

from microcred.did import KeyPair, MalformedDIDError, Resolver, resolve_did_key
from microcred.registry.proofs import CRYPTOSUITES, SUITES, add_proof, did_key_lookup, verify_proofs

OB_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def _badge(issuer: str) -> dict:
    return {"@context": OB_CONTEXT, "id": "urn:uuid:3b6d0a9e-1f7e-4a6e-9a4e-1d2c3b4a5f60",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer, "type": ["Profile"], "name": "Another issuer"},
            "validFrom": "2026-01-01T00:00:00Z", "name": "Badge",
            "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
                "id": "urn:uuid:a1", "type": ["Achievement"], "name": "A", "description": "D",
                "criteria": {"narrative": "N"}}}}


def _resolver_lookup(vm_id: str) -> tuple[str, bytes, str]:
    vm, _ = Resolver().resolve_verification_method(vm_id)
    key = vm.public_key()
    assert key is not None
    return key.key_type, key.public_key, vm.controller


@pytest.mark.parametrize("suite", CRYPTOSUITES)
def test_a_bare_did_key_verification_method_verifies(suite: str) -> None:
    key = KeyPair.generate(sorted(SUITES[suite].key_types)[0])
    signed = add_proof(_badge(key.did), key, verification_method=key.did, cryptosuite=suite)
    assert signed["proof"]["verificationMethod"] == key.did
    for lookup in (did_key_lookup, _resolver_lookup):
        result = verify_proofs(signed, lookup)
        assert result.verified, result.to_dict()
        assert result.proofs[0].controller == key.did
    other = KeyPair.generate(key.key_type)
    forged = {**signed, "proof": {**signed["proof"], "verificationMethod": other.did}}
    assert not verify_proofs(forged, _resolver_lookup).verified


def test_the_resolver_and_document_treat_the_bare_did_as_its_key() -> None:
    key = KeyPair.generate()
    vm, document = Resolver().resolve_verification_method(key.did)
    assert vm.id == f"{key.did}#{key.public_key_multibase}" and vm.public_key() == key.public
    assert document.authorizes(key.did, "assertionMethod")
    assert resolve_did_key(key.did).find_method(key.did) == vm


def test_other_bare_dids_still_name_no_method() -> None:
    with pytest.raises(MalformedDIDError, match="does not name a verification method"):
        Resolver().resolve_verification_method("did:web:example.com")
    key = KeyPair.generate()
    with pytest.raises(MalformedDIDError):
        Resolver().resolve_verification_method(f"{key.did}/path")
