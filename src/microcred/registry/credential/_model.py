"""The micro-credential: a W3C VC 2.0 that is an Open Badges 3.0 ``OpenBadgeCredential`` with every Annex I element.

Python attributes are snake_case; the JSON keeps the camelCase of the specifications (``credentialSubject``,
``validFrom``) through aliases. Models accept both spellings (``populate_by_name``) and
:meth:`MicroCredential.to_json` dumps by alias without ``None`` values. Never hash or sign ``model_dump_json()``:
the proof layer canonicalises the JSON document itself.

Shape (``docs/annex-i-mapping.md`` maps each Annex I element to its path)::

    {"@context": [CREDENTIALS_V2, OB_V3P0, MICROCRED_V1],
     "id": "urn:uuid:…", "type": ["VerifiableCredential", "OpenBadgeCredential"],
     "issuer": {"id": DID, "type": ["Profile"], "name", "legalName", "address": {"addressCountryCode", …}},
     "validFrom", "validUntil"?, "awardedDate"?, "name",
     "credentialSubject": {"type": ["AchievementSubject"], "id"?: learner DID, "identifier"?: [IdentityObject],
                           "achievement": {"type": ["Achievement"], "achievementType": "MicroCredential", …},
                           "result"?: [Result], "activityEndDate"?},
     "credentialStatus": {"type": "MicrocredRegistryEntry2026", "chain", "registry", "issuerAccount",
                          "statusIndex"},
     "proof"?: …}

:func:`validate_microcredential` lists every problem of a document at once, each naming the Annex I element and its
JSON path; :meth:`MicroCredential.parse` raises :class:`CredentialFormatError` with all of them.
"""

from __future__ import annotations

import json
import re
import threading
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Final, Literal
from collections.abc import Callable, Mapping

import orjson
from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PrivateAttr, SerializeAsAny,
                      StringConstraints, ValidationError,
                      ValidatorFunctionWrapHandler, field_validator, model_validator)
from pydantic.alias_generators import to_camel

from microcred.errors import InvalidInputError
from microcred.registry.credential._annex import (
    PARTICIPATION_FORMS,
    STACKABILITY_OPTIONS,
    SUPERVISION_OPTIONS,
    PATTERN_MESSAGES,
    Problem,
    check_country_code,
    check_date,
    check_date_or_datetime,
    check_datetime,
    achievement_problems,
    check_duration,
    cross_field_problems,
    problems_from_pydantic,
)

__all__ = [
    "ACHIEVEMENT_TYPE",
    "CONTEXTS",
    "CREDENTIALS_V2",
    "MICROCRED_V1",
    "OB_V3P0",
    "STATUS_ENTRY_TYPE",
    "Achievement",
    "AchievementSubject",
    "Address",
    "Alignment",
    "CredentialFormatError",
    "Criteria",
    "IdentityObject",
    "MicroCredential",
    "Profile",
    "RegistryStatusEntry",
    "Result",
    "ResultDescription",
    "format_problems",
    "microcred_context",
    "microcred_context_path",
    "validate_microcredential",
]

CREDENTIALS_V2: Final = "https://www.w3.org/ns/credentials/v2"
OB_V3P0: Final = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
#: the extension context bundled as ``contexts/microcred-v1.jsonld``
MICROCRED_V1: Final = "https://w3id.org/microcred/v1"
CONTEXTS: Final = (CREDENTIALS_V2, OB_V3P0, MICROCRED_V1)
ACHIEVEMENT_TYPE: Final = "MicroCredential"
STATUS_ENTRY_TYPE: Final = "MicrocredRegistryEntry2026"
CREDENTIAL_TYPES: Final = ("VerifiableCredential", "OpenBadgeCredential")
#: the largest status index the registry contract takes (uint64)
MAX_STATUS_INDEX: Final = 2**64 - 1

_CONTEXT_FILE: Final = "microcred-v1.jsonld"


def microcred_context_path() -> Any:
    """The bundled extension context file (an ``importlib.resources`` traversable)."""
    return resources.files("microcred.registry.credential") / "contexts" / _CONTEXT_FILE


@lru_cache(maxsize=1)
def _context_text() -> str:
    return microcred_context_path().read_text(encoding="utf-8")


def microcred_context() -> dict[str, Any]:
    """A fresh copy of the extension context document served at :data:`MICROCRED_V1`."""
    return json.loads(_context_text())


class CredentialFormatError(InvalidInputError):
    """A document is not a well-formed micro-credential; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        count = len(self.problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"{where}not a valid micro-credential ({count} problem{'s' if count != 1 else ''}):\n"
                         f"{lines}")


# -- value types ------------------------------------------------------------------------------------------------

_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")

_NOT_EMPTY: Final = "must not be empty"


def _not_iri(value: Any) -> str:
    return f"{value!r} is not an absolute IRI (like a DID, https://… or urn:uuid:…)"


def _not_address(value: Any) -> str:
    return f"{value!r} is not an Ethereum address (0x and 40 hex digits)"


def _not_caip2(value: Any) -> str:
    return f"{value!r} is not a CAIP-2 chain id (like eip155:11155111)"


#: the characters ``str.isspace`` (and so ``str.strip`` and Python's ``\s``) takes for white space, as a regular
#: expression class: the native patterns below use it so that they accept exactly what ``str.strip`` and Python's
#: ``re`` accepted when these checks were Python validators (the Rust engine's ``\s`` leaves out U+001C to U+001F;
#: tests/registry/test_native_patterns.py holds the Python checks and compares)
_SPACE: Final = "\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def native_pattern(pattern: str, message: Callable[[Any], str]) -> StringConstraints:
    """A string constraint checked by pydantic's own (Rust) regular expressions, its mismatch reported as
    ``message(value)`` (:data:`~microcred.registry.credential._annex.PATTERN_MESSAGES`): the same check as a Python
    validator, without a call into Python for each value (a credential has dozens)."""
    PATTERN_MESSAGES[pattern] = message
    return StringConstraints(pattern=pattern)


def _language(value: str) -> str:
    if not _LANGUAGE.fullmatch(value):
        raise ValueError(f"{value!r} is not a BCP 47 language tag (like en or de-AT)")
    return value


def _non_negative_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number, not {value!r}")
    if value < 0 or value != value:
        raise ValueError(f"must not be negative, got {value!r}")
    return value


def _status_index(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {value!r}")
    if not 0 <= value <= MAX_STATUS_INDEX:
        raise ValueError(f"must be from 0 to {MAX_STATUS_INDEX}, got {value}")
    return value


def _types(*required: str, any_of: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """A check that ``type`` (a string or a list of strings) includes ``required`` and one of ``any_of``."""

    wanted, wanted_any = set(required), set(any_of)
    usual = [*required, *any_of[:1]]  # what microcred writes

    def check(value: Any) -> Any:
        if value == usual:
            return value
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names or not all(isinstance(n, str) for n in names):
            raise ValueError(f"must be a type name or a list of them, not {value!r}")
        if not wanted.issubset(names):
            lacking = [r for r in required if r not in names]
            raise ValueError(f"must include {', '.join(map(repr, lacking))}, got {value!r}")
        if any_of and wanted_any.isdisjoint(names):
            raise ValueError(f"must include one of {', '.join(map(repr, any_of))}, got {value!r}")
        return value

    return check


def _exactly(expected: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value != expected:
            raise ValueError(f"must be {expected!r}, not {value!r}")
        return value

    return check


def _one_of(options: tuple[str, ...]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if value not in options:
            raise ValueError(f"must be one of {', '.join(options)}; not {value!r}")
        return value

    return check


_CONTEXT_LIST: Final = list(CONTEXTS)


def _contexts(value: Any) -> Any:
    if value == _CONTEXT_LIST:  # what microcred writes
        return value
    if not isinstance(value, list) or not value:
        raise ValueError(f"must be a list of contexts starting with {CREDENTIALS_V2!r}")
    if value[0] != CREDENTIALS_V2:
        raise ValueError(f"must start with {CREDENTIALS_V2!r}, not {value[0]!r}")
    lacking = [c for c in (OB_V3P0, MICROCRED_V1) if c not in value]
    if lacking:
        raise ValueError(f"must include {', '.join(map(repr, lacking))}")
    return value


#: text with something besides white space
Text = Annotated[str, native_pattern(f"[^{_SPACE}]", lambda _value: _NOT_EMPTY)]
#: an absolute IRI (``$`` ends only the whole text in the Rust engine)
Iri = Annotated[str, native_pattern(f'^[A-Za-z][A-Za-z0-9+.-]*:[^{_SPACE}<>"{{}}|\\\\^`]+$', _not_iri)]
DateTimeStamp = Annotated[str, AfterValidator(check_datetime)]
Date = Annotated[str, AfterValidator(check_date)]
#: an activity date: a dateTimeStamp as OB 3.0's schema asks, or a date as its context types it (older credentials)
ActivityDate = Annotated[str, AfterValidator(check_date_or_datetime)]
Duration = Annotated[str, AfterValidator(check_duration)]
CountryCode = Annotated[str, AfterValidator(check_country_code)]
EthAddress = Annotated[str, native_pattern("^0x[0-9a-fA-F]{40}$", _not_address)]
ChainId = Annotated[str, native_pattern("^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$", _not_caip2)]
Language = Annotated[str, AfterValidator(_language)]
NonNegativeNumber = Annotated[Any, AfterValidator(_non_negative_number)]
StatusIndex = Annotated[Any, AfterValidator(_status_index)]


# -- models -----------------------------------------------------------------------------------------------------


class _Node(BaseModel):
    """Base of every node: camelCase aliases, strict JSON types, unknown members kept (OB allows extensions)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True, extra="allow")

    def to_json(self) -> dict[str, Any]:
        """The JSON object: camelCase keys, no ``None`` values."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class _Remembered:
    """Models validated before, by their JSON text: the credentials of one course share one achievement and one
    issuer profile, so a verifier of 1,000 of them validates each once (the achievement is a third of the format
    check's time). Only what validated is kept, so every problem is still found and reported; at most
    :attr:`SIZE` are remembered. ``made(value, model)``: called once for each model made from a JSON object (what
    else is to be remembered with it)."""

    SIZE = 256

    def __init__(self, made: Callable[[dict, Any], None] | None = None) -> None:
        self._models: dict[bytes, Any] = {}
        self._lock = threading.Lock()
        self._made = made

    def validate(self, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if type(value) is not dict:
            return handler(value)
        try:
            key = orjson.dumps(value)
        except TypeError:  # not JSON (a key that is not text, a NaN...): validated, never remembered
            return handler(value)
        found = self._models.get(key)
        if found is None:
            found = handler(value)
            if self._made is not None:
                self._made(value, found)
            with self._lock:
                if len(self._models) >= self.SIZE:
                    self._models.clear()
                self._models[key] = found
        return found


def _with_its_problems(value: dict, achievement: Any) -> None:
    achievement._problems = tuple(achievement_problems(value))


#: an achievement is remembered with its cross-field problems (ECTS or hours, EQF level), found once
_ACHIEVEMENTS: Final = _Remembered(_with_its_problems)
_PROFILES: Final = _Remembered()


class IdentityObject(_Node):
    """OB 3.0 IdentityObject: identifies the learner when there is no DID (a name, a hashed e-mail, …).

    ``identity_hash`` is the plain value when ``hashed`` is false, else ``sha256$<hex of sha256(value + salt)>``.
    """

    type_: Literal["IdentityObject"] = Field("IdentityObject", alias="type")
    identity_hash: Text
    identity_type: Text
    hashed: bool
    salt: str | None = None


class Address(_Node):
    """OB 3.0 Address of the awarding body: ``addressCountryCode`` (ISO 3166-1 alpha-2) and region."""

    type_: Annotated[Any, AfterValidator(_types("Address"))] = Field(default_factory=lambda: ["Address"],
                                                                      alias="type")
    address_country_code: CountryCode
    address_region: Text | None = None
    address_locality: Text | None = None
    address_country: Text | None = None


class Profile(_Node):
    """OB 3.0 Profile of the issuer (awarding body): its DID, names and address."""

    @model_validator(mode="wrap")
    @classmethod
    def _remembered(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return _PROFILES.validate(value, handler)

    id: Iri
    type_: Annotated[Any, AfterValidator(_types("Profile"))] = Field(default_factory=lambda: ["Profile"],
                                                                      alias="type")
    name: Text
    legal_name: Text | None = None
    address: Address
    url: Iri | None = None
    email: Text | None = None


class Alignment(_Node):
    """OB 3.0 Alignment: to an ESCO skill (learning outcomes) or an EQF level (targetFramework EQF)."""

    type_: Annotated[Any, AfterValidator(_types("Alignment"))] = Field(default_factory=lambda: ["Alignment"],
                                                                        alias="type")
    target_name: Text
    target_url: Iri
    target_code: Text | None = None
    target_framework: Text | None = None
    target_type: Text | None = None
    target_description: Text | None = None


class Criteria(_Node):
    """OB 3.0 Criteria: ``narrative`` holds the learning outcomes (Markdown)."""

    id: Iri | None = None
    narrative: Text


class ResultDescription(_Node):
    """OB 3.0 ResultDescription: the grading scheme of the achievement."""

    id: Iri
    type_: Annotated[Any, AfterValidator(_types("ResultDescription"))] = Field(
        default_factory=lambda: ["ResultDescription"], alias="type")
    name: Text
    result_type: Text
    allowed_value: list[str] | None = None


class Result(_Node):
    """OB 3.0 Result: the grade achieved."""

    type_: Annotated[Any, AfterValidator(_types("Result"))] = Field(default_factory=lambda: ["Result"],
                                                                     alias="type")
    value: Text | None = None
    result_description: Iri | None = None
    status: Text | None = None




class Achievement(_Node):
    """OB 3.0 Achievement with ``achievementType`` MicroCredential: the course-level Annex I elements."""

    @model_validator(mode="wrap")
    @classmethod
    def _remembered(cls, value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        return _ACHIEVEMENTS.validate(value, handler)

    #: :func:`~microcred.registry.credential._annex.achievement_problems` of the JSON object this was validated
    #: from (``None`` when it was not validated from one)
    _problems: tuple[Problem, ...] | None = PrivateAttr(default=None)

    id: Iri
    type_: Annotated[Any, AfterValidator(_types("Achievement"))] = Field(default_factory=lambda: ["Achievement"],
                                                                          alias="type")
    achievement_type: Annotated[Any, AfterValidator(_exactly(ACHIEVEMENT_TYPE))] = ACHIEVEMENT_TYPE
    name: Text
    description: Text
    criteria: Criteria
    credits_available: NonNegativeNumber | None = None
    workload: Duration | None = None
    alignment: list[Alignment] | None = None
    level_not_applicable: bool | None = None
    assessment_type: Text
    participation_form: Annotated[Any, AfterValidator(_one_of(PARTICIPATION_FORMS))]
    quality_assurance: Text
    prerequisites: Text | None = None
    supervision: Annotated[Any, AfterValidator(_one_of(SUPERVISION_OPTIONS))] | None = None
    stackability: Annotated[Any, AfterValidator(_one_of(STACKABILITY_OPTIONS))] | None = None
    stackable_towards: Text | None = None
    further_information: Text | None = None
    result_description: list[ResultDescription] | None = None
    field_of_study: Text | None = None
    in_language: Language | None = None
    human_code: Text | None = None


class AchievementSubject(_Node):
    """OB 3.0 AchievementSubject: the learner (DID and/or identifiers), the achievement, the grade."""

    id: Iri | None = None
    type_: Annotated[Any, AfterValidator(_types("AchievementSubject"))] = Field(
        default_factory=lambda: ["AchievementSubject"], alias="type")
    identifier: list[IdentityObject] | None = None
    achievement: Achievement
    result: list[Result] | None = None
    activity_start_date: ActivityDate | None = None
    activity_end_date: ActivityDate | None = None
    credits_earned: NonNegativeNumber | None = None


class RegistryStatusEntry(_Node):
    """The status entry of the on-chain registry: chain (CAIP-2), registry and issuer account, index. Written as
    a ``BitstringStatusListEntry`` carrying these (one OB 3.0 status object); ``MicrocredRegistryEntry2026`` in
    credentials issued before."""

    type_: Annotated[Any, AfterValidator(_one_of((STATUS_ENTRY_TYPE, "BitstringStatusListEntry")))] = Field(
        STATUS_ENTRY_TYPE, alias="type")
    id: Iri | None = None
    chain: ChainId
    registry: EthAddress
    issuer_account: EthAddress
    status_index: StatusIndex


class BitstringStatusListEntry(_Node):
    """A W3C Bitstring Status List entry, beside the registry entry, for verifiers that do not read chains
    (``microcred status export`` publishes the list it points to)."""

    type_: Annotated[Any, AfterValidator(_exactly("BitstringStatusListEntry"))] = Field(
        "BitstringStatusListEntry", alias="type")
    id: Iri | None = None
    status_purpose: Text
    status_list_index: Text
    status_list_credential: Iri


class _RegistryListEntry(RegistryStatusEntry, BitstringStatusListEntry):
    """The one status object ``issue`` writes: a registry entry that is also a Bitstring Status List entry (its
    list members from :class:`BitstringStatusListEntry`), each member checked in one validation. ``issue`` writes it
    with the list entry's type, which the registry entry's ``type`` accepts too."""


class MicroCredential(_Node):
    """A micro-credential: VC 2.0 + Open Badges 3.0 + the microcred extension, with every Annex I element."""

    context: Annotated[Any, AfterValidator(_contexts)] = Field(default_factory=lambda: list(CONTEXTS),
                                                               alias="@context")
    id: Iri
    type_: Annotated[Any, AfterValidator(_types("VerifiableCredential", any_of=("OpenBadgeCredential",
                                                                                "AchievementCredential")))] = \
        Field(default_factory=lambda: list(CREDENTIAL_TYPES), alias="type")
    issuer: Profile
    valid_from: DateTimeStamp
    valid_until: DateTimeStamp | None = None
    awarded_date: DateTimeStamp | None = None
    name: Text
    description: Text | None = None
    credential_subject: AchievementSubject
    credential_status: SerializeAsAny[RegistryStatusEntry]  # dumped with the members of what was validated
    proof: Any = None

    @field_validator("credential_status", mode="before")
    @classmethod
    def _registry_entry_of_a_list(cls, value: Any) -> Any:
        """A list of status entries holds exactly one registry entry (the model keeps it) and may hold Bitstring
        Status List entries, each checked here."""
        if (type(value) is dict or isinstance(value, Mapping)) and value.get("type") == "BitstringStatusListEntry":
            try:  # what `issue` writes, checked once; otherwise each part is checked on its own, for its own words
                return _RegistryListEntry.model_validate(value)
            except ValidationError:
                pass
            try:
                BitstringStatusListEntry.model_validate(value)
            except ValidationError as exc:
                raise ValueError(f"is a malformed BitstringStatusListEntry ({exc.error_count()} problem(s): "
                                 f"{exc.errors()[0]['msg']})") from None
        if not isinstance(value, list):
            return value
        from microcred.registry.credential._documents import is_registry_entry

        registry = [v for v in value if is_registry_entry(v)]
        if len(registry) != 1:
            raise ValueError(f"must hold exactly one {STATUS_ENTRY_TYPE} entry, not {len(registry)}")
        for other in value:
            if other is registry[0]:
                continue
            if not isinstance(other, Mapping) or other.get("type") != "BitstringStatusListEntry":
                raise ValueError("may hold, beside the registry entry, only BitstringStatusListEntry entries")
            try:
                BitstringStatusListEntry.model_validate(other)
            except ValidationError as exc:
                raise ValueError(f"has a malformed BitstringStatusListEntry ({exc.error_count()} problem(s): "
                                 f"{exc.errors()[0]['msg']})") from None
        return registry[0]

    @classmethod
    def parse(cls, doc: Any, *, source: str | None = None) -> MicroCredential:
        """The model of ``doc``, or :class:`CredentialFormatError` listing every problem of the document."""
        if type(doc) is not dict and not isinstance(doc, Mapping):
            raise CredentialFormatError([Problem("", "a credential must be a JSON object")], source)
        problems: list[Problem] = []
        model: MicroCredential | None = None
        try:
            model = cls.model_validate(doc)
        except ValidationError as exc:
            problems = problems_from_pydantic(exc.errors(include_url=False))
        # (read from the private attributes themselves: pydantic's __getattr__ for them costs a microsecond)
        known = None if model is None else \
            (model.credential_subject.achievement.__pydantic_private__ or {}).get("_problems")
        problems += cross_field_problems(doc, of_achievement=known)
        if problems or model is None:
            raise CredentialFormatError(_ordered(problems), source)
        return model

    @property
    def status_index(self) -> int:
        return int(self.credential_status.status_index)


def _ordered(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.element if p.element is not None else 99, p.path))


def validate_microcredential(doc: Any) -> list[Problem]:
    """Every problem of ``doc`` as a micro-credential (empty when it is well-formed), ordered by Annex I element.

    Each names the element in plain words and its JSON path: missing elements, wrong JSON types, invalid dates,
    country codes that are not ISO 3166-1 alpha-2, EQF levels outside 1-8, negative ECTS, a malformed status entry.
    """
    try:
        MicroCredential.parse(doc)
    except CredentialFormatError as exc:
        return exc.problems
    return []


def format_problems(doc: Any) -> list[str]:
    """:func:`validate_microcredential` as plain strings: the ``format`` checker of the verifier."""
    return [str(p) for p in validate_microcredential(doc)]
