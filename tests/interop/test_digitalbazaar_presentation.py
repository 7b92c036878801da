"""Digital Bazaar's @digitalbazaar/vc ``verify`` (a presentation: its authentication proof with challenge and
domain, and each credential) accepts microcred's presentations, and refuses a replayed or tampered one."""

from __future__ import annotations

import copy

import pytest

from microcred.did import KeyPair
from microcred.registry.presentation import create_presentation
from tests.support import dbvc
from tests.support.wallet import badge, tampered, vm_of

CHALLENGE, DOMAIN = "db-interop-challenge", "https://hr.example"


@pytest.mark.parametrize(("suite", "key_type"), [("eddsa-rdfc-2022", "ed25519"), ("ecdsa-rdfc-2019", "p256")])
def test_digital_bazaar_verifies_microcred_presentations(suite: str, key_type: str) -> None:
    issuer, holder = KeyPair.generate(key_type), KeyPair.generate(key_type)

    creds = [badge(issuer, holder.did, i, cryptosuite=suite) for i in (1, 2)]

    def vp(credentials: list[dict]) -> dict:
        return create_presentation(credentials, holder, holder=holder.did, verification_method=vm_of(holder),
                                   challenge=CHALLENGE, domain=DOMAIN, cryptosuite=suite)

    good = vp(creds)
    after = copy.deepcopy(good)
    after["verifiableCredential"][0] = tampered(after["verifiableCredential"][0])
    before = vp([tampered(creds[0]), creds[1]])
    answer = dbvc.verify_presentations(suite, [good, after, before], challenge=CHALLENGE, domain=DOMAIN)
    ok, changed_after, changed_before = answer["results"]
    assert ok["verified"] and ok["presentation"] and ok["credentials"] == [True, True], ok
    assert not changed_after["verified"] and not changed_after["presentation"]
    assert not changed_before["verified"] and changed_before["presentation"] and changed_before["credentials"] == \
        [False, True]
    replay = dbvc.verify_presentations(suite, [good], challenge="another", domain=DOMAIN)["results"][0]
    assert not replay["verified"] and not replay["presentation"]
    elsewhere = dbvc.verify_presentations(suite, [good], challenge=CHALLENGE, domain="https://x.example")
    assert not elsewhere["results"][0]["verified"]


def test_digital_bazaar_verifies_a_presentation_of_an_anchored_credential() -> None:
    issuer, holder = KeyPair.generate("ed25519"), KeyPair.generate("ed25519")
    from microcred.registry.proofs import add_proof

    unsigned = {k: v for k, v in badge(issuer, holder.did, 7).items() if k != "proof"}
    unsigned["@context"] = [*unsigned["@context"], "https://w3id.org/microcred/v1"]  # defines the anchor proof
    signed = add_proof(unsigned, issuer, verification_method=vm_of(issuer))
    anchor = {"type": "MicrocredAnchorProof2026", "proofPurpose": "assertionMethod", "created": "2026-01-15T10:00:00Z",
              "chain": "eip155:31337", "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
              "issuerAccount": "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", "merkleRoot": "0x" + "ab" * 32,
              "merklePath": ["0x" + "cd" * 32], "transactionHash": "0x" + "ef" * 32, "blockNumber": 7}
    anchored = {**signed, "proof": [signed["proof"], anchor]}
    vp = create_presentation([anchored], holder, holder=holder.did, verification_method=vm_of(holder),
                             challenge=CHALLENGE, domain=DOMAIN)
    [result] = dbvc.verify_presentations("eddsa-rdfc-2022", [vp], challenge=CHALLENGE, domain=DOMAIN)["results"]
    assert result["verified"] and result["presentation"], result
