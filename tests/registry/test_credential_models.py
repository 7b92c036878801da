"""Micro-credential models and Annex I validation; the extension context expands with no term dropped.

``tests/fixtures/valid_format_microcredential.json`` is a well-formed credential (built from ``examples/``) whose
proof value is a placeholder: it is valid in *format* only, which is what these tests check.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld

from microcred.errors import InvalidInputError
from microcred.registry.credential._annex import ANNEX_I_ELEMENTS, COUNTRY_CODES, Problem, element_for_path
from microcred.registry.credential._model import (
    CONTEXTS,
    MICROCRED_V1,
    OB_V3P0,
    Achievement,
    CredentialFormatError,
    Criteria,
    MicroCredential,
    format_problems,
    microcred_context,
    validate_microcredential,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ACH = "credentialSubject.achievement"


@pytest.fixture
def doc() -> dict[str, Any]:
    return json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = _parts(path)
    node: Any = doc
    for part in parents:
        node = node[part]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value


def _parts(path: str) -> list[Any]:
    out: list[Any] = []
    for piece in path.replace("]", "").split("."):
        name, *indexes = piece.split("[")
        out.append(name)
        out += [int(i) for i in indexes]
    return out


_DELETE = object()


def _eqf_position(doc: dict[str, Any]) -> int:
    alignments = doc["credentialSubject"]["achievement"]["alignment"]
    return next(i for i, a in enumerate(alignments) if a["targetFramework"] == "European Qualifications Framework")


# -- the valid document -----------------------------------------------------------------------------------------


def test_fixture_is_valid_and_round_trips(doc: dict[str, Any]) -> None:
    assert validate_microcredential(doc) == []
    model = MicroCredential.parse(doc)
    assert model.to_json() == doc  # nothing added, dropped or re-typed (5 stays 5, not 5.0)
    assert model.credential_subject.achievement.credits_available == 5
    assert model.issuer.address.address_country_code == "DE"
    assert model.status_index == 41


def test_models_take_snake_case_and_dump_camel_case() -> None:
    achievement = Achievement(
        id="urn:uuid:6f1c0a52-33c1-4f6e-8a55-3c2f0b7a9d10", name="Course", description="About it",
        criteria=Criteria(narrative="- outcome"), credits_available=2.5, assessment_type="exam",
        participation_form="online", quality_assurance="internal", level_not_applicable=True)
    data = achievement.to_json()
    assert data["creditsAvailable"] == 2.5 and data["assessmentType"] == "exam"
    assert data["achievementType"] == "MicroCredential" and data["type"] == ["Achievement"]
    assert "credits_available" not in data and "workload" not in data  # aliases, no None values
    assert Achievement.model_validate(data).to_json() == data


def test_optional_elements_may_be_left_out(doc: dict[str, Any]) -> None:
    achievement = doc["credentialSubject"]["achievement"]
    for key in ("prerequisites", "supervision", "stackability", "stackableTowards", "furtherInformation",
                "resultDescription"):
        del achievement[key]
    del doc["credentialSubject"]["result"]
    assert validate_microcredential(doc) == []


def test_workload_in_hours_is_enough_without_ects(doc: dict[str, Any]) -> None:
    del doc["credentialSubject"]["achievement"]["creditsAvailable"]
    assert validate_microcredential(doc) == []


def test_level_may_be_declared_not_applicable(doc: dict[str, Any]) -> None:
    alignments = doc["credentialSubject"]["achievement"]["alignment"]
    del alignments[_eqf_position(doc)]
    doc["credentialSubject"]["achievement"]["levelNotApplicable"] = True
    assert validate_microcredential(doc) == []


def test_a_learner_identified_by_identifiers_only_is_valid(doc: dict[str, Any]) -> None:
    del doc["credentialSubject"]["id"]
    assert validate_microcredential(doc) == []


# -- every Annex I element has a home and its absence is named --------------------------------------------------

MANDATORY_REMOVALS = [
    (1, ["credentialSubject.id", "credentialSubject.identifier"], "credentialSubject.identifier"),
    (2, ["name"], "name"),
    (3, ["issuer.address"], "issuer.address"),
    (4, ["issuer.name"], "issuer.name"),
    (5, ["validFrom"], "validFrom"),
    (6, [f"{ACH}.criteria.narrative"], f"{ACH}.criteria.narrative"),
    (7, [f"{ACH}.creditsAvailable", f"{ACH}.workload"], f"{ACH}.creditsAvailable"),
    (8, ["EQF"], f"{ACH}.alignment"),
    (9, [f"{ACH}.assessmentType"], f"{ACH}.assessmentType"),
    (10, [f"{ACH}.participationForm"], f"{ACH}.participationForm"),
    (11, [f"{ACH}.qualityAssurance"], f"{ACH}.qualityAssurance"),
]


@pytest.mark.parametrize(("element", "removals", "path"), MANDATORY_REMOVALS, ids=[f"e{e}" for e, *_ in
                                                                                   MANDATORY_REMOVALS])
def test_each_missing_mandatory_element_is_named(doc: dict[str, Any], element: int, removals: list[str],
                                                 path: str) -> None:
    for removal in removals:
        if removal == "EQF":
            del doc["credentialSubject"]["achievement"]["alignment"][_eqf_position(doc)]
        else:
            _set(doc, removal, _DELETE)
    problems = validate_microcredential(doc)
    assert [(p.element, p.path, p.missing) for p in problems] == [(element, path, True)]
    label = ANNEX_I_ELEMENTS[element].label
    assert str(problems[0]).startswith(f"{label} (Annex I element {element}) missing at {path}")


def test_the_mandatory_list_covers_elements_1_to_11() -> None:
    assert sorted(e for e, *_ in MANDATORY_REMOVALS) == list(range(1, 12))
    assert [n for n, e in ANNEX_I_ELEMENTS.items() if e.mandatory] == list(range(1, 12))
    assert [n for n, e in ANNEX_I_ELEMENTS.items() if not e.mandatory] == list(range(12, 17))


OPTIONAL_MALFORMED = [
    (12, f"{ACH}.prerequisites", 5, "must be text"),
    (13, f"{ACH}.supervision", "proctored", "must be one of unsupervised-no-identity-verification"),
    (14, "credentialSubject.result[0].value", 1.3, "must be text"),
    (15, f"{ACH}.stackability", "maybe", "must be one of standalone, stackable"),
    (16, f"{ACH}.furtherInformation", ["a"], "must be text"),
]


@pytest.mark.parametrize(("element", "path", "value", "message"), OPTIONAL_MALFORMED,
                         ids=[f"e{e}" for e, *_ in OPTIONAL_MALFORMED])
def test_each_malformed_optional_element_is_named(doc: dict[str, Any], element: int, path: str, value: Any,
                                                  message: str) -> None:
    _set(doc, path, value)
    problems = validate_microcredential(doc)
    assert len(problems) == 1, problems
    assert problems[0].element == element and problems[0].path == path
    assert f"(Annex I element {element}) invalid at {path}: {message}" in str(problems[0])


def test_every_element_has_a_path() -> None:
    homes = {element_for_path(p) for p in (
        "credentialSubject.identifier[0].identityHash", "name", "issuer.address.addressCountryCode", "issuer.name",
        "validFrom", f"{ACH}.criteria.narrative", f"{ACH}.creditsAvailable", f"{ACH}.levelNotApplicable",
        f"{ACH}.assessmentType", f"{ACH}.participationForm", f"{ACH}.qualityAssurance", f"{ACH}.prerequisites",
        f"{ACH}.supervision", "credentialSubject.result[0].value", f"{ACH}.stackability",
        f"{ACH}.furtherInformation")}
    assert homes == set(range(1, 17))


# -- malformed values -------------------------------------------------------------------------------------------

MALFORMED = [
    ("issuer.address.addressCountryCode", "XX", 3, "'XX' is not an ISO 3166-1 alpha-2 country code"),
    ("issuer.address.addressCountryCode", "de", 3, "write it in capitals: 'DE'"),
    ("issuer.address.addressCountryCode", "EL", 3, "ISO 3166-1 writes 'GR'"),
    ("issuer.address.addressCountryCode", 276, 3, "must be text, not a number"),
    ("issuer.id", "not an iri", 4, "is not an absolute IRI"),
    ("validFrom", "2026-02-30T10:00:00Z", 5, "is not a real date and time"),
    ("validFrom", "2026-03-02T10:00:00", 5, "with a time zone"),
    ("validFrom", "yesterday", 5, "is not a date and time"),
    ("awardedDate", 20260302, 5, "must be text"),
    (f"{ACH}.creditsAvailable", -5, 7, "must not be negative"),
    (f"{ACH}.creditsAvailable", "5", 7, "must be a number"),
    (f"{ACH}.creditsAvailable", True, 7, "must be a number"),
    (f"{ACH}.workload", "125 hours", 7, "is not an ISO 8601 duration"),
    (f"{ACH}.alignment[EQF].targetCode", "9", 8, "the EQF level must be a whole number from 1 to 8"),
    (f"{ACH}.alignment[EQF].targetCode", "0", 8, "from 1 to 8"),
    (f"{ACH}.alignment[EQF].targetUrl", "http://data.europa.eu/snb/eqf/5", 8, "does not name EQF level 6"),
    (f"{ACH}.criteria.narrative", "   ", 6, "must not be empty"),
    (f"{ACH}.criteria", "write a DMP", 6, "must be an object, not text"),
    (f"{ACH}.alignment[0].targetUrl", "esco skill", 6, "is not an absolute IRI"),
    (f"{ACH}.participationForm", "hybrid", 10, "must be one of online, onsite, blended"),
    ("credentialSubject.identifier[0].hashed", "no", 1, "must be true or false"),
    ("credentialSubject.identifier", {"type": "IdentityObject"}, 1, "must be a list"),
    ("credentialSubject.id", "learner 7", 1, "is not an absolute IRI"),
    ("credentialSubject.activityEndDate", "27.02.2026", None, "is not a date"),
    ("credentialStatus.statusIndex", -1, None, "must be from 0 to"),
    ("credentialStatus.statusIndex", "3", None, "must be a whole number"),
    ("credentialStatus.statusIndex", 2**64, None, "must be from 0 to"),
    ("credentialStatus.registry", "0x1234", None, "is not an Ethereum address"),
    ("credentialStatus.chain", "sepolia", None, "is not a CAIP-2 chain id"),
    ("credentialStatus.type", "StatusList2021Entry", None,
     "must be one of MicrocredRegistryEntry2026, BitstringStatusListEntry"),
    ("type", ["VerifiableCredential"], None, "must include one of 'OpenBadgeCredential'"),
    ("@context", [OB_V3P0, CONTEXTS[0], MICROCRED_V1], None, "must start with"),
    ("@context", list(CONTEXTS[:2]), None, "must include 'https://w3id.org/microcred/v1'"),
    (f"{ACH}.achievementType", "Badge", None, "must be 'MicroCredential'"),
    ("validUntil", "2026-03-01T00:00:00Z", None, "is not after validFrom"),
]


@pytest.mark.parametrize(("path", "value", "element", "message"), MALFORMED,
                         ids=[f"{p}={v!r}" for p, v, *_ in MALFORMED])
def test_malformed_values_are_named(doc: dict[str, Any], path: str, value: Any, element: int | None,
                                    message: str) -> None:
    path = path.replace("[EQF]", f"[{_eqf_position(doc)}]")
    _set(doc, path, value)
    problems = validate_microcredential(doc)
    assert len(problems) == 1, problems
    problem = problems[0]
    assert problem.path == path and problem.element == element and not problem.missing
    assert message in problem.message
    assert str(problem).endswith(f"invalid at {path}: {problem.message}")
    if element is not None:
        assert f"(Annex I element {element})" in str(problem)


def test_all_problems_are_reported_at_once_in_plain_words(doc: dict[str, Any]) -> None:
    _set(doc, "issuer.address.addressCountryCode", "XX")
    _set(doc, f"{ACH}.creditsAvailable", -1)
    _set(doc, f"{ACH}.alignment[{_eqf_position(doc)}].targetCode", "9")
    _set(doc, f"{ACH}.criteria", _DELETE)
    _set(doc, "validFrom", "2026-13-01T00:00:00Z")
    _set(doc, "credentialStatus.statusIndex", -3)
    _set(doc, "name", 5)
    with pytest.raises(CredentialFormatError) as caught:
        MicroCredential.parse(doc, source="badge.json")
    error = caught.value
    assert isinstance(error, InvalidInputError) and isinstance(error, ValueError)
    assert [p.element for p in error.problems] == [2, 3, 5, 6, 7, 8, None]
    text = str(error)
    assert text.startswith("badge.json: not a valid micro-credential (7 problems):")
    assert "learning outcomes (Annex I element 6) missing at credentialSubject.achievement.criteria" in text
    for raw in ("Input should", "pydantic", "type=", "For further information", "value_error"):
        assert raw not in text
    assert format_problems(doc) == [str(p) for p in error.problems]


@pytest.mark.parametrize("document", [None, [], "a credential", 42])
def test_a_non_object_is_one_problem(document: Any) -> None:
    assert validate_microcredential(document) == [Problem("", "a credential must be a JSON object")]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_value_anywhere_gives_problems_never_an_exception(data: st.DataObject) -> None:
    base = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    paths = list(_leaf_paths(base))
    path = data.draw(st.sampled_from(paths))
    value = data.draw(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                                   lambda inner: st.lists(inner, max_size=3)
                                   | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=6))
    doc = copy.deepcopy(base)
    _set_parts(doc, path, value)
    problems = validate_microcredential(doc)
    assert all(isinstance(p, Problem) and str(p) for p in problems)


def _leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _leaf_paths(value, (*prefix, i))
    if prefix:
        yield prefix


def _set_parts(doc: Any, parts: tuple[Any, ...], value: Any) -> None:
    for part in parts[:-1]:
        doc = doc[part]
    doc[parts[-1]] = value


def test_country_codes_are_the_249_of_iso_3166_1() -> None:
    assert len(COUNTRY_CODES) == 249
    assert {"DE", "GR", "GB", "AT", "FR", "IE", "AX", "SS"} <= COUNTRY_CODES
    assert not {"EL", "UK", "EU", "XX", "de"} & COUNTRY_CODES


# -- JSON-LD: the extension context is bundled and drops no term ------------------------------------------------

CONTEXT_FILES = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
}


@pytest.fixture
def loader(vectors_dir: Path):  # type: ignore[no-untyped-def]
    documents = {url: json.loads((vectors_dir / "02-contexts" / name).read_text(encoding="utf-8"))
                 for url, name in CONTEXT_FILES.items()}
    documents[MICROCRED_V1] = microcred_context()

    def load(url: str, options: Any = None) -> dict[str, Any]:
        if url not in documents:
            raise AssertionError(f"the test loader has no {url}: nothing may come from the network")
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(documents[url])}

    return load


def _options(loader: Any) -> dict[str, Any]:
    return {"documentLoader": loader, "processingMode": "json-ld-1.1"}


def _input_properties(node: Any) -> int:
    """Properties of the compact document, not counting @context, id and type (which are keywords)."""
    if isinstance(node, list):
        return sum(_input_properties(v) for v in node)
    if not isinstance(node, dict):
        return 0
    return sum((k not in ("@context", "id", "type")) + _input_properties(v) for k, v in node.items()
               if k != "@context")


def _expanded_properties(node: Any, iris: set[str]) -> int:
    if isinstance(node, list):
        return sum(_expanded_properties(v, iris) for v in node)
    if not isinstance(node, dict):
        return 0
    count = 0
    for key, value in node.items():
        if not key.startswith("@"):
            iris.add(key)
            count += 1
        elif key == "@type" and "@value" not in node:
            iris.update(value if isinstance(value, list) else [value])
        if key not in ("@value", "@type", "@id", "@language"):
            count += _expanded_properties(value, iris)
    return count


def _assert_nothing_dropped(doc: dict[str, Any], loader: Any) -> set[str]:
    expanded = jsonld.expand(doc, _options(loader))
    iris: set[str] = set()
    assert _expanded_properties(expanded, iris) == _input_properties(doc)
    relative = sorted(i for i in iris if not i.startswith(("https://", "http://", "urn:", "did:")))
    assert relative == [], f"terms that did not expand to absolute IRIs: {relative}"
    return iris


def _anchored(doc: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    out["proof"] = [out["proof"], {
        "type": "MicrocredAnchorProof2026", "proofPurpose": "assertionMethod", "created": "2026-03-02T09:31:00Z",
        "chain": "eip155:11155111", "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "issuerAccount": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7", "merkleRoot": "0x" + "ab" * 32,
        "merklePath": ["0x" + "01" * 32, "0x" + "02" * 32], "transactionHash": "0x" + "cd" * 32,
        "blockNumber": 1234}]
    return out


def test_full_credential_expands_with_no_term_dropped(doc: dict[str, Any], loader: Any) -> None:
    iris = _assert_nothing_dropped(doc, loader)
    vocab = "https://w3id.org/microcred/vocab#"
    for term in ("workload", "assessmentType", "participationForm", "qualityAssurance", "prerequisites",
                 "supervision", "stackability", "stackableTowards", "furtherInformation", "chain", "registry",
                 "issuerAccount", "statusIndex", "MicrocredRegistryEntry2026"):
        assert vocab + term in iris, term
    assert "https://schema.org/legalName" in iris


def test_anchored_credential_and_level_flag_expand_too(doc: dict[str, Any], loader: Any) -> None:
    doc["credentialSubject"]["achievement"]["levelNotApplicable"] = False
    iris = _assert_nothing_dropped(_anchored(doc), loader)
    assert "https://w3id.org/microcred/vocab#merklePath" in iris
    assert "https://w3id.org/microcred/vocab#levelNotApplicable" in iris


def test_the_check_catches_an_undefined_term(doc: dict[str, Any], loader: Any) -> None:
    doc["credentialSubject"]["achievement"]["notionalHours"] = 125  # defined nowhere: pyld drops it
    with pytest.raises(AssertionError):
        _assert_nothing_dropped(doc, loader)


def test_credential_canonicalises_with_rdfc(doc: dict[str, Any], loader: Any) -> None:
    nquads = jsonld.normalize(_anchored(doc), {**_options(loader), "algorithm": "URDNA2015",
                                              "format": "application/n-quads"})
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert f'<https://w3id.org/microcred/vocab#statusIndex> "41"^^<{xsd}nonNegativeInteger>' in nquads
    assert '<https://w3id.org/microcred/vocab#workload> "PT125H"^^<http://www.w3.org/2001/XMLSchema#duration>' \
        in nquads
    assert "<https://w3id.org/microcred/vocab#participationForm> \"blended\"" in nquads


def test_context_is_bundled_protected_and_versioned() -> None:
    context = microcred_context()["@context"]
    assert context["@protected"] is True and context["@version"] == 1.1
    assert context["MicrocredRegistryEntry2026"]["@context"]["statusIndex"]["@id"].startswith("https://w3id.org/")
    assert microcred_context() is not microcred_context()  # callers may register or mutate their own copy


def test_the_one_status_object_and_a_list_entry_without_its_list(doc: dict[str, Any]) -> None:
    """The status object `issue` writes (a list entry carrying the registry coordinates) is valid; a list entry
    without its list, or whose list index is not its registry index, is named."""
    from microcred.registry.credential import status_entry
    from microcred.registry.status import registry_status_entry

    old = doc["credentialStatus"]
    doc["credentialStatus"] = registry_status_entry(chain=old["chain"], registry=old["registry"],
                                                    issuer_account=old["issuerAccount"], index=old["statusIndex"])
    assert validate_microcredential(doc) == []
    assert status_entry(doc)["statusIndex"] == old["statusIndex"]
    doc["credentialStatus"]["statusListIndex"] = "0"
    with pytest.raises(InvalidInputError, match="statusListIndex '0' is not its statusIndex 41"):
        status_entry(doc)
    del doc["credentialStatus"]["statusListCredential"]
    (problem,) = validate_microcredential(doc)
    assert problem.path == "credentialStatus" and "is a malformed BitstringStatusListEntry" in problem.message


def test_the_one_status_object_is_checked_once_and_kept_whole(doc: dict[str, Any]) -> None:
    """The status object `issue` writes is validated in one pass, as registry entry and list entry at once; its
    model dumps every member back. Should one part be wrong, each part is checked on its own, so a registry member
    is named at its own path."""
    from microcred.registry.status import registry_status_entry

    old = doc["credentialStatus"]
    entry = registry_status_entry(chain=old["chain"], registry=old["registry"], issuer_account=old["issuerAccount"],
                                  index=old["statusIndex"])
    doc["credentialStatus"] = entry
    model = MicroCredential.parse(doc)
    assert model.status_index == old["statusIndex"]
    assert model.to_json()["credentialStatus"] == entry
    doc["credentialStatus"] = {**entry, "registry": "0x12"}
    (problem,) = validate_microcredential(doc)
    assert problem.path == "credentialStatus.registry" and "is not an Ethereum address" in problem.message
    doc["credentialStatus"] = {**entry, "statusPurpose": " "}
    (problem,) = validate_microcredential(doc)
    assert problem.path == "credentialStatus" and "is a malformed BitstringStatusListEntry" in problem.message


def test_a_remembered_achievement_still_reports_every_problem(doc: dict[str, Any]) -> None:
    """The format check remembers achievements that validated (one course, many credentials): a changed copy is
    validated anew, a broken one is never remembered, and a model is remembered only once per text."""
    from microcred.registry.credential._model import _ACHIEVEMENTS

    assert validate_microcredential(doc) == []
    first = MicroCredential.parse(doc).credential_subject.achievement
    again = MicroCredential.parse(copy.deepcopy(doc)).credential_subject.achievement
    assert again is first  # the same achievement text: validated once
    broken = copy.deepcopy(doc)
    broken["credentialSubject"]["achievement"]["name"] = " "
    for _ in range(2):  # a problem found once is found every time
        problems = validate_microcredential(broken)
        assert [p.path for p in problems] == [f"{ACH}.name"], problems
    changed = copy.deepcopy(doc)
    changed["credentialSubject"]["achievement"]["creditsAvailable"] = -1
    assert [p.path for p in validate_microcredential(changed)] == [f"{ACH}.creditsAvailable"]
    for i in range(_ACHIEVEMENTS.SIZE + 5):  # the memory is bounded
        other = copy.deepcopy(doc)
        other["credentialSubject"]["achievement"]["name"] = f"course {i}"
        assert validate_microcredential(other) == []
    assert len(_ACHIEVEMENTS._models) <= _ACHIEVEMENTS.SIZE


def test_a_remembered_achievement_keeps_its_cross_field_problems(doc: dict[str, Any]) -> None:
    """An achievement whose fields validate but that lacks what no single field shows (ECTS or hours, an EQF
    level) is remembered with those problems: each credential carrying it reports them, the first and every other,
    and a credential whose achievement differs reports its own."""
    lacking = copy.deepcopy(doc)
    achievement = lacking["credentialSubject"]["achievement"]
    achievement["name"] = "a course with no ECTS, no hours and no level"
    achievement.pop("creditsAvailable", None)
    achievement.pop("workload", None)
    achievement["alignment"] = [a for a in achievement.get("alignment", []) if "EQF" not in str(a)]
    expected = sorted(p.path for p in validate_microcredential(copy.deepcopy(lacking)))
    assert expected == [f"{ACH}.alignment", f"{ACH}.creditsAvailable"]
    for _ in range(3):
        assert sorted(p.path for p in validate_microcredential(copy.deepcopy(lacking))) == expected
    assert validate_microcredential(doc) == []
    level_only = copy.deepcopy(lacking)
    level_only["credentialSubject"]["achievement"]["workload"] = "PT10H"
    assert [p.path for p in validate_microcredential(level_only)] == [f"{ACH}.alignment"]


def test_a_remembered_issuer_profile_still_reports_every_problem(doc: dict[str, Any]) -> None:
    """The issuer profile is remembered as the achievement is: once per text, and only when it validated."""
    first = MicroCredential.parse(doc).issuer
    assert MicroCredential.parse(copy.deepcopy(doc)).issuer is first
    broken = copy.deepcopy(doc)
    broken["issuer"]["address"]["addressCountryCode"] = "XX"
    for _ in range(2):
        problems = validate_microcredential(broken)
        assert [p.path for p in problems] == ["issuer.address.addressCountryCode"], problems
    renamed = copy.deepcopy(doc)
    renamed["issuer"]["name"] = "Another body"
    model = MicroCredential.parse(renamed).issuer
    assert model is not first and model.name == "Another body"
