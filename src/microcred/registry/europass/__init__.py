"""Europass: the European Learning Model v3 (European Digital Credentials, EDC).

* :func:`to_edc` — a microcred micro-credential (OB 3.0) → an EDC (JSON-LD, EDC application profile), every Annex I
  element in its ELM home, with identifiers linking back to the credential and its ledger anchor.

The EDC JSON-LD context is bundled (``contexts/``, pinned by sha256) and registered with the offline loader when
this package is imported.
"""

from microcred.registry.europass._export import to_edc
from microcred.registry.europass._vocab import (
    EDC_CONTEXT,
    EDC_CONTEXTS,
    EDC_SCHEMA,
    edc_context,
    register_edc_contexts,
)

register_edc_contexts()

__all__ = ["EDC_CONTEXT", "EDC_CONTEXTS", "EDC_SCHEMA", "edc_context", "register_edc_contexts", "to_edc"]
