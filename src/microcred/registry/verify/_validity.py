"""``validity``: validFrom / validUntil against the time of the check."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

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
        doc = subject.doc
        start, end = doc.get("validFrom"), doc.get("validUntil")
        shown = "always" if "validFrom" not in doc else start
        if (start is None or type(start) is str) and (end is None or type(end) is str):
            return _judged(start, end, shown, subject.when)  # a batch's credentials share their dates
        return _judge(start, end, shown, subject.when)


@lru_cache(maxsize=1024)
def _judged(start: str | None, end: str | None, shown: str | None, when: datetime) -> Outcome:
    return _judge(start, end, shown, when)


def _judge(valid_from: Any, valid_until: Any, shown: Any, when: datetime) -> Outcome:
    """The outcome for the credential's ``validFrom`` and ``validUntil`` (as written) at ``when``; ``shown``: how
    the detail names the start (``always`` when the credential gives none)."""
    try:
        start = parse_time(valid_from) if valid_from else None
        end = parse_time(valid_until) if valid_until else None
    except MicrocredError as exc:
        return FAIL, f"unreadable validity dates: {exc}"
    stamp = _stamp(when)
    if start and when < start:
        return FAIL, f"not yet valid at {stamp}: valid from {valid_from}"
    if end and when > end:
        return FAIL, f"expired at {valid_until} (checked at {stamp})"
    span = f"valid from {shown}" + (f" until {valid_until}" if end else "")
    return PASS, f"{span}; checked at {stamp}"
