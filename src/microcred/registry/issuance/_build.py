"""Building credentials: one unsigned micro-credential per learner from the issuer profile and the course template;
readable file names.

Part of batch issuance: see :mod:`microcred.registry.issuance._batch`.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import os
import re
import secrets
import unicodedata
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from microcred.registry.credential._annex import (
    EQF_FRAMEWORK,
    EQF_URL_PREFIX,
    QF_EHEA_FRAMEWORK,
)
from microcred.registry.credential._model import (
    ACHIEVEMENT_TYPE,
    CONTEXTS,
    CREDENTIAL_TYPES,
)
from microcred.registry.issuance._common import _iso
from microcred.registry.issuance._issuer import IssuerProfile
from microcred.registry.issuance._learners import Learner
from microcred.registry.issuance._template import CourseTemplate
from microcred.registry.status._entry import registry_status_entry

__all__ = [
    "build_credential",
    "learner_name",
]


# -- building credentials ---------------------------------------------------------------------------------------


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
        self.chain, self.registry, self.account = chain, registry, account
        self.status_list_url = getattr(profile, "status_list_url", None)

    def _status(self, index: int) -> dict[str, Any]:
        """The one status object (:func:`microcred.registry.status.registry_status_entry`)."""
        return registry_status_entry(chain=self.chain, registry=self.registry, issuer_account=self.account,
                                     index=index, base_url=self.status_list_url)

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
        # OB 3.0's JSON Schema (and its examples) write activity dates as date-times: midnight UTC of the day
        if learner.start_date:
            subject["activityStartDate"] = f"{learner.start_date}T00:00:00Z"
        subject["activityEndDate"] = f"{learner.completion_date}T00:00:00Z"
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
            doc["validUntil"] = _iso(_add_period(issued_at.astimezone(UTC).replace(microsecond=0),
                                                 v.years, v.months))
        return doc


def build_credential(profile: IssuerProfile, template: CourseTemplate, learner: Learner, *, index: int,
                     credential_id: str | None = None, issued_at: datetime, salt: str | None = None) -> dict[str, Any]:
    """One unsigned micro-credential for ``learner`` (the batch path builds the course-level parts only once)."""
    return _Builder(profile, template).build(
        learner, credential_id=credential_id or f"urn:uuid:{uuid.uuid4()}", index=index, issued_at=issued_at,
        salt=salt)


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
