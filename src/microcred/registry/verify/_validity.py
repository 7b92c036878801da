"""``validity``: validFrom / validUntil against the time of the check."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from microcred.errors import MicrocredError
from microcred.registry.verify._check import ChainView, Subject
from microcred.registry.verify._model import FAIL, PASS, Outcome, parse_time

__all__ = ["ValidityCheck"]


@lru_cache(maxsize=64)
def _stamp(when: datetime) -> str:
    """The time of the check as the detail prints it (one time for every credential of a run)."""
    return when.strftime("%Y-%m-%d %H:%M UTC")


class ValidityCheck:
    name = "validity"

    def run(self, subject: Subject, view: ChainView | None) -> Outcome:
        doc, when = subject.doc, subject.when
        try:
            start = parse_time(doc["validFrom"]) if doc.get("validFrom") else None
            end = parse_time(doc["validUntil"]) if doc.get("validUntil") else None
        except MicrocredError as exc:
            return FAIL, f"unreadable validity dates: {exc}"
        stamp = _stamp(when)
        if start and when < start:
            return FAIL, f"not yet valid at {stamp}: valid from {doc['validFrom']}"
        if end and when > end:
            return FAIL, f"expired at {doc['validUntil']} (checked at {stamp})"
        span = f"valid from {doc.get('validFrom', 'always')}" + (f" until {doc['validUntil']}" if end else "")
        return PASS, f"{span}; checked at {stamp}"
