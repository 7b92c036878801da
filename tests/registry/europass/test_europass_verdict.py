"""A sealed EDC given to `verify`: the seal is its signature, the signer is named, the trusted lists were not asked."""

from __future__ import annotations

import json

from microcred.registry.europass import is_sealed_edc, sealed_edc_verification
from tests.support.paths import VECTORS

SEALED = VECTORS / "09-elm" / "Sample-CertOfPart-signed.jsonld"


def test_the_commissions_seal_holds_and_names_its_signer() -> None:
    doc = json.loads(SEALED.read_text(encoding="utf-8"))
    assert is_sealed_edc(doc)
    verdict = sealed_edc_verification(doc, file=str(SEALED))
    checks = {c.name: (c.result, c.detail) for c in verdict.checks}
    assert checks["signature"][0] == "pass"
    assert checks["issuer"][0] == "skipped" and "TEST SEAL" in checks["issuer"][1]
    assert "trusted lists" in checks["issuer"][1]


def test_a_changed_payload_breaks_the_seal() -> None:
    doc = json.loads(SEALED.read_text(encoding="utf-8"))
    payload = doc["payload"]
    position = len(payload) // 2
    doc["payload"] = payload[:position] + ("A" if payload[position] != "A" else "B") + payload[position + 1:]
    verdict = sealed_edc_verification(doc)
    assert {c.name: c.result for c in verdict.checks}["signature"] == "fail"
    assert verdict.outcome == "invalid"


def test_a_credential_is_not_a_sealed_edc() -> None:
    assert not is_sealed_edc({"@context": [], "type": ["VerifiableCredential"], "proof": {}})
