"""The EU Annex I standard elements of a micro-credential, and problems reported in their words.

Council Recommendation 2022/C 243/02, Annex I, lists 11 mandatory and 5 optional elements that describe a
micro-credential. This module names them, knows where each lives in a microcred credential (an Open Badges 3.0
``OpenBadgeCredential``; see ``docs/annex-i-mapping.md``), turns pydantic validation errors into plain
:class:`Problem` s that name the element and its JSON path, and runs the checks that span several fields
(a learner must be identified by a DID *or* an identifier, the workload needs ECTS *or* hours, ...).

Nothing here depends on the pydantic models: :mod:`microcred.registry.credential._model` combines both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Final
from collections.abc import Callable, Iterable, Mapping, Sequence

__all__ = [
    "ANNEX_I_ELEMENTS",
    "AnnexElement",
    "COUNTRY_CODES",
    "EQF_FRAMEWORK",
    "EQF_URL_PREFIX",
    "ESCO_SKILL_PREFIX",
    "PARTICIPATION_FORMS",
    "Problem",
    "STACKABILITY_OPTIONS",
    "SUPERVISION_OPTIONS",
    "achievement_problems",
    "check_country_code",
    "check_date",
    "check_datetime",
    "check_duration",
    "cross_field_problems",
    "element_for_path",
    "format_path",
    "is_eqf_alignment",
    "label_for_path",
    "problems_from_pydantic",
]


@dataclass(frozen=True)
class AnnexElement:
    """One Annex I element: its number (1-11 mandatory, 12-16 optional) and its name in plain words."""

    number: int
    label: str
    mandatory: bool

    @property
    def title(self) -> str:
        """``learning outcomes (Annex I element 6)``."""
        return f"{self.label} (Annex I element {self.number})"


#: The 16 elements, numbered in the order of Annex I (mandatory 1-11, optional 12-16).
ANNEX_I_ELEMENTS: Final[dict[int, AnnexElement]] = {
    e.number: e
    for e in (
        AnnexElement(1, "identification of the learner", True),
        AnnexElement(2, "title of the micro-credential", True),
        AnnexElement(3, "country/region of the issuer", True),
        AnnexElement(4, "awarding body", True),
        AnnexElement(5, "date of issuing", True),
        AnnexElement(6, "learning outcomes", True),
        AnnexElement(7, "notional workload", True),
        AnnexElement(8, "level (EQF, QF-EHEA)", True),
        AnnexElement(9, "type of assessment", True),
        AnnexElement(10, "form of participation", True),
        AnnexElement(11, "type of quality assurance", True),
        AnnexElement(12, "prerequisites", False),
        AnnexElement(13, "supervision and identity verification", False),
        AnnexElement(14, "grade achieved", False),
        AnnexElement(15, "integration/stackability options", False),
        AnnexElement(16, "further information", False),
    )
}

#: Officially assigned ISO 3166-1 alpha-2 codes (249).
COUNTRY_CODES: Final[frozenset[str]] = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY
    BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM
    FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN
    MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT
    PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL
    TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)
#: codes people often write that ISO 3166-1 spells differently
_COUNTRY_HINTS: Final = {"EL": "GR", "UK": "GB"}

#: Form of participation in the learning activity (Annex I element 10).
PARTICIPATION_FORMS: Final = ("online", "onsite", "blended", "volunteering", "work-experience")
#: Supervision and identity verification during assessment (Annex I element 13).
SUPERVISION_OPTIONS: Final = (
    "unsupervised-no-identity-verification",
    "supervised-no-identity-verification",
    "supervised-online-identity-verification",
    "supervised-onsite-identity-verification",
)
#: Integration/stackability options (Annex I element 15).
STACKABILITY_OPTIONS: Final = ("standalone", "stackable")

#: ``targetFramework`` of the alignment that carries the EQF level
EQF_FRAMEWORK: Final = "European Qualifications Framework"
EQF_URL_PREFIX: Final = "http://data.europa.eu/snb/eqf/"
QF_EHEA_FRAMEWORK: Final = "QF-EHEA"
QF_EHEA_CYCLES: Final = ("short-cycle", "first-cycle", "second-cycle", "third-cycle")
ESCO_SKILL_PREFIX: Final = "http://data.europa.eu/esco/skill/"

_ACH = "credentialSubject.achievement"

#: JSON path (indexes removed) → Annex I element; the longest matching prefix wins.
_ELEMENT_PATHS: Final[dict[str, int]] = {
    "credentialSubject.id": 1,
    "credentialSubject.identifier": 1,
    "name": 2,
    f"{_ACH}.name": 2,
    "issuer.address": 3,
    "issuer": 4,
    "validFrom": 5,
    "awardedDate": 5,
    f"{_ACH}.criteria": 6,
    f"{_ACH}.alignment": 6,
    f"{_ACH}.creditsAvailable": 7,
    f"{_ACH}.workload": 7,
    f"{_ACH}.levelNotApplicable": 8,
    f"{_ACH}.assessmentType": 9,
    f"{_ACH}.participationForm": 10,
    f"{_ACH}.qualityAssurance": 11,
    f"{_ACH}.prerequisites": 12,
    f"{_ACH}.supervision": 13,
    "credentialSubject.result": 14,
    f"{_ACH}.resultDescription": 14,
    f"{_ACH}.stackability": 15,
    f"{_ACH}.stackableTowards": 15,
    f"{_ACH}.furtherInformation": 16,
}

#: Plain names of the parts of a credential that are not Annex I elements.
_OTHER_LABELS: Final[dict[str, str]] = {
    "@context": "JSON-LD context",
    "id": "credential id",
    "type": "credential type",
    "validUntil": "end of validity",
    "credentialStatus": "registry status entry",
    "credentialSubject": "credential subject (the learner and the achievement)",
    "credentialSubject.type": "credential subject type",
    _ACH: "achievement (the course-level elements)",
    f"{_ACH}.id": "achievement id",
    f"{_ACH}.type": "achievement type",
    f"{_ACH}.achievementType": "achievement type",
    f"{_ACH}.description": "achievement description",
    f"{_ACH}.fieldOfStudy": "field of study",
    f"{_ACH}.inLanguage": "language of the learning activity",
    f"{_ACH}.humanCode": "course code",
    "credentialSubject.activityEndDate": "date of completion",
    "credentialSubject.activityStartDate": "start of the learning activity",
    "description": "credential description",
    "proof": "proof",
}

_INDEX = re.compile(r"\[\d+\]")


def format_path(loc: Iterable[Any]) -> str:
    """``("credentialSubject", "identifier", 0, "hashed")`` → ``credentialSubject.identifier[0].hashed``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def element_for_path(path: str) -> int | None:
    """The Annex I element stored at (or under) ``path``, or ``None`` when the path holds no element."""
    bare = _INDEX.sub("", path)
    best: tuple[int, int] | None = None
    for prefix, number in _ELEMENT_PATHS.items():
        if bare == prefix or bare.startswith(prefix + "."):
            if best is None or len(prefix) > best[0]:
                best = (len(prefix), number)
    return best[1] if best else None


def label_for_path(path: str) -> str:
    """Plain words for what lives at ``path``: the Annex I element if there is one, else a short description."""
    number = element_for_path(path)
    if number is not None:
        return ANNEX_I_ELEMENTS[number].title
    bare = _INDEX.sub("", path)
    while bare:
        if bare in _OTHER_LABELS:
            return _OTHER_LABELS[bare]
        if "." not in bare:
            break
        bare = bare.rsplit(".", 1)[0]
    return path.rsplit(".", 1)[-1] or "document"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document: where (JSON path), which Annex I element, what, in plain words.

    ``str(problem)`` reads like ``learning outcomes (Annex I element 6) missing at
    credentialSubject.achievement.criteria.narrative`` or ``level (EQF, QF-EHEA) (Annex I element 8) invalid at
    credentialSubject.achievement.alignment[1].targetCode: the EQF level must be a whole number from 1 to 8, not '9'``.
    """

    path: str
    message: str
    element: int | None = None
    missing: bool = False

    @property
    def subject(self) -> str:
        if self.element is not None:
            return ANNEX_I_ELEMENTS[self.element].title
        return label_for_path(self.path)

    def __str__(self) -> str:
        where = self.path or "the document root"
        if self.missing:
            return f"{self.subject} missing at {where}" + (f" ({self.message})" if self.message else "")
        return f"{self.subject} invalid at {where}: {self.message}"

    @classmethod
    def at(cls, path: str, message: str, *, missing: bool = False, element: int | None = None) -> Problem:
        """A problem at ``path``; the element is looked up from the path unless given."""
        return cls(path, message, element if element is not None else element_for_path(path), missing)


# -- value checks shared by the models, the template and the learner rows ---------------------------------------

_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DURATION = re.compile(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?")


@lru_cache(maxsize=4096)
def check_datetime(value: str) -> str:
    """``value`` if it is an XML Schema dateTimeStamp (``2026-05-01T12:00:00Z``: date, time and time zone).
    Remembered: the credentials of one batch carry the same few times."""
    if not _DATETIME.fullmatch(value):
        raise ValueError(f"{value!r} is not a date and time with a time zone (like 2026-05-01T12:00:00Z)")
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{value!r} is not a real date and time") from None
    return value


@lru_cache(maxsize=4096)
def check_date_or_datetime(value: str) -> str:
    """``value`` if it is a dateTimeStamp (what OB 3.0's JSON Schema asks of activity dates, and microcred writes)
    or a calendar date ``YYYY-MM-DD`` (what the OB 3.0 context types them as; credentials issued before 2026-12)."""
    if "T" in value:
        return check_datetime(value)
    try:
        return check_date(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a date and time (like 2026-05-01T00:00:00Z) or a date "
                         "(YYYY-MM-DD)") from None


def check_date(value: str) -> str:
    """``value`` if it is a calendar date ``YYYY-MM-DD``."""
    if not _DATE.fullmatch(value):
        raise ValueError(f"{value!r} is not a date (use YYYY-MM-DD, like 2026-05-01)")
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a real date") from None
    return value


def check_duration(value: str) -> str:
    """``value`` if it is an ISO 8601 duration (``PT125H``)."""
    if not _DURATION.fullmatch(value):
        raise ValueError(f"{value!r} is not an ISO 8601 duration (like PT125H for 125 hours)")
    return value


def check_country_code(value: str) -> str:
    """``value`` if it is an ISO 3166-1 alpha-2 country code (upper case, like ``DE``)."""
    if value in COUNTRY_CODES:
        return value
    hint = ""
    if value.upper() in COUNTRY_CODES:
        hint = f" (write it in capitals: {value.upper()!r})"
    elif value.upper() in _COUNTRY_HINTS:
        hint = f" (ISO 3166-1 writes {_COUNTRY_HINTS[value.upper()]!r})"
    raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code{hint}")


# -- pydantic errors → problems ---------------------------------------------------------------------------------

_JSON_TYPES: Final = {
    str: "text",
    int: "a number",
    float: "a number",
    bool: "true/false",
    list: "a list",
    dict: "an object",
    type(None): "null",
}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


#: a native (Rust) string pattern of a model → the sentence its mismatch is reported with (see
#: :func:`microcred.registry.credential._model.native_pattern`)
PATTERN_MESSAGES: dict[str, Callable[[Any], str]] = {}


def _plain(error: Mapping[str, Any]) -> str:
    kind = error.get("type", "")
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "string_pattern_mismatch" and ctx.get("pattern") in PATTERN_MESSAGES:
        return PATTERN_MESSAGES[ctx["pattern"]](value)
    if kind in ("value_error", "assertion_error"):
        cause = ctx.get("error")
        return str(cause) if cause is not None else str(error.get("msg", ""))
    if kind == "string_type":
        return f"must be text, not {_json_type(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"must be an object, not {_json_type(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"must be a list, not {_json_type(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"must be true or false, not {value!r}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"must be a whole number, not {value!r}"
    if kind in ("float_type", "float_parsing"):
        return f"must be a number, not {value!r}"
    if kind == "literal_error":
        return f"must be {ctx.get('expected', 'one of the allowed values')}, not {value!r}"
    if kind in ("string_too_short", "too_short"):
        return "must not be empty"
    if kind == "extra_forbidden":
        return "is not a known element"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return f"{value!r} is out of range ({str(error.get('msg', '')).replace('Input should be ', 'must be ')})"
    return str(error.get("msg", "is invalid")).replace("Input should be", "must be")


def problems_from_pydantic(errors: Sequence[Mapping[str, Any]], prefix: Sequence[Any] = (),
                           element_of: Callable[[str], int | None] | None = None) -> list[Problem]:
    """Plain problems from ``ValidationError.errors()``: one per error, never a raw pydantic message.

    ``element_of(path)`` maps a path to its Annex I element (default: the credential's layout).
    """
    lookup = element_of or element_for_path
    out: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in errors:
        path = format_path([*prefix, *error.get("loc", ())])
        missing = error.get("type") == "missing"
        message = "" if missing else _plain(error)
        if (path, message) in seen:
            continue
        seen.add((path, message))
        out.append(Problem(path, message, lookup(path), missing))
    return out


# -- checks that span several fields ----------------------------------------------------------------------------


def _get(doc: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def achievement_problems(achievement: Mapping[str, Any]) -> list[Problem]:
    """The problems of an achievement that no single field of it shows: ECTS or hours, EQF level or "not
    applicable", EQF code and URL."""
    return _workload_problems(achievement) + _level_problems(achievement)


def cross_field_problems(doc: Mapping[str, Any], *,
                         of_achievement: Sequence[Problem] | None = None) -> list[Problem]:
    """Problems no single field shows: alternatives (DID or identifier, ECTS or hours, EQF level or "not
    applicable") and consistency (EQF code and URL, validity period). Robust to any shape of ``doc``.

    ``of_achievement``: :func:`achievement_problems` of the document's achievement (``credentialSubject.
    achievement``), when the caller has them: the model remembers them with an achievement it validated."""
    out: list[Problem] = []
    subject = doc.get("credentialSubject")
    if isinstance(subject, dict):
        if not subject.get("id") and not subject.get("identifier"):
            out.append(Problem.at("credentialSubject.identifier", "give the learner's DID as credentialSubject.id "
                                  "or at least one IdentityObject in credentialSubject.identifier", missing=True))
        achievement = subject.get("achievement")
        if isinstance(achievement, dict):
            out += achievement_problems(achievement) if of_achievement is None else of_achievement
    valid_from, valid_until = doc.get("validFrom"), doc.get("validUntil")
    if isinstance(valid_from, str) and isinstance(valid_until, str):
        try:
            start = datetime.fromisoformat(check_datetime(valid_from).replace("Z", "+00:00"))
            end = datetime.fromisoformat(check_datetime(valid_until).replace("Z", "+00:00"))
        except ValueError:
            pass  # reported on the field itself
        else:
            if end <= start:
                out.append(Problem.at("validUntil", f"{valid_until} is not after validFrom {valid_from}"))
    return out


def _workload_problems(achievement: Mapping[str, Any]) -> list[Problem]:
    if achievement.get("creditsAvailable") is None and achievement.get("workload") is None:
        return [Problem.at(f"{_ACH}.creditsAvailable", "give the ECTS credits (creditsAvailable) or the workload "
                           "in hours (workload, like PT125H)", missing=True)]
    return []


def is_eqf_alignment(alignment: Mapping[str, Any]) -> bool:
    """Whether an ``alignment`` of an achievement names an EQF level (by its framework or by its URL)."""
    url = alignment.get("targetUrl")
    return (alignment.get("targetFramework") == EQF_FRAMEWORK
            or (isinstance(url, str) and url.startswith(EQF_URL_PREFIX)))


def _level_problems(achievement: Mapping[str, Any]) -> list[Problem]:
    out: list[Problem] = []
    eqf_found = False
    alignments = achievement.get("alignment")
    for i, alignment in enumerate(alignments if isinstance(alignments, list) else []):
        if not isinstance(alignment, dict):
            continue
        framework = alignment.get("targetFramework")
        if is_eqf_alignment(alignment):
            eqf_found = True
            out += _eqf_problems(f"{_ACH}.alignment[{i}]", alignment)
        elif framework == QF_EHEA_FRAMEWORK:
            code = alignment.get("targetCode")
            if code not in QF_EHEA_CYCLES:
                out.append(Problem.at(f"{_ACH}.alignment[{i}].targetCode",
                                      f"the QF-EHEA cycle must be one of {', '.join(QF_EHEA_CYCLES)}, not {code!r}",
                                      element=8))
    not_applicable = achievement.get("levelNotApplicable")
    if not eqf_found and not_applicable is not True:
        out.append(Problem.at(f"{_ACH}.alignment", "align the achievement to an EQF level (targetFramework "
                              f"{EQF_FRAMEWORK!r}, targetCode 1-8) or set levelNotApplicable to true",
                              missing=True, element=8))
    if eqf_found and not_applicable is True:
        out.append(Problem.at(f"{_ACH}.levelNotApplicable", "is true, yet an EQF level is given"))
    return out


_EQF_LEVELS: Final = frozenset(str(n) for n in range(1, 9))


def _eqf_problems(path: str, alignment: Mapping[str, Any]) -> list[Problem]:
    code = alignment.get("targetCode")
    if not (isinstance(code, str) and code in _EQF_LEVELS):
        return [Problem.at(f"{path}.targetCode", f"the EQF level must be a whole number from 1 to 8 "
                           f"(as text, like \"6\"), not {code!r}", missing=code is None, element=8)]
    url = alignment.get("targetUrl")
    if isinstance(url, str) and url != EQF_URL_PREFIX + code:
        return [Problem.at(f"{path}.targetUrl", f"{url!r} does not name EQF level {code} "
                           f"({EQF_URL_PREFIX}{code})", element=8)]
    return []
