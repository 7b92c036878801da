"""Presentations: a VP 2.0 signed by its holder verifies, and each way to misuse one fails with its named reason:
a replayed presentation (wrong challenge, wrong domain), a credential of another subject, a credential tampered
with inside (after the holder signed, and before), a proof by a key that is not the holder's, no proof at all."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from microcred.did import KeyPair
from microcred.errors import InvalidInputError
from microcred.registry.credential import read_container
from microcred.registry.presentation import (
    PRESENTATION_CHECKS,
    REASONS,
    SubjectNotHolderError,
    create_presentation,
    is_presentation,
    verify_presentation,
)
from microcred.registry.proofs import add_proof
from tests.support.wallet import badge, offline_verifier, tampered, vm_of

CHALLENGE, DOMAIN = "3b1f-challenge", "https://hr.example"


@pytest.fixture(scope="module")
def keys() -> dict[str, KeyPair]:
    return {"issuer": KeyPair.generate("ed25519"), "holder": KeyPair.generate("ed25519"),
            "other": KeyPair.generate("ed25519")}


def _vp(keys: dict[str, KeyPair], credentials: list[dict[str, Any]], **options: Any) -> dict[str, Any]:
    holder = keys["holder"]
    return create_presentation(credentials, holder, holder=holder.did, verification_method=vm_of(holder),
                               challenge=options.pop("challenge", CHALLENGE), domain=options.pop("domain", DOMAIN),
                               **options)


def _verify(vp: Any, challenge: str = CHALLENGE, domain: str | None = DOMAIN):
    return verify_presentation(vp, verifier=offline_verifier(), challenge=challenge, domain=domain, file="vp.json")


def _results(result) -> dict[str, str]:
    return {c.name: c.result for c in result.checks}


def test_a_presentation_of_the_holders_credentials_verifies(keys: dict[str, KeyPair]) -> None:
    creds = [badge(keys["issuer"], keys["holder"].did, i) for i in (1, 2)]
    vp = _vp(keys, creds)
    assert vp["type"] == ["VerifiablePresentation"] and vp["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert vp["holder"] == keys["holder"].did and vp["verifiableCredential"] == creds
    proof = vp["proof"]
    assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == \
        ("DataIntegrityProof", "eddsa-rdfc-2022", "authentication")
    assert proof["challenge"] == CHALLENGE and proof["domain"] == DOMAIN
    assert is_presentation(vp) and not is_presentation(creds[0])
    result = _verify(vp)
    assert result.valid and result.outcome == "valid" and result.reasons == []
    assert [c.name for c in result.checks] == list(PRESENTATION_CHECKS)
    assert set(_results(result).values()) == {"pass"}
    assert [v.outcome for v in result.credentials] == ["valid", "valid"]
    assert [v.file for v in result.credentials] == ["vp.json [1]", "vp.json [2]"]
    record = result.as_json()
    assert record["holder"] == keys["holder"].did and record["credentials"] == 2 and record["valid"] is True
    assert json.loads(json.dumps(record)) == record


@pytest.mark.parametrize(("challenge", "domain", "reasons"), [
    ("another-challenge", DOMAIN, ["wrong-challenge"]),
    (CHALLENGE, "https://elsewhere.example", ["wrong-domain"]),
    ("another-challenge", "https://elsewhere.example", ["wrong-challenge", "wrong-domain"]),
])
def test_a_replayed_presentation_fails_with_its_reason(keys: dict[str, KeyPair], challenge: str, domain: str,
                                                       reasons: list[str]) -> None:
    vp = _vp(keys, [badge(keys["issuer"], keys["holder"].did)])
    result = _verify(vp, challenge, domain)
    assert result.outcome == "invalid" and result.reasons == reasons
    assert _results(result)["holder_proof"] == "pass"  # the signature is fine: the binding is not


def test_a_copy_whose_challenge_was_rewritten_fails_its_signature(keys: dict[str, KeyPair]) -> None:
    vp = _vp(keys, [badge(keys["issuer"], keys["holder"].did)])
    vp["proof"]["challenge"] = "the verifier's new challenge"
    result = _verify(vp, "the verifier's new challenge")
    assert _results(result)["challenge"] == "pass"
    assert result.reasons == ["holder-proof-invalid"]
    assert "PROOF_VERIFICATION_ERROR" in result.result_of("holder_proof").detail


def test_a_domain_not_asked_is_skipped_and_a_missing_challenge_is_refused(keys: dict[str, KeyPair]) -> None:
    vp = _vp(keys, [badge(keys["issuer"], keys["holder"].did)])
    result = _verify(vp, domain=None)
    assert result.valid and _results(result)["domain"] == "skipped"
    assert DOMAIN in result.result_of("domain").detail
    with pytest.raises(InvalidInputError, match="needs the challenge"):
        verify_presentation(vp, verifier=offline_verifier(), challenge="")
    with pytest.raises(InvalidInputError, match="challenge"):
        _vp(keys, [badge(keys["issuer"], keys["holder"].did)], challenge="")


def test_a_credential_of_another_subject_fails(keys: dict[str, KeyPair]) -> None:
    mine, theirs = badge(keys["issuer"], keys["holder"].did, 1), badge(keys["issuer"], keys["other"].did, 2)
    with pytest.raises(SubjectNotHolderError, match="not the holder"):
        _vp(keys, [mine, theirs])
    with pytest.raises(SubjectNotHolderError, match="names the subject None"):
        _vp(keys, [badge(keys["issuer"], None, 3)])
    vp = _vp(keys, [mine, theirs], check_subjects=False)
    result = _verify(vp)
    assert result.outcome == "invalid" and result.reasons == ["subject-not-holder"]
    assert keys["other"].did in result.result_of("subjects").detail
    assert [v.outcome for v in result.credentials] == ["valid", "valid"]  # each is genuine, just not the holder's


def test_a_credential_tampered_with_inside_fails(keys: dict[str, KeyPair]) -> None:
    good = badge(keys["issuer"], keys["holder"].did)
    after = _vp(keys, [good])  # changed after the holder signed: both signatures break
    after["verifiableCredential"][0] = tampered(after["verifiableCredential"][0])
    result = _verify(after)
    assert result.reasons == ["holder-proof-invalid", "credential-invalid"]
    assert result.credentials[0].result_of("signature").result == "fail"
    before = _vp(keys, [tampered(good)])  # a dishonest holder signs a changed credential: the issuer's proof breaks
    result = _verify(before)
    assert result.reasons == ["credential-invalid"] and _results(result)["holder_proof"] == "pass"


def test_a_proof_by_another_key_is_not_the_holders(keys: dict[str, KeyPair]) -> None:
    vp = _vp(keys, [badge(keys["issuer"], keys["holder"].did)])
    other = keys["other"]
    forged = {k: v for k, v in vp.items() if k != "proof"}
    forged = add_proof(forged, other, verification_method=vm_of(other), proof_purpose="authentication",
                       challenge=CHALLENGE, domain=DOMAIN)
    result = _verify(forged)
    assert result.reasons == ["holder-proof-invalid"]
    assert "is not one of the holder" in result.result_of("holder_proof").detail
    forged["holder"] = other.did  # the holder named after signing: the signature covers it
    assert _verify(forged).reasons == ["holder-proof-invalid", "subject-not-holder"]
    theirs = create_presentation(vp["verifiableCredential"], other, holder=other.did, verification_method=vm_of(other),
                                 challenge=CHALLENGE, domain=DOMAIN, check_subjects=False)
    assert _verify(theirs).reasons == ["subject-not-holder"]  # signed by its holder, who is not the subject


def test_no_holder_proof_and_malformed_presentations(keys: dict[str, KeyPair]) -> None:
    vp = _vp(keys, [badge(keys["issuer"], keys["holder"].did)])
    unsigned = {k: v for k, v in vp.items() if k != "proof"}
    assert _verify(unsigned).reasons == ["no-holder-proof"]
    asserted = copy.deepcopy(vp)
    asserted["proof"]["proofPurpose"] = "assertionMethod"
    assert _verify(asserted).reasons == ["no-holder-proof"]
    assert _verify({**vp, "type": ["VerifiableCredential"]}).reasons[0] == "malformed"
    assert _verify({**vp, "verifiableCredential": []}).reasons[0] == "malformed"
    assert _verify([1, 2]).reasons == ["malformed"]
    nobody = {**vp}
    del nobody["holder"]
    assert "no-holder" in _verify(nobody).reasons
    assert set(_verify(unsigned).reasons) <= set(REASONS)


@pytest.mark.parametrize(("key_type", "suite"), [("p256", "ecdsa-rdfc-2019"), ("ed25519", "eddsa-jcs-2022")])
def test_other_holder_keys_and_suites(keys: dict[str, KeyPair], key_type: str, suite: str) -> None:
    holder = KeyPair.generate(key_type)
    vp = create_presentation([badge(keys["issuer"], holder.did)], holder, holder=holder.did,
                             verification_method=vm_of(holder), challenge=CHALLENGE, domain=DOMAIN,
                             cryptosuite=suite)
    assert vp["proof"]["cryptosuite"] == suite
    assert _verify(vp).valid
    assert _verify(vp, challenge="x").reasons == ["wrong-challenge"]


def test_a_vc_jwt_goes_in_enveloped_and_is_verified(keys: dict[str, KeyPair]) -> None:
    import base64

    issuer, holder = keys["issuer"], keys["holder"]
    payload = {k: v for k, v in badge(issuer, holder.did).items() if k != "proof"}

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "EdDSA", "kid": vm_of(issuer), "typ": "vc+jwt"}).encode())
    body = b64(json.dumps(payload).encode())
    jws = f"{head}.{body}.{b64(issuer.sign(f'{head}.{body}'.encode()))}"
    credential = read_container(jws.encode())
    vp = _vp(keys, [credential])
    entry = vp["verifiableCredential"][0]
    assert entry["type"] == "EnvelopedVerifiableCredential" and entry["id"] == "data:application/vc+jwt," + jws
    result = _verify(vp)
    assert result.valid, result.as_json()
    assert "JWS" in result.credentials[0].result_of("signature").detail
    forged = copy.deepcopy(vp)
    forged["verifiableCredential"][0]["id"] = "data:application/vc+jwt," + f"{head}.{body}.{b64(b'x' * 64)}"
    assert "credential-invalid" in _verify(forged).reasons


def test_credentials_of_several_issuers_in_one_presentation(keys: dict[str, KeyPair]) -> None:
    second = KeyPair.generate("p256")
    creds = [badge(keys["issuer"], keys["holder"].did, 1), badge(second, keys["holder"].did, 2, "Statistics")]
    result = _verify(_vp(keys, creds))
    assert result.valid and [v.summary["achievement"] for v in result.credentials] == ["Data literacy", "Statistics"]
    revoked_like = _vp(keys, [creds[0], tampered(creds[1])])
    assert _verify(revoked_like).result_of("credentials").detail.startswith("credential(s) 2 of 2")
