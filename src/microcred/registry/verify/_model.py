"""What a verification produces: one result per check, a verdict per credential, and the time parser they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from microcred.errors import InvalidInputError

__all__ = ["CHECK_ORDER", "ERROR", "FAIL", "LEVELS", "LEVEL_OF", "PASS", "SKIPPED", "CheckResult", "Outcome",
           "Verification", "parse_time"]

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
#: the order checks are reported in
CHECK_ORDER = ("format", "signature", "issuer", "anchor", "status", "status_list", "validity", "accreditation",
               "components")
#: the levels of a verdict: the credential itself (any VC / Open Badge), the EU micro-credential profile (Annex I),
#: the anchor in a registry this verifier trusts; ``credential`` is always required
LEVELS = ("credential", "microcredential", "anchored")
#: the level each check belongs to (a check not named here belongs to ``credential``)
LEVEL_OF = {"format": "microcredential", "anchor": "anchored", "accreditation": "anchored"}
#: what a check answers: (``pass|fail|error|skipped``, a sentence for people)
Outcome = tuple[str, str]


@dataclass(slots=True, frozen=True)
class CheckResult:
    """The answer of one check for one credential. Frozen: the verdicts of one run share one result per different
    answer."""

    name: str
    result: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "result": self.result, "detail": self.detail}


@dataclass(slots=True)
class Verification:
    """The verdict on one credential: its checks, its status, and what was learnt on the way.

    ``sources`` says which chain endpoints the chain-dependent answers came from (``trusted``: endpoint and block
    of each source believed; ``left_out``: endpoint and why), ``summary`` what the credential says, for people.
    """

    file: str | None
    id: str | None
    checks: list[CheckResult] = field(default_factory=list)
    status: str = "unknown"
    facts: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None
    #: the levels besides ``credential`` that must hold for the verdict to be valid
    required: tuple[str, ...] = LEVELS[1:]

    def _counted(self) -> list[CheckResult]:
        need = {"credential", *self.required}
        return [c for c in self.checks if LEVEL_OF.get(c.name, "credential") in need]

    @property
    def valid(self) -> bool:
        counted = self._counted()
        return all(c.result in (PASS, SKIPPED) for c in counted) and any(c.result == PASS for c in counted)

    @property
    def outcome(self) -> str:
        """``valid``, ``invalid`` (some check of a required level failed) or ``unknown`` (some could not be
        checked); the checks of levels not required are reported but do not decide."""
        counted = self._counted()
        if any(c.result == FAIL for c in counted):
            return "invalid"
        if any(c.result == ERROR for c in counted) or not counted:
            return "unknown"
        return "valid"

    @property
    def levels(self) -> dict[str, dict[str, Any]]:
        """Each level on its own: ``{"result": valid|invalid|unknown, "required": bool, "checks": [names]}``."""
        out: dict[str, dict[str, Any]] = {}
        for level in LEVELS:
            mine = [c for c in self.ordered_checks() if LEVEL_OF.get(c.name, "credential") == level]
            if any(c.result == FAIL for c in mine):
                result = "invalid"
            elif any(c.result == ERROR for c in mine) or not any(c.result == PASS for c in mine):
                result = "unknown" if any(c.result == ERROR for c in mine) or not mine else "invalid"
            else:
                result = "valid"
            out[level] = {"result": result, "required": level == "credential" or level in self.required,
                          "checks": [c.name for c in mine]}
        return out

    def add(self, name: str, result: str, detail: str) -> None:
        self.checks.append(CheckResult(name, result, detail))

    def result_of(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)

    def ordered_checks(self) -> list[CheckResult]:
        return sorted(self.checks, key=lambda c: CHECK_ORDER.index(c.name) if c.name in CHECK_ORDER else 99)

    def as_json(self) -> dict[str, Any]:
        """The ``--json`` line's fixed part: ``file``, ``id``, ``valid``, ``status``, ``checks``."""
        return {"file": self.file, "id": self.id, "valid": self.valid, "status": self.status,
                "checks": [c.as_json() for c in self.ordered_checks()]}

    def as_record(self) -> dict[str, Any]:
        """:meth:`as_json` with ``levels`` (:attr:`levels`), ``summary`` (what the credential says) and
        ``sources`` (whom the chain answers came from) added: the ``--json`` line."""
        return {**self.as_json(), "levels": self.levels, "summary": self.summary, "sources": self.sources}


def parse_time(value: str | int | float | datetime) -> datetime:
    """A time given as ISO 8601 (``2026-05-01``, ``2026-05-01T12:00:00Z``) or unix seconds."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, bool):
        raise InvalidInputError(f"not a time: {value!r}")
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            return datetime.fromtimestamp(int(value), timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise InvalidInputError(f"not a time: {value!r} (out of range)") from None
    text = str(value).strip()
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInputError(f"not a time: {value!r} (use ISO 8601 like 2026-05-01T12:00:00Z, or unix seconds)") \
            from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def parse_moment(value: str | None, *, option: str = "--at") -> tuple[datetime | None, int | None]:
    """``--at`` as ``(time, block)``: ``block:N`` is a block number (the chain is read at that block; a did:ethr
    ``versionId``), anything else a time (:func:`parse_time`); ``(None, None)`` when not given. A bare number is
    always unix seconds, never a block."""
    if value is None or not value.strip():
        return None, None
    text = value.strip()
    if text.startswith("block:"):
        number = text[len("block:"):].strip()
        if not number.isdigit() or len(number) > 20:
            raise InvalidInputError(f"{option}: not a block number: {value!r} (write block:N, e.g. block:123)")
        return None, int(number)
    try:
        return parse_time(text), None
    except InvalidInputError as exc:
        raise InvalidInputError(f"{option}: {exc}") from None

