"""A microcred micro-credential (OB 3.0) → a European Digital Credential (ELM v3, EDC application profile).

Every Annex I element goes to its ELM home (``docs/annex-i-mapping.md``, column ELM)::

    credentialSubject (Person)                       1 learner: fullName, identifier[], contactPoint.emailAddress
      hasClaim (LearningAchievement)                 2 title
        awardedBy (AwardingProcess)
          awardingBody (Organisation)                4 awarding body; location.address.countryCode = 3 country
          awardingDate                               5 date of issuing (also validFrom)
        specifiedBy (Qualification)
          learningOutcome[] (+ relatedESCOSkill)     6 learning outcomes, ESCO skills
          creditPoint (ECTS), volumeOfLearning       7 notional workload
          eqfLevel                                   8 level
          mode                                      10 form of participation
          entryRequirement                          12 prerequisites
          isPartialQualification, additionalNote    15 integration/stackability
          additionalNote (microcred note subjects)  11 quality assurance, 16 further information (or
                                                       supplementaryDocument when it is a URL)
          provenBy (LearningAssessmentSpecification) 9 type of assessment (description), grading scheme
        provenBy (LearningAssessment, if graded)
          grade                                     14 grade achieved
          idVerification                            13 supervision and identity verification (without a
                                                       grade: an additionalNote of the specification)
    identifier[] (schemeName "microcred …")         link back: credential id, digest, chain, registry, root …

The credential is validated as a micro-credential first; a missing element is the usual
:class:`~microcred.registry.credential.CredentialFormatError` naming it.
"""

from __future__ import annotations

import base64
import html
import re
import uuid
from typing import Any
from collections.abc import Mapping

from microcred.registry.credential import (
    EQF_FRAMEWORK,
    CredentialFormatError,
    anchor_proofs,
    credential_digest,
    is_registry_entry,
    validate_microcredential,
)
from microcred.registry.europass import _vocab as v

__all__ = ["to_edc"]

_URL = re.compile(r"https?://\S+")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _urn(base: str, part: str) -> str:
    return "urn:epass:" + part + ":" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base}#{part}"))


def _note(base: str, subject: str, text: str, lang: str) -> dict[str, Any]:
    return {"id": _urn(base, "note-" + subject.rsplit("/", 1)[1]), "type": "Note",
            "subject": v.concept(subject, v.NOTE_SCHEME, v.NOTE_LABELS[subject], lang), "noteLiteral": {lang: text}}


def _registry_entry(doc: Mapping[str, Any]) -> dict[str, Any] | None:
    for entry in _as_list(doc.get("credentialStatus")):
        if is_registry_entry(entry):
            return entry
    return None


def _link(doc: Mapping[str, Any], base: str) -> list[dict[str, Any]]:
    """Identifiers that let an EDC reader find the original credential and its ledger proof."""
    values: dict[str, Any] = {"credentialId": doc["id"], "digest": "sha256:" + credential_digest(dict(doc)).hex()}
    entry = _registry_entry(doc) or {}
    for key in ("chain", "registry", "issuerAccount", "statusIndex"):
        if key in entry:
            values[key] = entry[key]
    anchors = anchor_proofs(dict(doc))
    if anchors:
        anchor = anchors[0]
        for key in ("merkleRoot", "transactionHash", "blockNumber"):
            if key in anchor:
                values[key] = anchor[key]
    return [{"id": _urn(base, "link-" + key), "type": "Identifier", "schemeName": v.LINK_PREFIX + key,
             "notation": str(value)} for key, value in values.items()]


def _link_text(doc: Mapping[str, Any]) -> str:
    entry = _registry_entry(doc) or {}
    anchors = anchor_proofs(dict(doc))
    text = f"Exported from the microcred credential {doc['id']}"
    if entry:
        text += f", status index {entry.get('statusIndex')} in registry {entry.get('registry')} on {entry.get('chain')}"
    if anchors:
        a = anchors[0]
        text += (f"; anchored under Merkle root {a.get('merkleRoot')} (transaction {a.get('transactionHash')}, "
                 f"block {a.get('blockNumber')})")
    else:
        text += "; not anchored when exported"
    return text + "."


def _organisation(issuer: Mapping[str, Any], lang: str) -> dict[str, Any]:
    address = issuer.get("address") or {}
    location_address: dict[str, Any] = {"id": _urn(issuer["id"], "address"), "type": "Address",
                                        "countryCode": v.country_concept(address["addressCountryCode"])}
    location: dict[str, Any] = {"id": _urn(issuer["id"], "location"), "type": "Location",
                                "address": location_address}
    if address.get("addressRegion"):
        location["geographicName"] = {lang: address["addressRegion"]}
    org: dict[str, Any] = {"id": issuer["id"], "type": "Organisation",
                           "legalName": {lang: issuer.get("legalName") or issuer["name"]},
                           "location": location}
    if issuer.get("name") and issuer.get("name") != org["legalName"][lang]:
        org["altLabel"] = {lang: issuer["name"]}
    if issuer.get("url"):
        org["homepage"] = {"id": _urn(issuer["id"], "homepage"), "type": "WebResource", "contentURL": issuer["url"]}
    return org


def _person(subject: Mapping[str, Any], base: str, lang: str) -> dict[str, Any]:
    person: dict[str, Any] = {"id": subject.get("id") or _urn(base, "person"), "type": "Person"}
    identifiers: list[dict[str, Any]] = []
    for i, ident in enumerate(_as_list(subject.get("identifier"))):
        kind, value, hashed = ident.get("identityType"), ident.get("identityHash"), ident.get("hashed")
        if kind == "name" and not hashed:
            person["fullName"] = {lang: value}
            continue
        if kind == "emailAddress" and not hashed:
            person["contactPoint"] = {"id": _urn(base, "contact"), "type": "ContactPoint",
                                      "emailAddress": {"id": f"mailto:{value}", "type": "Mailbox"}}
            continue
        scheme = {"sisSourcedId": "Student ID", "nationalIdentityNumber": "National identity number",
                  "emailAddress": "E-mail address"}.get(kind, str(kind))
        if hashed:
            scheme = f"{scheme}, hashed (OB 3.0 IdentityObject {kind}, salt {ident.get('salt', '')})"
        identifiers.append({"id": _urn(base, f"identifier-{i}"), "type": "Identifier", "schemeName": scheme,
                            "notation": value})
    if identifiers:
        person["identifier"] = identifiers if len(identifiers) > 1 else identifiers[0]
    return person


def _outcomes(ach: Mapping[str, Any], base: str, lang: str) -> list[dict[str, Any]]:
    narrative = (ach.get("criteria") or {}).get("narrative", "")
    items = [line[2:].strip() for line in narrative.splitlines() if line.startswith("- ")]
    if not items and narrative.strip():
        items = [narrative.strip()]
    out = [{"id": _urn(base, f"outcome-{i}"), "type": "LearningOutcome", "title": {lang: text}}
           for i, text in enumerate(items)]
    for i, alignment in enumerate(_as_list(ach.get("alignment"))):
        if alignment.get("targetFramework") == "ESCO" or str(alignment.get("targetUrl", "")).startswith(
                "http://data.europa.eu/esco/"):
            name = alignment.get("targetName") or alignment["targetUrl"]
            out.append({"id": _urn(base, f"skill-{i}"), "type": "LearningOutcome", "title": {lang: name},
                        "relatedESCOSkill": v.concept(alignment["targetUrl"], v.ESCO_SKILL_SCHEME, name, lang)})
    return out


def _mode(form: str, lang: str) -> dict[str, Any]:
    if form in v.MODES:
        iri, label = v.MODES[form]
        return v.concept(iri, v.LEARNING_ASSESSMENT_SCHEME, label, lang)
    return v.concept(f"{v.PARTICIPATION_SCHEME}/{form}", v.PARTICIPATION_SCHEME, form.replace("-", " "), lang)


def _supervision(value: str, lang: str) -> dict[str, Any]:
    if value in v.SUPERVISIONS:
        iri, label = v.SUPERVISIONS[value]
        return v.concept(iri, v.SUPERVISION_VERIFICATION_SCHEME, label, lang)
    return v.concept(f"{v.SUPERVISION_SCHEME}/{value}", v.SUPERVISION_SCHEME, value.replace("-", " "), lang)


def _qualification(ach: Mapping[str, Any], base: str, lang: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": ach["id"], "type": "Qualification", "title": {lang: ach["name"]}}
    if ach.get("stackability"):
        spec["isPartialQualification"] = ach["stackability"] == "stackable"
    if ach.get("description"):
        spec["description"] = {lang: ach["description"]}
    if ach.get("humanCode"):
        spec["identifier"] = {"id": _urn(base, "course-code"), "type": "Identifier", "schemeName": "course code",
                              "notation": ach["humanCode"]}
    narrative = (ach.get("criteria") or {}).get("narrative")
    if narrative:
        spec["learningOutcomeSummary"] = {"id": _urn(base, "outcome-summary"), "type": "Note",
                                          "noteLiteral": {lang: narrative}}
    outcomes = _outcomes(ach, base, lang)
    if outcomes:
        spec["learningOutcome"] = outcomes
    if ach.get("creditsAvailable") is not None:
        spec["creditPoint"] = {"id": _urn(base, "credit"), "type": "CreditPoint",
                               "framework": v.concept(v.ECTS, v.EDUCATION_CREDIT_SCHEME,
                                                      "European Credit Transfer System", lang),
                               "point": _number(ach["creditsAvailable"])}
    if ach.get("workload"):
        spec["volumeOfLearning"] = ach["workload"]
    notes: list[dict[str, Any]] = []
    for alignment in _as_list(ach.get("alignment")):
        if alignment.get("targetFramework") == EQF_FRAMEWORK:
            code = alignment["targetCode"]
            spec["eqfLevel"] = v.concept(v.EQF_PREFIX + code, v.EQF_SCHEME, f"EQF level {code}", lang,
                                         notation=code)
        elif alignment.get("targetFramework") == "QF-EHEA":
            notes.append(_note(base, v.NOTE_QF_EHEA, alignment["targetCode"], lang))
    if ach.get("levelNotApplicable"):
        notes.append(_note(base, v.NOTE_LEVEL_NOT_APPLICABLE, "not applicable", lang))
    if ach.get("participationForm"):
        spec["mode"] = _mode(ach["participationForm"], lang)
    if ach.get("prerequisites"):
        spec["entryRequirement"] = {"id": _urn(base, "entry-requirement"), "type": "Note",
                                    "noteLiteral": {lang: ach["prerequisites"]}}
    if ach.get("qualityAssurance"):
        notes.append(_note(base, v.NOTE_QUALITY_ASSURANCE, ach["qualityAssurance"], lang))
    if ach.get("stackability"):
        notes.append(_note(base, v.NOTE_STACKABILITY, ach["stackability"], lang))
    if ach.get("stackableTowards"):
        notes.append(_note(base, v.NOTE_STACKABLE_TOWARDS, ach["stackableTowards"], lang))
    further = ach.get("furtherInformation")
    if further and _URL.fullmatch(further):
        spec["supplementaryDocument"] = {"id": _urn(base, "further-information"), "type": "WebResource",
                                         "contentURL": further, "title": {lang: "Further information"}}
    elif further:
        notes.append(_note(base, v.NOTE_FURTHER_INFORMATION, further, lang))
    if ach.get("fieldOfStudy"):
        notes.append(_note(base, v.NOTE_FIELD_OF_STUDY, ach["fieldOfStudy"], lang))
    if ach.get("inLanguage"):
        language = v.language_concept(ach["inLanguage"])
        if language is not None:
            spec["language"] = language
    if notes:
        spec["additionalNote"] = notes
    return spec


def _number(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def _assessment_spec(ach: Mapping[str, Any], base: str, lang: str) -> dict[str, Any]:
    spec: dict[str, Any] = {"id": _urn(base, "assessment-spec"), "type": "LearningAssessmentSpecification",
                            "title": {lang: f"Assessment: {ach['name']}"},
                            "description": {lang: ach["assessmentType"]}}
    descriptions = _as_list(ach.get("resultDescription"))
    if descriptions:
        d = descriptions[0]
        text = f"result type: {d.get('resultType')}"
        if d.get("allowedValue"):
            text += "; allowed values: " + " | ".join(d["allowedValue"])
        spec["gradingScheme"] = {"id": d.get("id") or _urn(base, "grading"), "type": "GradingScheme",
                                 "title": {lang: d.get("name", "grading scheme")}, "description": {lang: text}}
    return spec


def _assessment(ach: Mapping[str, Any], subject: Mapping[str, Any], spec: dict[str, Any], base: str,
                lang: str) -> dict[str, Any] | None:
    """The learner's assessment (a claim: its grade and how it was supervised), when there is a grade; ELM
    requires a grade of every LearningAssessment."""
    results = _as_list(subject.get("result"))
    if not results or results[0].get("value") is None:
        return None
    assessment: dict[str, Any] = {"id": _urn(base, "assessment"), "type": "LearningAssessment",
                                  "title": {lang: f"Assessment: {ach['name']}"}, "specifiedBy": spec,
                                  "grade": {"id": _urn(base, "grade"), "type": "Note",
                                            "noteLiteral": {lang: results[0]["value"]}}}
    if ach.get("supervision"):
        assessment["idVerification"] = _supervision(ach["supervision"], lang)
    return assessment


def _svg(doc: Mapping[str, Any], person: Mapping[str, Any], lang: str) -> str:
    """A plain certificate picture (SVG, base64) for the EDC display: the title, the learner, the awarding body."""
    def esc(text: Any) -> str:
        return html.escape(str(text), quote=True)

    ach = doc["credentialSubject"]["achievement"]
    lines = [(40, 28, doc.get("name") or ach["name"]),
             (110, 18, (person.get("fullName") or {}).get(lang, "")),
             (160, 16, doc["issuer"].get("legalName") or doc["issuer"]["name"]),
             (200, 14, f"Issued {doc['validFrom'][:10]} - {doc['id']}")]
    texts = "".join(f'<text x="40" y="{y}" font-family="sans-serif" font-size="{size}">{esc(t)}</text>'
                    for y, size, t in lines if t)
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="800" height="240" viewBox="0 0 800 240">'
           f'<rect width="800" height="240" fill="#ffffff" stroke="#003399" stroke-width="4"/>{texts}</svg>')
    return base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _display(doc: Mapping[str, Any], person: Mapping[str, Any], base: str, lang: str) -> dict[str, Any]:
    language = v.language_concept(lang) or v.language_concept("en")
    image = {"id": _urn(base, "display-image"), "type": "MediaObject", "content": _svg(doc, person, lang),
             "contentEncoding": v.concept(v.BASE64, v.ENCODING_SCHEME, "base64", lang),
             "contentType": v.concept(f"{v.FILE_TYPE_SCHEME}/SVG", v.FILE_TYPE_SCHEME, "SVG", lang,
                                      notation="file-type")}
    return {"id": _urn(base, "display"), "type": "DisplayParameter",
            "title": {lang: doc.get("name") or doc["credentialSubject"]["achievement"]["name"]},
            "description": {lang: _link_text(doc)}, "primaryLanguage": language, "language": language,
            "individualDisplay": {"id": _urn(base, "individual-display"), "type": "IndividualDisplay",
                                  "language": language,
                                  "displayDetail": {"id": _urn(base, "display-detail"), "type": "DisplayDetail",
                                                    "image": image, "page": 1}}}


def to_edc(doc: Mapping[str, Any], *, legal_identifier: tuple[str, str] | None = None) -> dict[str, Any]:
    """The European Digital Credential (unsigned JSON-LD, EDC application profile) of a microcred micro-credential.

    :param legal_identifier: ``(notation, ISO 3166-1 alpha-2 country)`` of the awarding body's eIDAS legal
        identifier. A microcred issuer profile holds none; the EDC shapes (``EDC-generic-no-cv``) require one for
        the issuer, so without it the export conforms to ``EDC-generic-full`` but lacks ``eIDASIdentifier``.
    :raises CredentialFormatError: ``doc`` is not a valid micro-credential (each problem names its Annex I element).
    """
    problems = validate_microcredential(doc)
    if problems:
        raise CredentialFormatError(problems, "the credential to export")
    v.register_edc_contexts()
    base = str(doc["id"])
    subject = doc["credentialSubject"]
    ach = subject["achievement"]
    lang = (ach.get("inLanguage") or "en").split("-")[0].lower()
    issuer = _organisation(doc["issuer"], lang)
    if legal_identifier is not None:
        notation, country = legal_identifier
        issuer["eIDASIdentifier"] = {"id": _urn(base, "eidas"), "type": "LegalIdentifier", "notation": notation,
                                     "spatial": v.country_concept(country)}
    awarded = doc.get("awardedDate") or doc["validFrom"]
    awarding = {"id": _urn(base, "awarding"), "type": "AwardingProcess", "awardingBody": issuer,
                "awardingDate": awarded}
    assessment_spec = _assessment_spec(ach, base, lang)
    qualification = _qualification(ach, base, lang)
    qualification["provenBy"] = assessment_spec
    assessment = _assessment(ach, subject, assessment_spec, base, lang)
    if assessment is None and ach.get("supervision"):
        # no grade, so no LearningAssessment to carry idVerification: a note on the specification says it
        qualification.setdefault("additionalNote", []).append(
            _note(base, v.NOTE_SUPERVISION, ach["supervision"], lang))
    claim: dict[str, Any] = {
        "id": _urn(base, "achievement"), "type": "LearningAchievement", "title": {lang: ach["name"]},
        "awardedBy": awarding, "specifiedBy": qualification,
    }
    if assessment is not None:
        assessment["awardedBy"] = awarding
        claim["provenBy"] = assessment
    if ach.get("description"):
        claim["description"] = {lang: ach["description"]}
    if subject.get("activityEndDate"):
        period: dict[str, Any] = {"id": _urn(base, "period"), "type": "PeriodOfTime",
                                  "endDate": _midnight(subject["activityEndDate"])}
        if subject.get("activityStartDate"):
            period["startDate"] = _midnight(subject["activityStartDate"])
        claim["influencedBy"] = {"id": _urn(base, "activity"), "type": "LearningActivity",
                                 "title": {lang: ach["name"]}, "temporal": period, "awardedBy": awarding}
    person = _person(subject, base, lang)
    person["hasClaim"] = claim
    edc: dict[str, Any] = {
        "@context": list(v.EDC_CONTEXTS),
        "id": "urn:credential:" + str(uuid.uuid5(uuid.NAMESPACE_URL, base + "#edc")),
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
        "credentialProfiles": v.concept(v.GENERIC_PROFILE, v.CREDENTIAL_SCHEME, "Generic", lang),
        "displayParameter": _display(doc, person, base, lang),
        "credentialSchema": {"id": v.EDC_SCHEMA, "type": "ShaclValidator2017"},
        "identifier": _link(doc, base),
        "credentialSubject": person,
        "issuer": issuer,
        "issuanceDate": doc["validFrom"],
        "issued": doc["validFrom"],
        "validFrom": doc["validFrom"],
    }
    if doc.get("validUntil"):
        edc["validUntil"] = doc["validUntil"]
    return edc


def _midnight(value: str) -> str:
    """An activity date as ELM's dateTime: microcred writes midnight UTC already; older credentials a date."""
    return value if "T" in value else f"{value}T00:00:00Z"
