"""Interop with didkit (spruceid ssi, PyPI ``didkit`` 0.3.3): VC 1.1 credentials with ``Ed25519Signature2020``
proofs by ``did:key`` issuers, signed on one side and verified on the other, and tampered ones refused by both.

didkit runs in a child process: its Rust runtime can crash the interpreter when it exits, which must not take
pytest down with it. The child issues a credential with a fresh key and verifies the credentials microcred signed;
it answers in JSON.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from microcred.did import PublicKey
from microcred.registry.proofs import add_proof, did_key_lookup, verify_proofs

pytestmark = pytest.mark.skipif(importlib.util.find_spec("didkit") is None, reason="didkit is not installed")

CHILD = textwrap.dedent("""
    import asyncio, json, os, sys
    import didkit

    async def main(request):
        jwk = didkit.generate_ed25519_key()
        did = didkit.key_to_did("key", jwk)
        vm = await didkit.key_to_verification_method("key", jwk)
        credential = request["credential"]
        credential["issuer"] = did
        options = {"proofPurpose": "assertionMethod", "verificationMethod": vm, "type": "Ed25519Signature2020"}
        issued = await didkit.issue_credential(json.dumps(credential), json.dumps(options), jwk)
        checks = []
        for vc in request["verify"]:
            try:
                checks.append(json.loads(await didkit.verify_credential(json.dumps(vc),
                                                                        json.dumps({"proofPurpose": "assertionMethod"}))))
            except Exception as exc:  # didkit raises for documents it cannot even process
                checks.append({"errors": [f"exception: {exc}"]})
        return {"did": did, "verificationMethod": vm, "issued": json.loads(issued), "checks": checks}

    answer = asyncio.run(main(json.load(sys.stdin)))
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    os._exit(0)
""")

VC11 = "https://www.w3.org/2018/credentials/v1"
OB_VOCAB = {"@vocab": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"}


class Ed25519Key:
    key_type = "ed25519"

    def __init__(self) -> None:
        self._key = Ed25519PrivateKey.generate()
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        multibase = PublicKey("ed25519", public).multibase
        self.did = f"did:key:{multibase}"
        self.vm = f"{self.did}#{multibase}"

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def vc11(issuer: str, **subject: Any) -> dict[str, Any]:
    return {"@context": [VC11, OB_VOCAB], "id": "urn:uuid:0c3e5e8e-0b8a-4c1e-9d3a-4f9d8b6f1a2c",
            "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": issuer,
            "issuanceDate": "2026-01-15T09:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "type": "AchievementSubject",
                                  "achievement": {"type": "Achievement", "name": "Data Stewardship",
                                                  "creditsAvailable": 5}, **subject}}


def _tamper(vc: dict[str, Any]) -> dict[str, Any]:
    bad = copy.deepcopy(vc)
    bad["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    return bad


@pytest.fixture(scope="module")
def exchange() -> dict[str, Any]:
    """microcred signs two credentials (one then tampered); didkit issues one and verifies ours."""
    key = Ed25519Key()
    ours = add_proof(vc11(key.did), key, verification_method=key.vm, cryptosuite="Ed25519Signature2020")
    plain = {**vc11(key.did), "@context": [VC11], "type": ["VerifiableCredential"],
             "credentialSubject": {"id": "did:example:x"}}
    ours_plain = add_proof(plain, key, verification_method=key.vm, cryptosuite="Ed25519Signature2020")
    request = {"credential": vc11("did:placeholder"), "verify": [ours, _tamper(ours), ours_plain]}
    child = subprocess.run([sys.executable, "-c", CHILD], check=False, input=json.dumps(request), capture_output=True,
                           text=True,
                           timeout=300)
    assert child.returncode == 0, f"didkit child failed ({child.returncode}): {child.stderr[-2000:]}"
    answer: dict[str, Any] = json.loads(child.stdout)
    answer["ours"] = ours
    return answer


def test_microcred_verifies_a_credential_didkit_signed(exchange: dict[str, Any]) -> None:
    issued = exchange["issued"]
    assert issued["proof"]["type"] == "Ed25519Signature2020"
    result = verify_proofs(issued, did_key_lookup)
    assert result.verified, result.to_dict()
    assert result.proofs[0].controller == exchange["did"] == issued["issuer"]
    assert result.proofs[0].verification_method == exchange["verificationMethod"]


def test_microcred_refuses_a_tampered_didkit_credential(exchange: dict[str, Any]) -> None:
    result = verify_proofs(_tamper(exchange["issued"]), did_key_lookup)
    assert not result.verified
    assert result.proofs[0].error == "PROOF_VERIFICATION_ERROR" and "does not match" in result.proofs[0].message
    moved = copy.deepcopy(exchange["issued"])
    moved["issuanceDate"] = "2020-01-01T00:00:00Z"
    assert not verify_proofs(moved, did_key_lookup).verified


def test_didkit_verifies_credentials_microcred_signed(exchange: dict[str, Any]) -> None:
    valid, _, plain = exchange["checks"]
    assert valid["errors"] == [], valid
    assert "proof" in valid["checks"]
    assert plain["errors"] == [], plain


def test_didkit_refuses_a_tampered_microcred_credential(exchange: dict[str, Any]) -> None:
    _, tampered, _ = exchange["checks"]
    assert tampered["errors"], "didkit accepted a tampered credential"
    assert verify_proofs(exchange["ours"], did_key_lookup).verified
