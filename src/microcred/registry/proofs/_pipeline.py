"""W3C Data Integrity proofs: create and verify, with proof sets and proof chains.

Implements, from the W3C Recommendations (the W3C specifications (vc-data-integrity, vc-di-eddsa, vc-di-ecdsa)):

* VC Data Integrity 1.0 §4.2 *Add Proof*, §4.3 *Add Proof Set/Chain*, §4.4 *Verify Proof*, §4.5 *Verify Proof
  Sets and Chains*, with the error names of §4.7 *Processing Errors*;
* vc-di-eddsa §3.2 ``eddsa-rdfc-2022`` (the default) and §3.3 ``eddsa-jcs-2022`` with Ed25519, and Appendix A, the
  legacy proof type ``Ed25519Signature2020`` (VC 1.1 credentials, interop with didkit);
* vc-di-ecdsa §3.2 ``ecdsa-rdfc-2019`` and §3.3 ``ecdsa-jcs-2019`` with P-256 (SHA-256) and P-384 (SHA-384).

Every suite signs ``hashData = hash(canonical proof configuration) || hash(transformed document)`` — the proof
configuration's hash comes *first* (vc-di-eddsa §3.2.4). The transformation is RDFC-1.0 for ``*-rdfc-*`` suites and
JCS (RFC 8785) for ``*-jcs-*`` suites; ``proofValue`` is base58btc Multibase.

The suites themselves (names, transformations, key types, hashes) are values of the registry in
:mod:`._suites`; this module knows none of them by name.

Signing goes through a :class:`Signer` (``key_type`` + ``sign(data)``), so a keystore, hardware or KMS key plugs in.
Verification gets public keys from an injected ``key_lookup(verification_method_id) -> (key_type, public_key,
controller)``; :func:`did_key_lookup` is one for ``did:key``. Verification never raises for a bad proof: each
proof gets a :class:`ProofResult` with ``verified`` and, if not, an error code and a reason. It raises only for
programmer errors, and lets :class:`~microcred.errors.NetworkError` from the key lookup through, because a key
that could not be fetched says nothing about the proof.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal, Protocol

from microcred.did import (
    SIGNATURE_LENGTHS,
    KeyFormatError,
    PublicKey,
    multibase_decode,
    multibase_encode,
)
from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.credential._jsonld import (
    DataLossError,
    Engine,
    canonize_jcs,
    canonize_rdfc,
)
from microcred.registry.proofs._lookup import KeyLookup, did_key_lookup  # noqa: F401 (did_key_lookup: old path)
from microcred.registry.proofs._suites import (
    DATA_INTEGRITY_PROOF,
    DEFAULT_CRYPTOSUITE,
    ED25519_SIGNATURE_2020,
    SUITES,
    Cryptosuite,
    HashName,
    suite_of_proof,
)

__all__ = [
    "DEFAULT_ACCEPT_TYPES",
    "HashData",
    "ProofError",
    "ProofGenerationError",
    "ProofResult",
    "Signer",
    "VerificationResult",
    "add_proof",
    "hash_data",
    "sign_batch",
    "verify_proofs",
]

#: the proof types :func:`verify_proofs` understands unless told otherwise
DEFAULT_ACCEPT_TYPES: Final = frozenset({DATA_INTEGRITY_PROOF, ED25519_SIGNATURE_2020})

# error names of VC Data Integrity §4.7 (and MALFORMED_PROOF_ERROR of its 2023 drafts, for malformed proofs)
PROOF_GENERATION_ERROR: Final = "PROOF_GENERATION_ERROR"
PROOF_VERIFICATION_ERROR: Final = "PROOF_VERIFICATION_ERROR"
PROOF_TRANSFORMATION_ERROR: Final = "PROOF_TRANSFORMATION_ERROR"
INVALID_DOMAIN_ERROR: Final = "INVALID_DOMAIN_ERROR"
INVALID_CHALLENGE_ERROR: Final = "INVALID_CHALLENGE_ERROR"
MALFORMED_PROOF_ERROR: Final = "MALFORMED_PROOF_ERROR"
DATA_LOSS_DETECTION_ERROR: Final = "DATA_LOSS_DETECTION_ERROR"

# XMLSCHEMA11-2 dateTime (the time zone is optional for reading; microcred writes UTC with "Z")
_DATETIME = re.compile(r"^-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?"
                       r"(Z|[+-](0\d|1[0-4]):[0-5]\d)?$")


class Signer(Protocol):
    """What signs a proof: ``microcred.did.KeyPair`` is one; so can be a hardware or KMS key.

    ``key_type`` is ``"ed25519"``, ``"p256"`` or ``"p384"`` (``microcred.did.KeyPair`` has all three).
    ``sign(data)`` returns a raw signature over ``data``: pure Ed25519 (64 bytes), or ECDSA
    ``r || s`` (IEEE P1363, 64 bytes for P-256, 96 for P-384) that hashes
    ``data`` itself with SHA-256 (P-256) or SHA-384 (P-384), as vc-di-ecdsa §3.2.6 requires.
    """

    @property
    def key_type(self) -> str: ...

    def sign(self, data: bytes) -> bytes: ...


class ProofError(InvalidInputError):
    """A proof could not be created; ``code`` is the Data Integrity error name."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class ProofGenerationError(ProofError):
    """Proof creation failed (VC Data Integrity §4.2: ``PROOF_GENERATION_ERROR``, or the transformation's error)."""

    def __init__(self, message: str, *, code: str = PROOF_GENERATION_ERROR) -> None:
        super().__init__(message, code=code)


class _Failure(Exception):
    """Internal: a stage failed with a Data Integrity error name."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# -- stages: transformation, proof configuration, hashing ---------------------------------------------------------


@dataclass(frozen=True)
class HashData:
    """Every intermediate value of a proof, as the test vectors publish them.

    ``combined`` = ``proof_hash || document_hash`` is what is signed (vc-di-eddsa §3.2.4 *Hashing*).
    """

    canonical_document: str
    canonical_proof_config: str
    document_hash: bytes
    proof_hash: bytes
    hash_name: str

    @property
    def combined(self) -> bytes:
        return self.proof_hash + self.document_hash


_HASHES: Final = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}


def _digest(hash_name: str, text: str) -> bytes:
    return _HASHES[hash_name](text.encode("utf-8")).digest()


def _jcs(value: Any, what: str) -> str:
    try:
        return canonize_jcs(value)
    except InvalidInputError as exc:
        raise _Failure(PROOF_TRANSFORMATION_ERROR, f"the {what} cannot be canonicalised: {exc}") from exc


def _rdfc(value: Mapping[str, Any], what: str, engine: Engine, hash_name: HashName) -> str:
    try:
        return canonize_rdfc(value, engine=engine, hash_algorithm=hash_name)
    except DataLossError as exc:
        raise _Failure(DATA_LOSS_DETECTION_ERROR, f"the {what} cannot be canonicalised: {exc}") from exc
    except InvalidInputError as exc:  # unknown context, invalid JSON-LD
        raise _Failure(PROOF_TRANSFORMATION_ERROR, f"the {what} cannot be canonicalised: {exc}") from exc


@functools.lru_cache(maxsize=1024)
def _canonical_config(transformation: str, config_json: str, engine: Engine,
                      hash_name: HashName) -> tuple[str, bytes]:
    """The canonical proof configuration and its hash, cached: a batch (or the credentials of one issuer batch
    being verified) shares one configuration, so it is canonicalised once."""
    config = json.loads(config_json)
    if transformation == "jcs":
        text = _jcs(config, "proof configuration")
    else:
        text = _rdfc(config, "proof configuration", engine, hash_name)
    return text, _digest(hash_name, text)


def _context_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _proof_configuration(suite: Cryptosuite, document: Mapping[str, Any], options: Mapping[str, Any]) -> dict[str, Any]:
    """Proof Configuration (vc-di-eddsa §3.2.5 / §3.3.5 / A.2.1.5, vc-di-ecdsa §3.2.5 / §3.3.5)."""
    config = {k: v for k, v in options.items() if k != "proofValue"}
    if config.get("type") != suite.proof_type or config.get("cryptosuite") != suite.cryptosuite:
        raise _Failure(PROOF_GENERATION_ERROR, f"the proof options are not those of {suite.name} "
                                               f"(type {config.get('type')!r}, cryptosuite "
                                               f"{config.get('cryptosuite')!r})")
    created = config.get("created")
    if created is not None and not (isinstance(created, str) and _DATETIME.match(created)):
        raise _Failure(PROOF_GENERATION_ERROR, f"proof 'created' {created!r} is not an XML Schema dateTime")
    if suite.transformation == "rdfc":
        if suite.own_proof_context and "@context" in config:
            pass  # a legacy proof that carries its own @context (as didkit writes them) is hashed with it
        elif "@context" in document:
            config["@context"] = document["@context"]
        else:
            config.pop("@context", None)
    return config


def hash_data(document: Mapping[str, Any], proof_options: Mapping[str, Any], *, key_type: str = "ed25519",
              engine: Engine = "oxigraph") -> HashData:
    """Transformation, proof configuration and hashing of one proof, every stage kept (for tests and tools).

    ``document`` is the *input document*: without the proof being made or checked, holding only the previous
    proofs a chained proof covers. ``proof_options`` is the proof without ``proofValue``; for ``*-jcs-*`` suites
    its ``@context``, if any, must begin the document's and replaces it (vc-di-eddsa §3.3.2 step 4). The hash is
    SHA-384 for ``key_type="p384"`` and SHA-256 otherwise.

    :raises ProofError: with the Data Integrity error name in ``code``.
    """
    suite = suite_of_proof(proof_options)
    if suite is None:
        raise ProofError(f"unknown proof type {proof_options.get('type')!r} / cryptosuite "
                         f"{proof_options.get('cryptosuite')!r}", code=PROOF_GENERATION_ERROR)
    try:
        return _hash_data(suite, document, proof_options, suite.hash_name(key_type), engine)
    except _Failure as exc:
        raise ProofError(exc.message, code=exc.code) from exc


def _hash_data(suite: Cryptosuite, document: Mapping[str, Any], options: Mapping[str, Any],
               hash_name: HashName, engine: Engine, canonical_document: str | None = None,
               canonical_sha256: bytes | None = None) -> HashData:
    """``canonical_document``: the JCS text of ``document``, when known (used by ``*-jcs-*`` suites only), and
    ``canonical_sha256`` its SHA-256 (used when that text is, and the suite hashes with SHA-256)."""
    unsecured = dict(document)  # with, under "proof", only the previous proofs a chained proof covers
    if suite.transformation == "jcs" and "@context" in options:
        if options["@context"] != document.get("@context") and \
                _context_list(document.get("@context"))[:len(_context_list(options["@context"]))] \
                != _context_list(options["@context"]):  # (the same @context, as microcred writes, begins it)
            raise _Failure(PROOF_VERIFICATION_ERROR, "the proof's @context is not the beginning of the document's "
                                                     "@context")
        unsecured["@context"] = options["@context"]
    config = _proof_configuration(suite, unsecured, options)
    if suite.transformation == "jcs":  # JCS is cheap: no cache, the canonical text is its own key
        canonical_config = _jcs(config, "proof configuration")
        proof_hash = _digest(hash_name, canonical_config)
        if canonical_document is None or unsecured.get("@context") != document.get("@context"):
            canonical_document = _jcs(unsecured, "document")  # not known, or the proof's @context replaced it
            canonical_sha256 = None
    else:
        config_json = json.dumps(config, sort_keys=True, ensure_ascii=False)
        canonical_config, proof_hash = _canonical_config(suite.transformation, config_json, engine, hash_name)
        canonical_document = _rdfc(unsecured, "document", engine, hash_name)
        canonical_sha256 = None
    known = canonical_sha256 if hash_name == "sha256" else None
    return HashData(canonical_document=canonical_document, canonical_proof_config=canonical_config,
                    document_hash=known if known is not None else _digest(hash_name, canonical_document),
                    proof_hash=proof_hash, hash_name=hash_name)


# -- keys --------------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _public_key(key_type: str, public_key: bytes) -> PublicKey:
    """The checked public key a lookup returned, cached: one issuer key verifies many credentials."""
    return PublicKey(key_type, public_key)


# -- creation ----------------------------------------------------------------------------------------------------


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _datetime(value: datetime | str, what: str) -> str:
    """An XML Schema dateTime in UTC without fractional seconds, or a given string checked."""
    if isinstance(value, str):
        if not _DATETIME.match(value):
            raise ProofGenerationError(f"proof {what} {value!r} is not an XML Schema dateTime "
                                       "(e.g. 2026-01-31T12:00:00Z)")
        return value
    if not isinstance(value, datetime):
        raise ProofGenerationError(f"proof {what} must be a datetime or a string, not {type(value).__name__}")
    if value.tzinfo is None:
        raise ProofGenerationError(f"proof {what} {value!r} has no time zone; give an aware datetime")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_copy(document: Any) -> dict[str, Any]:
    if not isinstance(document, Mapping):
        raise InvalidInputError(f"a document to secure must be a JSON object, not {type(document).__name__}")
    try:
        copied = json.loads(json.dumps(document))
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"the document is not plain JSON: {exc}") from exc
    return copied


def _all_proofs(document: Mapping[str, Any]) -> list[Any]:
    proof = document.get("proof")
    if proof is None:
        return []
    return list(proof) if isinstance(proof, list) else [proof]


def _matching_proofs(all_proofs: Sequence[Any], previous: Any, code: str) -> list[Any]:
    """The proofs a ``previousProof`` value names (VC Data Integrity §4.3 steps 4-5, §4.5 step 3.2)."""
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise _Failure(code, f"previousProof must be a string or a list of strings, not {previous!r}")
    by_id = {p.get("id"): p for p in all_proofs if isinstance(p, Mapping) and isinstance(p.get("id"), str)}
    missing = [w for w in wanted if w not in by_id]
    if missing:
        raise _Failure(code, f"previousProof names {', '.join(map(repr, missing))}, which the document's proofs "
                             "do not contain")
    return [by_id[w] for w in wanted]


@dataclass(frozen=True)
class _Options:
    suite: Cryptosuite
    proof: dict[str, Any]


def _proof_options(cryptosuite: str, *, verification_method: str, proof_purpose: str,
                   created: datetime | str | Literal[False] | None, clock: Callable[[], datetime],
                   expires: datetime | str | None, domain: str | Sequence[str] | None, challenge: str | None,
                   nonce: str | None, proof_id: str | None, previous_proof: str | Sequence[str] | None) -> _Options:
    suite = SUITES.get(cryptosuite)
    if suite is None:
        raise ProofGenerationError(f"unknown cryptosuite {cryptosuite!r}; use one of "
                                   f"{', '.join(SUITES)}")
    for name, value in (("verificationMethod", verification_method), ("proofPurpose", proof_purpose)):
        if not isinstance(value, str) or not value:
            raise ProofGenerationError(f"proof {name} must be a non-empty string, not {value!r}")
    proof: dict[str, Any] = {}
    if proof_id is not None:
        proof["id"] = proof_id
    proof["type"] = suite.proof_type
    if suite.cryptosuite:
        proof["cryptosuite"] = suite.cryptosuite
    if created is not False:
        proof["created"] = _datetime(clock() if created is None else created, "created")
    if expires is not None:
        proof["expires"] = _datetime(expires, "expires")
    proof["verificationMethod"] = verification_method
    proof["proofPurpose"] = proof_purpose
    if domain is not None:
        proof["domain"] = domain if isinstance(domain, str) else list(domain)
    if challenge is not None:
        proof["challenge"] = challenge
    if nonce is not None:
        proof["nonce"] = nonce
    if previous_proof is not None:
        proof["previousProof"] = previous_proof if isinstance(previous_proof, str) else list(previous_proof)
    return _Options(suite, proof)


def _secure(document: Mapping[str, Any], signer: Signer, options: _Options, engine: Engine) -> dict[str, Any]:
    """Add Proof (§4.2) / Add Proof Set/Chain (§4.3) with prepared options."""
    suite = options.suite
    key_type = signer.key_type
    if key_type not in suite.key_types:
        raise ProofGenerationError(f"{suite.name} signs with {' or '.join(sorted(suite.key_types))} keys; the "
                                   f"signer holds a {key_type!r} key")
    secured = _json_copy(document)
    all_proofs = _all_proofs(secured)
    secured.pop("proof", None)
    if suite.context is not None and suite.context not in _context_list(secured.get("@context")):
        # the document must define the suite's terms (vc-di-eddsa B.4 adds the context to the document)
        secured["@context"] = [*_context_list(secured["@context"]), suite.context] \
            if "@context" in secured else suite.context
    proof = dict(options.proof)
    if suite.transformation == "jcs" and "@context" in secured:
        proof["@context"] = secured["@context"]  # vc-di-eddsa §3.3.1 step 2
    input_document = dict(secured)
    try:
        if "previousProof" in proof:
            input_document["proof"] = _matching_proofs(all_proofs, proof["previousProof"], PROOF_GENERATION_ERROR)
        hashed = _hash_data(suite, input_document, proof, suite.hash_name(key_type), engine)
    except _Failure as exc:
        raise ProofGenerationError(f"cannot create a {suite.name} proof: {exc.message}", code=exc.code) from exc
    signature = signer.sign(hashed.combined)
    if not isinstance(signature, (bytes, bytearray)) or len(signature) != SIGNATURE_LENGTHS.get(key_type, -1):
        raise ProofGenerationError(f"the signer returned {len(signature) if isinstance(signature, bytes) else '?'} "
                                   f"bytes; a {key_type} signature for {suite.name} is "
                                   f"{SIGNATURE_LENGTHS.get(key_type)} bytes (raw, r || s for ECDSA)")
    proof["proofValue"] = multibase_encode(bytes(signature))
    secured["proof"] = [*all_proofs, proof] if all_proofs else proof
    return secured


def add_proof(document: Mapping[str, Any], signer: Signer, *, verification_method: str,
              cryptosuite: str = DEFAULT_CRYPTOSUITE, proof_purpose: str = "assertionMethod",
              created: datetime | str | Literal[False] | None = None, clock: Callable[[], datetime] = _utc_now,
              expires: datetime | str | None = None, domain: str | Sequence[str] | None = None,
              challenge: str | None = None, nonce: str | None = None, proof_id: str | None = None,
              previous_proof: str | Sequence[str] | None = None, engine: Engine = "oxigraph") -> dict[str, Any]:
    """A copy of ``document`` secured with one more proof (VC Data Integrity §4.2 *Add Proof*, §4.3 *Add Proof
    Set/Chain*).

    The new proof signs the document without its other proofs; with ``previous_proof`` (an id or ids of existing
    proofs) it also signs those proofs, forming a proof chain. A document without proofs gets ``"proof": {...}``;
    one with proofs gets a list with the new proof appended.

    ``cryptosuite`` is one of :data:`CRYPTOSUITES` or the legacy proof type ``"Ed25519Signature2020"`` (whose
    context is added to the document's ``@context`` if missing). ``created`` is taken from ``clock`` unless given
    (a datetime or an XML Schema dateTime string; ``False`` leaves it out); datetimes are written in UTC without
    fractional seconds::

        signed = add_proof(credential, key_pair, verification_method="did:key:z6Mk…#z6Mk…")

    :raises ProofGenerationError: bad options, a signer of the wrong key type, or a document that cannot be
        canonicalised (``code`` says which: e.g. ``DATA_LOSS_DETECTION_ERROR`` for an undefined term).
    """
    options = _proof_options(cryptosuite, verification_method=verification_method, proof_purpose=proof_purpose,
                             created=created, clock=clock, expires=expires, domain=domain, challenge=challenge,
                             nonce=nonce, proof_id=proof_id, previous_proof=previous_proof)
    return _secure(document, signer, options, engine)


def sign_batch(documents: Iterable[Mapping[str, Any]], signer: Signer, *, verification_method: str,
               cryptosuite: str = DEFAULT_CRYPTOSUITE, proof_purpose: str = "assertionMethod",
               created: datetime | str | Literal[False] | None = None, clock: Callable[[], datetime] = _utc_now,
               expires: datetime | str | None = None, domain: str | Sequence[str] | None = None,
               challenge: str | None = None, nonce: str | None = None,
               engine: Engine = "oxigraph") -> list[dict[str, Any]]:
    """:func:`add_proof` for a batch with one set of proof options: the clock is read once, so every proof of the
    batch has the same configuration, which is canonicalised and hashed once (per ``@context``).

    :raises ProofGenerationError: as :func:`add_proof`; nothing is returned if any document fails.
    """
    options = _proof_options(cryptosuite, verification_method=verification_method, proof_purpose=proof_purpose,
                             created=created, clock=clock, expires=expires, domain=domain, challenge=challenge,
                             nonce=nonce, proof_id=None, previous_proof=None)
    return [_secure(document, signer, options, engine) for document in documents]


# -- verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProofResult:
    """The outcome for one proof of a document.

    ``status`` is ``"verified"``, ``"failed"`` (``error`` holds the Data Integrity error name and ``message`` the
    reason) or ``"skipped"`` (a proof type or cryptosuite this verifier does not understand: not a failure).
    """

    index: int
    status: Literal["verified", "failed", "skipped"]
    type: str | None = None
    cryptosuite: str | None = None
    id: str | None = None
    verification_method: str | None = None
    proof_purpose: str | None = None
    controller: str | None = None
    error: str | None = None
    message: str = ""

    @property
    def verified(self) -> bool:
        return self.status == "verified"

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "id": self.id, "type": self.type, "cryptosuite": self.cryptosuite,
                "verificationMethod": self.verification_method, "proofPurpose": self.proof_purpose,
                "controller": self.controller, "status": self.status, "verified": self.verified,
                "error": self.error, "message": self.message}


@dataclass(frozen=True)
class VerificationResult:
    """The combined result (VC Data Integrity §4.5): ``verified`` when at least one proof was understood and every
    understood proof verified. ``document`` is the verified document without its proofs, else None; ``problem``
    says why a document could not be checked at all (no proof)."""

    verified: bool
    proofs: tuple[ProofResult, ...] = ()
    document: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def verified_proofs(self) -> tuple[ProofResult, ...]:
        return tuple(p for p in self.proofs if p.status == "verified")

    @property
    def failed_proofs(self) -> tuple[ProofResult, ...]:
        return tuple(p for p in self.proofs if p.status == "failed")

    @property
    def skipped_proofs(self) -> tuple[ProofResult, ...]:
        return tuple(p for p in self.proofs if p.status == "skipped")

    def to_dict(self) -> dict[str, Any]:
        return {"verified": self.verified, "problem": self.problem, "proofs": [p.to_dict() for p in self.proofs]}


#: the placeholder result of a proof being checked
_NOT_YET: Final = ProofResult(-1, "failed", message="not checked yet")


@dataclass
class _Check:
    proof: Mapping[str, Any]
    result: ProofResult
    previous: list[str] = field(default_factory=list)


def _parse_time(value: str) -> datetime:
    text = value.replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def verify_proofs(document: Mapping[str, Any], key_lookup: KeyLookup, *,
                  expected_purpose: str | None = "assertionMethod", domain: str | Iterable[str] | None = None,
                  challenge: str | None = None, accept_types: Iterable[str] = DEFAULT_ACCEPT_TYPES,
                  cryptosuites: Iterable[str] | None = None, at: datetime | None = None,
                  clock: Callable[[], datetime] = _utc_now, engine: Engine = "oxigraph",
                  unsecured_jcs: str | None = None, unsecured_sha256: bytes | None = None) -> VerificationResult:
    """Verify every proof of ``document`` this verifier understands (VC Data Integrity §4.4, §4.5).

    A proof whose type is not in ``accept_types`` (e.g. an anchoring ``MerkleInclusionProof2026``), or a
    ``DataIntegrityProof`` whose cryptosuite is unknown or not in ``cryptosuites`` (default: all of
    :data:`CRYPTOSUITES`), is reported as skipped and does not affect the others. A
    chained proof (``previousProof``) verifies only if the proofs it names verify. ``expected_purpose``,
    ``domain`` and ``challenge``, when given, must match each proof (``PROOF_VERIFICATION_ERROR``,
    ``INVALID_DOMAIN_ERROR``, ``INVALID_CHALLENGE_ERROR``); a proof whose ``expires`` is before ``at`` (default:
    now from ``clock``) fails::

        result = verify_proofs(credential, did_key_lookup)
        if not result.verified: print([p.message for p in result.failed_proofs])

    ``unsecured_jcs``: the JCS text of ``document`` without its ``proof``, when the caller has made it already (the
    verifier does, for the anchor's digest). A ``*-jcs-*`` proof that chains to no other, and whose ``@context`` (if
    any) is the document's, is then checked against it instead of canonicalising the document again. It must be
    that document's text: the caller vouches for it. ``unsecured_sha256``: that text's SHA-256, when the caller has
    it too (a SHA-256 suite then does not hash the text again).

    :raises NetworkError: ``key_lookup`` could not reach the network (nothing was checked).
    :raises InvalidInputError: ``document`` is not a JSON object (a programmer error).
    """
    if not isinstance(document, Mapping):
        raise InvalidInputError(f"verify_proofs takes a JSON object, not {type(document).__name__}")
    all_proofs = _all_proofs(document)
    if not all_proofs:
        return VerificationResult(False, (), None, "the document has no proof")
    accepted = frozenset(accept_types)
    suites = None if cryptosuites is None else frozenset(cryptosuites)
    domains = None if domain is None else ({domain} if isinstance(domain, str) else set(domain))
    now: list[datetime] = []

    def when() -> datetime:  # the clock is read once, and only for a proof that expires
        if not now:
            now.append(at or clock())
        return now[0]

    unsecured = {k: v for k, v in document.items() if k != "proof"}
    checks = [_verify_one(i, proof, all_proofs, unsecured, key_lookup, expected_purpose=expected_purpose,
                          domains=domains, challenge=challenge, accepted=accepted, suites=suites, when=when,
                          engine=engine, unsecured_jcs=unsecured_jcs, unsecured_sha256=unsecured_sha256)
              for i, proof in enumerate(all_proofs)]
    _propagate_chains(checks)
    results = tuple(c.result for c in checks)
    understood = [r for r in results if r.status != "skipped"]
    verified = bool(understood) and all(r.verified for r in understood)
    problem = None if understood else "no proof of a type this verifier understands"
    return VerificationResult(verified, results, dict(unsecured) if verified else None, problem)


def _propagate_chains(checks: list[_Check]) -> None:
    """A chained proof is verified only if every proof it names is (§4.5, note on subsets)."""
    if not any(c.previous for c in checks):
        return
    by_id = {c.proof.get("id"): c for c in checks if isinstance(c.proof, Mapping) and c.proof.get("id")}
    changed = True
    while changed:
        changed = False
        for check in checks:
            if check.result.status != "verified":
                continue
            broken = [pid for pid in check.previous if by_id.get(pid) is None or not by_id[pid].result.verified]
            if broken:
                check.result = _replace(check.result, status="failed", error=PROOF_VERIFICATION_ERROR,
                                        message=f"the signature is valid, but the previous proof(s) "
                                                f"{', '.join(map(repr, broken))} it chains to did not verify")
                changed = True


def _replace(result: ProofResult, **changes: Any) -> ProofResult:
    values = {**result.__dict__, **changes}
    return ProofResult(**values)


def _verify_one(index: int, proof: Any, all_proofs: list[Any], unsecured: Mapping[str, Any], key_lookup: KeyLookup,
                *, expected_purpose: str | None, domains: set[str] | None, challenge: str | None,
                accepted: frozenset[str], suites: frozenset[str] | None, when: Callable[[], datetime],
                engine: Engine, unsecured_jcs: str | None = None, unsecured_sha256: bytes | None = None) -> _Check:
    if not isinstance(proof, Mapping):
        return _Check({}, ProofResult(index, "failed", error=MALFORMED_PROOF_ERROR,
                                      message=f"proof #{index} is not a JSON object"))
    described = {name: value if isinstance(value, str) else None
                 for name, value in (("type", proof.get("type")), ("cryptosuite", proof.get("cryptosuite")),
                                     ("id", proof.get("id")), ("verification_method", proof.get("verificationMethod")),
                                     ("proof_purpose", proof.get("proofPurpose")))}
    suite = suite_of_proof(proof)
    if proof.get("type") not in accepted or suite is None or (
            suite.cryptosuite is not None and suites is not None and suite.cryptosuite not in suites):
        what = f"proof type {proof.get('type')!r}" + (
            f" with cryptosuite {proof.get('cryptosuite')!r}" if proof.get("cryptosuite") is not None else "")
        return _Check(proof, ProofResult(index, "skipped", **described,
                                         message=f"{what} is not understood by this verifier"))
    check = _Check(proof, _NOT_YET)
    try:
        controller = _verify_checked(suite, proof, all_proofs, unsecured, key_lookup, check,
                                     expected_purpose=expected_purpose, domains=domains, challenge=challenge,
                                     when=when, engine=engine, unsecured_jcs=unsecured_jcs,
                                     unsecured_sha256=unsecured_sha256)
    except _Failure as exc:
        check.result = ProofResult(index, "failed", **described, error=exc.code, message=exc.message)
        return check
    check.result = ProofResult(index, "verified", **described, controller=controller,
                               message=f"{suite.name} signature by {proof['verificationMethod']} verified")
    return check


def _verify_checked(suite: Cryptosuite, proof: Mapping[str, Any], all_proofs: list[Any], unsecured: Mapping[str, Any],
                    key_lookup: KeyLookup, check: _Check, *, expected_purpose: str | None,
                    domains: set[str] | None, challenge: str | None, when: Callable[[], datetime],
                    engine: Engine, unsecured_jcs: str | None = None, unsecured_sha256: bytes | None = None) -> str:
    """Verify Proof (§4.4 steps 4-8) for one understood proof; returns the key's controller."""
    for name in ("type", "verificationMethod", "proofPurpose"):
        if not isinstance(proof.get(name), str) or not proof[name]:
            raise _Failure(PROOF_VERIFICATION_ERROR, f"the proof has no {name}")
    if expected_purpose is not None and proof["proofPurpose"] != expected_purpose:
        raise _Failure(PROOF_VERIFICATION_ERROR, f"the proof's purpose is {proof['proofPurpose']!r}, not the "
                                                 f"expected {expected_purpose!r}")
    if domains is not None:
        stated = proof.get("domain")
        stated_set = {stated} if isinstance(stated, str) else set(stated) if isinstance(stated, list) else None
        if stated_set != domains:
            raise _Failure(INVALID_DOMAIN_ERROR, f"the proof's domain {stated!r} is not the expected "
                                                 f"{sorted(domains)!r}")
    if challenge is not None and proof.get("challenge") != challenge:
        raise _Failure(INVALID_CHALLENGE_ERROR, f"the proof's challenge {proof.get('challenge')!r} is not the "
                                                "expected one")
    for name in ("created", "expires"):
        value = proof.get(name)
        if value is not None and not (isinstance(value, str) and _DATETIME.match(value)):
            raise _Failure(MALFORMED_PROOF_ERROR, f"proof {name} {value!r} is not an XML Schema dateTime")
    if isinstance(proof.get("expires"), str):
        try:
            expired = _parse_time(proof["expires"]) < when()
        except ValueError:
            raise _Failure(MALFORMED_PROOF_ERROR, f"proof expires {proof['expires']!r} is not a usable date") \
                from None
        if expired:
            raise _Failure(PROOF_VERIFICATION_ERROR, f"the proof expired at {proof['expires']}")
    try:
        signature = multibase_decode(proof.get("proofValue"), what="proofValue")
    except KeyFormatError as exc:
        raise _Failure(MALFORMED_PROOF_ERROR, str(exc)) from None
    input_document = dict(unsecured)
    canonical = unsecured_jcs  # the document's text, unless the input also holds the proofs this one chains to
    if "previousProof" in proof:
        canonical = unsecured_sha256 = None
        matching = _matching_proofs(all_proofs, proof["previousProof"], PROOF_VERIFICATION_ERROR)
        check.previous = [p["id"] for p in matching]
        input_document["proof"] = matching
    vm = proof["verificationMethod"]
    try:
        key_type, public_key, controller = key_lookup(vm)
    except NetworkError:
        raise
    except MicrocredError as exc:
        raise _Failure(PROOF_VERIFICATION_ERROR, f"the verification method {vm!r} could not be used: {exc}") \
            from None
    if key_type not in suite.key_types:
        raise _Failure(PROOF_VERIFICATION_ERROR, f"{suite.name} needs a {' or '.join(sorted(suite.key_types))} "
                                                 f"key; {vm!r} is a {key_type!r} key")
    try:
        key = _public_key(key_type, bytes(public_key))
    except (KeyFormatError, TypeError) as exc:
        raise _Failure(PROOF_VERIFICATION_ERROR, f"the key of {vm!r} is not a valid {key_type} public key: "
                                                 f"{exc}") from None
    if len(signature) != SIGNATURE_LENGTHS[key_type]:
        raise _Failure(MALFORMED_PROOF_ERROR, f"the proofValue holds {len(signature)} bytes; a {key_type} "
                                              f"signature is {SIGNATURE_LENGTHS[key_type]}")
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    try:
        hashed = _hash_data(suite, input_document, options, suite.hash_name(key_type), engine,
                            canonical_document=canonical, canonical_sha256=unsecured_sha256)
    except _Failure as exc:
        if exc.code == PROOF_GENERATION_ERROR:  # the proof configuration is malformed
            raise _Failure(MALFORMED_PROOF_ERROR, exc.message) from None
        raise
    if not key.verify(hashed.combined, signature):
        raise _Failure(PROOF_VERIFICATION_ERROR, f"the {suite.name} signature does not match the document and "
                                                 f"proof options for the key of {vm!r}: the credential or its "
                                                 "proof was changed, or another key signed it")
    return controller
