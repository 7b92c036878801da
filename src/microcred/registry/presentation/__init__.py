"""Verifiable Presentations (W3C VC 2.0): a holder presents credentials issued to their DID, signed with a Data
Integrity ``authentication`` proof that binds the verifier's challenge and domain; a verifier checks that proof,
the binding, that every credential is the holder's, and every credential as ``verify`` does::

    from microcred.registry.presentation import create_presentation, verify_presentation

    vp = create_presentation([credential], key, holder=key.did, verification_method=vm,
                             challenge="c0ffee", domain="https://hr.example")
    result = verify_presentation(vp, verifier=verifier, challenge="c0ffee", domain="https://hr.example")
    print(result.outcome, result.reasons, [v.outcome for v in result.credentials])
"""

from microcred.registry.presentation._build import (
    ENVELOPED_CREDENTIAL,
    JWT_DATA_URL_PREFIX,
    PRESENTATION_CONTEXT,
    PRESENTATION_TYPE,
    SubjectNotHolderError,
    create_presentation,
    subject_ids,
)
from microcred.registry.presentation._verify import (
    PRESENTATION_CHECKS,
    REASONS,
    PresentationCheck,
    PresentationVerification,
    is_presentation,
    presented_credentials,
    verify_presentation,
)

__all__ = [
    "ENVELOPED_CREDENTIAL",
    "JWT_DATA_URL_PREFIX",
    "PRESENTATION_CHECKS",
    "PRESENTATION_CONTEXT",
    "PRESENTATION_TYPE",
    "PresentationCheck",
    "PresentationVerification",
    "REASONS",
    "SubjectNotHolderError",
    "create_presentation",
    "is_presentation",
    "presented_credentials",
    "subject_ids",
    "verify_presentation",
]
