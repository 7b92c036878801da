"""What a verifier hashes of a credential, made from one canonicalisation (:func:`verification_digests`), is what
canonicalising and hashing one by one gives: the text of the unsecured form the signature proofs sign, its SHA-256,
and the digest the anchor's leaf commits to, whatever the credential's members and proofs."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings, strategies as st

from microcred.errors import InvalidInputError
from microcred.registry.credential._documents import (_OPEN, credential_digest, unsecured_form,
                                                      verification_digests)
from microcred.registry.credential._jsonld import canonize_jcs

ANCHOR = {"type": "MicrocredAnchorProof2026", "merkleRoot": "0x" + "00" * 32, "merklePath": []}
SIGNATURE = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofValue": "z3abc"}

# keys that sort just before, at and just after "proof", and beyond the Basic Multilingual Plane
KEYS = st.sampled_from(["@context", "id", "pro", "proo", "proof0", "proofs", "proofValue", "prooe", "proog", "type",
                        "validFrom", "z", "é", "\U0001F600", "\ue000", ""]) | st.text(max_size=6)
VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**53 + 1, 2**53 - 1) | st.text(max_size=8)
                      | st.floats(allow_nan=False, allow_infinity=False),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
                      max_leaves=8)
PROOFS = st.lists(st.sampled_from([SIGNATURE, {**SIGNATURE, "proofValue": "z9"}, ANCHOR, "not an object",
                                   {"type": "DataIntegrityProof", "proof": {"proof": [1.5, "x"]}}]), max_size=3)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=8), PROOFS, st.booleans())
def test_what_is_hashed_is_what_hashing_one_by_one_gives(members, proofs, as_object):
    doc = {k: v for k, v in members.items() if k != "proof"}
    if proofs:
        doc["proof"] = proofs[0] if as_object and len(proofs) == 1 else list(proofs)
    assert verification_digests(doc) == _one_by_one(doc)


def _one_by_one(doc: dict) -> tuple[str, bytes, bytes]:
    unsecured = canonize_jcs(unsecured_form(doc))
    return unsecured, hashlib.sha256(unsecured.encode()).digest(), credential_digest(doc)


def test_a_credential_holding_the_marker_is_canonicalised_one_by_one():
    # no credential can know the process's marker; one that held it would still get the right texts
    doc = {"id": "urn:a", "name": _OPEN, "proof": SIGNATURE, "type": ["VerifiableCredential"]}
    assert verification_digests(doc) == _one_by_one(doc)


def test_a_document_that_is_not_json_is_refused():
    with pytest.raises(InvalidInputError):
        verification_digests({"id": "urn:a", "value": float("nan"), "proof": SIGNATURE})
    with pytest.raises(InvalidInputError):
        verification_digests({"id": "urn:a", "proof": {**SIGNATURE, "n": 2**60}})
