"""Europass: the European Learning Model v3 (European Digital Credentials, EDC) both ways, and JAdES seals.

* :func:`to_edc` — a microcred micro-credential (OB 3.0) → an EDC (JSON-LD, EDC application profile), every Annex I
  element in its ELM home, with identifiers linking back to the credential and its ledger anchor.
* :func:`load_edc` / :func:`unwrap` / :func:`read_edc` / :func:`import_edc` — an EDC (plain or sealed) → the course
  template, learner row and evidence the issuance library needs, then the OB 3.0 credential issued under an issuer's
  DID; what cannot be mapped is listed (:class:`Unmapped`).
* :func:`verify_seal` — the JAdES seal's signature against its ``x5c`` certificate, the signer's name, and the Annex
  I completeness of the content; the EU trusted lists are not consulted (offline), as the report says.

The EDC JSON-LD context is bundled (``contexts/``, pinned by sha256) and registered with the offline loader when
this package is imported.
"""

from microcred.registry.europass._completeness import annex_i_completeness
from microcred.registry.europass._export import to_edc
from microcred.registry.europass._import import (
    ElmReading,
    NotAnEdcError,
    Unmapped,
    annex_i_content,
    import_edc,
    load_edc,
    read_edc,
    unwrap,
)
from microcred.registry.europass._seal import NOT_TRUST_CHECKED, SealFormatError, SealReport, verify_seal
from microcred.registry.europass._vocab import (
    EDC_CONTEXT,
    EDC_CONTEXTS,
    EDC_SCHEMA,
    edc_context,
    register_edc_contexts,
)

from microcred.registry.europass._verdict import is_sealed_edc, sealed_edc_verification

register_edc_contexts()

__all__ = [
    "EDC_CONTEXT",
    "EDC_CONTEXTS",
    "EDC_SCHEMA",
    "ElmReading",
    "NOT_TRUST_CHECKED",
    "NotAnEdcError",
    "SealFormatError",
    "SealReport",
    "Unmapped",
    "annex_i_completeness",
    "annex_i_content",
    "edc_context",
    "import_edc",
    "is_sealed_edc",
    "load_edc",
    "read_edc",
    "register_edc_contexts",
    "sealed_edc_verification",
    "to_edc",
    "unwrap",
    "verify_seal",
]
