"""Verifying a Verifiable Presentation: the holder's proof, the challenge and domain it binds, that every
credential is the holder's, and every credential as ``verify`` checks one.

Each presentation check passes, fails with a named ``reason``, or could not be checked (a DID that could not be
resolved is never "invalid"). The credentials are verified by the :class:`~microcred.registry.verify.Verifier`
given, so a presentation answers exactly what its credentials verified alone would, plus the presentation checks.

========================  ===================================================================================
reason                    when
========================  ===================================================================================
``malformed``             not a VP 2.0 (no ``VerifiablePresentation`` type, no VC 2.0 context, no credentials)
``no-holder``             the presentation names no holder DID
``no-holder-proof``       no Data Integrity proof with the purpose ``authentication``
``wrong-challenge``       the proof's challenge is not the one the verifier gave (a replayed presentation)
``wrong-domain``          the proof's domain is not the verifier's (a presentation made for someone else)
``holder-proof-invalid``  the signature does not verify, or the key is not the holder's authentication key
``subject-not-holder``    a credential names another subject than the holder (or none)
``credential-invalid``    a credential does not verify (tampered, revoked, expired…)
``credential-unknown``    a credential could not be checked (a chain endpoint down…)
========================  ===================================================================================
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Protocol
from urllib.parse import unquote

from microcred.errors import InvalidInputError, MicrocredError, NetworkError
from microcred.registry.credential import read_container
from microcred.registry.presentation._build import (
    ENVELOPED_CREDENTIAL,
    JWT_DATA_URL_PREFIX,
    PRESENTATION_CONTEXT,
    PRESENTATION_TYPE,
    subject_ids,
)
from microcred.registry.proofs import KeyLookup, verify_proofs
from microcred.registry.verify import ERROR, FAIL, PASS, SKIPPED, SignatureCheck, Verification

__all__ = ["PRESENTATION_CHECKS", "REASONS", "PresentationCheck", "PresentationVerification", "is_presentation",
           "presented_credentials", "verify_presentation"]

#: the presentation's own checks, in the order they are reported
PRESENTATION_CHECKS: Final = ("presentation", "challenge", "domain", "holder_proof", "subjects", "credentials")
#: every reason a presentation check can fail with
REASONS: Final = ("malformed", "no-holder", "no-holder-proof", "wrong-challenge", "wrong-domain",
                  "holder-proof-invalid", "subject-not-holder", "credential-invalid", "credential-unknown")


class _CredentialVerifier(Protocol):
    def verify(self, items: Iterable[tuple[str | None, Any]], *, at: datetime | None = None) -> list[Verification]:
        ...


@dataclass
class PresentationCheck:
    """One check of the presentation itself: ``result`` pass/fail/error/skipped, ``reason`` (one of
    :data:`REASONS`) when it did not pass."""

    name: str
    result: str
    detail: str
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "result": self.result, "detail": self.detail, "reason": self.reason}


@dataclass
class PresentationVerification:
    """The verdict on a presentation: its own checks and the verification of each credential it carries."""

    file: str | None
    id: str | None
    holder: str | None = None
    checks: list[PresentationCheck] = field(default_factory=list)
    credentials: list[Verification] = field(default_factory=list)

    def add(self, name: str, result: str, detail: str, reason: str | None = None) -> None:
        self.checks.append(PresentationCheck(name, result, detail, reason if result in (FAIL, ERROR) else None))

    @property
    def outcome(self) -> str:
        """``valid``, ``invalid`` (a check failed, or a credential is invalid) or ``unknown``."""
        if any(c.result == FAIL for c in self.checks):
            return "invalid"
        if any(c.result == ERROR for c in self.checks) or not self.checks:
            return "unknown"
        return "valid"

    @property
    def valid(self) -> bool:
        return self.outcome == "valid"

    @property
    def reasons(self) -> list[str]:
        """The reasons of every check that did not pass, in order, once each."""
        out: list[str] = []
        for c in self.checks:
            if c.reason and c.reason not in out:
                out.append(c.reason)
        return out

    def result_of(self, name: str) -> PresentationCheck | None:
        return next((c for c in self.checks if c.name == name), None)

    def as_json(self) -> dict[str, Any]:
        """The ``presentation`` object of ``verify --json``."""
        return {"file": self.file, "id": self.id, "holder": self.holder, "valid": self.valid,
                "outcome": self.outcome, "reasons": self.reasons, "credentials": len(self.credentials),
                "checks": [c.as_json() for c in self.checks]}


def is_presentation(doc: Any) -> bool:
    """Whether ``doc`` says it is a Verifiable Presentation (its ``type``)."""
    if not isinstance(doc, Mapping):
        return False
    types = doc.get("type")
    return PRESENTATION_TYPE in (types if isinstance(types, list) else [types])


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _holder_of(vp: Mapping[str, Any]) -> str | None:
    holder = vp.get("holder")
    if isinstance(holder, Mapping):
        holder = holder.get("id")
    return holder if isinstance(holder, str) and holder.startswith("did:") else None


def _unenvelope(entry: Any, position: int) -> Any:
    """A credential of the presentation: as it is, or the VC-JWT inside an ``EnvelopedVerifiableCredential``."""
    if not isinstance(entry, Mapping) or ENVELOPED_CREDENTIAL not in _as_list(entry.get("type")):
        return entry
    url = entry.get("id")
    if not isinstance(url, str) or not url.startswith(JWT_DATA_URL_PREFIX):
        raise InvalidInputError(f"credential {position} is enveloped in {str(url)[:40]!r}, not a "
                                f"{JWT_DATA_URL_PREFIX} URL")
    return read_container(unquote(url[len(JWT_DATA_URL_PREFIX):]).encode("ascii", "replace"),
                          source=f"credential {position} (enveloped VC-JWT)")


def presented_credentials(presentation: Mapping[str, Any]) -> list[Any]:
    """The credentials a presentation carries, a VC-JWT taken out of its ``EnvelopedVerifiableCredential``
    (:class:`~microcred.registry.credential.JWSCredential`); :class:`InvalidInputError` names a bad one."""
    out = []
    for position, entry in enumerate(_as_list(presentation.get("verifiableCredential")), start=1):
        credential = _unenvelope(entry, position)
        if not isinstance(credential, Mapping):
            raise InvalidInputError(f"credential {position} of the presentation is not a JSON object")
        out.append(credential)
    return out


def _default_resolver(verifier: Any) -> Any:
    for check in getattr(verifier, "checks", ()):
        if isinstance(check, SignatureCheck):
            return check.resolver
    from microcred.did import Resolver

    return Resolver()


def _holder_lookup(resolver: Any, holder: str, at: datetime | None) -> KeyLookup:
    """A key lookup that answers only keys the holder's DID document lists for ``authentication``."""

    def lookup(vm_id: str) -> tuple[str, bytes, str]:
        if vm_id.split("#", 1)[0] != holder:
            raise InvalidInputError(f"the key {vm_id} is not one of the holder {holder}")
        vm, document = resolver.resolve_verification_method(vm_id, at=at)
        if not document.authorizes(vm_id, "authentication"):
            raise InvalidInputError(f"{holder} does not list {vm_id} for authentication")
        key = vm.public_key()
        if key is None:
            raise InvalidInputError(f"{vm_id} carries no public key that can check a signature")
        return key.key_type, key.public_key, vm.controller

    return lookup


def _domains(value: Any) -> set[str] | None:
    if isinstance(value, str):
        return {value}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return set(value)
    return None


def _check_binding(result: PresentationVerification, proofs: list[Mapping[str, Any]], challenge: str,
                   domain: str | Sequence[str] | None) -> None:
    stated = [p.get("challenge") for p in proofs]
    if all(s == challenge for s in stated):
        result.add("challenge", PASS, "the holder's proof carries the challenge given")
    else:
        result.add("challenge", FAIL, f"the holder's proof carries the challenge {stated[0]!r}, not the one given: "
                                      "a presentation made for another request (replayed?)", "wrong-challenge")
    if domain is None:
        said = [p.get("domain") for p in proofs if p.get("domain") is not None]
        result.add("domain", SKIPPED, "no domain was given to check" +
                   (f" (the proof is for {said[0]!r})" if said else ""))
        return
    wanted = _domains(domain if isinstance(domain, str) else list(domain))
    stated_domains = [_domains(p.get("domain")) for p in proofs]
    if all(s == wanted for s in stated_domains):
        result.add("domain", PASS, f"the holder's proof is for {', '.join(sorted(wanted or ()))}")
    else:
        first = proofs[0].get("domain")
        said_text = f"is for {first!r}" if first is not None else "names no domain"
        result.add("domain", FAIL, f"the holder's proof {said_text}, not {', '.join(sorted(wanted or ()))}: a "
                                   "presentation made for another verifier", "wrong-domain")


def verify_presentation(presentation: Any, *, verifier: _CredentialVerifier, challenge: str,
                        domain: str | Sequence[str] | None = None, resolver: Any = None,
                        file: str | None = None, at: datetime | None = None,
                        clock: Callable[[], datetime] | None = None) -> PresentationVerification:
    """Verify ``presentation`` (a parsed VP) for a verifier who asked with ``challenge`` and ``domain``.

    ``verifier`` verifies the credentials (:class:`~microcred.registry.verify.Verifier` or anything with its
    ``verify(items, at=)``); ``resolver`` resolves the holder's DID (default: the verifier's signature check's
    resolver, else did:key and did:web). ``at`` answers the credentials' checks as of that time::

        result = verify_presentation(vp, verifier=verifier, challenge="c0ffee", domain="https://hr.example")
        if not result.valid: print(result.reasons)

    Malformed input is the presentation's ``fail``, never an exception; :class:`InvalidInputError` only for a
    missing ``challenge`` (a verifier must give one).
    """
    if not isinstance(challenge, str) or not challenge:
        raise InvalidInputError("verifying a presentation needs the challenge the holder was given (--challenge): "
                                "without it a copied presentation would pass")
    vp_id = presentation.get("id") if isinstance(presentation, Mapping) else None
    result = PresentationVerification(file=file, id=vp_id if isinstance(vp_id, str) else None)
    if not isinstance(presentation, Mapping):
        result.add("presentation", FAIL, "a presentation is a JSON object", "malformed")
        return result
    result.holder = _holder_of(presentation)
    problems = []
    if not is_presentation(presentation):
        problems.append(f"its type is not {PRESENTATION_TYPE}")
    if _as_list(presentation.get("@context"))[:1] != [PRESENTATION_CONTEXT]:
        problems.append(f"its @context does not begin with {PRESENTATION_CONTEXT} (VC 2.0)")
    entries = _as_list(presentation.get("verifiableCredential"))
    if not entries:
        problems.append("it carries no credential")
    credentials: list[Any] = []
    for position, entry in enumerate(entries, start=1):
        try:
            credentials.append(_unenvelope(entry, position))
        except MicrocredError as exc:
            problems.append(str(exc))
            credentials.append(None)
    if problems:
        result.add("presentation", FAIL, "not a Verifiable Presentation 2.0: " + "; ".join(problems), "malformed")
    else:
        result.add("presentation", PASS, f"a Verifiable Presentation 2.0 of {len(entries)} credential(s)")
    proofs = [p for p in _as_list(presentation.get("proof")) if isinstance(p, Mapping)
              and p.get("proofPurpose") == "authentication"]
    holder = result.holder
    if not proofs:
        result.add("holder_proof", FAIL, "the presentation carries no proof with the purpose authentication: it "
                                         "was not signed by its holder", "no-holder-proof")
    elif holder is None:
        result.add("holder_proof", FAIL, "the presentation names no holder DID", "no-holder")
    else:
        _check_binding(result, proofs, challenge, domain)
        _check_holder_proof(result, presentation, holder, resolver or _default_resolver(verifier), at, clock)
    _check_credentials(result, presentation, credentials, holder, verifier, at)
    result.checks.sort(key=lambda c: PRESENTATION_CHECKS.index(c.name))
    return result


def _check_holder_proof(result: PresentationVerification, presentation: Mapping[str, Any], holder: str,
                        resolver: Any, at: datetime | None, clock: Callable[[], datetime] | None) -> None:
    try:
        options: dict[str, Any] = {"at": at} if at is not None else {}
        if clock is not None:
            options["clock"] = clock
        checked = verify_proofs(presentation, _holder_lookup(resolver, holder, at), expected_purpose=None,
                                **options)
    except NetworkError as exc:
        result.add("holder_proof", ERROR, f"could not check: {exc}", "holder-proof-invalid")
        return
    except MicrocredError as exc:
        result.add("holder_proof", FAIL, f"the holder's proof cannot be checked: {exc}", "holder-proof-invalid")
        return
    mine = [p for p in checked.proofs if p.proof_purpose == "authentication"]
    bad = [p for p in mine if not p.verified]
    if bad or not mine or not checked.verified:
        why = "; ".join(f"{p.error or 'error'}: {p.message}" for p in (bad or checked.failed_proofs)) or \
            (checked.problem or "no proof this verifier knows verified")
        result.add("holder_proof", FAIL, f"the holder's proof does not verify: {why}", "holder-proof-invalid")
        return
    suites = ", ".join(sorted({str(p.cryptosuite or p.type) for p in mine}))
    result.add("holder_proof", PASS, f"signed by the holder {holder} ({suites}, "
                                     f"{', '.join(str(p.verification_method) for p in mine)})")


def _check_credentials(result: PresentationVerification, presentation: Mapping[str, Any], credentials: list[Any],
                       holder: str | None, verifier: _CredentialVerifier, at: datetime | None) -> None:
    others = []
    for position, credential in enumerate(credentials, start=1):
        if credential is None:
            continue
        ids = subject_ids(credential) if isinstance(credential, Mapping) else [None]
        if holder is None or any(i != holder for i in ids):
            others.append(f"credential {position} names {', '.join(str(i) for i in ids)}")
    if others:
        result.add("subjects", FAIL, f"not every credential is the holder's ({holder}): " + "; ".join(others),
                   "subject-not-holder")
    elif credentials:
        result.add("subjects", PASS, f"every credential names the holder {holder} as its subject")
    base = result.file or "the presentation"
    items = [(f"{base} [{position}]", c) for position, c in enumerate(credentials, start=1) if c is not None]
    result.credentials = verifier.verify(items, at=at) if items else []
    outcomes = [v.outcome for v in result.credentials]
    if not outcomes:
        return
    if "invalid" in outcomes:
        which = [str(i) for i, o in enumerate(outcomes, start=1) if o == "invalid"]
        result.add("credentials", FAIL, f"credential(s) {', '.join(which)} of {len(outcomes)} do not verify",
                   "credential-invalid")
    elif "unknown" in outcomes:
        which = [str(i) for i, o in enumerate(outcomes, start=1) if o == "unknown"]
        result.add("credentials", ERROR, f"credential(s) {', '.join(which)} of {len(outcomes)} could not be checked",
                   "credential-unknown")
    else:
        result.add("credentials", PASS, f"all {len(outcomes)} credential(s) verify")
