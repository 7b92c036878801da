"""An independent verifier: Digital Bazaar's @digitalbazaar/vc with its eddsa/ecdsa rdfc/jcs cryptosuites (npm
devDependencies) verifies microcred's credentials, and microcred verifies theirs, in every suite and key type,
offline (their document loader serves microcred's bundled contexts; did:key documents are derived). Tampered
credentials fail on both sides, and text with U+2028/U+0085 (which broke the canonical form) agrees."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from microcred.did import KeyPair
from microcred.registry.proofs import add_proof, did_key_lookup, verify_proofs
from tests.support import dbvc

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
CASES = [("eddsa-rdfc-2022", "ed25519"), ("eddsa-jcs-2022", "ed25519"), ("ecdsa-rdfc-2019", "p256"),
         ("ecdsa-rdfc-2019", "p384"), ("ecdsa-jcs-2019", "p256"), ("ecdsa-jcs-2019", "p384")]
CURVE = {"p256": "P-256", "p384": "P-384", "ed25519": "P-256"}


def badge(i: int, issuer: str | None = None, name: str = "Data literacy") -> dict[str, Any]:
    doc: dict[str, Any] = {
        "@context": CONTEXT, "id": f"urn:uuid:8b0c5a52-6f1c-4b7e-9d2a-{i:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name, "validFrom": "2026-01-15T09:00:00Z",
        "credentialSubject": {"id": f"did:example:learner{i}", "type": ["AchievementSubject"], "achievement": {
            "id": "urn:uuid:0c8e1f06-8e0b-4d55-9a57-6a0c9d1a2b3c", "type": ["Achievement"], "name": name,
            "description": "Reads, cleans and charts data", "criteria": {"narrative": "Passed the assessment"}}},
    }
    if issuer is not None:
        doc["issuer"] = {"id": issuer, "type": ["Profile"], "name": "TU Example"}
    else:
        doc["issuer"] = {"type": ["Profile"], "name": "TU Example"}
    return doc


def _tamper(doc: dict[str, Any]) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    changed["credentialSubject"]["achievement"]["name"] = "Something else"
    return changed


@pytest.mark.parametrize(("suite", "key_type"), CASES)
def test_digital_bazaar_verifies_microcred(suite: str, key_type: str) -> None:
    key = KeyPair.generate(key_type)
    vm = f"{key.did}#{key.public_key_multibase}"
    ours = [add_proof(badge(i, key.did), key, verification_method=vm, cryptosuite=suite) for i in range(2)]
    ours.append(add_proof(badge(9, key.did, name="Line\u2028separator and NEL\u0085"), key, verification_method=vm,
                          cryptosuite=suite))
    answer = dbvc.verify(suite, [*ours, _tamper(ours[0])])
    verdicts = [r["verified"] for r in answer["results"]]
    assert verdicts == [True, True, True, False], answer["results"]


@pytest.mark.parametrize(("suite", "key_type"), CASES)
def test_microcred_verifies_digital_bazaar(suite: str, key_type: str) -> None:
    answer = dbvc.issue(suite, [badge(1), badge(2, name="Line\u2028separator and NEL\u0085")], curve=CURVE[key_type])
    theirs = answer["credentials"]
    for credential in theirs:
        assert credential["proof"]["cryptosuite"] == suite
        result = verify_proofs(credential, did_key_lookup)
        assert result.verified, result.to_dict()
        assert result.proofs[0].controller == answer["did"]
        assert not verify_proofs(_tamper(credential), did_key_lookup).verified
    assert did_key_lookup(theirs[0]["proof"]["verificationMethod"])[0] == key_type


def _anchored(signed: dict[str, Any]) -> dict[str, Any]:
    """The credential as `microcred anchor` leaves it: its signature, then the registry's anchor proof."""
    anchor = {"type": "MicrocredAnchorProof2026", "proofPurpose": "assertionMethod", "created": "2026-01-15T10:00:00Z",
              "chain": "eip155:31337", "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
              "issuerAccount": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "merkleRoot": "0x" + "ab" * 32,
              "merklePath": ["0x" + "cd" * 32], "transactionHash": "0x" + "ef" * 32, "blockNumber": 7}
    return {**signed, "proof": [signed["proof"], anchor]}


@pytest.mark.parametrize(("suite", "key_type"), CASES)
def test_digital_bazaar_verifies_anchored_microcred_credentials(suite: str, key_type: str) -> None:
    key = KeyPair.generate(key_type)
    signed = add_proof(badge(3, key.did), key, verification_method=f"{key.did}#{key.public_key_multibase}",
                       cryptosuite=suite)
    anchored = _anchored(signed)
    assert verify_proofs(anchored, did_key_lookup).verified
    answer = dbvc.verify(suite, [anchored, _anchored(_tamper(signed))])
    assert [r["verified"] for r in answer["results"]] == [True, False], answer["results"]
