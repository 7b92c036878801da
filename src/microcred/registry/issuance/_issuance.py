"""Batch issuance: a course template and a learner list in, one signed micro-credential per learner out.

Inputs
    *Course template* (JSON, :class:`CourseTemplate`): the course-level Annex I elements (title, description,
    learning outcomes, ECTS or hours, EQF level, assessment, participation form, quality assurance, optional
    prerequisites, supervision, grading scheme, stackability, further information) and the validity rule.
    *Learner list* (CSV with a header row, or JSON Lines; :class:`Learner`): name, at least one of DID, e-mail,
    student id or national id, date of completion, optional start date and grade.

Bad rows: **all or nothing.** Every row is checked before anything is reserved or signed; if any row is invalid,
no credential is issued and :class:`LearnerFileError` lists every bad row as ``file:line: element … what``. A batch
therefore always covers the whole list, and fixing the file and running the same command again issues it whole.

Index allocation and crash safety
    Each credential carries a status index that the issuer must never use twice. :func:`issue_batch` proceeds so
    that a kill (or power loss) at any instant, followed by the same command, yields exactly one credential per
    learner with distinct indexes:

    1. *Reserve.* :class:`IndexAllocator` reserves the whole range for the batch in the issuer's state file
       (``<home>/issuers/NAME.state.json``), written with fsync and a directory fsync, **before anything is
       signed**. The state only moves forward, so an index handed to one batch is never handed to another. The
       reservation is keyed by the batch id (a hash of issuer, chain, template, learner rows and output directory),
       so a run killed right after reserving finds its own range again.
    2. *Journal.* The batch journal ``<out>/.microcred-batch-<id>.journal`` (JSON) fixes, for every learner row,
       its index, credential id (``urn:uuid``) and file name; it is written durably before signing and the
       reservation is then marked as bound to it. A re-run reads it and only issues what is missing, with the
       original index and id.
    3. *Write.* Each credential is written to a temporary file in the output directory and renamed into place
       (``os.replace``): a file name exists only with a complete credential in it, whatever kills the process.
       Files are **not** fsynced one by one (at 10,000 credentials that would dominate the run). After a process
       kill the kernel still holds their data; only an OS crash or power loss can lose it. That is covered because
       a re-run re-reads every existing file and re-signs, with the same index and id, any that is empty, truncated
       or not the journalled credential.
    4. *Complete.* Only after the file system is synced (``syncfs``/``sync``) and the directory fsynced is the
       journal marked complete and the batch reported as issued. Nothing is reported (and so handed out or
       anchored) before it is durable.

    A re-run of a complete batch changes nothing. An output directory holding an unfinished batch of *other*
    inputs is refused (finish that one first), so a changed learner file cannot leave two credentials for a learner.

Performance: the course-level part of the credential is built once per batch; per learner only the subject, id,
status entry and dates are filled in. Rows are validated by a small pydantic model (microseconds each); the
credential built for the first row is checked against the full :class:`MicroCredential` model before any index is
reserved.
"""

from __future__ import annotations

import calendar
import contextlib
import csv
import difflib
import errno
import hashlib
import io
import json
import os
import re
import secrets
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any, Callable, Final, Iterator, Mapping, Sequence

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from microcred._files import fsync_directory, remove_stale_temporaries, sync_filesystem, write_json_atomic
from microcred.errors import InvalidInputError, MicrocredError
from microcred.registry.credential._annex import (
    EQF_FRAMEWORK,
    EQF_URL_PREFIX,
    ESCO_SKILL_PREFIX,
    PARTICIPATION_FORMS,
    QF_EHEA_CYCLES,
    QF_EHEA_FRAMEWORK,
    STACKABILITY_OPTIONS,
    SUPERVISION_OPTIONS,
    ANNEX_I_ELEMENTS,
    Problem,
    check_date,
    problems_from_pydantic,
)
from microcred.registry.credential._model import (
    ACHIEVEMENT_TYPE,
    CONTEXTS,
    CREDENTIAL_TYPES,
    STATUS_ENTRY_TYPE,
    CredentialFormatError,
    validate_microcredential,
)
from microcred.registry.issuance._issuer import IssuerProfile

__all__ = [
    "BatchConflictError",
    "BatchResult",
    "CourseTemplate",
    "IndexAllocator",
    "IndexRange",
    "IssuanceError",
    "IssuedCredential",
    "Learner",
    "LearnerFileError",
    "Sign",
    "TemplateError",
    "build_credential",
    "issue_batch",
    "load_learners",
    "load_template",
    "parse_learners",
    "parse_template",
]

#: A signer: unsigned credential → the same credential with its proof.
Sign = Callable[[dict[str, Any]], dict[str, Any]]
#: Progress callback: (credentials done, total in the batch).
Progress = Callable[[int, int], None]
#: Test and audit hook: (stage, details); stages are reserved, journaled, written, synced, complete.
Hook = Callable[[str, dict[str, Any]], None]

JOURNAL_FORMAT: Final = "microcred-issue-journal"
STATE_FORMAT: Final = "microcred-index-state"
_JOURNAL_PREFIX: Final = ".microcred-batch-"
#: not ``.json``: whoever globs ``*.json`` in the output directory must find credentials only
_JOURNAL_SUFFIX: Final = ".journal"
_LOCK_NAME: Final = ".microcred-issue.lock"
_FILE_NAME: Final = re.compile(r"\d{6,}-[a-z0-9-]{1,40}\.json")
#: at most this many problems are spelled out in one error message
MAX_REPORTED: Final = 50


class TemplateError(InvalidInputError):
    """The course template is malformed; ``problems`` lists every problem (``file:line: element … what``)."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(_summary(f"course template {source} is not valid", problems))


class LearnerFileError(InvalidInputError):
    """The learner list has bad rows; nothing was issued. ``problems`` names each (``file:line: …``)."""

    def __init__(self, source: str, problems: list[str], bad_rows: int = 0) -> None:
        self.source = source
        self.problems = problems
        self.bad_rows = bad_rows
        head = (f"learner list {source}: {bad_rows} row{'s' if bad_rows != 1 else ''} "
                f"{'are' if bad_rows != 1 else 'is'} invalid, no credential was issued" if bad_rows
                else f"learner list {source} cannot be read, no credential was issued")
        super().__init__(_summary(head, problems))


class BatchConflictError(InvalidInputError):
    """The output directory holds something this batch must not overwrite or duplicate."""


class IssuanceError(MicrocredError):
    """Issuing went wrong in a way the inputs do not explain (e.g. the signer returned no proof)."""


def _summary(head: str, problems: list[str]) -> str:
    shown = problems[:MAX_REPORTED]
    more = len(problems) - len(shown)
    lines = "\n".join(f"  {p}" for p in shown)
    return f"{head}:\n{lines}" + (f"\n  … and {more} more" if more > 0 else "")


# -- course template --------------------------------------------------------------------------------------------


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _iri(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+", value):
        raise ValueError(f"{value!r} is not an absolute IRI (like https://… or urn:uuid:…)")
    return value


def _number(minimum: float, inclusive: bool = True) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            raise ValueError(f"must be a number, not {value!r}")
        if value < minimum or (not inclusive and value == minimum):
            raise ValueError(f"must be {'at least' if inclusive else 'more than'} {minimum:g}, got {value!r}")
        return value

    return check


def _eqf(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 8:
        raise ValueError(f"the EQF level must be a whole number from 1 to 8, not {value!r}")
    return value


def _choice(options: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}; not {value!r}")
        return value

    return check


def _language(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*", value):
        raise ValueError(f"{value!r} is not a language tag (like en or de-AT)")
    return value


_Text = Annotated[str, AfterValidator(_non_empty)]
_Iri = Annotated[str, AfterValidator(_iri)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class SkillAlignment(_Strict):
    """A skill the learning outcomes align to: an ESCO skill (``uri`` http://data.europa.eu/esco/skill/…)."""

    name: _Text
    uri: _Iri
    framework: _Text = "ESCO"
    code: _Text | None = None


class Grading(_Strict):
    """The grading scheme: its name, OB 3.0 result type, and the allowed grades (checked per learner if given)."""

    name: _Text
    type: Annotated[Any, AfterValidator(_choice((
        "GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "RawScore", "ScaledScore", "Status")))]
    allowed_values: list[_Text] | None = None


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a whole number, 0 or more, not {value!r}")
    return value


class Validity(_Strict):
    """How long a credential stays valid after issuing (whole years and months); all zero means no end."""

    years: Annotated[Any, AfterValidator(_whole)] = 0
    months: Annotated[Any, AfterValidator(_whole)] = 0


class CourseTemplate(_Strict):
    """The course-level elements of a micro-credential, as written by a course administrator (snake_case JSON)."""

    id: _Iri | None = None
    code: _Text | None = None
    title: _Text
    description: _Text
    learning_outcomes: Annotated[list[_Text], AfterValidator(lambda v: _at_least_one(v))]
    skills: list[SkillAlignment] = []
    ects: Annotated[Any, AfterValidator(_number(0))] | None = None
    workload_hours: Annotated[Any, AfterValidator(_number(0, inclusive=False))] | None = None
    eqf_level: Annotated[Any, AfterValidator(_eqf)] | None = None
    level_not_applicable: bool = False
    qf_ehea_cycle: Annotated[Any, AfterValidator(_choice(QF_EHEA_CYCLES))] | None = None
    assessment: _Text
    participation: Annotated[Any, AfterValidator(_choice(PARTICIPATION_FORMS))]
    quality_assurance: _Text
    prerequisites: _Text | None = None
    supervision: Annotated[Any, AfterValidator(_choice(SUPERVISION_OPTIONS))] | None = None
    stackability: Annotated[Any, AfterValidator(_choice(STACKABILITY_OPTIONS))] | None = None
    stackable_towards: _Text | None = None
    further_information: _Text | None = None
    field_of_study: _Text | None = None
    language: Annotated[str, AfterValidator(_language)] | None = None
    grading: Grading | None = None
    validity: Validity | None = None
    #: hash e-mail addresses and national ids (OB 3.0 IdentityObject, sha256 with a salt); names stay plain
    hash_identifiers: bool = True

    def achievement_id(self, issuer_did: str) -> str:
        """The template's ``id``, else a stable ``urn:uuid`` derived from the issuer and the course code/title."""
        if self.id:
            return self.id
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{issuer_did}/course/{self.code or self.title}"))

    def canonical(self) -> str:
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))


def _at_least_one(value: list[str]) -> list[str]:
    if not value:
        raise ValueError("list at least one learning outcome")
    return value


#: template key → Annex I element
_TEMPLATE_ELEMENTS: Final = {
    "title": 2, "learning_outcomes": 6, "skills": 6, "ects": 7, "workload_hours": 7, "eqf_level": 8,
    "level_not_applicable": 8, "qf_ehea_cycle": 8, "assessment": 9, "participation": 10, "quality_assurance": 11,
    "prerequisites": 12, "supervision": 13, "grading": 14, "stackability": 15, "stackable_towards": 15,
    "further_information": 16,
}


def _template_element(path: str) -> int | None:
    return _TEMPLATE_ELEMENTS.get(re.split(r"[.\[]", path, maxsplit=1)[0])


def _template_cross_checks(data: Mapping[str, Any]) -> list[Problem]:
    out = []
    if data.get("ects") is None and data.get("workload_hours") is None:
        out.append(Problem("ects", "give ects (ECTS credits) or workload_hours", 7, True))
    if data.get("eqf_level") is None and data.get("level_not_applicable") is not True:
        out.append(Problem("eqf_level", "give eqf_level (1-8) or set level_not_applicable to true", 8, True))
    if data.get("eqf_level") is not None and data.get("level_not_applicable") is True:
        out.append(Problem("level_not_applicable", "is true, yet eqf_level is given", 8))
    for i, skill in enumerate(data.get("skills") or []):
        if isinstance(skill, dict) and skill.get("framework", "ESCO") == "ESCO":
            uri = skill.get("uri")
            if isinstance(uri, str) and not uri.startswith(ESCO_SKILL_PREFIX):
                out.append(Problem(f"skills[{i}].uri", f"{uri!r} is not an ESCO skill URI "
                                   f"({ESCO_SKILL_PREFIX}…); name another framework in 'framework'", 6))
    if data.get("stackable_towards") is not None and data.get("stackability") not in (None, "stackable"):
        out.append(Problem("stackable_towards", "is given, yet stackability is not 'stackable'", 15))
    return out


def parse_template(data: Any, *, source: str = "template", text: str | None = None) -> CourseTemplate:
    """The template in ``data`` (parsed JSON), or :class:`TemplateError` listing every problem with its line."""
    if not isinstance(data, dict):
        raise TemplateError(source, [f"{source}: must be a JSON object with the course's elements"])
    problems: list[Problem] = []
    template: CourseTemplate | None = None
    try:
        template = CourseTemplate.model_validate(data)
    except ValidationError as exc:
        problems = problems_from_pydantic(exc.errors(include_url=False), element_of=_template_element)
    problems += _template_cross_checks(data)
    if problems or template is None:
        lines = [_located(source, text, p) for p in sorted(problems, key=lambda p: (_line_of(text, p.path), p.path))]
        raise TemplateError(source, lines)
    return template


def load_template(path: str | os.PathLike[str]) -> CourseTemplate:
    """Read and check a course template file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(str(path), [f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(str(path), [f"{path}: cannot be read: {exc}"]) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TemplateError(str(path), [f"{path}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})"]) \
            from None
    return parse_template(data, source=str(path), text=text)


def _line_of(text: str | None, path: str) -> int:
    """The line of ``path``'s key in the JSON ``text`` (best effort: follows keys in order), 0 if not found."""
    if not text or not path:
        return 0
    position, found = 0, 0
    for key in re.findall(r"[^.\[\]]+", path):
        if key.isdigit():
            continue
        match = re.compile(r'"' + re.escape(key) + r'"\s*:').search(text, position)
        if match is None:
            break
        position, found = match.end(), match.start()
    return text.count("\n", 0, found) + 1 if found or position else 0


def _suggestion(path: str) -> str:
    """`` (did you mean 'learning_outcomes'?)`` for a misspelt template key, else ``""``."""
    parts = re.split(r"\.", re.sub(r"\[\d+\]", "", path))
    model: Any = CourseTemplate
    for part in parts[:-1]:
        annotation = model.model_fields.get(part).annotation if part in model.model_fields else None
        model = next((a for a in (annotation, *getattr(annotation, "__args__", ()))
                      if isinstance(a, type) and issubclass(a, BaseModel)), None)
        if model is None:
            return ""
    close = difflib.get_close_matches(parts[-1], list(model.model_fields), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _located(source: str, text: str | None, problem: Problem) -> str:
    line = _line_of(text, problem.path)
    where = f"{source}:{line}" if line else source
    if problem.message == "is not a known element":
        return f"{where}: unknown element {problem.path!r}{_suggestion(problem.path)}"
    if problem.element is not None:
        subject = ANNEX_I_ELEMENTS[problem.element].title
    else:
        subject = problem.path.split(".")[0].split("[")[0].replace("_", " ") or "template"
    if problem.missing:
        return f"{where}: {subject} missing at {problem.path}" + (f" ({problem.message})" if problem.message else "")
    return f"{where}: {subject} invalid at {problem.path}: {problem.message}"


# -- learner list -----------------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_DID = re.compile(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]+")


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError(f"{value!r} is not an e-mail address")
    return value


def _did(value: str) -> str:
    if not _DID.fullmatch(value):
        raise ValueError(f"{value!r} is not a DID (like did:key:z6Mk…)")
    return value


class Learner(_Strict):
    """One row of the learner list. ``line`` is where it starts in its file (1-based)."""

    line: int = 0
    name: _Text
    did: Annotated[str, AfterValidator(_did)] | None = None
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
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LearnerFileError(str(path), [f"{path}: no such file"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise LearnerFileError(str(path), [f"{path}: cannot be read as UTF-8 text: {exc}"]) from None
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


# -- building credentials ---------------------------------------------------------------------------------------


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise InvalidInputError("the issuing time must carry a time zone")
    return moment.astimezone(timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _add_period(moment: datetime, years: int, months: int) -> datetime:
    """``moment`` plus whole years and months; a day the target month lacks becomes its last day (29 Feb → 28)."""
    month0 = moment.month - 1 + years * 12 + months
    year, month = moment.year + month0 // 12, month0 % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _hash_identity(value: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def _fmt_number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _copy(obj: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars): several times faster than ``copy.deepcopy``."""
    if isinstance(obj, dict):
        return {k: _copy(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_copy(v) for v in obj]
    return obj


class _Builder:
    """Builds the credentials of one batch: the course-level parts once, the learner-level parts per call."""

    def __init__(self, profile: IssuerProfile, template: CourseTemplate) -> None:
        chain, registry, account = profile.require_chain()
        self.template = template
        self.issuer = self._issuer(profile)
        self.achievement = self._achievement(profile, template)
        self.result_description_id = (self.achievement["resultDescription"][0]["id"]
                                      if "resultDescription" in self.achievement else None)
        self.status = {"type": STATUS_ENTRY_TYPE, "chain": chain, "registry": registry, "issuerAccount": account}
        self.status_list_url = getattr(profile, "status_list_url", None)

    def _status(self, index: int) -> dict[str, Any] | list[dict[str, Any]]:
        entry = {**self.status, "statusIndex": index}
        if not self.status_list_url:
            return entry
        base = self.status_list_url.rstrip("/")
        return [entry] + [{"id": f"{base}/{purpose}#{index}", "type": "BitstringStatusListEntry",
                           "statusPurpose": purpose, "statusListIndex": str(index),
                           "statusListCredential": f"{base}/{purpose}"} for purpose in ("revocation", "suspension")]

    @staticmethod
    def _issuer(profile: IssuerProfile) -> dict[str, Any]:
        address: dict[str, Any] = {"type": ["Address"], "addressCountryCode": profile.country}
        if profile.region:
            address["addressRegion"] = profile.region
        issuer: dict[str, Any] = {"id": profile.did, "type": ["Profile"], "name": profile.public_name,
                                  "legalName": profile.legal_name, "address": address}
        if profile.website:
            issuer["url"] = profile.website
        return issuer

    @staticmethod
    def _achievement(profile: IssuerProfile, t: CourseTemplate) -> dict[str, Any]:
        achievement_id = t.achievement_id(profile.did)
        outcomes = "\n".join(f"- {o}" for o in t.learning_outcomes)
        a: dict[str, Any] = {
            "id": achievement_id,
            "type": ["Achievement"],
            "achievementType": ACHIEVEMENT_TYPE,
            "name": t.title,
            "description": t.description,
            "criteria": {"narrative": f"Learning outcomes. The learner is able to:\n{outcomes}"},
        }
        if t.code:
            a["humanCode"] = t.code
        if t.ects is not None:
            a["creditsAvailable"] = t.ects
        if t.workload_hours is not None:
            a["workload"] = f"PT{_fmt_number(t.workload_hours)}H" if float(t.workload_hours).is_integer() \
                else f"PT{round(t.workload_hours * 60)}M"
        alignment = [{"type": ["Alignment"], "targetName": s.name, "targetUrl": s.uri, "targetFramework": s.framework,
                      "targetType": "ceasn:Competency", **({"targetCode": s.code} if s.code else {})}
                     for s in t.skills]
        if t.eqf_level is not None:
            alignment.append({"type": ["Alignment"], "targetName": f"EQF level {t.eqf_level}",
                              "targetUrl": f"{EQF_URL_PREFIX}{t.eqf_level}", "targetCode": str(t.eqf_level),
                              "targetFramework": EQF_FRAMEWORK, "targetType": "ext:EQFLevel"})
        if t.qf_ehea_cycle is not None:
            alignment.append({"type": ["Alignment"], "targetName": f"QF-EHEA {t.qf_ehea_cycle}",
                              "targetUrl": "http://www.ehea.info/page-qualification-frameworks",
                              "targetCode": t.qf_ehea_cycle, "targetFramework": QF_EHEA_FRAMEWORK,
                              "targetType": "ext:QFEHEACycle"})
        if alignment:
            a["alignment"] = alignment
        if t.level_not_applicable:
            a["levelNotApplicable"] = True
        a["assessmentType"] = t.assessment
        a["participationForm"] = t.participation
        a["qualityAssurance"] = t.quality_assurance
        for key, value in (("prerequisites", t.prerequisites), ("supervision", t.supervision),
                           ("stackability", t.stackability), ("stackableTowards", t.stackable_towards),
                           ("furtherInformation", t.further_information), ("fieldOfStudy", t.field_of_study),
                           ("inLanguage", t.language)):
            if value is not None:
                a[key] = value
        if t.grading is not None:
            description: dict[str, Any] = {
                "id": "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{achievement_id}#grade")),
                "type": ["ResultDescription"], "name": t.grading.name, "resultType": t.grading.type}
            if t.grading.allowed_values:
                description["allowedValue"] = list(t.grading.allowed_values)
            a["resultDescription"] = [description]
        return a

    def build(self, learner: Learner, *, credential_id: str, index: int, issued_at: datetime,
              salt: str | None = None) -> dict[str, Any]:
        t = self.template
        subject: dict[str, Any] = {"type": ["AchievementSubject"]}
        if learner.did:
            subject["id"] = learner.did
        identifiers = [{"type": "IdentityObject", "identityHash": learner.name, "identityType": "name",
                        "hashed": False}]
        salt = salt if salt is not None else secrets.token_hex(8)
        for value, kind, hashable in ((learner.email and learner.email.lower(), "emailAddress", True),
                                      (learner.student_id, "sisSourcedId", False),
                                      (learner.national_id, "nationalIdentityNumber", True)):
            if not value:
                continue
            if hashable and t.hash_identifiers:
                identifiers.append({"type": "IdentityObject", "identityHash": _hash_identity(value, salt),
                                    "identityType": kind, "hashed": True, "salt": salt})
            else:
                identifiers.append({"type": "IdentityObject", "identityHash": value, "identityType": kind,
                                    "hashed": False})
        subject["identifier"] = identifiers
        subject["achievement"] = _copy(self.achievement)
        if learner.grade is not None:
            result: dict[str, Any] = {"type": ["Result"], "value": learner.grade}
            if self.result_description_id:
                result["resultDescription"] = self.result_description_id
            subject["result"] = [result]
        if learner.start_date:
            subject["activityStartDate"] = learner.start_date
        subject["activityEndDate"] = learner.completion_date
        issued = _iso(issued_at)
        doc: dict[str, Any] = {
            "@context": list(CONTEXTS),
            "id": credential_id,
            "type": list(CREDENTIAL_TYPES),
            "issuer": _copy(self.issuer),
            "validFrom": issued,
            "awardedDate": issued,
            "name": t.title,
            "credentialSubject": subject,
            "credentialStatus": self._status(index),
        }
        v = t.validity
        if v is not None and (v.years or v.months):
            doc["validUntil"] = _iso(_add_period(issued_at.astimezone(timezone.utc).replace(microsecond=0),
                                                 v.years, v.months))
        return doc


def build_credential(profile: IssuerProfile, template: CourseTemplate, learner: Learner, *, index: int,
                     credential_id: str | None = None, issued_at: datetime, salt: str | None = None) -> dict[str, Any]:
    """One unsigned micro-credential for ``learner`` (the batch path builds the course-level parts only once)."""
    return _Builder(profile, template).build(
        learner, credential_id=credential_id or f"urn:uuid:{uuid.uuid4()}", index=index, issued_at=issued_at,
        salt=salt)


# -- index allocation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexRange:
    """``count`` consecutive status indexes from ``first``."""

    first: int
    count: int

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    def __contains__(self, index: object) -> bool:
        return isinstance(index, int) and self.first <= index < self.first + self.count

    def __str__(self) -> str:
        return f"{self.first}-{self.last}" if self.count > 1 else str(self.first)


@contextlib.contextmanager
def _file_lock(path: Path, *, what: str, wait: bool = False) -> Iterator[None]:
    """An exclusive advisory lock on ``path`` (created if needed) for the duration of the block.

    With ``wait`` the caller blocks until the lock is free; otherwise :class:`BatchConflictError` if it is taken.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX
            yield
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BatchConflictError(f"{what} is in use by another microcred process ({path}); wait for it to "
                                     "finish") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class IndexAllocator:
    """Hands out status indexes so that none is ever used twice, crash or not.

    State (``<home>/issuers/NAME.state.json``)::

        {"format": "microcred-index-state", "version": 1, "nextIndex": 1200,
         "batches": {"<batch id>": {"first": 1000, "count": 200, "reservedAt": "…", "journal": "<path>"|null}}}

    :meth:`reserve` is idempotent per batch id and durable (fsync) before it returns; ``nextIndex`` only grows.
    A process lock keeps two concurrent issuers of the same profile from reading the same ``nextIndex``.
    """

    def __init__(self, path: str | os.PathLike[str], *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = Path(path)
        self._clock = clock or (lambda: datetime.now(timezone.utc))

    def _lock(self) -> contextlib.AbstractContextManager[None]:
        return _file_lock(self.path.with_name(self.path.name + ".lock"), what=f"index state {self.path}", wait=True)

    def _read(self) -> dict[str, Any]:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": STATE_FORMAT, "version": 1, "nextIndex": 0, "batches": {}}
        except ValueError as exc:
            raise MicrocredError(f"index state {self.path} is damaged ({exc}); restore it from a backup — never "
                                 "start it again at 0, or status indexes would be reused") from None
        next_index = state.get("nextIndex") if isinstance(state, dict) else None
        if (not isinstance(state, dict) or state.get("format") != STATE_FORMAT or not isinstance(next_index, int)
                or isinstance(next_index, bool) or next_index < 0 or not isinstance(state.get("batches"), dict)):
            raise MicrocredError(f"{self.path} is not a microcred index state file")
        return state

    @property
    def next_index(self) -> int:
        """The first index no batch has reserved."""
        return int(self._read()["nextIndex"])

    def reservation(self, batch_id: str) -> tuple[IndexRange, str | None] | None:
        """(range, journal path or None) reserved for ``batch_id``, or ``None``."""
        entry = self._read()["batches"].get(batch_id)
        if entry is None:
            return None
        return IndexRange(entry["first"], entry["count"]), entry.get("journal")

    def reserve(self, batch_id: str, count: int) -> IndexRange:
        """The range of ``count`` indexes of ``batch_id``: reserved now (durably) or earlier by the same batch."""
        if count < 1:
            raise InvalidInputError(f"cannot reserve {count} indexes")
        with self._lock():
            state = self._read()
            entry = state["batches"].get(batch_id)
            if entry is not None:
                if entry["count"] != count:
                    raise BatchConflictError(f"batch {batch_id[:16]} reserved {entry['count']} indexes before, "
                                             f"not {count}")
                return IndexRange(entry["first"], entry["count"])
            first = state["nextIndex"]
            state["nextIndex"] = first + count
            state["batches"][batch_id] = {"first": first, "count": count, "reservedAt": _iso(self._clock()),
                                          "journal": None}
            write_json_atomic(self.path, state, indent=None)
            return IndexRange(first, count)

    def bind(self, batch_id: str, journal: Path) -> None:
        """Record that the batch journal (which now holds the row → index map) is written."""
        with self._lock():
            state = self._read()
            entry = state["batches"].get(batch_id)
            if entry is None:
                raise MicrocredError(f"batch {batch_id[:16]} has no reservation in {self.path}")
            if entry.get("journal") == str(journal):
                return
            entry["journal"] = str(journal)
            write_json_atomic(self.path, state, indent=None)

    def holders(self, indexes: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What the issuer's own records say of each of ``indexes``: ``learner`` (name, from the credential file when
        it is there), ``course``, ``file`` (None when unknown). An index no batch of this state reserved is left out.
        Reads only; a missing or damaged batch journal leaves its indexes with what the state knows."""
        wanted = set(indexes)
        found: dict[int, dict[str, Any]] = {}
        for entry in self._read()["batches"].values():
            covered = wanted & set(range(entry["first"], entry["first"] + entry["count"]))
            if not covered:
                continue
            journal_path = Path(entry["journal"]) if entry.get("journal") else None
            journal = None
            if journal_path is not None:
                with contextlib.suppress(OSError, ValueError, BatchConflictError):
                    journal = _read_journal(journal_path)
            rows = {e["index"]: e for e in (journal or {}).get("entries", [])}
            for index in covered:
                row = rows.get(index)
                file = journal_path.parent / row["file"] if row and journal_path else None
                found[index] = {"learner": learner_name(file) if file else None, "file": str(file) if file else None,
                                "course": (journal or {}).get("course")}
        return found


# -- the batch --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedCredential:
    """One credential of a batch: its learner row, status index, id and file; ``new`` if written by this run."""

    row: int
    line: int
    learner: str
    index: int
    id: str
    path: Path
    new: bool


@dataclass
class BatchResult:
    """What :func:`issue_batch` did."""

    batch_id: str
    out_dir: Path
    indexes: IndexRange
    journal: Path
    credentials: list[IssuedCredential] = field(default_factory=list)

    @property
    def issued_now(self) -> int:
        return sum(1 for c in self.credentials if c.new)

    @property
    def already_present(self) -> int:
        return sum(1 for c in self.credentials if not c.new)

    def summary(self) -> dict[str, Any]:
        return {"batch": self.batch_id, "outDir": str(self.out_dir), "total": len(self.credentials),
                "issued": self.issued_now, "alreadyPresent": self.already_present,
                "firstIndex": self.indexes.first, "lastIndex": self.indexes.last, "journal": str(self.journal)}


#: Latin letters that do not decompose into a base letter and marks, with their usual ASCII transliteration
_TRANSLITERATION: Final = str.maketrans({
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th",
    "ß": "ss", "ẞ": "SS", "æ": "ae", "Æ": "Ae", "œ": "oe", "Œ": "Oe", "ı": "i", "ħ": "h", "Ħ": "H", "ŋ": "ng",
    "Ŋ": "Ng", "ĸ": "k", "ŀ": "l", "Ŀ": "L", "ŧ": "t", "Ŧ": "T",
})


def learner_name(source: str | os.PathLike[str] | Mapping[str, Any]) -> str | None:
    """The learner's name a credential (a file or a document) carries, or None (no file, no name, not JSON)."""
    doc: Any = source
    if not isinstance(source, Mapping):
        try:
            doc = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    subject = doc.get("credentialSubject") if isinstance(doc, Mapping) else None
    if not isinstance(subject, Mapping):
        return None
    if isinstance(subject.get("name"), str):
        return subject["name"]
    for ident in subject.get("identifier") or []:
        if isinstance(ident, Mapping) and ident.get("identityType") == "name" and not ident.get("hashed"):
            return str(ident.get("identityHash"))
    return None


def _slug(name: str) -> str:
    """A readable ASCII file name part: ``Zoë Ørsted`` → ``zoe-orsted``, ``Łukasz Wróbel`` → ``lukasz-wrobel``."""
    ascii_name = unicodedata.normalize("NFKD", name.translate(_TRANSLITERATION)).encode("ascii", "ignore") \
        .decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-")
    return slug or "learner"


def batch_id_for(profile: IssuerProfile, template: CourseTemplate, learners: Sequence[Learner],
                 out_dir: Path) -> str:
    """The id of a batch: the same issuer, chain, template, learners and output directory give the same id."""
    digest = hashlib.sha256()
    head = {"issuer": profile.name, "did": profile.did, "chain": profile.chain, "registry": profile.registry,
            "account": profile.account, "out": str(Path(out_dir).resolve())}
    digest.update(json.dumps(head, sort_keys=True).encode())
    digest.update(template.canonical().encode())
    for learner in learners:
        digest.update(b"\n" + json.dumps(learner.canonical(), sort_keys=True).encode())
    return digest.hexdigest()


def _journal_path(out_dir: Path, batch_id: str) -> Path:
    return out_dir / f"{_JOURNAL_PREFIX}{batch_id[:16]}{_JOURNAL_SUFFIX}"


def _read_journal(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise BatchConflictError(f"batch journal {path} is damaged ({exc}); it cannot be resumed safely") from None
    if not isinstance(data, dict) or data.get("format") != JOURNAL_FORMAT:
        raise BatchConflictError(f"{path} is not a microcred batch journal")
    return data


def _credential_ok(path: Path, entry: Mapping[str, Any]) -> bool | None:
    """True: the journalled credential is on disk, signed. None: no file. False: damaged file (re-sign).
    :class:`BatchConflictError` when the file holds another credential."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        doc = json.loads(raw)
    except ValueError:
        return False
    if not isinstance(doc, dict):
        return False
    if doc.get("id") != entry["id"]:
        raise BatchConflictError(f"{path} holds credential {doc.get('id')!r}, not {entry['id']} of this batch: "
                                 "move it away or choose another output directory")
    status = doc.get("credentialStatus")
    entries = status if isinstance(status, list) else [status]
    registry_entry = next((e for e in entries if isinstance(e, dict) and e.get("type") == STATUS_ENTRY_TYPE), None)
    return bool(doc.get("proof")) and registry_entry is not None and registry_entry.get("statusIndex") == entry["index"]


def _write_credential(out_dir: Path, name: str, doc: dict[str, Any]) -> None:
    """Atomic, not yet durable: the batch syncs its file system once when every file is written."""
    write_json_atomic(out_dir / name, doc, durable=False)


#: writes one credential file: (output directory, file name, document); injectable to test a full disk
CredentialWriter = Callable[[Path, str, dict[str, Any]], None]

_DISK_FULL: Final = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


class DiskFullError(IssuanceError, OSError):
    """The disk filled up (or a quota was reached) during a batch: the message says what was written and how to
    resume (run the same command again once there is space: the batch resumes, reusing its indexes)."""

    def __str__(self) -> str:
        return str(self.strerror)


def _unfinished_other_batches(out_dir: Path, batch_id: str) -> list[dict[str, Any]]:
    others = []
    for path in out_dir.glob(f"{_JOURNAL_PREFIX}*{_JOURNAL_SUFFIX}"):
        data = _read_journal(path)
        if data and data.get("batch") != batch_id and not data.get("complete"):
            others.append({**data, "_path": path})
    return others


def issue_batch(profile: IssuerProfile, template: CourseTemplate, learners: Sequence[Learner],
                out_dir: str | os.PathLike[str], sign: Sign, allocator: IndexAllocator,
                now: Callable[[], datetime] | datetime, *, progress: Progress | None = None,
                hook: Hook | None = None, source: str = "",
                writer: CredentialWriter | None = None) -> BatchResult:
    """Issue one signed credential per learner into ``out_dir`` (see the module docstring for the guarantees).

    ``sign`` turns an unsigned credential into a signed one; ``allocator`` reserves status indexes; ``now`` gives
    the issuing time (one instant per run); ``progress(done, total)`` is called as credentials are written;
    ``hook(stage, details)`` is called at each durable step. Running it again with the same inputs resumes an
    interrupted batch and leaves a complete one unchanged. ``writer`` writes each credential file; a full disk
    (``ENOSPC``, a quota) anywhere in the batch is a :class:`DiskFullError` saying what was written.
    """
    if not learners:
        raise InvalidInputError("the learner list is empty: nothing to issue")
    writer = writer or _write_credential
    builder = _Builder(profile, template)  # fails early when the profile has no chain/registry/account
    issued_at = now() if callable(now) else now
    # a template or profile that cannot make a valid credential is refused before any index is reserved
    sample = builder.build(learners[0], credential_id=f"urn:uuid:{uuid.UUID(int=0)}", index=0, issued_at=issued_at)
    problems = validate_microcredential(sample)
    if problems:
        raise CredentialFormatError(problems, f"the credential built for {source or 'the list'} line "
                                              f"{learners[0].line}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    batch_id = batch_id_for(profile, template, learners, out)
    journal_path = _journal_path(out, batch_id)
    emit = hook or (lambda stage, details: None)
    written: dict[str, Any] = {}
    try:
        with _file_lock(out / _LOCK_NAME, what=f"output directory {out}"):
            remove_stale_temporaries(out)
            journal = _read_journal(journal_path)
            if journal is None:
                others = _unfinished_other_batches(out, batch_id)
                if others:
                    o = others[0]
                    raise BatchConflictError(
                        f"{out} holds an unfinished batch of other inputs ({o.get('source') or o['_path']}, indexes "
                        f"{o['first']}-{o['first'] + o['count'] - 1}): run that command again to finish it, or issue "
                        "into another directory")
                journal = _start_journal(profile, template, learners, out, batch_id, journal_path, allocator, source,
                                         emit)
            elif journal.get("batch") != batch_id:
                raise BatchConflictError(f"{journal_path} belongs to batch {journal.get('batch')}, not {batch_id}")
            else:
                allocator.bind(batch_id, journal_path)  # a no-op unless killed between journal and bind
            indexes = IndexRange(journal["first"], journal["count"])
            result = BatchResult(batch_id, out, indexes, journal_path)
            written["result"] = result
            entries = journal["entries"]
            if len(entries) != len(learners):
                raise BatchConflictError(f"{journal_path} lists {len(entries)} learners, the list has {len(learners)}")
            for entry in entries:
                if not (isinstance(entry.get("file"), str) and _FILE_NAME.fullmatch(entry["file"])
                        and entry.get("index") in indexes):
                    raise BatchConflictError(f"{journal_path} is damaged: entry {entry!r} is not one of this batch")
            total = len(entries)
            todo: list[tuple[dict[str, Any], Learner]] = []
            present = set(os.listdir(out))
            for entry, learner in zip(entries, learners):
                state = _credential_ok(out / entry["file"], entry) if entry["file"] in present else None
                if state:
                    result.credentials.append(_issued(entry, learner, out, new=False))
                elif journal.get("complete"):
                    what = "is gone" if state is None else "is damaged"
                    raise BatchConflictError(f"batch {batch_id[:16]} was completed, but {out / entry['file']} {what}; "
                                             "restore it from a backup (a credential is never issued twice)")
                else:
                    todo.append((entry, learner))
            done = len(result.credentials)
            if progress:
                progress(done, total)
            if not todo and journal.get("complete"):
                result.credentials.sort(key=lambda c: c.row)
                return result
            for entry, learner in todo:
                unsigned = builder.build(learner, credential_id=entry["id"], index=entry["index"], issued_at=issued_at)
                signed = sign(unsigned)
                if not isinstance(signed, dict) or not signed.get("proof") or signed.get("id") != entry["id"]:
                    raise IssuanceError("the signer returned a credential without a proof or with another id")
                writer(out, entry["file"], signed)
                result.credentials.append(_issued(entry, learner, out, new=True))
                done += 1
                emit("written", {"row": entry["row"], "index": entry["index"], "file": entry["file"]})
                if progress:
                    progress(done, total)
            sync_filesystem(out)
            fsync_directory(out)
            emit("synced", {"count": total})
            journal["complete"] = True
            journal["completedAt"] = _iso(issued_at)
            write_json_atomic(journal_path, journal, indent=None)
            emit("complete", {"batch": batch_id})
    except OSError as exc:
        if exc.errno not in _DISK_FULL:
            raise
        done: BatchResult | None = written.get("result")
        where = f" writing {exc.filename}" if exc.filename else ""
        if done is None:
            state = "nothing of this batch was written yet (no credential, no index reserved unless said above)"
        else:
            new_now = sum(1 for c in done.credentials if c.new)
            state = (f"{len(done.credentials)} of {len(learners)} credentials are in {out} ({new_now} written by "
                     f"this run), status indexes {done.indexes} reserved, journal {journal_path}")
        raise DiskFullError(exc.errno, f"the disk is full ({exc.strerror or exc}){where}: {state}. Nothing is "
                            "lost: free some space and run the same command again; it resumes the batch with the "
                            "same indexes") from exc
    result.credentials.sort(key=lambda c: c.row)
    return result


def _issued(entry: Mapping[str, Any], learner: Learner, out: Path, *, new: bool) -> IssuedCredential:
    return IssuedCredential(row=entry["row"], line=entry["line"], learner=learner.name, index=entry["index"],
                            id=entry["id"], path=out / entry["file"], new=new)


def _start_journal(profile: IssuerProfile, template: CourseTemplate, learners: Sequence[Learner], out: Path,
                   batch_id: str, journal_path: Path, allocator: IndexAllocator, source: str,
                   emit: Hook) -> dict[str, Any]:
    previous = allocator.reservation(batch_id)
    if previous is not None and previous[1] is not None:
        raise BatchConflictError(
            f"this batch was issued before (indexes {previous[0]}) into {out}, but its journal {journal_path} is "
            "gone; its indexes are never reused: issue into another output directory")
    indexes = allocator.reserve(batch_id, len(learners))
    emit("reserved", {"first": indexes.first, "count": indexes.count})
    entries = []
    names: set[str] = set()
    for row, learner in enumerate(learners):
        index = indexes.first + row
        name = f"{index:06d}-{_slug(learner.name)}.json"
        if name in names:  # pragma: no cover - indexes are distinct
            raise IssuanceError(f"file name {name} twice in one batch")
        names.add(name)
        entries.append({"row": row, "line": learner.line, "index": index, "id": f"urn:uuid:{uuid.uuid4()}",
                        "file": name})
    journal = {"format": JOURNAL_FORMAT, "version": 1, "batch": batch_id, "issuer": profile.name,
               "issuerDid": profile.did, "course": template.title, "source": source, "first": indexes.first,
               "count": indexes.count, "complete": False, "entries": entries}
    write_json_atomic(journal_path, journal, indent=None)
    allocator.bind(batch_id, journal_path)
    emit("journaled", {"journal": str(journal_path)})
    return journal
