"""A credential's digest made from the JCS text of its unsecured form (as the verifier does, sharing that text
with the signature check) is the digest made from the document itself, whatever its members and proofs."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from microcred.registry.credential._documents import (_with_proof_member, credential_digest, unsecured_form)
from microcred.registry.credential._jsonld import canonize_jcs

ANCHOR = {"type": "MicrocredAnchorProof2026", "merkleRoot": "0x" + "00" * 32, "merklePath": []}
SIGNATURE = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofValue": "z3abc"}

# keys that sort just before, at and just after "proof", and beyond the Basic Multilingual Plane
KEYS = st.sampled_from(["@context", "id", "pro", "proo", "proof0", "proofs", "proofValue", "prooe", "proog", "type",
                        "validFrom", "z", "é", "\U0001F600", "\ue000", ""]) | st.text(max_size=6)
VALUES = st.recursive(st.none() | st.booleans() | st.integers(-2**53 + 1, 2**53 - 1) | st.text(max_size=8),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner,
                                                                                  max_size=3), max_leaves=8)


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(KEYS, VALUES, max_size=8),
       st.lists(st.sampled_from([SIGNATURE, {**SIGNATURE, "proofValue": "z9"}, ANCHOR]), max_size=3), st.booleans())
def test_the_spliced_digest_is_the_digest(members, proofs, as_object):
    doc = {k: v for k, v in members.items() if k != "proof"}
    if proofs:
        doc["proof"] = proofs[0] if as_object and len(proofs) == 1 else list(proofs)
    text = canonize_jcs(unsecured_form(doc))
    assert credential_digest(doc, unsecured_jcs=text) == credential_digest(doc)


def test_a_text_of_another_document_is_not_spliced():
    doc = {"id": "urn:a", "proof": SIGNATURE, "type": ["VerifiableCredential"]}
    other = canonize_jcs({"id": "urn:a", "type": ["OpenBadgeCredential"]})
    assert _with_proof_member(doc, other) is None
    # the digest then falls back to the document itself
    assert credential_digest(doc, unsecured_jcs=other) == credential_digest(doc)
