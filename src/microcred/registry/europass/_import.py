"""A European Digital Credential (ELM v3) → the equivalent microcred micro-credential (OB 3.0), issued anew.

Reading is separate from issuing. :func:`read_edc` maps an EDC (plain JSON-LD, or the payload of a JAdES seal) onto
what the issuance library takes — a course template (:class:`~microcred.registry.issuance.CourseTemplate` keys) and
one learner row — plus what has no place in either (hashed learner identifiers carried verbatim, the provenance of
the EDC as OB 3.0 ``evidence``). Everything of the EDC that is not mapped is listed in :attr:`ElmReading.unmapped`
with its JSON path; nothing is dropped silently.

Annex I elements the EDC lacks can be given in a *supplement* (a JSON object with course template keys): it fills
only what the EDC leaves empty. A mandatory element that is still missing is the same named
:class:`~microcred.registry.issuance.TemplateError` a course template gets (``quality assurance ... missing at
quality_assurance``); a learner the EDC does not identify is a :class:`~microcred.registry.issuance.LearnerFileError`.

:func:`import_edc` then issues the credential with :func:`~microcred.registry.issuance.issue_batch` under the issuer
profile's DID (crash-safe, one status index, resumable), dated with the EDC's awarding date (Annex I element 5).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Callable, Mapping

from microcred.errors import InvalidInputError
from microcred.registry.credential import CredentialFormatError, validate_microcredential
from microcred.registry.europass import _vocab as v
from microcred.registry.issuance import (
    BatchResult,
    CourseTemplate,
    IndexAllocator,
    IssuerProfile,
    Learner,
    Sign,
    issue_batch,
    parse_learners,
    parse_template,
)

__all__ = ["ElmReading", "NotAnEdcError", "Unmapped", "annex_i_content", "import_edc", "load_edc", "read_edc",
           "unwrap"]


class NotAnEdcError(InvalidInputError):
    """The document is not a European Digital Credential (nor a JAdES seal around one)."""


@dataclass(frozen=True)
class Unmapped:
    """One part of the EDC that has no place in the microcred credential: its JSON path and why."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class ElmReading:
    """What an EDC says, in the issuance library's terms."""

    edc_id: str
    #: course template keys (``title``, ``learning_outcomes``, ``ects`` …), supplement applied
    template_data: dict[str, Any]
    #: one learner row (``name``, ``did``, ``email``, ``student_id``, ``national_id``, ``completion_date`` …)
    learner_data: dict[str, Any]
    #: the awarding date (Annex I element 5); None when the EDC gives none
    issued_at: datetime | None
    #: OB 3.0 IdentityObjects the EDC holds already hashed (carried verbatim into the credential)
    hashed_identifiers: list[dict[str, Any]] = field(default_factory=list)
    #: OB 3.0 ``evidence`` entry naming the source EDC, its awarding body and any link back to microcred
    evidence: dict[str, Any] = field(default_factory=dict)
    unmapped: list[Unmapped] = field(default_factory=list)
    #: assumptions made while mapping (a default chosen, a value converted), in plain words
    notes: list[str] = field(default_factory=list)
    source: str = "EDC"
    #: the EDC's awarding body (Annex I element 4) and its ISO 3166-1 country (element 3), as the EDC names them;
    #: the imported credential is awarded by the importing issuer and names these in its evidence
    awarding_body: str | None = None
    awarding_country: str | None = None

    def template(self) -> CourseTemplate:
        """The course template, or :class:`TemplateError` naming every missing or invalid Annex I element."""
        return parse_template(self.template_data, source=self.source)

    def learner(self, template: CourseTemplate | None = None) -> Learner:
        """The learner row, or :class:`LearnerFileError` (e.g. no identifier the issuance library accepts)."""
        row = json.dumps(self.learner_data, ensure_ascii=False)
        return parse_learners(row, fmt="jsonl", source=self.source, template=template)[0]


# -- reading JSON-LD ---------------------------------------------------------------------------------------------


def load_edc(path: str | Path) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """``(edc, seal)`` from a file: the EDC itself and, when the file is a JAdES JWS JSON serialisation, the seal."""
    from microcred.registry.credential import load_credential

    doc = load_credential(Path(path))
    return unwrap(doc, source=str(path))


def unwrap(doc: Mapping[str, Any], *, source: str = "the document") -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The EDC inside ``doc`` (a JWS JSON serialisation carries it as its ``payload``) and the seal, if any."""
    if "payload" in doc and "signatures" in doc:
        try:
            text = doc["payload"]
            try:
                edc = json.loads(text)
            except ValueError:  # "b64": true (the default): the payload is base64url-encoded
                edc = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        except (TypeError, ValueError, binascii.Error) as exc:
            raise NotAnEdcError(f"{source}: the seal's payload is not a JSON document ({exc})") from None
        return _checked(edc, source), dict(doc)
    return _checked(dict(doc), source), None


def _checked(edc: Any, source: str) -> dict[str, Any]:
    types = edc.get("type") if isinstance(edc, dict) else None
    if not isinstance(edc, dict) or "EuropeanDigitalCredential" not in (types if isinstance(types, list) else [types]):
        raise NotAnEdcError(f"{source}: not a European Digital Credential (type EuropeanDigitalCredential)")
    if v.EDC_CONTEXT not in (edc.get("@context") or []):
        raise NotAnEdcError(f"{source}: the EDC does not name the EDC context {v.EDC_CONTEXT}")
    return edc


_INDEX = re.compile(r"\[(\d+)\]")


def _resolve(doc: Any, path: str) -> Any:
    node = doc
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            index = int(part[1:-1])
            node = node[index] if isinstance(node, list) and index < len(node) else None
        elif isinstance(node, list) and len(node) == 1:
            node = node[0].get(part) if isinstance(node[0], dict) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
        if node is None:
            return None
    return node


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?"
                       r"(?:(\d+(?:\.\d+)?)S)?)?")


def _hours(duration: str) -> float | None:
    """Hours of an ISO 8601 duration, or None if it has years or months (whose length in hours is not fixed)."""
    m = _DURATION.fullmatch(duration or "")
    if not m or duration in ("P", "PT"):
        return None
    years, months, weeks, days, hours, minutes, seconds = m.groups()
    if years or months:
        return None
    total = (float(weeks or 0) * 7 + float(days or 0)) * 24 + float(hours or 0) + float(minutes or 0) / 60 + \
        float(seconds or 0) / 3600
    return int(total) if total.is_integer() else round(total, 2)


def _when(value: Any, notes: list[str], what: str) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        notes.append(f"{what} {value} has no time zone: UTC assumed")
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


class _Reader:
    """Reads paths of the EDC and remembers which parts it used, to list the rest."""

    def __init__(self, edc: dict[str, Any], lang: str) -> None:
        self.edc = edc
        self.lang = lang
        self.used: set[str] = set()
        self.unmapped: list[Unmapped] = []

    def get(self, path: str) -> Any:
        value = _resolve(self.edc, path)
        if value is not None:
            self.used.add(_canonical(self.edc, path))
        return value

    def peek(self, path: str) -> Any:
        return _resolve(self.edc, path)

    def text(self, path: str) -> str | None:
        """One text of a language map (the credential's language, else English, else the first)."""
        value = _resolve(self.edc, path)
        if isinstance(value, str):
            self.used.add(_canonical(self.edc, path))
            return value.strip() or None
        if not isinstance(value, dict) or not value:
            return None
        lang = self.lang if self.lang in value else ("en" if "en" in value else next(iter(value)))
        where = _canonical(self.edc, path)
        self.used.add(f"{where}.{lang}")
        for other in value:
            if other != lang:
                self.used.add(f"{where}.{other}")
                self.unmapped.append(Unmapped(f"{where}.{other}", f"the text in language {other!r}; the "
                                              f"credential keeps {lang!r} only"))
        text = value[lang]
        return text.strip() if isinstance(text, str) and text.strip() else None

    def leftovers(self) -> list[Unmapped]:
        out = list(self.unmapped)
        _walk(self.edc, "", self.used, out)
        return out


def _canonical(doc: Any, path: str) -> str:
    """``a.b.c`` with ``[0]`` inserted where the document has a one-element list (as :func:`_resolve` reads it)."""
    node, out = doc, ""
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        if part.startswith("["):
            out += part
            node = node[int(part[1:-1])] if isinstance(node, list) else None
            continue
        if isinstance(node, list) and len(node) == 1:
            out += "[0]"
            node = node[0]
        out += ("." if out else "") + part
        node = node.get(part) if isinstance(node, dict) else None
    return out


_IGNORED = frozenset({"id", "type", "@context", "inScheme", "notation"})


def _walk(node: Any, path: str, used: set[str], out: list[Unmapped]) -> bool:
    """Adds to ``out`` the parts under ``path`` nothing used; True when something under it was used."""
    if path in used:
        return True
    if isinstance(node, dict):
        children = {k: val for k, val in node.items() if k not in _IGNORED or (not path and k == "id")}
        if path and not any(p.startswith(path + ".") or p.startswith(path + "[") for p in used):
            if children:
                label = node.get("type") or "value"
                out.append(Unmapped(path, f"{label} not mapped (no place in the OB 3.0 credential)"))
            return False
        any_used = False
        pending: list[Unmapped] = []
        for key, value in children.items():
            any_used |= _walk(value, f"{path}.{key}" if path else key, used, pending)
        out.extend(pending)
        return any_used
    if isinstance(node, list):
        any_used = False
        for i, item in enumerate(node):
            any_used |= _walk(item, f"{path}[{i}]", used, out)
        return any_used
    out.append(Unmapped(path, f"{json.dumps(node, ensure_ascii=False)[:60]} not mapped"))
    return False


# -- the mapping -------------------------------------------------------------------------------------------------

_CS = "credentialSubject"
_CLAIM = "credentialSubject.hasClaim"
_HASHED = re.compile(r"^(?P<label>.+), hashed \(OB 3\.0 IdentityObject (?P<kind>\w+), salt (?P<salt>[^)]*)\)$")
_GRADING = re.compile(r"^result type: (?P<type>\w+)(?:; allowed values: (?P<values>.*))?$")
_RESULT_TYPES = ("GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel", "RawScore", "ScaledScore",
                 "Status")


def _concept_id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value if isinstance(value, str) else None


def _label(value: Any) -> str:
    labels = value.get("prefLabel") if isinstance(value, dict) else None
    if isinstance(labels, dict) and labels:
        return str(labels.get("en") or next(iter(labels.values())))
    return ""


def _participation(concept: Any) -> str | None:
    iri = _concept_id(concept) or ""
    for form, (known, _) in v.MODES.items():
        if iri == known:
            return form
    if iri.startswith(v.PARTICIPATION_SCHEME + "/"):
        return iri.rsplit("/", 1)[1]
    label = _label(concept).lower()
    for words, form in ((("blended", "hybrid"), "blended"), (("online", "distance", "e-learning"), "online"),
                        (("presential", "in person", "in-person", "onsite", "on-site", "face"), "onsite"),
                        (("work",), "work-experience"), (("volunteer",), "volunteering")):
        if any(w in label for w in words):
            return form
    return None


def _supervision(concept: Any) -> str | None:
    iri = _concept_id(concept) or ""
    for value, (known, _) in v.SUPERVISIONS.items():
        if iri == known:
            return value
    if iri.startswith(v.SUPERVISION_SCHEME + "/"):
        return iri.rsplit("/", 1)[1]
    label = _label(concept).lower()
    if not label:
        return None
    if label.startswith("unsupervised"):
        return "unsupervised-no-identity-verification"
    if "without" in label or "no id" in label:
        return "supervised-no-identity-verification"
    if "online" in label or "remote" in label:
        return "supervised-online-identity-verification"
    if "onsite" in label or "on-site" in label or "on site" in label or "person" in label:
        return "supervised-onsite-identity-verification"
    return None


def _preferred_language(edc: Mapping[str, Any]) -> str:
    primary = _concept_id(_resolve(edc, "displayParameter.primaryLanguage"))
    return (v.language_tag(primary) if primary else None) or "en"


def read_edc(edc: Mapping[str, Any], *, supplement: Mapping[str, Any] | None = None, source: str = "EDC",
             seal_summary: str | None = None) -> ElmReading:
    """Map an EDC onto a course template, a learner row and evidence (see the module docstring).

    Nothing is validated here beyond the mapping itself: :meth:`ElmReading.template` and
    :meth:`ElmReading.learner` raise the issuance library's named errors.
    """
    edc = _checked(dict(edc), source)
    lang = _preferred_language(edc)
    r = _Reader(edc, lang)
    notes: list[str] = []
    t: dict[str, Any] = {}
    claim_types = _as_list(r.peek(f"{_CLAIM}.type"))
    if len(_as_list(r.peek(_CLAIM))) > 1:
        notes.append("the EDC holds several claims: the first is imported, the others are listed as unmapped")
    claim = f"{_CLAIM}[0]" if isinstance(r.peek(_CLAIM), list) else _CLAIM
    if "LearningAchievement" not in claim_types:
        notes.append(f"the claim is a {claim_types[0] if claim_types else 'claim'}, not a LearningAchievement: its "
                     "elements are read as those of the micro-credential")
    spec = f"{claim}.specifiedBy"
    assessment = f"{claim}.provenBy"
    activity = f"{claim}.influencedBy"

    # 2 title, description
    t["title"] = r.text(f"{claim}.title") or r.text(f"{spec}.title")
    r.text(f"{spec}.title")
    description = r.text(f"{spec}.description") or r.text(f"{claim}.description") or \
        r.text(f"{activity}.description")
    if description is None and t["title"]:
        description = t["title"]
        notes.append("the EDC has no description: the title is used")
    t["description"] = description
    spec_id = r.peek(f"{spec}.id")
    if isinstance(spec_id, str) and spec_id.startswith(("http://", "https://")):
        t["id"] = r.get(f"{spec}.id")
    elif spec_id:
        notes.append(f"the specification id {spec_id} is local to the EDC: the course gets its own id")
    for i, ident in enumerate(_as_list(r.peek(f"{spec}.identifier"))):
        if isinstance(ident, dict) and ident.get("schemeName") == "course code":
            t["code"] = r.get(f"{spec}.identifier" + ("" if not isinstance(r.peek(f"{spec}.identifier"), list)
                                                      else f"[{i}]") + ".notation")

    # 6 learning outcomes and ESCO skills
    outcomes: list[str] = []
    skills: list[dict[str, str]] = []
    outcome_list = _as_list(r.peek(f"{spec}.learningOutcome"))
    for i, outcome in enumerate(outcome_list):
        p = f"{spec}.learningOutcome" + (f"[{i}]" if isinstance(r.peek(f"{spec}.learningOutcome"), list) else "")
        title = r.text(f"{p}.title")
        esco = _as_list(outcome.get("relatedESCOSkill")) if isinstance(outcome, dict) else []
        for j, skill in enumerate(esco):
            sp = f"{p}.relatedESCOSkill" + (f"[{j}]" if isinstance(outcome.get("relatedESCOSkill"), list) else "")
            iri = _concept_id(r.get(sp))
            if iri:
                skills.append({"name": _label(skill) or title or iri, "uri": iri})
        skill_only = len(esco) == 1 and title is not None and title == _label(esco[0])
        if title and not skill_only:
            outcomes.append(title)
    if not outcomes:
        summary = r.text(f"{spec}.learningOutcomeSummary.noteLiteral")
        if summary:
            items = [line[2:].strip() for line in summary.splitlines() if line.startswith("- ")]
            outcomes = items or [summary]
    else:
        r.text(f"{spec}.learningOutcomeSummary.noteLiteral")
    if outcomes:
        t["learning_outcomes"] = outcomes
    if skills:
        t["skills"] = skills

    # 7 notional workload
    for i in range(len(_as_list(r.peek(f"{spec}.creditPoint")))):
        p = f"{spec}.creditPoint" + (f"[{i}]" if isinstance(r.peek(f"{spec}.creditPoint"), list) else "")
        framework = r.peek(f"{p}.framework")
        if _concept_id(framework) == v.ECTS or "ects" in _label(framework).lower() or \
                "european credit transfer" in _label(framework).lower():
            try:
                points = float(str(r.peek(f"{p}.point")))
            except ValueError:
                continue
            t["ects"] = int(points) if points.is_integer() else points
            r.get(f"{p}.point")
            r.get(f"{p}.framework")
            break
    for path in (f"{spec}.volumeOfLearning", f"{claim}.workload", f"{activity}.workload",
                 f"{activity}.specifiedBy.volumeOfLearning"):
        duration = r.peek(path)
        if not isinstance(duration, str):
            continue
        hours = _hours(duration)
        if hours is None:
            notes.append(f"{path} = {duration} is not a whole number of hours (it counts months or years)")
            continue
        if hours > 0:
            t["workload_hours"] = hours
            r.get(path)
            break

    # 8 level
    eqf = _concept_id(r.peek(f"{spec}.eqfLevel"))
    if eqf and eqf.startswith(v.EQF_PREFIX) and eqf[len(v.EQF_PREFIX):].isdigit():
        t["eqf_level"] = int(eqf[len(v.EQF_PREFIX):])
        r.get(f"{spec}.eqfLevel")

    # notes microcred writes for elements ELM has no property for
    note_paths = f"{spec}.additionalNote"
    for i, note in enumerate(_as_list(r.peek(note_paths))):
        p = note_paths + (f"[{i}]" if isinstance(r.peek(note_paths), list) else "")
        subject = _concept_id(note.get("subject")) if isinstance(note, dict) else None
        key = {v.NOTE_QUALITY_ASSURANCE: "quality_assurance", v.NOTE_STACKABILITY: "stackability",
               v.NOTE_STACKABLE_TOWARDS: "stackable_towards", v.NOTE_FURTHER_INFORMATION: "further_information",
               v.NOTE_QF_EHEA: "qf_ehea_cycle", v.NOTE_FIELD_OF_STUDY: "field_of_study",
               v.NOTE_LEVEL_NOT_APPLICABLE: "level_not_applicable",
               v.NOTE_SUPERVISION: "supervision"}.get(subject or "")
        if key is None:
            continue
        text = r.text(f"{p}.noteLiteral")
        r.get(f"{p}.subject")
        t[key] = True if key == "level_not_applicable" else text

    # 9 type of assessment, 13 supervision, 14 grade: the specification of the assessment hangs from the claim's
    # assessment (the learner's, with the grade) and/or from the achievement's specification; both are read
    specs = [p for p in (f"{assessment}.specifiedBy", f"{spec}.provenBy") if r.peek(p) is not None]
    found_assessment = None
    for p in specs:
        text = r.text(f"{p}.description") or r.text(f"{p}.title") or _label(r.get(f"{p}.dcType")) or None
        r.text(f"{p}.title")
        found_assessment = found_assessment or text
    t["assessment"] = found_assessment or r.text(f"{assessment}.title")
    r.text(f"{assessment}.title")
    supervision = _supervision(r.peek(f"{assessment}.idVerification"))
    if supervision:
        t["supervision"] = supervision
        r.get(f"{assessment}.idVerification")
    grade = r.text(f"{assessment}.grade.noteLiteral") or (r.peek(f"{assessment}.grade")
                                                          if isinstance(r.peek(f"{assessment}.grade"), str) else None)
    for scheme in [f"{p}.gradingScheme" for p in specs if r.peek(f"{p}.gradingScheme") is not None][:1]:
        name = r.text(f"{scheme}.title") or "grading scheme"
        grading: dict[str, Any] = {"name": name}
        described = r.peek(f"{scheme}.description")
        m = _GRADING.match(r.text(f"{scheme}.description") or "") if described else None
        if m and m.group("type") in _RESULT_TYPES:
            grading["type"] = m.group("type")
            if m.group("values"):
                grading["allowed_values"] = [x.strip() for x in m.group("values").split(" | ")]
        else:
            if described:
                r.used.discard(f"{_canonical(edc, scheme)}.description.{lang}")
            numeric = grade is not None and re.fullmatch(r"\d+([.,]\d+)?", grade) is not None
            grading["type"] = "RawScore" if numeric else "Status"
            notes.append(f"the grading scheme names no OB 3.0 result type: {grading['type']} assumed")
        t["grading"] = grading
        for other in specs:  # the same scheme seen from the other place
            r.text(f"{other}.gradingScheme.title")
            if m:
                r.text(f"{other}.gradingScheme.description")

    # 10 form of participation
    for path in (f"{spec}.mode", f"{activity}.specifiedBy.mode"):
        form = _participation(r.peek(path))
        if form:
            t["participation"] = form
            r.get(path)
            break

    # 12 prerequisites
    prerequisites = r.text(f"{spec}.entryRequirement.noteLiteral")
    if prerequisites:
        t["prerequisites"] = prerequisites

    # 15 stackability
    partial = r.peek(f"{spec}.isPartialQualification")
    if "stackability" not in t and isinstance(partial, bool):
        t["stackability"] = "stackable" if partial else "standalone"
        notes.append(f"stackability read from isPartialQualification = {str(partial).lower()}")
    if isinstance(partial, bool):
        r.get(f"{spec}.isPartialQualification")

    # 16 further information
    if "further_information" not in t:
        docs = _as_list(r.peek(f"{spec}.supplementaryDocument"))
        for i in range(len(docs)):
            p = f"{spec}.supplementaryDocument" + (f"[{i}]" if len(docs) > 1 else "")
            url = r.get(f"{p}.contentURL")
            if url:
                t["further_information"] = url
                r.text(f"{p}.title")
                break
        if "further_information" not in t and r.peek(f"{spec}.homepage.contentURL"):
            t["further_information"] = r.get(f"{spec}.homepage.contentURL")

    # other OB 3.0 properties
    language = v.language_tag(_concept_id(r.peek(f"{spec}.language")) or "")
    if language:
        t["language"] = language
        r.get(f"{spec}.language")
    if "field_of_study" not in t:
        areas = [_label(a) for a in _as_list(r.peek(f"{spec}.thematicArea")) if _label(a)]
        if areas:
            t["field_of_study"] = "; ".join(areas)
            r.get(f"{spec}.thematicArea")

    # 5 date of issuing; validity
    awarded_raw = r.get(f"{claim}.awardedBy.awardingDate") or r.peek("validFrom")
    issued_at = _when(awarded_raw, notes, "the awarding date")
    if issued_at is None:
        issued_at = _when(r.peek("issued") or r.peek("issuanceDate"), notes, "the issuing date")
    for key in ("validFrom", "issued", "issuanceDate"):
        r.get(key)
    until = _when(r.peek("validUntil") or r.peek("expirationDate"), notes, "the end of validity")
    if until is not None and issued_at is not None:
        months = (until.year - issued_at.year) * 12 + until.month - issued_at.month
        if months > 0 and until.replace(year=issued_at.year, month=issued_at.month) == issued_at:
            t["validity"] = {"years": months // 12, "months": months % 12}
            r.get("validUntil") if r.peek("validUntil") else r.get("expirationDate")
        else:
            notes.append("the EDC's end of validity is not a whole number of months after issuing: not kept")

    # identifiers stay as the EDC holds them: what it shows in clear stays in clear, hashed ones are carried
    t["hash_identifiers"] = False

    # supplement: fills only what the EDC leaves empty
    given = {k: val for k, val in t.items() if val not in (None, "", [])}
    if supplement:
        for key, value in supplement.items():
            if key in given:
                notes.append(f"supplement {key!r} ignored: the EDC gives it")
            else:
                given[key] = value
                notes.append(f"{key} taken from the supplement")

    # 1 learner
    learner, hashed = _learner(r, claim, lang, notes)

    # 3, 4 awarding body: the importing issuer awards the new credential; the original is named in the evidence
    body = f"{claim}.awardedBy.awardingBody"
    body_name = r.text(f"{body}.legalName") or r.text(f"{body}.altLabel")
    body_country = v.country_alpha2(_concept_id(r.get(f"{body}.location.address.countryCode")) or "")
    issuer_name = r.text("issuer.legalName")
    r.get("issuer.location.address.countryCode")
    evidence = _evidence(r, edc, body_name, body_country, issuer_name, seal_summary)
    r.get("credentialSchema")
    r.get("credentialProfiles")
    r.text("displayParameter.title")
    unmapped = r.leftovers()
    return ElmReading(edc_id=str(edc.get("id", "")), template_data=given, learner_data=learner,
                      issued_at=issued_at, hashed_identifiers=hashed, evidence=evidence, unmapped=unmapped,
                      notes=notes, source=source, awarding_body=body_name, awarding_country=body_country)


def _learner(r: _Reader, claim: str, lang: str, notes: list[str]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    row: dict[str, Any] = {}
    name = r.text(f"{_CS}.fullName")
    if not name:
        given, family = r.text(f"{_CS}.givenName"), r.text(f"{_CS}.familyName")
        name = " ".join(x for x in (given, family) if x) or None
    else:
        r.text(f"{_CS}.givenName")
        r.text(f"{_CS}.familyName")
    if name:
        row["name"] = name
    person_id = r.peek(f"{_CS}.id")
    if isinstance(person_id, str) and re.fullmatch(r"did:[a-z0-9]+:[A-Za-z0-9._:%-]+", person_id):
        row["did"] = r.get(f"{_CS}.id")
    mail = _concept_id(r.peek(f"{_CS}.contactPoint.emailAddress"))
    if isinstance(mail, str) and mail.startswith("mailto:"):
        row["email"] = mail[len("mailto:"):]
        r.get(f"{_CS}.contactPoint.emailAddress")
    hashed: list[dict[str, Any]] = []
    idents = r.peek(f"{_CS}.identifier")
    for i, ident in enumerate(_as_list(idents)):
        p = f"{_CS}.identifier" + (f"[{i}]" if isinstance(idents, list) else "")
        scheme = str(ident.get("schemeName", "")) if isinstance(ident, dict) else ""
        notation = ident.get("notation") if isinstance(ident, dict) else None
        if not notation:
            continue
        m = _HASHED.match(scheme)
        if m:
            entry = {"type": "IdentityObject", "identityHash": notation, "identityType": m.group("kind"),
                     "hashed": True}
            if m.group("salt"):
                entry["salt"] = m.group("salt")
            hashed.append(entry)
            r.get(p)
        elif re.search(r"student", scheme, re.I) and "student_id" not in row:
            row["student_id"] = r.get(f"{p}.notation")
            r.get(f"{p}.schemeName")
        elif re.search(r"national", scheme, re.I) and "national_id" not in row:
            row["national_id"] = r.get(f"{p}.notation")
            r.get(f"{p}.schemeName")
    if "national_id" not in row and r.peek(f"{_CS}.nationalID.notation"):
        row["national_id"] = r.get(f"{_CS}.nationalID.notation")
        country = v.country_alpha2(_concept_id(r.peek(f"{_CS}.nationalID.spatial")) or "")
        if country:
            notes.append(f"the national id was issued in {country}; OB 3.0 keeps no country for it")
    completion = None
    for path in (f"{claim}.influencedBy.temporal.endDate", f"{claim}.temporal.endDate"):
        if r.peek(path):
            completion = str(r.get(path))[:10]
            start_path = path.replace("endDate", "startDate")
            if r.peek(start_path):
                row["start_date"] = str(r.get(start_path))[:10]
            break
    if completion is None:
        awarded = r.peek(f"{claim}.awardedBy.awardingDate") or r.peek("validFrom")
        if isinstance(awarded, str):
            completion = awarded[:10]
            notes.append("the EDC gives no end of the learning activity: the awarding date is the date of "
                         "completion")
    if completion:
        row["completion_date"] = completion
    grade = r.text(f"{claim}.provenBy.grade.noteLiteral")
    if grade:
        row["grade"] = grade
    if not any(k in row for k in ("did", "email", "student_id", "national_id")) and hashed:
        notes.append("the learner is identified only by hashed identifiers")
    return row, hashed


def _evidence(r: _Reader, edc: Mapping[str, Any], body: str | None, country: str | None, issuer: str | None,
              seal_summary: str | None) -> dict[str, Any]:
    r.get("id")
    parts = [f"Imported from the European Digital Credential {edc.get('id')}"]
    if body:
        parts.append(f"awarded by {body}" + (f" ({country})" if country else ""))
    if issuer and issuer != body:
        parts.append(f"issued by {issuer}")
    link: dict[str, str] = {}
    idents = r.peek("identifier")
    for i, ident in enumerate(_as_list(idents)):
        scheme = ident.get("schemeName", "") if isinstance(ident, dict) else ""
        if isinstance(scheme, str) and scheme.startswith(v.LINK_PREFIX):
            link[scheme[len(v.LINK_PREFIX):]] = str(ident.get("notation"))
            r.get("identifier" + (f"[{i}]" if isinstance(idents, list) else ""))
    if link:
        parts.append("which was exported from the microcred credential " + link.get("credentialId", "?") +
                     "; " + ", ".join(f"{k} {val}" for k, val in link.items() if k != "credentialId"))
    if seal_summary:
        parts.append(seal_summary)
    return {"id": str(edc.get("id")), "type": ["Evidence"], "name": "European Digital Credential (ELM v3)",
            "genre": "European Digital Credential", "narrative": "; ".join(parts) + "."}


# -- issuing -----------------------------------------------------------------------------------------------------


def _augment(reading: ElmReading) -> Callable[[dict[str, Any]], dict[str, Any]]:
    def augment(doc: dict[str, Any]) -> dict[str, Any]:
        doc = json.loads(json.dumps(doc))
        subject = doc["credentialSubject"]
        if reading.hashed_identifiers:
            subject["identifier"] = list(subject.get("identifier", [])) + \
                [dict(h) for h in reading.hashed_identifiers]
        if reading.evidence:
            doc["evidence"] = [dict(reading.evidence)]
        problems = validate_microcredential(doc)
        if problems:
            raise CredentialFormatError(problems, f"the credential imported from {reading.source}")
        return doc

    return augment


def import_edc(reading: ElmReading, profile: IssuerProfile, out_dir: str | Path, sign: Sign,
               allocator: IndexAllocator, *, progress: Callable[[int, int], None] | None = None) -> BatchResult:
    """Issue the micro-credential ``reading`` describes, under ``profile``'s DID, into ``out_dir``.

    The issuance library does the work (:func:`~microcred.registry.issuance.issue_batch`: index reservation,
    journal, atomic file); the credential is dated with the EDC's awarding date, carries the EDC's hashed learner
    identifiers and names the EDC in ``evidence``. Running it again with the same EDC and directory changes nothing.

    :raises TemplateError: an Annex I element is missing or invalid (same error as for a course template).
    :raises LearnerFileError: the EDC does not identify the learner.
    """
    template = reading.template()
    learner = reading.learner(template)
    if reading.issued_at is None:
        raise InvalidInputError(f"{reading.source}: date of issuing (Annex I element 5) missing at "
                                "credentialSubject.hasClaim.awardedBy.awardingDate and validFrom")
    augment = _augment(reading)

    def sign_imported(doc: dict[str, Any]) -> dict[str, Any]:
        return sign(augment(doc))

    return issue_batch(profile, template, [learner], out_dir, sign_imported, allocator, reading.issued_at,
                       progress=progress, source=reading.source)


def annex_i_content(doc: Mapping[str, Any]) -> dict[int, Any]:
    """The Annex I elements of a microcred credential as comparable values (element number → value), for
    checking that a round trip kept them. Ids, proofs and salts of freshly hashed identifiers play no part."""
    subject = doc.get("credentialSubject") or {}
    ach = subject.get("achievement") or {}
    issuer = doc.get("issuer") or {}
    address = issuer.get("address") or {}
    alignments = _as_list(ach.get("alignment"))
    identifiers = sorted((i.get("identityType"), bool(i.get("hashed")), i.get("identityHash"), i.get("salt"))
                         for i in _as_list(subject.get("identifier")))
    descriptions = [(d.get("name"), d.get("resultType"), tuple(d.get("allowedValue") or ()))
                    for d in _as_list(ach.get("resultDescription"))]
    return {
        1: (subject.get("id"), tuple(identifiers)),
        2: (doc.get("name"), ach.get("name")),
        3: (address.get("addressCountryCode"), address.get("addressRegion")),
        4: (issuer.get("id"), issuer.get("name"), issuer.get("legalName")),
        5: doc.get("validFrom"),
        6: ((ach.get("criteria") or {}).get("narrative"),
            tuple(sorted(a.get("targetUrl") for a in alignments if a.get("targetFramework") == "ESCO"))),
        7: (ach.get("creditsAvailable"), ach.get("workload")),
        8: (tuple(sorted((a.get("targetFramework"), a.get("targetCode")) for a in alignments
                         if a.get("targetFramework") != "ESCO")), ach.get("levelNotApplicable")),
        9: ach.get("assessmentType"),
        10: ach.get("participationForm"),
        11: ach.get("qualityAssurance"),
        12: ach.get("prerequisites"),
        13: ach.get("supervision"),
        14: (tuple(r.get("value") for r in _as_list(subject.get("result"))), tuple(descriptions)),
        15: (ach.get("stackability"), ach.get("stackableTowards")),
        16: ach.get("furtherInformation"),
    }
