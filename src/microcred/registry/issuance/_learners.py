"""Learner lists: CSV (comma, semicolon or tab, found from the header) or JSON Lines, every row checked, all or nothing.

Part of batch issuance: see :mod:`microcred.registry.issuance._batch`.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import AfterValidator, ValidationError

from microcred.did import did_web_location, parse_did, parse_ethr_did, public_key_from_did_key
from microcred.errors import InvalidInputError
from microcred.registry.credential._annex import (
    check_date,
    problems_from_pydantic,
)
from microcred.registry.issuance._common import LearnerFileError, _Strict, read_input
from microcred.registry.issuance._template import CourseTemplate, _Text

__all__ = [
    "CSV_DELIMITERS",
    "LEARNER_COLUMNS",
    "LEARNER_DID_METHODS",
    "Learner",
    "check_learner_did",
    "detect_delimiter",
    "load_learners",
    "parse_learners",
]


# -- learner list -----------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
#: the DID methods a learner (holder) may be named by: each has its syntax checked here and resolves in `verify`
LEARNER_DID_METHODS: Final = ("key", "web", "ethr")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def check_learner_did(value: str) -> str:
    """``value`` if it is a learner DID microcred can resolve: a ``did:key`` (a key it decodes), a ``did:web``
    (a domain name, port and safe path) or a ``did:ethr`` (an address or public key, a known network); else a
    :class:`ValueError` that says what is wrong."""
    try:
        method, _ = parse_did(value)
    except InvalidInputError:
        raise ValueError(f"{value!r} is not a DID (like did:key:z6Mk…)") from None
    try:
        if method == "key":
            public_key_from_did_key(value)
        elif method == "web":
            did_web_location(value)
        elif method == "ethr":
            parse_ethr_did(value)
        else:
            raise ValueError(f"{value!r} is a did:{method}; a learner DID is one of "
                             f"{', '.join('did:' + m for m in LEARNER_DID_METHODS)}")
    except InvalidInputError as exc:  # MalformedDIDError, or an unknown did:ethr network
        raise ValueError(str(exc)) from None
    return value


class Learner(_Strict):
    """One row of the learner list. ``line`` is where it starts in its file (1-based)."""

    line: int = 0
    name: _Text
    did: Annotated[str, AfterValidator(check_learner_did)] | None = None
    email: Annotated[str, AfterValidator(_email)] | None = None
    student_id: _Text | None = None
    national_id: _Text | None = None
    completion_date: Annotated[str, AfterValidator(check_date)]
    start_date: Annotated[str, AfterValidator(check_date)] | None = None
    grade: _Text | None = None

    def identity_keys(self) -> list[str]:
        """What makes two rows the same learner (DID, e-mail, student id, national id)."""
        keys = []
        for label, value in (("did", self.did), ("email", self.email and self.email.lower()),
                             ("student_id", self.student_id), ("national_id", self.national_id)):
            if value:
                keys.append(f"{label}={value}")
        return keys

    def canonical(self) -> dict[str, Any]:
        return self.model_dump(exclude={"line"}, exclude_none=True)


LEARNER_COLUMNS: Final = tuple(k for k in Learner.model_fields if k != "line")
#: learner column → what it is, in plain words (and its Annex I element)
_LEARNER_LABELS: Final = {
    "name": "learner's name (Annex I element 1, identification of the learner)",
    "did": "learner's DID (Annex I element 1, identification of the learner)",
    "email": "learner's e-mail (Annex I element 1, identification of the learner)",
    "student_id": "student id (Annex I element 1, identification of the learner)",
    "national_id": "national id (Annex I element 1, identification of the learner)",
    "completion_date": "date of completion",
    "start_date": "start date",
    "grade": "grade achieved (Annex I element 14)",
}


def parse_learners(text: str, *, fmt: str, source: str = "learners",
                   template: CourseTemplate | None = None) -> list[Learner]:
    """Every row of a learner list (``fmt`` ``csv`` or ``jsonl``), or :class:`LearnerFileError` listing every bad
    row with its line number. Nothing is returned unless every row is valid (all-or-nothing policy)."""
    if fmt not in ("csv", "jsonl"):
        raise InvalidInputError(f"unknown learner list format {fmt!r}: use csv or jsonl")
    text = text.removeprefix("\ufeff")  # a byte order mark, as spreadsheet programs write
    rows = list(_csv_rows(text, source) if fmt == "csv" else _jsonl_rows(text, source))
    problems: list[str] = []
    bad_lines: set[int] = set()
    learners: list[Learner] = []
    seen: dict[str, int] = {}
    allowed = set(template.grading.allowed_values or []) if template and template.grading else set()
    for line, raw in rows:
        row_problems = _row_problems(source, line, raw)
        learner = None
        if not row_problems:
            try:
                learner = Learner.model_validate({**raw, "line": line})
            except ValidationError as exc:
                for p in problems_from_pydantic(exc.errors(include_url=False), element_of=lambda _p: None):
                    label = _LEARNER_LABELS.get(p.path, p.path)
                    row_problems.append(f"{source}:{line}: {label} "
                                        + (f"missing (column {p.path})" if p.missing else f"invalid: {p.message}"))
        if learner is not None:
            if not learner.identity_keys():
                row_problems.append(f"{source}:{line}: identification of the learner (Annex I element 1) missing: "
                                    "give at least one of did, email, student_id, national_id")
            if allowed and learner.grade is not None and learner.grade not in allowed:
                row_problems.append(f"{source}:{line}: grade achieved (Annex I element 14) invalid: {learner.grade!r}"
                                    f" is not one of the template's grades ({', '.join(sorted(allowed))})")
            if learner.start_date and learner.start_date > learner.completion_date:
                row_problems.append(f"{source}:{line}: start date {learner.start_date} is after the date of "
                                    f"completion {learner.completion_date}")
            for key in learner.identity_keys():
                if key in seen:
                    row_problems.append(f"{source}:{line}: the same learner as line {seen[key]} ({key}); each "
                                        "learner gets one credential per batch")
                    break
            for key in learner.identity_keys():
                seen.setdefault(key, line)
        if row_problems:
            bad_lines.add(line)
            problems += row_problems
        elif learner is not None:
            learners.append(learner)
    if problems:
        raise LearnerFileError(source, problems, len(bad_lines))
    if not learners:
        raise LearnerFileError(source, [f"{source}: no learner rows"])
    return learners


def load_learners(path: str | os.PathLike[str], *, template: CourseTemplate | None = None) -> list[Learner]:
    """Read a learner list: ``.csv`` (header row + one learner per row) or ``.jsonl`` (one JSON object per line)."""
    path = Path(path)
    suffix = path.suffix.lower()
    fmt = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}.get(suffix)
    if fmt is None:
        raise InvalidInputError(f"{path}: a learner list must be .csv or .jsonl, not {suffix or 'no extension'!r}")
    text = read_input(path, LearnerFileError, encoding="utf-8-sig")
    return parse_learners(text, fmt=fmt, source=str(path), template=template)


def _row_problems(source: str, line: int, raw: dict[str, Any]) -> list[str]:
    if "__error__" in raw:
        return [f"{source}:{line}: {raw['__error__']}"]
    return []


#: the delimiters a learner CSV may use: comma, semicolon (the spreadsheet default where the decimal mark is a
#: comma: Germany, France, …) and tab; the names say them in messages
CSV_DELIMITERS: Final = {",": "comma", ";": "semicolon", "\t": "tab"}


def detect_delimiter(text: str) -> str:
    """The delimiter of a learner CSV, read from its header row: the one of :data:`CSV_DELIMITERS` that splits the
    header into the most known column names (a comma when none does, so the header's problems are then named)."""
    header = text.removeprefix("\ufeff").split("\n", 1)[0]

    def known(delimiter: str) -> int:
        try:
            cells = next(csv.reader([header], delimiter=delimiter), [])
        except csv.Error:
            return 0
        return sum(1 for c in cells if c.strip().lower() in LEARNER_COLUMNS)

    best = max(CSV_DELIMITERS, key=lambda d: (known(d), d == ","))
    return best if known(best) else ","


def _csv_rows(text: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(text))
    try:
        header = next(reader)
    except StopIteration:
        expected = ", ".join(LEARNER_COLUMNS)
        raise LearnerFileError(source, [f"{source}: empty file (expected a header row: {expected})"]) from None
    except csv.Error as exc:
        raise LearnerFileError(source, [f"{source}:1: {exc}"]) from None
    columns = [h.strip().lower() for h in header]
    unknown = [c for c in columns if c not in LEARNER_COLUMNS]
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    header_problems = []
    if unknown:
        header_problems.append(f"{source}:1: unknown column{'s' if len(unknown) > 1 else ''} "
                               f"{', '.join(map(repr, unknown))}; known columns: {', '.join(LEARNER_COLUMNS)}")
    if duplicated:
        header_problems.append(f"{source}:1: column{'s' if len(duplicated) > 1 else ''} "
                               f"{', '.join(duplicated)} appear{'s' if len(duplicated) == 1 else ''} twice")
    for required in ("name", "completion_date"):
        if required not in columns:
            header_problems.append(f"{source}:1: the header has no {required!r} column")
    if header_problems:
        raise LearnerFileError(source, header_problems)
    previous = reader.line_num
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield reader.line_num, {"__error__": f"not valid CSV: {exc}"}
            return
        line, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue  # blank line
        if len(record) != len(columns):
            yield line, {"__error__": f"has {len(record)} fields, the header has {len(columns)}"}
            continue
        yield line, {c: v.strip() for c, v in zip(columns, record) if v.strip()}


def _jsonl_rows(text: str, source: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw_line in enumerate(text.split("\n"), start=1):  # not splitlines(): U+2028 may be in a string
        if not raw_line.strip():
            continue
        try:
            obj = json.loads(raw_line)
        except json.JSONDecodeError as exc:
            yield number, {"__error__": f"not valid JSON: {exc.msg} (column {exc.colno})"}
            continue
        if not isinstance(obj, dict):
            yield number, {"__error__": "must be a JSON object with the learner's fields"}
            continue
        unknown = [k for k in obj if k not in LEARNER_COLUMNS]
        if unknown:
            yield number, {"__error__": f"unknown field{'s' if len(unknown) > 1 else ''} "
                                        f"{', '.join(map(repr, unknown))}; known: {', '.join(LEARNER_COLUMNS)}"}
            continue
        row = {}
        for key, value in obj.items():
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if key == "grade" and isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)
            row[key] = value.strip() if isinstance(value, str) else value
        yield number, row
