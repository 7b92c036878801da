"""A credential as a document: reading it from a file, its proofs (signature and anchor), its registry status
entry and its digest. Everything that reads or writes credentials stands on this module."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import rfc8785

from microcred.errors import InvalidInputError

__all__ = [
    "ANCHOR_PROOF_TYPE",
    "STATUS_ENTRY_TYPE",
    "anchor_proofs",
    "credential_digest",
    "load_credential",
    "signature_proofs",
    "status_entry",
    "strip_anchor",
]

ANCHOR_PROOF_TYPE = "MicrocredAnchorProof2026"
STATUS_ENTRY_TYPE = "MicrocredRegistryEntry2026"
def _proofs(doc: dict) -> list[dict]:
    proof = doc.get("proof")
    if proof is None:
        return []
    return [proof] if isinstance(proof, dict) else list(proof)


def anchor_proofs(doc: dict) -> list[dict]:
    return [p for p in _proofs(doc) if isinstance(p, dict) and p.get("type") == ANCHOR_PROOF_TYPE]


def signature_proofs(doc: dict) -> list[dict]:
    return [p for p in _proofs(doc) if not (isinstance(p, dict) and p.get("type") == ANCHOR_PROOF_TYPE)]


def strip_anchor(doc: dict) -> dict:
    """A copy of ``doc`` without its anchor proofs: the credential as its issuer signed it (``export --plain``)."""
    out = {k: v for k, v in doc.items() if k != "proof"}
    sigs = signature_proofs(doc)
    if sigs:
        out["proof"] = sigs[0] if len(sigs) == 1 and isinstance(doc.get("proof"), dict) else \
            (sigs if len(sigs) > 1 else sigs[0])
    return out


def credential_digest(doc: dict) -> bytes:
    """``sha256(JCS(doc without anchor proofs))`` — what a leaf of the batch tree commits to."""
    try:
        return hashlib.sha256(rfc8785.dumps(strip_anchor(doc))).digest()
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"the credential cannot be canonicalised with JCS: {exc}") from exc


def status_entry(doc: dict) -> dict:
    """The credential's registry status entry (chain, registry, issuerAccount, statusIndex), checked for shape."""
    entries = doc.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        if isinstance(entry, dict) and entry.get("type") == STATUS_ENTRY_TYPE:
            missing = [k for k in ("chain", "registry", "issuerAccount", "statusIndex") if k not in entry]
            if missing:
                raise InvalidInputError(f"credentialStatus lacks {', '.join(missing)}")
            index = entry["statusIndex"]
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise InvalidInputError(f"credentialStatus.statusIndex must be a whole number, not {index!r}")
            return {**entry, "statusIndex": index}
    raise InvalidInputError(f"the credential has no credentialStatus of type {STATUS_ENTRY_TYPE}")


def load_credential(path: Path) -> dict:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc})") from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None
    if not isinstance(doc, dict):
        raise InvalidInputError(f"{path}: a credential is a JSON object, not {type(doc).__name__}")
    return doc
