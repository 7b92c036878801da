"""Reading the electronic seal of a European Digital Credential: JAdES, JWS JSON serialisation, ``x5c``.

EDCI seals a credential with a JAdES signature (ETSI TS 119 182-1) in the JWS JSON serialisation (RFC 7515 §7.2):
``{"payload": "<the EDC as JSON text>", "signatures": [{"protected": "<b64url header>", "signature": "…"}]}``.
The protected header names the algorithm (``RS256`` in the Commission's samples), the signer's certificate chain
(``x5c``, base64 DER, signer first), its SHA-256 thumbprint (``x5t#S256``), the claimed signing time (``sigT``) and,
with ``"b64": false`` (RFC 7797), that the payload is signed as it stands rather than base64url-encoded.

:func:`verify_seal` checks the signature with the public key of the first ``x5c`` certificate and the thumbprint,
and reads the signer's name from the certificate. It does **not** check the certificate against the EU trusted
lists (the eIDAS qualified trust service providers), revocation (CRL/OCSP) or the timestamp tokens: that needs the
network. The report says so in :attr:`SealReport.trust`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from collections.abc import Mapping

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

from microcred.errors import InvalidInputError

__all__ = ["NOT_TRUST_CHECKED", "SealFormatError", "SealReport", "verify_seal"]

NOT_TRUST_CHECKED = ("the signer's certificate was not checked against the EU trusted lists, nor for revocation "
                     "(offline): the seal proves the content is unchanged since this certificate's key signed it, "
                     "not that the signer is a qualified trust service customer")

_HASHES: dict[str, type[hashes.SHA256] | type[hashes.SHA384] | type[hashes.SHA512]] = {
    "256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


class SealFormatError(InvalidInputError):
    """The document is not a JWS JSON serialisation with an ``x5c`` certificate (nothing could be checked)."""


@dataclass
class SealReport:
    """What the seal says and whether its signature holds."""

    valid: bool
    detail: str
    algorithm: str = ""
    signer: str = ""
    signer_subject: str = ""
    certificate_issuer: str = ""
    signed_at: str | None = None
    certificate_valid_from: str = ""
    certificate_valid_until: str = ""
    #: the signing time (sigT) lies within the certificate's validity period (None: no sigT)
    certificate_valid_at_signing: bool | None = None
    trust: str = NOT_TRUST_CHECKED
    trusted_list_checked: bool = False
    #: Annex I elements (number → present) of the sealed content, and the missing ones in plain words
    annex_i: dict[int, bool] = field(default_factory=dict)
    annex_i_missing: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "detail": self.detail, "algorithm": self.algorithm, "signer": self.signer,
                "signerSubject": self.signer_subject, "certificateIssuer": self.certificate_issuer,
                "signedAt": self.signed_at, "certificateValidFrom": self.certificate_valid_from,
                "certificateValidUntil": self.certificate_valid_until,
                "certificateValidAtSigning": self.certificate_valid_at_signing,
                "trustedListChecked": self.trusted_list_checked, "trust": self.trust,
                "annexI": {str(k): present for k, present in self.annex_i.items()},
                "annexIMissing": list(self.annex_i_missing)}


def _b64url(text: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SealFormatError(f"the seal's {what} is not base64url ({exc})") from None


def _signer_name(cert: x509.Certificate) -> str:
    common = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    org = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    parts = [str(common[0].value)] if common else []
    if org and (not common or org[0].value != common[0].value):
        parts.append(str(org[0].value))
    return ", ".join(parts) or cert.subject.rfc4514_string()


def _verify(key: Any, alg: str, signature: bytes, data: bytes) -> None:
    family, bits = alg[:2], alg[2:]
    if bits not in _HASHES:
        raise SealFormatError(f"the seal's algorithm {alg!r} is not supported (RS/PS/ES with 256, 384 or 512)")
    digest = _HASHES[bits]()
    if family == "RS" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PKCS1v15(), digest)
    elif family == "PS" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, data, padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size), digest)
    elif family == "ES" and isinstance(key, ec.EllipticCurvePublicKey):
        half = len(signature) // 2
        der = encode_dss_signature(int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big"))
        key.verify(der, data, ec.ECDSA(digest))
    else:
        raise SealFormatError(f"the seal's algorithm {alg!r} does not match its certificate's "
                              f"{type(key).__name__} key")


def verify_seal(doc: Mapping[str, Any]) -> SealReport:
    """Check the JAdES seal of a signed EDC (its first signature) against its ``x5c`` certificate.

    A wrong signature or thumbprint is a report with ``valid`` False; a document that is not a seal at all is
    :class:`SealFormatError`. The Annex I completeness of the sealed content is part of the report.
    """
    signatures = doc.get("signatures") if isinstance(doc, Mapping) else None
    payload = doc.get("payload") if isinstance(doc, Mapping) else None
    if not isinstance(signatures, list) or not signatures or not isinstance(payload, str):
        raise SealFormatError("not a sealed credential: a JWS JSON serialisation has a 'payload' text and a "
                              "'signatures' list")
    entry = signatures[0]
    if not isinstance(entry, Mapping) or not isinstance(entry.get("protected"), str) \
            or not isinstance(entry.get("signature"), str):
        raise SealFormatError("the seal's first signature lacks its 'protected' header or its 'signature'")
    protected = entry["protected"]
    try:
        header = json.loads(_b64url(protected, "protected header"))
    except ValueError as exc:
        raise SealFormatError(f"the seal's protected header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise SealFormatError("the seal's protected header is not a JSON object")
    alg = str(header.get("alg", ""))
    chain = header.get("x5c")
    if not isinstance(chain, list) or not chain:
        raise SealFormatError("the seal names no certificate (x5c): its signer cannot be checked")
    try:
        der = base64.b64decode(chain[0], validate=True)
        cert = x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError, TypeError) as exc:
        raise SealFormatError(f"the seal's x5c certificate cannot be read ({exc})") from None
    report = SealReport(valid=False, detail="", algorithm=alg, signer=_signer_name(cert),
                        signer_subject=cert.subject.rfc4514_string(),
                        certificate_issuer=cert.issuer.rfc4514_string(),
                        signed_at=header.get("sigT") if isinstance(header.get("sigT"), str) else None,
                        certificate_valid_from=cert.not_valid_before_utc.isoformat(),
                        certificate_valid_until=cert.not_valid_after_utc.isoformat())
    if report.signed_at:
        try:
            at = datetime.fromisoformat(report.signed_at.replace("Z", "+00:00"))
            report.certificate_valid_at_signing = cert.not_valid_before_utc <= at <= cert.not_valid_after_utc
        except ValueError:
            report.certificate_valid_at_signing = None
    detached = header.get("b64") is False
    _annex(report, payload if detached else _b64url(payload, "payload").decode("utf-8", "replace"))
    thumbprint = header.get("x5t#S256")
    if thumbprint is not None:
        actual = base64.urlsafe_b64encode(hashlib.sha256(cert.public_bytes(serialization.Encoding.DER))
                                          .digest()).rstrip(b"=").decode()
        if actual != thumbprint:
            report.detail = "the certificate in x5c is not the one the header's x5t#S256 thumbprint names"
            return report
    signing_input = protected.encode("ascii") + b"." + (payload.encode("utf-8") if detached
                                                        else payload.encode("ascii"))
    signature = _b64url(entry["signature"], "signature")
    try:
        _verify(cert.public_key(), alg, signature, signing_input)
    except InvalidSignature:
        report.detail = (f"the {alg} signature does not match the content: the credential was changed after "
                         f"{report.signer} sealed it")
        return report
    report.valid = True
    report.detail = f"the {alg} signature of {report.signer} over the credential holds"
    return report


def _annex(report: SealReport, payload: str) -> None:
    """Fill the Annex I completeness of the sealed content (best effort: an unreadable payload is reported)."""
    from microcred.registry.europass._completeness import annex_i_completeness

    try:
        content = json.loads(payload)
    except ValueError:
        report.annex_i_missing = ["the sealed content is not JSON: its Annex I elements cannot be read"]
        return
    try:
        report.annex_i, report.annex_i_missing = annex_i_completeness(content)
    except InvalidInputError as exc:
        report.annex_i_missing = [f"the sealed content is not a European Digital Credential ({exc})"]
