"""Course templates: the course-level Annex I elements of a batch, parsed and checked with file:line locations.

Part of batch issuance: see :mod:`microcred.registry.issuance._batch`.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Final

from pydantic import AfterValidator, BaseModel, ValidationError

from microcred.registry.credential._annex import (
    ANNEX_I_ELEMENTS,
    ESCO_SKILL_PREFIX,
    PARTICIPATION_FORMS,
    QF_EHEA_CYCLES,
    STACKABILITY_OPTIONS,
    SUPERVISION_OPTIONS,
    Problem,
    problems_from_pydantic,
)
from microcred.registry.issuance._common import TemplateError, _Strict, read_input

__all__ = [
    "CourseTemplate",
    "Grading",
    "SkillAlignment",
    "Validity",
    "load_template",
    "parse_template",
]


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
    text = read_input(path, TemplateError)
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
