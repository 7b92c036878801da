"""Reading a sealed EDC: the JAdES signature against its x5c certificate, the signer, Annex I completeness."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from microcred.registry.europass import NOT_TRUST_CHECKED, SealFormatError, annex_i_completeness, verify_seal
from tests.support.elm import ELM, MORE

CERT_OF_PART = json.loads((ELM / "Sample-CertOfPart-signed.jsonld").read_text(encoding="utf-8"))
MC_ANNEX1 = json.loads((MORE / "Sample-MC-Annex1-signed.jsonld").read_text(encoding="utf-8"))


@pytest.mark.parametrize("sealed", [CERT_OF_PART, MC_ANNEX1], ids=["CertOfPart", "MC-Annex1"])
def test_the_commission_seal_verifies_and_names_its_signer(sealed: dict[str, Any]) -> None:
    report = verify_seal(sealed)
    assert report.valid, report.detail
    assert report.algorithm == "RS256"
    assert report.signer == "TEST SEAL, ORGANIZACION TEST"
    assert "O=ORGANIZACION TEST" in report.signer_subject
    assert "ANF AC Qualified Certificates for eSeal" in report.certificate_issuer
    assert report.certificate_valid_at_signing is True
    assert report.trusted_list_checked is False and report.trust == NOT_TRUST_CHECKED
    assert "not checked against the EU trusted lists" in report.trust
    assert report.as_dict()["trustedListChecked"] is False


@pytest.mark.parametrize("position", [0, 1000, 50_000, -2])
def test_a_one_byte_change_of_the_payload_fails(position: int) -> None:
    tampered = copy.deepcopy(CERT_OF_PART)
    payload = tampered["payload"]
    index = position % len(payload)
    replacement = "X" if payload[index] != "X" else "Y"
    tampered["payload"] = payload[:index] + replacement + payload[index + 1:]
    report = verify_seal(tampered)
    assert not report.valid
    assert "changed after TEST SEAL, ORGANIZACION TEST sealed it" in report.detail


def test_a_changed_signature_or_certificate_fails() -> None:
    tampered = copy.deepcopy(CERT_OF_PART)
    signature = tampered["signatures"][0]["signature"]
    tampered["signatures"][0]["signature"] = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert not verify_seal(tampered).valid


def test_the_annex_i_completeness_of_the_content_is_reported() -> None:
    assert verify_seal(MC_ANNEX1).annex_i_missing == ["type of quality assurance (Annex I element 11)"]
    missing = verify_seal(CERT_OF_PART).annex_i_missing
    assert "learning outcomes (Annex I element 6)" in missing
    assert "type of assessment (Annex I element 9)" in missing
    present, _ = annex_i_completeness(json.loads(MC_ANNEX1["payload"]))
    assert present[1] and present[2] and present[3] and present[4] and present[5] and present[8]
    assert present[14] and not present[11] and not present[16]


def test_what_is_not_a_seal_is_a_format_error() -> None:
    with pytest.raises(SealFormatError):
        verify_seal({"payload": "{}"})
    no_cert = copy.deepcopy(CERT_OF_PART)
    header = json.loads(base64.urlsafe_b64decode(no_cert["signatures"][0]["protected"] + "=="))
    del header["x5c"]
    no_cert["signatures"][0]["protected"] = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    with pytest.raises(SealFormatError, match="x5c"):
        verify_seal(no_cert)


# -- seals made here, with other algorithms and the base64url payload --------------------------------------------


def _certificate(key: Any, name: str) -> x509.Certificate:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test University")])
    now = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=365))
            .sign(key, hashes.SHA256()))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _seal(payload: str, alg: str, key: Any, *, detached: bool) -> dict[str, Any]:
    cert = _certificate(key, "Test Seal")
    der = cert.public_bytes(serialization.Encoding.DER)
    header = {"alg": alg, "x5c": [base64.b64encode(der).decode()], "x5t#S256": _b64(hashlib.sha256(der).digest()),
              "sigT": "2026-03-02T09:30:00Z"}
    if detached:
        header |= {"b64": False, "crit": ["b64", "sigT"]}
    protected = _b64(json.dumps(header).encode())
    body = payload if detached else _b64(payload.encode())
    data = (protected + "." + body).encode()
    if alg == "ES256":
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    else:
        signature = key.sign(data, padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
    return {"payload": body, "signatures": [{"protected": protected, "signature": _b64(signature)}]}


@pytest.mark.parametrize("alg", ["ES256", "PS256"])
@pytest.mark.parametrize("detached", [True, False], ids=["b64-false", "b64-true"])
def test_other_algorithms_and_encoded_payloads(alg: str, detached: bool) -> None:
    key = ec.generate_private_key(ec.SECP256R1()) if alg == "ES256" else rsa.generate_private_key(65537, 2048)
    payload = json.loads(MC_ANNEX1["payload"])
    sealed = _seal(json.dumps(payload), alg, key, detached=detached)
    report = verify_seal(sealed)
    assert report.valid, report.detail
    assert report.signer == "Test Seal, Test University"
    assert report.annex_i_missing == ["type of quality assurance (Annex I element 11)"]
    other = copy.deepcopy(sealed)
    other["signatures"][0]["signature"] = _seal(json.dumps(payload) + " ", alg, key,
                                                 detached=detached)["signatures"][0]["signature"]
    assert not verify_seal(other).valid
    # a certificate that is not the one the thumbprint names
    swapped = copy.deepcopy(sealed)
    header = json.loads(base64.urlsafe_b64decode(swapped["signatures"][0]["protected"] + "=="))
    header["x5t#S256"] = _b64(b"\0" * 32)
    swapped["signatures"][0]["protected"] = _b64(json.dumps(header).encode())
    assert "thumbprint" in verify_seal(swapped).detail and not verify_seal(swapped).valid


def test_a_seal_around_something_else_still_reports_its_signature() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    report = verify_seal(_seal(json.dumps({"hello": "world"}), "ES256", key, detached=True))
    assert report.valid
    assert report.annex_i_missing and "not a European Digital Credential" in report.annex_i_missing[0]
