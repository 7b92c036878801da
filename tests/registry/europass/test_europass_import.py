"""Import: an EDC (unsigned or sealed) → the equivalent OB 3.0 micro-credential, issued; and the round trip."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from microcred.registry.credential import validate_microcredential
from microcred.registry.europass import (
    NotAnEdcError,
    annex_i_content,
    import_edc,
    load_edc,
    read_edc,
    to_edc,
    unwrap,
)
from microcred.registry.issuance import IndexAllocator, LearnerFileError, TemplateError, parse_template
from tests.support.elm import (
    VARIANTS,
    issue_variant,
    ELM,
    EXAMPLES,
    FIXTURES,
    MORE,
    NOW,
    FakeSigner,
    profile,
    violations,
)

#: what the Commission's samples lack, given as a supplement (course template keys)
SUPPLEMENT = {
    "quality_assurance": "Internal quality assurance of the awarding body",
    "assessment": "Attendance confirmed by the organiser",
    "learning_outcomes": ["describe the changes of the European Digital Credentials infrastructure"],
    "eqf_level": 5,
    "ects": 0,
    "participation": "online",
}

SAMPLES = {
    "MC-Annex1 unsigned": MORE / "Sample-MC-Annex1-unsigned.jsonld",
    "MC-Annex1 sealed": MORE / "Sample-MC-Annex1-signed.jsonld",
    "CertOfPart unsigned": ELM / "Sample-CertOfPart-unsigned.jsonld",
    "CertOfPart sealed": ELM / "Sample-CertOfPart-signed.jsonld",
}


def _issue(reading: Any, out: Path) -> dict[str, Any]:
    result = import_edc(reading, profile(), out, FakeSigner(), IndexAllocator(out.parent / f"{out.name}.state"))
    assert len(result.credentials) == 1
    return json.loads(result.credentials[0].path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("sample", sorted(SAMPLES))
def test_the_samples_import_export_and_import_again_to_the_same_annex_i_content(
        tmp_path: Path, sample: str, shapes_full: Any) -> None:
    edc, seal = load_edc(SAMPLES[sample])
    assert (seal is not None) == sample.endswith("sealed")
    first = _issue(read_edc(edc, supplement=SUPPLEMENT, source=sample), tmp_path / "first")
    assert validate_microcredential(first) == []
    assert first["issuer"]["id"] == profile().did
    assert first["evidence"][0]["id"] == edc["id"]
    exported = to_edc(first)
    assert violations(exported, shapes_full) == []
    again = read_edc(exported, source="the export")
    second = _issue(again, tmp_path / "second")
    assert annex_i_content(second) == annex_i_content(first)
    assert "which was exported from the microcred credential " + first["id"] in second["evidence"][0]["narrative"]


def test_the_commission_micro_credential_needs_only_its_quality_assurance(tmp_path: Path) -> None:
    edc, _ = load_edc(MORE / "Sample-MC-Annex1-unsigned.jsonld")
    reading = read_edc(edc, source="Sample-MC-Annex1")
    with pytest.raises(TemplateError) as exc:
        reading.template()
    # the same named error a course template gets
    assert exc.value.problems == ["Sample-MC-Annex1: type of quality assurance (Annex I element 11) missing at "
                                  "quality_assurance"]
    template = json.loads((EXAMPLES / "course-template.json").read_text(encoding="utf-8"))
    del template["quality_assurance"]
    with pytest.raises(TemplateError) as from_template:
        parse_template(template, source="Sample-MC-Annex1")
    assert exc.value.problems == from_template.value.problems
    credential = _issue(read_edc(edc, supplement={"quality_assurance": "EDC Support Team review"}),
                        tmp_path / "out")
    ach = credential["credentialSubject"]["achievement"]
    assert ach["name"] == "Digital micro-credential creation"
    assert ach["creditsAvailable"] == 2 and ach["workload"] == "PT60H"
    assert {a["targetCode"] for a in ach["alignment"] if a["targetFramework"] != "ESCO"} == {"6"}
    assert len([a for a in ach["alignment"] if a["targetFramework"] == "ESCO"]) == 4
    assert ach["participationForm"] == "blended"
    assert ach["supervision"] == "unsupervised-no-identity-verification"
    assert ach["assessmentType"] == "Digital artefact assessment"
    assert ach["prerequisites"].startswith("The learner needs to have an EDC Online Credential Builder account")
    assert ach["stackability"] == "standalone"
    assert "- Communication, collaboration and creativity" in ach["criteria"]["narrative"]
    assert credential["credentialSubject"]["result"][0]["value"] == "Pass"
    assert credential["validFrom"] == "2022-12-31T23:00:00Z"
    assert credential["credentialSubject"]["activityEndDate"] == "2023-06-06T00:00:00Z"
    names = {(i["identityType"], i["identityHash"]) for i in credential["credentialSubject"]["identifier"]}
    assert {("name", "Ana Andromeda"), ("emailAddress", "ana.andromeda@email.com"),
            ("nationalIdentityNumber", "LA-234218")} <= names
    assert "University of Zed (IE)" in credential["evidence"][0]["narrative"]


def test_what_cannot_be_mapped_is_listed_never_dropped() -> None:
    edc, _ = load_edc(MORE / "Sample-MC-Annex1-unsigned.jsonld")
    unmapped = {u.path: u.reason for u in read_edc(edc).unmapped}
    for path in ("credentialSubject.dateOfBirth", "credentialSubject.hasClaim.specifiedBy.learningSetting",
                 "credentialSubject.hasClaim.specifiedBy.nqfLevel", "credentialSubject.hasClaim.specifiedBy."
                 "learningOutcome[1].title.es", "credentialSubject.hasClaim.specifiedBy.maximumDuration",
                 "issuer.logo", "credentialSubject.hasClaim.awardedBy.awardingBody.vatIdentifier"):
        assert path in unmapped, path
    assert "'es'" in unmapped["credentialSubject.hasClaim.specifiedBy.learningOutcome[1].title.es"]
    # what is mapped is not listed
    for path in ("credentialSubject.fullName", "credentialSubject.hasClaim.specifiedBy.eqfLevel",
                 "credentialSubject.hasClaim.specifiedBy.creditPoint",
                 "credentialSubject.hasClaim.specifiedBy.learningOutcome[0].title.en"):
        assert not any(p == path or p.startswith(path + ".") for p in unmapped), path


def test_every_leaf_of_the_edc_is_either_used_or_listed() -> None:
    """Adding a property nobody maps makes it appear in the list: nothing is dropped silently."""
    edc, _ = load_edc(MORE / "Sample-MC-Annex1-unsigned.jsonld")
    edc["credentialSubject"]["hasClaim"]["specifiedBy"]["targetGroup"] = {"id": "urn:x", "type": "Concept",
                                                                          "prefLabel": {"en": "adults"}}
    paths = [u.path for u in read_edc(edc).unmapped]
    assert "credentialSubject.hasClaim.specifiedBy.targetGroup" in paths


def test_a_supplement_never_overrides_the_edc(tmp_path: Path) -> None:
    edc, _ = load_edc(MORE / "Sample-MC-Annex1-unsigned.jsonld")
    reading = read_edc(edc, supplement={"eqf_level": 3, "quality_assurance": "QA"})
    assert reading.template_data["eqf_level"] == 6
    assert "supplement 'eqf_level' ignored: the EDC gives it" in reading.notes


def test_an_unidentified_learner_is_the_named_learner_error(tmp_path: Path) -> None:
    edc, _ = load_edc(MORE / "Sample-MC-Annex1-unsigned.jsonld")
    subject = edc["credentialSubject"]
    for key in ("contactPoint", "nationalID"):
        del subject[key]
    reading = read_edc(edc, supplement={"quality_assurance": "QA"}, source="edc.jsonld")
    with pytest.raises(LearnerFileError) as exc:
        import_edc(reading, profile(), tmp_path / "out", FakeSigner(), IndexAllocator(tmp_path / "state"))
    assert "identification of the learner (Annex I element 1) missing" in str(exc.value)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.json"))


def test_issued_credentials_exported_and_imported_keep_their_annex_i_content(tmp_path: Path) -> None:
    """microcred → EDC → microcred: with the same issuer profile, every Annex I element comes back."""
    from microcred.registry.issuance import issue_batch, load_learners, load_template

    template = load_template(EXAMPLES / "course-template.json")
    learners = load_learners(EXAMPLES / "learners.csv", template=template)
    batch = issue_batch(profile(), template, learners, tmp_path / "issued", FakeSigner(),
                        IndexAllocator(tmp_path / "issued.state"), NOW)
    for i, issued in enumerate(batch.credentials):
        original = json.loads(issued.path.read_text(encoding="utf-8"))
        back = _issue(read_edc(to_edc(original)), tmp_path / f"back{i}")
        assert annex_i_content(back) == annex_i_content(original)
        assert back["id"] != original["id"]


def test_the_fixture_round_trips_too(tmp_path: Path) -> None:
    original = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    back = _issue(read_edc(to_edc(original)), tmp_path / "back")
    assert annex_i_content(back) == annex_i_content(original)


def test_a_second_import_into_the_same_directory_changes_nothing(tmp_path: Path) -> None:
    edc, _ = load_edc(MORE / "Sample-MC-Annex1-unsigned.jsonld")
    reading = read_edc(edc, supplement={"quality_assurance": "QA"})
    allocator = IndexAllocator(tmp_path / "state")
    first = import_edc(reading, profile(), tmp_path / "out", FakeSigner(), allocator)
    again = import_edc(read_edc(edc, supplement={"quality_assurance": "QA"}), profile(), tmp_path / "out",
                       FakeSigner(), allocator)
    assert again.credentials[0].id == first.credentials[0].id and again.issued_now == 0


def test_what_is_not_an_edc_is_refused() -> None:
    credential = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    with pytest.raises(NotAnEdcError):
        unwrap(credential)
    with pytest.raises(NotAnEdcError):
        unwrap({"payload": "not json", "signatures": []})


def test_the_extra_vectors_are_the_commissions_copies() -> None:
    rows = list(csv.DictReader((MORE / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    assert {r["local_path"] for r in rows} == {p.name for p in MORE.iterdir() if p.suffix in (".ttl", ".jsonld")}
    for row in rows:
        data = (MORE / row["local_path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == int(row["bytes"])
        assert row["license"] == "EUPL-1.2"


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_template_variant_round_trips(tmp_path: Path, variant: str) -> None:
    for i, original in enumerate(issue_variant(tmp_path, VARIANTS[variant])):
        back = _issue(read_edc(to_edc(original)), tmp_path / f"back{i}")
        assert annex_i_content(back) == annex_i_content(original)
        for key in ("fieldOfStudy", "inLanguage", "humanCode", "description"):
            assert back["credentialSubject"]["achievement"].get(key) == \
                original["credentialSubject"]["achievement"].get(key), key
        assert back.get("validUntil") == original.get("validUntil")
        assert back["credentialSubject"].get("activityEndDate") == original["credentialSubject"]["activityEndDate"]
