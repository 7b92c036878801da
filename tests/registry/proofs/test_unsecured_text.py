"""``verify_proofs(..., unsecured_jcs=, unsecured_sha256=)``: a caller that has the JCS text of the document
without its proofs (the verifier makes it once, for the anchor's digest), and its SHA-256, has a ``*-jcs-*`` proof
checked against them. They are what is checked: another document's text or hash fails the proof. A chained proof,
and any RDF-canonicalised proof, are checked against their own input, whatever is given."""

from __future__ import annotations

import hashlib

import pytest

from microcred.did import KeyPair
from microcred.registry.credential._documents import unsecured_form
from microcred.registry.credential._jsonld import canonize_jcs
from microcred.registry.proofs import CRYPTOSUITES, SUITES, add_proof, did_key_lookup, verify_proofs

OB_CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]


def _badge(issuer: str, name: str = "Badge") -> dict:
    return {"@context": OB_CONTEXT, "id": "urn:uuid:3b6d0a9e-1f7e-4a6e-9a4e-1d2c3b4a5f60",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": issuer, "type": ["Profile"], "name": "An issuer"},
            "validFrom": "2026-01-01T00:00:00Z", "name": name,
            "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
                "id": "urn:uuid:a1", "type": ["Achievement"], "name": "A", "description": "D",
                "criteria": {"narrative": "N"}}}}


JCS_SUITES = [s for s in CRYPTOSUITES if "-jcs-" in s]


def _signed(suite: str, **options) -> tuple[KeyPair, dict]:
    key = KeyPair.generate(sorted(SUITES[suite].key_types)[0])
    vm = f"{key.did}#{key.did[len('did:key:'):]}"
    return key, add_proof(_badge(key.did), key, verification_method=vm, cryptosuite=suite, **options)


@pytest.mark.parametrize("suite", JCS_SUITES)
def test_the_given_text_is_what_is_checked(suite: str) -> None:
    key, signed = _signed(suite)
    own = canonize_jcs(unsecured_form(signed))
    assert verify_proofs(signed, did_key_lookup, unsecured_jcs=own).verified
    other = canonize_jcs(unsecured_form(_badge(key.did, name="Another badge")))
    checked = verify_proofs(signed, did_key_lookup, unsecured_jcs=other)
    assert not checked.verified and "does not match" in (checked.failed_proofs[0].message or "")


def test_a_chained_proof_and_an_rdf_proof_take_no_text() -> None:
    wrong = canonize_jcs({"not": "this document"})
    rdfc = next(s for s in CRYPTOSUITES if "-rdfc-" in s)
    _key, signed = _signed(rdfc)
    assert verify_proofs(signed, did_key_lookup, unsecured_jcs=wrong).verified
    suite = JCS_SUITES[0]
    key, first = _signed(suite, proof_id="urn:proof:1")
    chained = add_proof(first, key, verification_method=first["proof"]["verificationMethod"], cryptosuite=suite,
                        proof_id="urn:proof:2", previous_proof="urn:proof:1")
    own = canonize_jcs(unsecured_form(chained))
    checked = verify_proofs(chained, did_key_lookup, unsecured_jcs=own)
    assert checked.verified, checked.to_dict()
    # the first proof is checked against the text; the chained one against its own input (the first proof too)
    results = verify_proofs(chained, did_key_lookup, unsecured_jcs=wrong).proofs
    assert [r.status for r in results] == ["failed", "failed"]  # the first fails, so the one chained to it does
    assert "previous proof" in (results[1].message or "")


def test_a_proof_whose_context_begins_the_documents_takes_no_text() -> None:
    """vc-di-eddsa §3.3.2: a jcs proof's ``@context`` may be the beginning of the document's, and then replaces it
    in what is signed, so the document's own text is not what was signed."""
    from microcred.did._multiformats import multibase_encode
    from microcred.registry.proofs import hash_data

    suite = "eddsa-jcs-2022"
    key = KeyPair.generate("ed25519")
    doc = _badge(key.did)
    options = {"type": "DataIntegrityProof", "cryptosuite": suite, "proofPurpose": "assertionMethod",
               "verificationMethod": f"{key.did}#{key.did[len('did:key:'):]}", "@context": OB_CONTEXT[:1]}
    signed = {**doc, "proof": {**options, "proofValue": multibase_encode(key.sign(hash_data(doc, options).combined))}}
    own = canonize_jcs(unsecured_form(signed))
    assert verify_proofs(signed, did_key_lookup).verified
    assert verify_proofs(signed, did_key_lookup, unsecured_jcs=own).verified


@pytest.mark.parametrize("suite", JCS_SUITES)
def test_the_given_hash_is_what_a_sha256_suite_checks(suite: str) -> None:
    key, signed = _signed(suite)
    own = canonize_jcs(unsecured_form(signed))
    own_sha256 = hashlib.sha256(own.encode()).digest()
    assert verify_proofs(signed, did_key_lookup, unsecured_jcs=own, unsecured_sha256=own_sha256).verified
    checked = verify_proofs(signed, did_key_lookup, unsecured_jcs=own, unsecured_sha256=bytes(32))
    if SUITES[suite].hash_name(sorted(SUITES[suite].key_types)[0]) == "sha256":
        assert not checked.verified and "does not match" in (checked.failed_proofs[0].message or "")
    else:  # a SHA-384 suite hashes the text itself
        assert checked.verified


def test_a_chained_proof_takes_no_hash() -> None:
    suite = JCS_SUITES[0]
    key, first = _signed(suite, proof_id="urn:proof:1")
    chained = add_proof(first, key, verification_method=first["proof"]["verificationMethod"], cryptosuite=suite,
                        proof_id="urn:proof:2", previous_proof="urn:proof:1")
    own = canonize_jcs(unsecured_form(chained))
    results = verify_proofs(chained, did_key_lookup, unsecured_jcs=own, unsecured_sha256=bytes(32)).proofs
    # the first proof is checked against the (wrong) hash; the chained one hashes its own input, and its signature
    # holds: it fails only because the proof it chains to did
    assert [r.status for r in results] == ["failed", "failed"]
    assert "does not match" in (results[0].message or "") and "previous proof" in (results[1].message or "")
