"""The European Learning Model v3 vocabulary microcred reads and writes: contexts, concept schemes, concepts.

Concept URIs are taken only from the Commission's own material copied into ``tests/vectors/09-elm`` (the SHACL
shapes ``EDC-generic-full.ttl`` name the schemes; the EDC samples name the concepts). Where ELM has no concept
microcred knows for a value (the Annex I form of participation other than online, supervision, the notes that
carry the Annex I elements ELM has no property for), the concept lives in the microcred vocabulary
(``https://w3id.org/microcred/vocab/elm/...``), in a scheme of its own, so that a reader sees where it comes from.
The bundled JSON-LD context is registered with the offline loader on import of this module.
"""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Any, Final

import pycountry

from microcred.errors import ConfigError
from microcred.registry.credential import get_context, known_context_urls, register_context

__all__ = [
    "EDC_CONTEXT",
    "EDC_CONTEXTS",
    "EDC_SCHEMA",
    "VC_V1",
    "edc_context",
    "register_edc_contexts",
]

VC_V1: Final = "https://www.w3.org/2018/credentials/v1"
#: the JSON-LD context of the EDC application profile (bundled as ``contexts/edc-ap-context.jsonld``)
EDC_CONTEXT: Final = "http://data.europa.eu/snb/model/context/edc-ap"
EDC_CONTEXTS: Final = (VC_V1, EDC_CONTEXT)
#: the SHACL shapes an exported credential names in ``credentialSchema`` (and conforms to)
EDC_SCHEMA: Final = "http://data.europa.eu/snb/model/ap/edc-generic-full"

# -- concept schemes (EDC-generic-full.ttl) ----------------------------------------------------------------------
CREDENTIAL_SCHEME: Final = "http://data.europa.eu/snb/credential/25831c2"
#: the "Generic" credential profile (as in the Commission's Sample-CertOfPart)
GENERIC_PROFILE: Final = "http://data.europa.eu/snb/credential/e34929035b"
COUNTRY_SCHEME: Final = "http://publications.europa.eu/resource/authority/country"
LANGUAGE_SCHEME: Final = "http://publications.europa.eu/resource/authority/language"
EQF_SCHEME: Final = "http://data.europa.eu/snb/eqf/25831c2"
EQF_PREFIX: Final = "http://data.europa.eu/snb/eqf/"
ESCO_SKILL_SCHEME: Final = "http://data.europa.eu/esco/concept-scheme/skills"
LEARNING_ASSESSMENT_SCHEME: Final = "http://data.europa.eu/snb/learning-assessment/25831c2"
#: Europass modes (xsd/loq/cv/europass-modes.xsd of the ELM repository): Annex I form of participation → concept
MODES: Final = {
    "online": ("http://data.europa.eu/snb/learning-assessment/920fbb3cbe", "Online"),
    "onsite": ("http://data.europa.eu/snb/learning-assessment/9191af2ed9", "Presential"),
    "blended": ("http://data.europa.eu/snb/learning-assessment/e92d221e4d", "Blended"),
    "work-experience": ("http://data.europa.eu/snb/learning-assessment/729f3bed4b", "Workbased"),
}
EDUCATION_CREDIT_SCHEME: Final = "http://data.europa.eu/snb/education-credit/25831c2"
#: ECTS (xsd/loq/cv/credit-points.xsd; used by the Commission's Sample-MC-Annex1)
ECTS: Final = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
SUPERVISION_VERIFICATION_SCHEME: Final = "http://data.europa.eu/snb/supervision-verification/25831c2"
#: the one supervision concept the Commission's material names (Sample-MC-Annex1)
SUPERVISIONS: Final = {
    "unsupervised-no-identity-verification": ("http://data.europa.eu/snb/supervision-verification/c598449d64",
                                              "Unsupervised without ID Verification"),
}
ENCODING_SCHEME: Final = "http://data.europa.eu/snb/encoding/25831c2"
BASE64: Final = "http://data.europa.eu/snb/encoding/6146cde7dd"
FILE_TYPE_SCHEME: Final = "http://publications.europa.eu/resource/authority/file-type"

# -- microcred concepts ------------------------------------------------------------------------------------------
MC_ELM: Final = "https://w3id.org/microcred/vocab/elm/"
PARTICIPATION_SCHEME: Final = MC_ELM + "participation"
SUPERVISION_SCHEME: Final = MC_ELM + "supervision"
NOTE_SCHEME: Final = MC_ELM + "note"
#: note subjects: what an ``additionalNote`` carries (Annex I elements ELM has no property for)
NOTE_QUALITY_ASSURANCE: Final = NOTE_SCHEME + "/quality-assurance"
NOTE_STACKABILITY: Final = NOTE_SCHEME + "/stackability"
NOTE_STACKABLE_TOWARDS: Final = NOTE_SCHEME + "/stackable-towards"
NOTE_FURTHER_INFORMATION: Final = NOTE_SCHEME + "/further-information"
NOTE_LEVEL_NOT_APPLICABLE: Final = NOTE_SCHEME + "/level-not-applicable"
NOTE_QF_EHEA: Final = NOTE_SCHEME + "/qf-ehea-cycle"
NOTE_FIELD_OF_STUDY: Final = NOTE_SCHEME + "/field-of-study"
NOTE_SUPERVISION: Final = NOTE_SCHEME + "/supervision"
NOTE_LABELS: Final = {
    NOTE_QUALITY_ASSURANCE: "Type of quality assurance",
    NOTE_STACKABILITY: "Integration/stackability options",
    NOTE_STACKABLE_TOWARDS: "Stackable towards",
    NOTE_FURTHER_INFORMATION: "Further information",
    NOTE_LEVEL_NOT_APPLICABLE: "Level (EQF, QF-EHEA) not applicable",
    NOTE_QF_EHEA: "QF-EHEA cycle",
    NOTE_FIELD_OF_STUDY: "Field of study",
    NOTE_SUPERVISION: "Supervision and identity verification during assessment",
}
#: ``schemeName`` of the identifiers that link an exported EDC back to its microcred credential and anchor
LINK_PREFIX: Final = "microcred "
LINK_FIELDS: Final = ("credentialId", "digest", "chain", "registry", "issuerAccount", "statusIndex", "merkleRoot",
                      "transactionHash", "blockNumber")

_CONTEXT_DIR: Final = "contexts"


def _contexts_folder() -> Any:
    return resources.files("microcred.registry.europass") / _CONTEXT_DIR


def edc_context() -> dict[str, Any]:
    """A copy of the bundled EDC application profile context document (checked against its pinned sha256)."""
    folder = _contexts_folder()
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))["contexts"]
    entry = index[EDC_CONTEXT]
    raw = (folder / entry["file"]).read_bytes()
    if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
        raise ConfigError(f"bundled EDC context {entry['file']} does not match its pinned sha256 {entry['sha256']}: "
                          "the installation is damaged or was edited")
    document: dict[str, Any] = json.loads(raw)
    return document


def register_edc_contexts() -> None:
    """Serve the EDC context from the offline JSON-LD loader (idempotent)."""
    if EDC_CONTEXT not in known_context_urls():
        register_context(EDC_CONTEXT, edc_context())
    get_context(VC_V1)  # bundled by microcred.registry.credential; fails loudly if it is not


# -- concepts ----------------------------------------------------------------------------------------------------


def concept(iri: str, scheme: str, label: str | None = None, lang: str = "en",
            notation: str | None = None) -> dict[str, Any]:
    """A ``skos:Concept`` node as EDC writes it: id, type, ``inScheme`` (typed, as the CV shapes require)."""
    out: dict[str, Any] = {"id": iri, "type": "Concept", "inScheme": {"id": scheme, "type": "ConceptScheme"}}
    if notation:
        out["notation"] = notation
    if label:
        out["prefLabel"] = {lang: label}
    return out


def country_concept(alpha2: str) -> dict[str, Any]:
    """The EU authority table concept of an ISO 3166-1 alpha-2 code (``DE`` → ``.../country/DEU``)."""
    found = pycountry.countries.get(alpha_2=alpha2)
    if found is None:
        raise ValueError(f"{alpha2!r} is not an ISO 3166-1 alpha-2 country code")
    return concept(f"{COUNTRY_SCHEME}/{found.alpha_3}", COUNTRY_SCHEME, found.name, notation="country")


def country_alpha2(iri: str) -> str | None:
    """``.../country/BEL`` → ``BE`` (None when the IRI is not an EU authority country with an ISO code)."""
    if not isinstance(iri, str) or not iri.startswith(COUNTRY_SCHEME + "/"):
        return None
    found = pycountry.countries.get(alpha_3=iri.rsplit("/", 1)[1])
    return found.alpha_2 if found is not None else None


def language_concept(tag: str) -> dict[str, Any] | None:
    """The EU authority table concept of a BCP 47 primary language (``en`` → ``.../language/ENG``)."""
    primary = tag.split("-")[0].lower()
    found = pycountry.languages.get(alpha_2=primary) if len(primary) == 2 else \
        pycountry.languages.get(alpha_3=primary)
    if found is None:
        return None
    return concept(f"{LANGUAGE_SCHEME}/{found.alpha_3.upper()}", LANGUAGE_SCHEME, found.name, notation="language")


def language_tag(iri: str) -> str | None:
    """``.../language/ENG`` → ``en`` (the 3-letter code, lower case, when there is no 2-letter one)."""
    if not isinstance(iri, str) or not iri.startswith(LANGUAGE_SCHEME + "/"):
        return None
    code = iri.rsplit("/", 1)[1].lower()
    found = pycountry.languages.get(alpha_3=code)
    if found is None:
        return None
    return getattr(found, "alpha_2", None) or code
