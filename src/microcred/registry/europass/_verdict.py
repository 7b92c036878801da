"""The verdict on a sealed European Digital Credential, in the verifier's terms: its seal is the signature, its
signer the issuer as far as an offline verifier can tell, its Annex I content the format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from microcred.registry.europass._seal import verify_seal
from microcred.registry.verify import Verification

__all__ = ["is_sealed_edc", "sealed_edc_verification"]


def is_sealed_edc(doc: Mapping[str, Any]) -> bool:
    """Whether ``doc`` is a JAdES seal in the JWS JSON serialisation (a sealed EDC), not a credential."""
    return isinstance(doc, Mapping) and "payload" in doc and "signatures" in doc


def sealed_edc_verification(doc: Mapping[str, Any], *, file: str | None = None,
                            require: tuple[str, ...] = ()) -> Verification:
    """Check the seal of a sealed EDC and report it as a :class:`Verification` (format, signature, issuer).

    As for any credential from elsewhere, only the ``credential`` level decides unless ``require`` names more
    (``microcredential``: every Annex I element)."""
    report = verify_seal(doc)
    verdict = Verification(file=file, id=None, status="unknown", required=tuple(require))
    verdict.facts["seal"] = report.as_dict()
    if report.annex_i_missing:
        verdict.add("format", "fail", "a European Digital Credential lacking Annex I elements: "
                    + "; ".join(report.annex_i_missing))
    else:
        verdict.add("format", "pass", "a European Digital Credential (ELM v3) with every Annex I element")
    verdict.add("signature", "pass" if report.valid else "fail",
                f"JAdES seal ({report.algorithm or 'unknown algorithm'}): {report.detail}")
    signer = report.signer or report.signer_subject or "an unnamed signer"
    verdict.add("issuer", "skipped", f"sealed by {signer} (certificate issued by "
                f"{report.certificate_issuer or 'an unnamed authority'}); {report.trust}")
    return verdict
