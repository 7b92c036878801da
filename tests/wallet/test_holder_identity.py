"""Holder identity: a learner DID in the learner list becomes ``credentialSubject.id``, the OB 3.0 identifiers for
e-mail and student number stay, and a DID of a wrong form is a named error on its row."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from microcred.did import KeyPair
from microcred.registry.issuance import LearnerFileError, build_credential, check_learner_did, parse_learners
from tests.support.wallet import course_template, issuer_profile

GOOD = ["did:web:example.org", "did:web:example.org%3A8443:users:ada",
        "did:ethr:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
        "did:ethr:sepolia:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"]


def test_learner_dids_of_the_three_methods_are_accepted() -> None:
    for did in [KeyPair.generate("ed25519").did, KeyPair.generate("p256").did, *GOOD]:
        assert check_learner_did(did) == did


@pytest.mark.parametrize(("did", "reason"), [
    ("not-a-did", "is not a DID"),
    ("did:key:zBAD", "unsupported key codec"),
    ("did:web:exa_mple.org", "is not a domain name"),
    ("did:web:example.org:..", "empty or unsafe"),
    ("did:ethr:0x123", "must be an address"),
    ("did:example:123", "a learner DID is one of did:key, did:web, did:ethr"),
])
def test_a_bad_learner_did_is_named_on_its_row(did: str, reason: str) -> None:
    text = f"name,did,completion_date\nAda,{KeyPair.generate('ed25519').did},2026-01-01\nBob,{did},2026-01-02\n"
    with pytest.raises(LearnerFileError) as caught:
        parse_learners(text, fmt="csv", source="list.csv")
    assert len(caught.value.problems) == 1 and caught.value.bad_rows == 1
    problem = caught.value.problems[0]
    assert problem.startswith("list.csv:3: learner's DID") and reason in problem, problem


def test_the_learner_did_is_the_subject_id_and_the_identifiers_stay() -> None:
    holder = KeyPair.generate("ed25519").did
    [learner] = parse_learners(f"name,did,email,student_id,completion_date\nAda Lovelace,{holder},Ada@Example.org,"
                               "S-1,2026-01-01\n", fmt="csv")
    doc = build_credential(issuer_profile(), course_template(), learner, index=0, issued_at=datetime.now(UTC))
    subject = doc["credentialSubject"]
    assert subject["id"] == holder
    kinds = {i["identityType"] for i in subject["identifier"]}
    assert {"name", "emailAddress", "sisSourcedId"} <= kinds
