"""Data Integrity proofs: options, proof sets and chains, verification results, tampering, and properties.

Keys are generated per test; a tiny in-memory key registry plays the DID resolver (``key_lookup``). Every
tampering test changes one thing of a valid credential and expects ``verified`` False with the reason.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.did import KeyFormatError, PublicKey, multibase_decode, multibase_encode
from microcred.did import signature_is_valid as verify_signature
from microcred.errors import InvalidInputError, NetworkError, NotFoundError
from microcred.registry.proofs import (
    CRYPTOSUITES,
    ProofGenerationError,
    add_proof,
    did_key_lookup,
    hash_data,
    sign_batch,
    verify_proofs,
)

decode_multibase = multibase_decode
encode_multibase = multibase_encode


def encode_public_key_multibase(key_type: str, public_key: bytes) -> str:
    return PublicKey(key_type, public_key).multibase


def decode_public_key_multibase(value: str) -> tuple[str, bytes]:
    key = PublicKey.from_multibase(value)
    return key.key_type, key.public_key

V2 = "https://www.w3.org/ns/credentials/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
NOW = datetime(2026, 3, 1, 12, 30, 45, 123456, tzinfo=UTC)


class Key:
    """A generated key pair acting as a Signer, with its did:key verification method."""

    def __init__(self, key_type: str = "ed25519") -> None:
        self.key_type = key_type
        if key_type == "ed25519":
            self._private: Any = Ed25519PrivateKey.generate()
            self.public_key = self._private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        else:
            self._private = ec.generate_private_key(ec.SECP256R1() if key_type == "p256" else ec.SECP384R1())
            self.public_key = self._private.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
        multibase = encode_public_key_multibase(key_type, self.public_key)
        self.did = f"did:key:{multibase}"
        self.vm = f"{self.did}#{multibase}"

    def sign(self, data: bytes) -> bytes:
        if self.key_type == "ed25519":
            return self._private.sign(data)  # type: ignore[no-any-return]
        digest = hashes.SHA256() if self.key_type == "p256" else hashes.SHA384()
        size = self._private.curve.key_size // 8
        r, s = decode_dss_signature(self._private.sign(data, ec.ECDSA(digest)))
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")


SUITE_KEYS = [("eddsa-rdfc-2022", "ed25519"), ("eddsa-jcs-2022", "ed25519"), ("ecdsa-rdfc-2019", "p256"),
              ("ecdsa-jcs-2019", "p256"), ("ecdsa-rdfc-2019", "p384"), ("ecdsa-jcs-2019", "p384"),
              ("Ed25519Signature2020", "ed25519")]


def credential(**subject: Any) -> dict[str, Any]:
    """An Open Badges 3.0 credential."""
    return {
        "@context": [V2, OB],
        "id": "urn:uuid:1b7c4a4e-8d0a-4b9e-9f55-2f1f4f3c0a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Stewardship (micro-credential)",
        "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Example University"},
        "validFrom": "2026-01-01T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner", "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.edu/achievements/ds", "type": ["Achievement"],
                            "name": "Data Stewardship", "description": "FAIR data management.",
                            "criteria": {"narrative": "Pass the assessment."}, "creditsAvailable": 5},
            **subject,
        },
    }


@pytest.fixture
def key() -> Key:
    return Key("ed25519")


def lookup_for(*keys: Key) -> Callable[[str], tuple[str, bytes, str]]:
    table = {k.vm: (k.key_type, k.public_key, k.did) for k in keys}

    def lookup(vm: str) -> tuple[str, bytes, str]:
        try:
            return table[vm]
        except KeyError:
            raise NotFoundError(f"no verification method {vm}") from None

    return lookup


def sign(doc: dict[str, Any], key: Key, **options: Any) -> dict[str, Any]:
    return add_proof(doc, key, verification_method=key.vm, clock=lambda: NOW, **options)


# -- round trips and options -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("cryptosuite", "key_type"), SUITE_KEYS, ids=[f"{c}-{k}" for c, k in SUITE_KEYS])
def test_every_suite_round_trips(cryptosuite: str, key_type: str) -> None:
    signer = Key(key_type)
    signed = sign(credential(), signer, cryptosuite=cryptosuite)
    result = verify_proofs(signed, lookup_for(signer))
    assert result.verified, result.to_dict()
    (proof,) = result.proofs
    assert (proof.cryptosuite or proof.type) == cryptosuite
    assert proof.controller == signer.did
    assert len(decode_multibase(signed["proof"]["proofValue"])) == (96 if key_type == "p384" else 64)
    assert signed["proof"]["proofValue"].startswith("z")


def test_proof_shape_and_created_from_the_clock(key: Key) -> None:
    signed = sign(credential(), key)
    assert signed["proof"] == {
        "type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-03-01T12:30:45Z",
        "verificationMethod": key.vm, "proofPurpose": "assertionMethod",
        "proofValue": signed["proof"]["proofValue"]}


def test_jcs_proofs_carry_the_document_context(key: Key) -> None:
    signed = sign(credential(), key, cryptosuite="eddsa-jcs-2022")
    assert signed["proof"]["@context"] == [V2, OB]
    assert "@context" not in sign(credential(), key)["proof"]


@pytest.mark.parametrize(("created", "expected"), [
    ("2025-05-05T05:05:05Z", "2025-05-05T05:05:05Z"),
    ("2025-05-05T05:05:05.250+02:00", "2025-05-05T05:05:05.250+02:00"),
    (datetime(2025, 5, 5, 7, 5, 5, 999, tzinfo=timezone(timedelta(hours=2))), "2025-05-05T05:05:05Z"),
])
def test_created_explicit(key: Key, created: Any, expected: str) -> None:
    signed = sign(credential(), key, created=created)
    assert signed["proof"]["created"] == expected
    assert verify_proofs(signed, lookup_for(key)).verified


def test_created_can_be_left_out(key: Key) -> None:
    signed = sign(credential(), key, created=False)
    assert "created" not in signed["proof"]
    assert verify_proofs(signed, lookup_for(key)).verified


@pytest.mark.parametrize(("options", "message"), [
    ({"created": "yesterday"}, "not an XML Schema dateTime"),
    ({"created": "2025-13-01T00:00:00Z"}, "not an XML Schema dateTime"),
    ({"created": datetime(2025, 1, 1)}, "no time zone"),
    ({"expires": "soon"}, "not an XML Schema dateTime"),
    ({"cryptosuite": "bbs-2023"}, "unknown cryptosuite"),
    ({"cryptosuite": "ecdsa-rdfc-2019"}, "p256 or p384 keys"),
    ({"proof_purpose": ""}, "proofPurpose"),
    ({"previous_proof": "urn:uuid:none"}, "previousProof names 'urn:uuid:none'"),
])
def test_bad_options_are_proof_generation_errors(key: Key, options: dict[str, Any], message: str) -> None:
    with pytest.raises(ProofGenerationError, match=message) as caught:
        sign(credential(), key, **options)
    assert caught.value.code == "PROOF_GENERATION_ERROR"


def test_missing_verification_method_is_refused(key: Key) -> None:
    with pytest.raises(ProofGenerationError, match="verificationMethod"):
        add_proof(credential(), key, verification_method="")


def test_a_document_that_would_lose_data_cannot_be_signed(key: Key) -> None:
    doc = credential(nickname="not defined by any context")
    with pytest.raises(ProofGenerationError, match="nickname") as caught:
        sign(doc, key)
    assert caught.value.code == "DATA_LOSS_DETECTION_ERROR"
    assert sign(doc, key, cryptosuite="eddsa-jcs-2022")["proof"]  # JCS signs the JSON as it is


def test_an_unknown_context_cannot_be_signed(key: Key) -> None:
    doc = credential()
    doc["@context"].append("https://contexts.example/unknown")
    with pytest.raises(ProofGenerationError, match="https://contexts.example/unknown") as caught:
        sign(doc, key)
    assert caught.value.code == "PROOF_TRANSFORMATION_ERROR"


def test_a_signer_returning_a_wrong_signature_is_refused() -> None:
    class Broken:
        key_type = "p256"

        def sign(self, data: bytes) -> bytes:
            return b"\x30" * 70  # DER, not r || s

    with pytest.raises(ProofGenerationError, match="r \\|\\| s"):
        add_proof(credential(), Broken(), verification_method="did:example:k#1", cryptosuite="ecdsa-jcs-2019")


def test_add_proof_does_not_change_its_input(key: Key) -> None:
    doc = credential()
    before = copy.deepcopy(doc)
    signed = sign(doc, key)
    assert doc == before
    signed["credentialSubject"]["id"] = "changed"
    assert doc == before


def test_ed25519signature2020_adds_its_context_once(key: Key) -> None:
    signed = sign(credential(), key, cryptosuite="Ed25519Signature2020")
    assert signed["@context"] == [V2, OB, "https://w3id.org/security/suites/ed25519-2020/v1"]
    assert "cryptosuite" not in signed["proof"] and signed["proof"]["type"] == "Ed25519Signature2020"
    again = sign(signed, key, cryptosuite="Ed25519Signature2020")
    assert again["@context"] == signed["@context"] and len(again["proof"]) == 2


def test_an_ed25519signature2020_proof_with_its_own_context_verifies(key: Key) -> None:
    """didkit (ssi) writes the suite context inside the proof and hashes the proof with it."""
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1"], "id": "urn:uuid:1",
           "type": ["VerifiableCredential"], "issuer": key.did, "issuanceDate": "2024-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:123"}}
    proof = {"@context": ["https://w3id.org/security/suites/ed25519-2020/v1"], "type": "Ed25519Signature2020",
             "proofPurpose": "assertionMethod", "verificationMethod": key.vm, "created": "2024-01-01T00:00:00.123Z"}
    stages = hash_data(doc, proof)
    signed = {**doc, "proof": {**proof, "proofValue": encode_multibase(key.sign(stages.combined))}}
    assert verify_proofs(signed, lookup_for(key)).verified
    signed["issuanceDate"] = "2024-01-02T00:00:00Z"
    assert not verify_proofs(signed, lookup_for(key)).verified


# -- proof sets, chains, and proofs this verifier does not know ---------------------------------------------------


def test_a_proof_set_signs_the_document_without_the_other_proofs() -> None:
    first, second = Key(), Key("p256")
    one = sign(credential(), first)
    both = sign(one, second, cryptosuite="ecdsa-rdfc-2019")
    assert isinstance(both["proof"], list) and both["proof"][0] == one["proof"]
    result = verify_proofs(both, lookup_for(first, second))
    assert result.verified and [p.controller for p in result.proofs] == [first.did, second.did]
    # each proof stands alone: dropping one leaves the other valid
    assert verify_proofs({**both, "proof": both["proof"][1]}, lookup_for(second)).verified


def test_one_bad_proof_in_a_set_fails_only_itself() -> None:
    first, second = Key(), Key()
    both = sign(sign(credential(), first), second)
    both["proof"][0]["created"] = "2020-01-01T00:00:00Z"
    result = verify_proofs(both, lookup_for(first, second))
    assert not result.verified
    assert [p.status for p in result.proofs] == ["failed", "verified"]
    assert result.proofs[0].error == "PROOF_VERIFICATION_ERROR" and "does not match" in result.proofs[0].message
    assert result.document is None


def test_a_proof_chain_fails_when_the_proof_it_chains_to_fails() -> None:
    first, second = Key(), Key()
    chained = sign(sign(credential(), first, proof_id="urn:uuid:p1"), second, previous_proof="urn:uuid:p1")
    assert chained["proof"][1]["previousProof"] == "urn:uuid:p1"
    assert verify_proofs(chained, lookup_for(first, second)).verified
    # the first proof's key cannot be used: the second proof's own signature is valid, but it fails with it
    result = verify_proofs(chained, lookup_for(second))
    assert [p.status for p in result.proofs] == ["failed", "failed"]
    assert "previous proof" in result.proofs[1].message and "urn:uuid:p1" in result.proofs[1].message
    # the first proof's signature is replaced by another one: both fail (the second signed the first)
    forged = copy.deepcopy(chained)
    forged["proof"][0]["proofValue"] = sign(credential(), second)["proof"]["proofValue"]
    result = verify_proofs(forged, lookup_for(first, second))
    assert [p.status for p in result.proofs] == ["failed", "failed"]
    assert all("does not match" in p.message for p in result.proofs)


def test_a_chained_proof_covers_the_proof_it_names() -> None:
    first, second = Key(), Key()
    chained = sign(sign(credential(), first, proof_id="urn:uuid:p1"), second, previous_proof=["urn:uuid:p1"])
    altered = copy.deepcopy(chained)
    altered["proof"][0]["proofPurpose"] = "authentication"  # breaks proof 1 and what proof 2 signed
    result = verify_proofs(altered, lookup_for(first, second), expected_purpose=None)
    assert result.proofs[1].status == "failed"
    assert result.proofs[1].message.startswith("the eddsa-rdfc-2022 signature does not match")


def test_a_chain_to_a_missing_proof_is_a_verification_error() -> None:
    first, second = Key(), Key()
    chained = sign(sign(credential(), first, proof_id="urn:uuid:p1"), second, previous_proof="urn:uuid:p1")
    chained["proof"][0]["id"] = "urn:uuid:renamed"
    result = verify_proofs(chained, lookup_for(first, second))
    assert result.proofs[1].error == "PROOF_VERIFICATION_ERROR"
    assert "urn:uuid:p1" in result.proofs[1].message


def _anchor_proof() -> dict[str, Any]:
    return {"type": "MerkleInclusionProof2026", "merkleRoot": "0x" + "ab" * 32, "merklePath": ["0x" + "cd" * 32],
            "chain": "eip155:11155111"}


def test_a_proof_type_the_verifier_does_not_know_is_skipped(key: Key) -> None:
    signed = sign(credential(), key)
    signed["proof"] = [signed["proof"], _anchor_proof()]
    result = verify_proofs(signed, lookup_for(key))
    assert result.verified
    assert [p.status for p in result.proofs] == ["verified", "skipped"]
    skipped = result.skipped_proofs[0]
    assert skipped.type == "MerkleInclusionProof2026" and skipped.error is None
    assert "not understood" in skipped.message


def test_a_proof_added_after_an_unknown_proof_type_still_verifies(key: Key) -> None:
    doc = credential()
    doc["proof"] = _anchor_proof()
    signed = sign(doc, key)
    assert signed["proof"][0]["type"] == "MerkleInclusionProof2026"
    assert verify_proofs(signed, lookup_for(key)).verified


def test_only_unknown_proofs_means_not_verified() -> None:
    doc = {**credential(), "proof": _anchor_proof()}
    result = verify_proofs(doc, lookup_for())
    assert not result.verified and result.problem == "no proof of a type this verifier understands"
    assert result.proofs[0].status == "skipped"


@pytest.mark.parametrize("proof", [{"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"},
                                   {"type": "DataIntegrityProof"}, {"type": "JsonWebSignature2020"}])
def test_unknown_cryptosuites_are_skipped_not_failed(key: Key, proof: dict[str, Any]) -> None:
    signed = sign(credential(), key)
    signed["proof"] = [signed["proof"], {**proof, "proofValue": "zabc"}]
    result = verify_proofs(signed, lookup_for(key))
    assert result.verified and result.proofs[1].status == "skipped"


def test_accept_types_and_cryptosuites_narrow_what_is_understood(key: Key) -> None:
    signed = sign(credential(), key, cryptosuite="eddsa-jcs-2022")
    assert not verify_proofs(signed, lookup_for(key), cryptosuites=["eddsa-rdfc-2022"]).verified
    assert verify_proofs(signed, lookup_for(key), cryptosuites=["eddsa-jcs-2022"]).verified
    assert verify_proofs(signed, lookup_for(key), accept_types=["Ed25519Signature2020"]).proofs[0].status \
        == "skipped"


def test_no_proof() -> None:
    result = verify_proofs(credential(), lookup_for())
    assert not result.verified and result.proofs == () and result.problem == "the document has no proof"


# -- tampering ---------------------------------------------------------------------------------------------------


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        node[last] = value
    return change


TAMPERING: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "subject id": (_set("credentialSubject.id", "did:example:mallory"), "PROOF_VERIFICATION_ERROR", "does not match"),
    "achievement name": (_set("credentialSubject.achievement.name", "Brain Surgery"), "PROOF_VERIFICATION_ERROR",
                         "does not match"),
    "credits": (_set("credentialSubject.achievement.creditsAvailable", 50), "PROOF_VERIFICATION_ERROR",
                "does not match"),
    "issuer": (_set("issuer.id", "did:example:other"), "PROOF_VERIFICATION_ERROR", "does not match"),
    "validFrom": (_set("validFrom", "2020-01-01T00:00:00Z"), "PROOF_VERIFICATION_ERROR", "does not match"),
    "type": (_set("type", ["VerifiableCredential"]), "PROOF_VERIFICATION_ERROR", "does not match"),
    "added field": (_set("description", "added later"), "PROOF_VERIFICATION_ERROR", "does not match"),
    "undefined term": (_set("credentialSubject.nickname", "x"), "PROOF_VERIFICATION_ERROR", ""),
    "created": (_set("proof.created", "2026-03-01T12:30:46Z"), "PROOF_VERIFICATION_ERROR", "does not match"),
    "cryptosuite": (lambda d: d["proof"].update(cryptosuite={"eddsa-rdfc-2022": "eddsa-jcs-2022"}.get(
        d["proof"]["cryptosuite"], "eddsa-rdfc-2022")), "PROOF_VERIFICATION_ERROR", "does not match"),
    "purpose": (_set("proof.proofPurpose", "authentication"), "PROOF_VERIFICATION_ERROR", "expected"),
    "verification method": (_set("proof.verificationMethod", "OTHER"), "PROOF_VERIFICATION_ERROR",
                            "does not match"),
    "proofValue character": (lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-2] + (
        "A" if d["proof"]["proofValue"][-2] != "A" else "B") + d["proof"]["proofValue"][-1]),
        "PROOF_VERIFICATION_ERROR", "does not match"),
    "proofValue base": (lambda d: d["proof"].update(proofValue="u" + d["proof"]["proofValue"][1:]),
                        "MALFORMED_PROOF_ERROR", "base58btc"),
    "proofValue length": (lambda d: d["proof"].update(proofValue=encode_multibase(b"\x01" * 63)),
                          "MALFORMED_PROOF_ERROR", "63 bytes"),
    "proofValue removed": (lambda d: d["proof"].pop("proofValue"), "MALFORMED_PROOF_ERROR", "proofValue"),
    "created not a date": (_set("proof.created", "yesterday"), "MALFORMED_PROOF_ERROR", "dateTime"),
    "purpose removed": (lambda d: d["proof"].pop("proofPurpose"), "PROOF_VERIFICATION_ERROR", "no proofPurpose"),
    "unknown context": (lambda d: d["@context"].append("https://contexts.example/x"), "PROOF_TRANSFORMATION_ERROR",
                        "https://contexts.example/x"),
}


@pytest.mark.parametrize("cryptosuite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
@pytest.mark.parametrize("change", list(TAMPERING), ids=list(TAMPERING))
def test_tampering_is_detected(key: Key, cryptosuite: str, change: str) -> None:
    mutate, code, reason = TAMPERING[change]
    other = Key()
    signed = sign(credential(), key, cryptosuite=cryptosuite)
    assert verify_proofs(signed, lookup_for(key, other)).verified
    tampered = copy.deepcopy(signed)
    mutate(tampered)
    if change == "verification method":
        tampered["proof"]["verificationMethod"] = other.vm
    if change == "undefined term" and cryptosuite.endswith("rdfc-2022"):
        code, reason = "DATA_LOSS_DETECTION_ERROR", "nickname"
    if change == "unknown context" and cryptosuite.endswith("jcs-2022"):
        code, reason = "PROOF_VERIFICATION_ERROR", "does not match"  # JCS does not read contexts
    result = verify_proofs(tampered, lookup_for(key, other))
    assert not result.verified
    (proof,) = result.proofs
    assert proof.status == "failed" and proof.error == code, proof
    assert reason in proof.message


def test_another_key_at_the_same_verification_method_fails(key: Key) -> None:
    signed = sign(credential(), key)
    impostor = Key()

    def lookup(vm: str) -> tuple[str, bytes, str]:
        return "ed25519", impostor.public_key, key.did

    result = verify_proofs(signed, lookup)
    assert not result.verified and "does not match" in result.proofs[0].message


def test_a_key_of_the_wrong_type_fails(key: Key) -> None:
    signed = sign(credential(), key)
    p256 = Key("p256")
    result = verify_proofs(signed, lambda vm: ("p256", p256.public_key, p256.did))
    assert result.proofs[0].error == "PROOF_VERIFICATION_ERROR" and "'p256' key" in result.proofs[0].message


@pytest.mark.parametrize(("key_type", "public_key"), [("ed25519", b"\x01" * 31), ("p256", b"\x05" + b"\x01" * 32)])
def test_an_invalid_public_key_is_named(key_type: str, public_key: bytes) -> None:
    signer = Key(key_type)
    signed = sign(credential(), signer, cryptosuite="eddsa-rdfc-2022" if key_type == "ed25519" else "ecdsa-rdfc-2019")
    result = verify_proofs(signed, lambda vm: (key_type, public_key, signer.did))
    assert result.proofs[0].error == "PROOF_VERIFICATION_ERROR"
    assert f"not a valid {key_type} public key" in result.proofs[0].message


def test_a_jcs_proof_context_must_begin_the_document_context(key: Key) -> None:
    signed = sign(credential(), key, cryptosuite="eddsa-jcs-2022")
    signed["@context"] = [OB, V2]
    result = verify_proofs(signed, lookup_for(key))
    assert not result.verified and "@context" in result.proofs[0].message


def test_an_unknown_verification_method_is_a_failure_with_the_reason(key: Key) -> None:
    signed = sign(credential(), key)
    result = verify_proofs(signed, lookup_for())
    assert not result.verified
    assert result.proofs[0].error == "PROOF_VERIFICATION_ERROR" and "no verification method" in \
        result.proofs[0].message


def test_a_network_failure_of_the_key_lookup_is_not_a_verdict(key: Key) -> None:
    signed = sign(credential(), key)

    def offline(vm: str) -> tuple[str, bytes, str]:
        raise NetworkError("RPC endpoint unreachable")

    with pytest.raises(NetworkError):
        verify_proofs(signed, offline)


def test_a_bug_in_the_key_lookup_is_not_hidden(key: Key) -> None:
    signed = sign(credential(), key)

    def broken(vm: str) -> tuple[str, bytes, str]:
        raise KeyError("bug")

    with pytest.raises(KeyError):
        verify_proofs(signed, broken)


def test_a_proof_that_is_not_an_object_is_malformed(key: Key) -> None:
    signed = sign(credential(), key)
    signed["proof"] = [signed["proof"], "zNotAProof"]
    result = verify_proofs(signed, lookup_for(key))
    assert [p.status for p in result.proofs] == ["verified", "failed"]
    assert result.proofs[1].error == "MALFORMED_PROOF_ERROR"


@pytest.mark.parametrize("doc", [[], "x", None])
def test_verify_takes_an_object(doc: Any) -> None:
    with pytest.raises(InvalidInputError):
        verify_proofs(doc, lookup_for())


# -- purpose, domain, challenge, expiry --------------------------------------------------------------------------


def test_expected_purpose(key: Key) -> None:
    signed = sign(credential(), key, proof_purpose="authentication")
    assert not verify_proofs(signed, lookup_for(key)).verified
    assert verify_proofs(signed, lookup_for(key), expected_purpose="authentication").verified
    assert verify_proofs(signed, lookup_for(key), expected_purpose=None).verified


def test_domain_and_challenge(key: Key) -> None:
    signed = sign(credential(), key, domain=["b.example", "a.example"], challenge="c-123", nonce="n-1")
    assert signed["proof"]["domain"] == ["b.example", "a.example"] and signed["proof"]["nonce"] == "n-1"
    lookup = lookup_for(key)
    assert verify_proofs(signed, lookup, domain={"a.example", "b.example"}, challenge="c-123").verified
    wrong_domain = verify_proofs(signed, lookup, domain="a.example")
    assert wrong_domain.proofs[0].error == "INVALID_DOMAIN_ERROR"
    wrong_challenge = verify_proofs(signed, lookup, challenge="c-999")
    assert wrong_challenge.proofs[0].error == "INVALID_CHALLENGE_ERROR"
    assert verify_proofs(sign(credential(), key), lookup, challenge="c-123").proofs[0].error \
        == "INVALID_CHALLENGE_ERROR"
    tampered = copy.deepcopy(signed)
    tampered["proof"]["challenge"] = "c-999"
    assert not verify_proofs(tampered, lookup, challenge="c-999").verified  # the challenge is signed


def test_expires(key: Key) -> None:
    signed = sign(credential(), key, expires=NOW + timedelta(days=30))
    assert signed["proof"]["expires"] == "2026-03-31T12:30:45Z"
    lookup = lookup_for(key)
    assert verify_proofs(signed, lookup, at=NOW + timedelta(days=29)).verified
    late = verify_proofs(signed, lookup, at=NOW + timedelta(days=31))
    assert not late.verified and "expired at 2026-03-31T12:30:45Z" in late.proofs[0].message
    assert not verify_proofs(signed, lookup, clock=lambda: NOW + timedelta(days=31)).verified


# -- batches -----------------------------------------------------------------------------------------------------


def test_sign_batch_reads_the_clock_once_and_matches_add_proof(key: Key) -> None:
    ticks = iter([NOW, NOW + timedelta(seconds=5)])
    docs = [credential(id=f"did:example:learner{i}") for i in range(5)]
    batch = sign_batch(docs, key, verification_method=key.vm, clock=lambda: next(ticks))
    assert {d["proof"]["created"] for d in batch} == {"2026-03-01T12:30:45Z"}
    assert len({d["proof"]["proofValue"] for d in batch}) == 5
    assert all(verify_proofs(d, lookup_for(key)).verified for d in batch)
    assert batch[3] == add_proof(docs[3], key, verification_method=key.vm, created=NOW)


def test_sign_batch_fails_as_a_whole(key: Key) -> None:
    docs = [credential(), credential(nickname="undefined")]
    with pytest.raises(ProofGenerationError, match="nickname"):
        sign_batch(docs, key, verification_method=key.vm)


def test_results_serialise(key: Key) -> None:
    result = verify_proofs(sign(credential(), key), lookup_for(key))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["verified"] is True
    assert data["proofs"][0]["verificationMethod"] == key.vm and data["proofs"][0]["error"] is None


# -- keys and encodings ------------------------------------------------------------------------------------------


def test_did_key_lookup_decodes_the_vectors(vectors_dir: Path) -> None:
    vectors = json.loads((vectors_dir / "04-did-key/test-vectors/ed25519-x25519.json").read_text())
    for did, entry in vectors.items():
        vm = entry["verificationKeyPair"]["id"]
        key_type, public_key, controller = did_key_lookup(vm if vm.startswith("did:") else did + vm)
        assert (key_type, controller) == ("ed25519", did)
        from_seed = Ed25519PrivateKey.from_private_bytes(bytes.fromhex(entry["seed"])).public_key()
        assert public_key == from_seed.public_bytes(Encoding.Raw, PublicFormat.Raw)
    nist = json.loads((vectors_dir / "04-did-key/test-vectors/nist-curves.json").read_text())
    checked = 0
    for did, entry in nist.items():
        jwk = entry["verificationMethod"].get("publicKeyJwk", {})
        if jwk.get("crv") not in ("P-256", "P-384"):
            continue
        key_type, public_key, _ = did_key_lookup(did)
        curve = ec.SECP256R1() if jwk["crv"] == "P-256" else ec.SECP384R1()
        point = ec.EllipticCurvePublicKey.from_encoded_point(curve, public_key).public_numbers()
        size = curve.key_size // 8
        assert key_type == {"P-256": "p256", "P-384": "p384"}[jwk["crv"]]
        assert point.x.to_bytes(size, "big") == _b64url(jwk["x"])
        assert point.y.to_bytes(size, "big") == _b64url(jwk["y"])
        checked += 1
    assert checked >= 4


def _b64url(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.mark.parametrize(("vm", "message"), [
    ("did:web:example.com#key-1", "not a did:key"),
    ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#other", "fragment"),
    ("did:key:z2J9gaYxrKVpdoG9A4gRnmpnRCcxU6agDtFVVBVdn1JedouoZN7SzcyREXXzWgt3gGiwpoHq7K68X4m32D8HgzG8wv3sY5j7",
     "multicodec header 0x1202"),
    ("did:key:mAQID", "base58btc"),
])
def test_did_key_lookup_refuses(vm: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        did_key_lookup(vm)


@pytest.mark.parametrize("key_type", ["ed25519", "p256", "p384"])
def test_public_key_multibase_round_trip(key_type: str) -> None:
    k = Key(key_type)
    assert decode_public_key_multibase(encode_public_key_multibase(key_type, k.public_key)) == (key_type,
                                                                                                k.public_key)
    with pytest.raises(KeyFormatError, match="bytes"):
        encode_public_key_multibase(key_type, k.public_key + b"\x00")


def test_verify_signature_is_false_for_malformed_input() -> None:
    k = Key()
    signature = k.sign(b"data")
    assert verify_signature("ed25519", k.public_key, b"data", signature)
    assert not verify_signature("ed25519", k.public_key, b"data", signature[:-1])
    assert not verify_signature("ed25519", b"\x00" * 31, b"data", signature)
    assert not verify_signature("rsa", k.public_key, b"data", signature)
    assert not verify_signature("p256", b"\x02" + b"\xff" * 32, b"data", b"\x01" * 64)


def test_hash_data_names_its_error() -> None:
    with pytest.raises(InvalidInputError) as caught:
        hash_data(credential(), {"type": "UnknownProof2000"})
    assert caught.value.code == "PROOF_GENERATION_ERROR"  # type: ignore[attr-defined]


def test_cryptosuites_constant() -> None:
    assert CRYPTOSUITES == ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")


# -- properties --------------------------------------------------------------------------------------------------

_value = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=40),
    st.integers(-(2**53) + 1, 2**53 - 1),
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False),
)
_subject = st.dictionaries(st.sampled_from(["alumniOf", "grade", "score", "note", "awarded", "credits"]),
                           st.one_of(_value, st.lists(_value, min_size=1, max_size=3)), max_size=4)
_KEY = Key()


def _vc(subject: dict[str, Any]) -> dict[str, Any]:
    return {"@context": [V2, EXAMPLES], "type": ["VerifiableCredential"], "issuer": _KEY.did,
            "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:s", **subject}}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=_subject, cryptosuite=st.sampled_from(["eddsa-rdfc-2022", "eddsa-jcs-2022"]))
def test_random_subjects_round_trip(subject: dict[str, Any], cryptosuite: str) -> None:
    signed = add_proof(_vc(subject), _KEY, verification_method=_KEY.vm, cryptosuite=cryptosuite, created=NOW)
    assert verify_proofs(json.loads(json.dumps(signed)), lookup_for(_KEY)).verified


def _different(value: Any) -> Any:
    """A value that JSON-LD gives other RDF than ``value`` (and JCS other text)."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1 if abs(value) < 2**52 else value / 2
    if isinstance(value, list):
        return [*value, "extra"]
    return value + "x"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=_subject.filter(bool), cryptosuite=st.sampled_from(["eddsa-rdfc-2022", "eddsa-jcs-2022"]),
       pick=st.integers(min_value=0))
def test_a_random_single_field_mutation_fails(subject: dict[str, Any], cryptosuite: str, pick: int) -> None:
    signed = add_proof(_vc(subject), _KEY, verification_method=_KEY.vm, cryptosuite=cryptosuite, created=NOW)
    field = sorted(subject)[pick % len(subject)]
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"][field] = _different(subject[field])
    result = verify_proofs(tampered, lookup_for(_KEY))
    assert not result.verified
    assert result.proofs[0].error == "PROOF_VERIFICATION_ERROR"
