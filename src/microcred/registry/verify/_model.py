"""What a verification produces: one result per check, a verdict per credential, and the time parser they share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from microcred.errors import InvalidInputError

__all__ = ["CHECK_ORDER", "ERROR", "FAIL", "PASS", "SKIPPED", "CheckResult", "Outcome", "Verification", "parse_time"]

PASS, FAIL, ERROR, SKIPPED = "pass", "fail", "error", "skipped"
#: the order checks are reported in
CHECK_ORDER = ("format", "signature", "issuer", "anchor", "status", "validity", "accreditation")
#: what a check answers: (``pass|fail|error|skipped``, a sentence for people)
Outcome = tuple[str, str]


@dataclass
class CheckResult:
    """The answer of one check for one credential."""

    name: str
    result: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"name": self.name, "result": self.result, "detail": self.detail}


@dataclass
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

    @property
    def valid(self) -> bool:
        return all(c.result in (PASS, SKIPPED) for c in self.checks) and any(c.result == PASS for c in self.checks)

    @property
    def outcome(self) -> str:
        """``valid``, ``invalid`` (some check failed) or ``unknown`` (some could not be checked)."""
        if any(c.result == FAIL for c in self.checks):
            return "invalid"
        if any(c.result == ERROR for c in self.checks) or not self.checks:
            return "unknown"
        return "valid"

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
        """:meth:`as_json` with ``summary`` (what the credential says) and ``sources`` (whom the chain answers
        came from) added."""
        return {**self.as_json(), "summary": self.summary, "sources": self.sources}


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
