"""``validity``: validFrom / validUntil against the time of the check; the credentials of a batch share their dates,
so an outcome is worked out once per dates and time, and every credential still gets the outcome of its own."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from microcred.registry.verify._check import Subject
from microcred.registry.verify._model import FAIL, PASS
from microcred.registry.verify._validity import ValidityCheck

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)


def _outcome(doc: dict, when: datetime = NOW) -> tuple[str, str]:
    return ValidityCheck().run(Subject.of("c.json", doc, when=when, at=None), None)


@pytest.mark.parametrize("doc, result, words", [
    ({"validFrom": "2026-01-01T00:00:00Z"}, PASS, "valid from 2026-01-01T00:00:00Z; checked at 2026-06-01 12:00 UTC"),
    ({}, PASS, "valid from always; checked at"),
    ({"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2027-01-01T00:00:00Z"}, PASS,
     "valid from 2026-01-01T00:00:00Z until 2027-01-01T00:00:00Z"),
    ({"validFrom": "2026-07-01T00:00:00Z"}, FAIL, "not yet valid at 2026-06-01 12:00 UTC: valid from 2026-07-01"),
    ({"validUntil": "2026-05-01T00:00:00Z"}, FAIL, "expired at 2026-05-01T00:00:00Z (checked at 2026-06-01 12:00 UTC)"),
    ({"validFrom": "last spring"}, FAIL, "unreadable validity dates"),
    ({"validFrom": ["2026-01-01"]}, FAIL, "unreadable validity dates"),  # not text: judged, never remembered
    ({"validFrom": 1767225600}, PASS, "valid from 1767225600"),  # unix seconds, as parse_time reads them
])
def test_each_credential_gets_the_outcome_of_its_dates(doc: dict, result: str, words: str) -> None:
    got = _outcome(doc)
    assert got[0] == result and words in got[1], got


def test_the_same_dates_at_another_time_are_judged_again() -> None:
    doc = {"validUntil": "2026-07-01T00:00:00Z"}
    assert _outcome(doc)[0] == PASS
    assert _outcome(doc, datetime(2026, 8, 1, tzinfo=timezone.utc))[0] == FAIL
    assert _outcome({**doc, "validUntil": "2026-05-01T00:00:00Z"})[0] == FAIL
