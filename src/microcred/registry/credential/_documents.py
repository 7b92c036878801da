"""A credential as a document: reading it from a file, its proofs (signature and anchor), its registry status
entry and its digest. Everything that reads or writes credentials stands on this module."""

from __future__ import annotations

import hashlib
import json
import secrets
from pathlib import Path
from typing import Final, TypeGuard


from microcred.errors import InvalidInputError
from microcred.registry.credential._jsonld import canonize_jcs

__all__ = [
    "ANCHOR_PROOF_TYPE",
    "STATUS_ENTRY_TYPE",
    "anchor_proofs",
    "credential_digest",
    "has_registry_entry",
    "is_registry_entry",
    "MAX_CREDENTIAL_BYTES",
    "MAX_JSON_DEPTH",
    "MAX_STATUS_INDEX",
    "REGISTRY_KEYS",
    "load_credential",
    "parse_credential",
    "signature_proofs",
    "status_entry",
    "strip_anchor",
    "unsecured_form",
    "verification_digests",
]

ANCHOR_PROOF_TYPE = "MicrocredAnchorProof2026"
STATUS_ENTRY_TYPE = "MicrocredRegistryEntry2026"
#: a credential file larger than this is refused before it is parsed
MAX_CREDENTIAL_BYTES = 1024 * 1024
#: arrays and objects nested deeper than this are refused before anything recursive runs
MAX_JSON_DEPTH = 64
#: the largest status index the registry can hold (uint64 indexes; 2^64-1 is never allocated)
MAX_STATUS_INDEX = 2**64 - 2


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
    """A copy of ``doc`` without its anchor proofs: the credential as its issuer signed it (``export --plain``),
    its signature proofs an array (as Open Badges 3.0 asks) whatever form they came in."""
    out = unsecured_form(doc)
    sigs = signature_proofs(doc)
    if sigs:
        out["proof"] = sigs
    return out


def _digest_form(doc: dict) -> dict:
    """What the digest hashes: ``doc`` without anchor proofs, one signature proof as an object and several as an
    array. Fixed for good: the leaves of every anchored batch were computed so, whether the credential's ``proof``
    is an object (credentials issued before proof arrays) or an array of one."""
    out = unsecured_form(doc)
    sigs = signature_proofs(doc)
    if sigs:
        out["proof"] = sigs if len(sigs) > 1 else sigs[0]
    return out


def unsecured_form(doc: dict) -> dict:
    """``doc`` without its ``proof`` member (signature and anchor proofs alike): what a Data Integrity proof of it
    signs, and the common part of every digest of it."""
    return {k: v for k, v in doc.items() if k != "proof"}


def credential_digest(doc: dict) -> bytes:
    """``sha256(JCS(doc without anchor proofs))`` — what a leaf of the batch tree commits to (a single signature
    proof hashed as an object, so ``[proof]`` and ``proof`` give one digest). A verifier makes it together with what
    the signature check needs: :func:`verification_digests`."""
    try:
        text = canonize_jcs(_digest_form(doc))
    except InvalidInputError as exc:
        raise InvalidInputError(f"the credential cannot be canonicalised with JCS: {exc}") from exc
    return hashlib.sha256(text.encode("utf-8")).digest()


#: the markers around the signature proofs in the one text :func:`verification_digests` canonicalises: random for
#: each process, so no credential can hold them
_OPEN: Final = f"microcred-proofs-{secrets.token_hex(16)}"
_CLOSE: Final = f"microcred-end-{secrets.token_hex(16)}"
_OPENING: Final = f'"proof":["{_OPEN}",'
_CLOSING: Final = f',"{_CLOSE}"]'


def _sha256(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


def verification_digests(doc: dict) -> tuple[str, bytes, bytes]:
    """What a verifier hashes of a credential, from one canonicalisation: the JCS text of :func:`unsecured_form`
    of ``doc`` (what its Data Integrity proofs sign), that text's SHA-256, and :func:`credential_digest` (what the
    anchor's leaf commits to). The two texts differ only in the ``proof`` member.

    The document is canonicalised with its signature proofs as ``proof``, between two markers: an array's text is
    its members' texts in order, so the text between the markers is that of the proofs, and the member from the
    first marker to the second is where the digest form's ``proof`` stands (and what the unsecured form lacks). The
    members before ``proof`` begin both texts and are hashed once.

    :raises InvalidInputError: the document cannot be canonicalised (as :func:`canonize_jcs`)."""
    sigs = signature_proofs(doc)
    form = unsecured_form(doc)
    if not sigs:
        text = canonize_jcs(form)
        digest = _sha256(text)
        return text, digest, digest
    form["proof"] = [_OPEN, *sigs, _CLOSE]
    text = canonize_jcs(form)
    # searched from the end: only the members after "proof" follow it
    end = text.rfind(_CLOSING)
    begin = text.rfind(_OPENING, 0, end)
    if begin < 1 or end < 0 or _OPENING in text[end:]:  # cannot be (see _OPEN): one by one
        unsecured = canonize_jcs(unsecured_form(doc))
        return unsecured, _sha256(unsecured), credential_digest(doc)
    inner, tail = text[begin + len(_OPENING):end], text[end + len(_CLOSING):]
    member = '"proof":' + (inner if len(sigs) == 1 else f"[{inner}]")
    if text[begin - 1] == ",":  # the usual case: members before "proof", which both texts begin with
        head = text[:begin - 1]
        rest = tail.encode("utf-8")
        with_proof = hashlib.sha256(head.encode("utf-8"))
        plain = with_proof.copy()
        plain.update(rest)
        with_proof.update(("," + member).encode("utf-8"))
        with_proof.update(rest)
        return head + tail, plain.digest(), with_proof.digest()
    head = text[:begin]  # "{": the proof is the first member, and a comma follows it unless it is the only one
    unsecured = head + (tail[1:] if tail[0] == "," else tail)
    return unsecured, _sha256(unsecured), _sha256(head + member + tail)


def status_entries(doc: dict) -> list[dict]:
    """The credential's ``credentialStatus`` objects (one object or an array of them)."""
    entries = doc.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [entries]
    return [e for e in entries if isinstance(e, dict)]


#: the registry coordinates a status entry carries
REGISTRY_KEYS = ("chain", "registry", "issuerAccount", "statusIndex")
_REGISTRY_KEY_SET: Final = frozenset(REGISTRY_KEYS)


def is_registry_entry(entry: object) -> TypeGuard[dict]:
    """Whether a ``credentialStatus`` object names a place in a registry: microcred's one status object (a
    ``BitstringStatusListEntry`` carrying ``chain`` and ``registry``) or the ``MicrocredRegistryEntry2026`` of
    credentials issued before it."""
    if not isinstance(entry, dict):
        return False
    if entry.get("type") == STATUS_ENTRY_TYPE:
        return True
    return entry.get("type") == "BitstringStatusListEntry" and "chain" in entry and "registry" in entry


def has_registry_entry(doc: dict) -> bool:
    """Whether the credential carries a registry status entry (:func:`is_registry_entry`)."""
    return any(is_registry_entry(e) for e in status_entries(doc))


def status_entry(doc: dict) -> dict:
    """The credential's registry status entry (chain, registry, issuerAccount, statusIndex), checked for shape."""
    for entry in status_entries(doc):
        if is_registry_entry(entry):
            if not entry.keys() >= _REGISTRY_KEY_SET:
                missing = [k for k in REGISTRY_KEYS if k not in entry]
                raise InvalidInputError(f"credentialStatus lacks {', '.join(missing)}")
            index = entry["statusIndex"]
            if isinstance(index, str) and index.isdigit():
                index = int(index)
            if isinstance(index, bool) or not isinstance(index, int) or index < 0:
                raise InvalidInputError(f"credentialStatus.statusIndex must be a whole number, not {index!r}")
            if index > MAX_STATUS_INDEX:
                raise InvalidInputError(f"credentialStatus.statusIndex {index} is out of range: a registry index "
                                        f"is at most 2^64-2")
            if entry.get("type") != STATUS_ENTRY_TYPE and entry.get("statusListIndex") != str(index):
                raise InvalidInputError(f"credentialStatus.statusListIndex {entry.get('statusListIndex')!r} is not "
                                        f"its statusIndex {index}: the list is derived from the registry, index "
                                        "for index")
            return {**entry, "statusIndex": index}
    raise InvalidInputError("the credential has no registry status entry (a credentialStatus naming chain, "
                            "registry, issuerAccount and statusIndex)")


def _depth_problem(text: str, limit: int) -> str | None:
    """Where ``text`` nests arrays/objects deeper than ``limit`` (a scan that skips strings), or ``None``."""
    depth = 0
    in_string = escaped = False
    for position, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return f"nested deeper than {limit} levels (at character {position})"
        elif ch in "]}":
            depth -= 1
    return None


def _no_constant(name: str) -> None:
    raise InvalidInputError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise InvalidInputError(f"the number {text[:40]} is out of range")
    return value


def parse_credential(data: bytes | str, *, source: str = "the credential") -> dict:
    """A credential from its JSON text, refusing before parsing what could harm the verifier: more than
    :data:`MAX_CREDENTIAL_BYTES`, invalid UTF-8, nesting deeper than :data:`MAX_JSON_DEPTH`; and then NaN, Infinity,
    numbers out of range and anything that is not a JSON object. Each refusal is an :class:`InvalidInputError`
    naming the reason."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_CREDENTIAL_BYTES:
        raise InvalidInputError(f"{source}: too large ({size} bytes; a credential is at most "
                                f"{MAX_CREDENTIAL_BYTES} bytes)")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInputError(f"{source}: not UTF-8 text (invalid byte at position {exc.start})") from None
    else:
        text = data
    deep = _depth_problem(text, MAX_JSON_DEPTH)
    if deep:
        raise InvalidInputError(f"{source}: {deep}")
    try:
        doc = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{source}: not valid JSON: {exc}") from None
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") \
            from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more digits than Python converts
        raise InvalidInputError(f"{source}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise InvalidInputError(f"{source}: a credential is a JSON object, not {type(doc).__name__}")
    return doc


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of ``path``, its size checked against ``limit`` before it is read; every failure named."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InvalidInputError(f"{path}: too large ({size} bytes; {what} is at most {limit} bytes)")
        return path.read_bytes()
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc})") from None


def load_credential(path: Path) -> dict:
    """:func:`parse_credential` of a file (its size checked before it is read)."""
    return parse_credential(read_bounded(path, MAX_CREDENTIAL_BYTES, "a credential"), source=str(path))
