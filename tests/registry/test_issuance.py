"""Batch issuance: templates and learner lists, credentials, index allocation, crash safety (real SIGKILLs)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from microcred.errors import ConfigError, InvalidInputError, NotFoundError
from microcred.registry.credential._model import CredentialFormatError, validate_microcredential
from microcred.registry.issuance import (
    BatchConflictError,
    CourseTemplate,
    IndexAllocator,
    IndexRange,
    IssuanceError,
    LearnerFileError,
    TemplateError,
    build_credential,
    issue_batch,
    load_learners,
    load_template,
    parse_learners,
    parse_template,
)
from microcred.registry.issuance._issuer import IssuerNotReadyError, IssuerProfile, IssuerStore

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)


def _profile(**changes: Any) -> IssuerProfile:
    data = {"name": "tux", "legalName": "Technische Universität Example", "displayName": "TU Example",
            "country": "DE", "region": "Bavaria", "did": DID, "verificationMethod": f"{DID}#{DID[8:]}",
            "key": "tux-signing", "account": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7",
            "chain": "eip155:31337", "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3"}
    data.update(changes)
    return IssuerProfile.from_json({k: v for k, v in data.items() if v is not None})


class FakeSigner:
    """Adds a placeholder Data Integrity proof and counts calls (the real signer is wired in by the lead)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
        return {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                                 "verificationMethod": f"{DID}#{DID[8:]}", "proofPurpose": "assertionMethod",
                                 "proofValue": "z" + digest}}


@pytest.fixture
def template() -> CourseTemplate:
    return load_template(EXAMPLES / "course-template.json")


@pytest.fixture
def learners(template: CourseTemplate) -> list:
    return load_learners(EXAMPLES / "learners.csv", template=template)


def _csv(path: Path, n: int, *, start: int = 0) -> Path:
    rows = ["name,email,completion_date,grade"]
    rows += [f"Learner {i},learner{i}@example.org,2026-02-27,1.3" for i in range(start, start + n)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _credentials(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(out.glob("*.json"))]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.endswith(".tmp"))


# -- templates --------------------------------------------------------------------------------------------------


def test_example_template_has_every_element(template: CourseTemplate) -> None:
    assert template.title == "Data Stewardship for Research" and template.ects == 5 and template.eqf_level == 6
    assert all(s.uri.startswith("http://data.europa.eu/esco/skill/") for s in template.skills)
    assert template.participation == "blended" and template.grading is not None


def test_template_missing_outcomes_names_the_element() -> None:
    with pytest.raises(TemplateError) as caught:
        load_template(FIXTURES / "invalid_missing_outcomes.json")
    assert caught.value.problems == [f"{FIXTURES / 'invalid_missing_outcomes.json'}: learning outcomes "
                                     "(Annex I element 6) missing at learning_outcomes"]


def test_template_bad_values_are_all_listed_with_lines() -> None:
    path = FIXTURES / "invalid_template_values.json"
    with pytest.raises(TemplateError) as caught:
        load_template(path)
    problems = caught.value.problems
    assert problems == [
        f"{path}:5: learning outcomes (Annex I element 6) invalid at skills[0].uri: "
        "'https://example.org/skills/python' is not an ESCO skill URI (http://data.europa.eu/esco/skill/…); "
        "name another framework in 'framework'",
        f"{path}:6: notional workload (Annex I element 7) invalid at ects: must be at least 0, got -5",
        f"{path}:7: level (EQF, QF-EHEA) (Annex I element 8) invalid at eqf_level: the EQF level must be a whole "
        "number from 1 to 8, not 9",
        f"{path}:9: form of participation (Annex I element 10) invalid at participation: must be one of online, "
        "onsite, blended, volunteering, work-experience; not 'in person'",
        f"{path}:10: type of quality assurance (Annex I element 11) invalid at quality_assurance: must not be empty",
        f"{path}:11: unknown element 'learning_outcome' (did you mean 'learning_outcomes'?)",
    ]
    assert isinstance(caught.value, InvalidInputError)


def test_template_alternatives_and_syntax(tmp_path: Path) -> None:
    base = json.loads((EXAMPLES / "course-template.json").read_text(encoding="utf-8"))
    for key in ("ects", "workload_hours", "eqf_level"):
        del base[key]
    with pytest.raises(TemplateError) as caught:
        parse_template(base, source="t.json")
    text = str(caught.value)
    assert "notional workload (Annex I element 7) missing at ects (give ects (ECTS credits) or workload_hours)" in text
    assert "level (EQF, QF-EHEA) (Annex I element 8) missing at eqf_level" in text
    base["workload_hours"], base["level_not_applicable"] = 40, True
    assert parse_template(base).eqf_level is None
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "title": "x",\n  "ects": 5,,\n}\n', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"broken.json:3: not valid JSON"):
        load_template(broken)
    with pytest.raises(TemplateError, match="no such file"):
        load_template(tmp_path / "absent.json")


# -- learner lists ----------------------------------------------------------------------------------------------


def test_csv_and_jsonl_examples_hold_the_same_learners(template: CourseTemplate) -> None:
    from_csv = load_learners(EXAMPLES / "learners.csv", template=template)
    from_jsonl = load_learners(EXAMPLES / "learners.jsonl", template=template)
    assert [x.canonical() for x in from_csv] == [x.canonical() for x in from_jsonl]
    assert [x.line for x in from_csv] == [2, 3, 4] and [x.line for x in from_jsonl] == [1, 2, 3]
    assert len(from_csv) == 3 and from_csv[1].did == DID


def test_every_bad_csv_row_is_reported_with_its_line(template: CourseTemplate) -> None:
    path = FIXTURES / "invalid_learner_rows.csv"
    with pytest.raises(LearnerFileError) as caught:
        load_learners(path, template=template)
    error = caught.value
    assert error.bad_rows == 7
    assert [p.split(": ", 1)[0] for p in error.problems] == [f"{path}:{n}" for n in range(3, 10)]
    text = str(error)
    assert text.startswith(f"learner list {path}: 7 rows are invalid, no credential was issued:")
    for expected in ("'not-an-email' is not an e-mail address", "learner's name (Annex I element 1, identification "
                     "of the learner) missing (column name)", "give at least one of did, email, student_id, "
                     "national_id", "'2026-02-30' is not a real date", "'did:web' is not a DID",
                     "grade achieved (Annex I element 14) invalid: '0.7' is not one of the template's grades",
                     "the same learner as line 2 (email=anna.schmidt@example.org)"):
        assert expected in text


def test_every_bad_jsonl_row_is_reported_with_its_line() -> None:
    path = FIXTURES / "invalid_learner_rows.jsonl"
    with pytest.raises(LearnerFileError) as caught:
        load_learners(path)
    assert [p.split(": ", 1)[0] for p in caught.value.problems] == [f"{path}:{n}" for n in (2, 3, 4, 5)]
    assert "unknown field 'mail'" in str(caught.value)


def test_csv_details() -> None:
    text = ('\ufeffName, E-mail ,completion_date\n"Anna\nSchmidt",a@example.org,2026-01-01\n\n'
            "Bo,b@example.org,2026-01-01\n")
    with pytest.raises(LearnerFileError, match=r"x.csv:1: unknown column 'e-mail'; known columns: name, did"):
        parse_learners(text, fmt="csv", source="x.csv")
    text = text.replace(" E-mail ", "email").replace("\ufeff", "")
    learners = parse_learners(text, fmt="csv", source="x.csv")
    assert [(x.name, x.line) for x in learners] == [("Anna\nSchmidt", 2), ("Bo", 5)]
    with pytest.raises(LearnerFileError, match=r"x.csv:3: has 2 fields, the header has 3"):
        parse_learners("name,email,completion_date\nA,a@example.org,2026-01-01\nB,2026-01-01\n", fmt="csv",
                       source="x.csv")
    with pytest.raises(LearnerFileError, match="the header has no 'completion_date' column"):
        parse_learners("name,email\nA,a@example.org\n", fmt="csv", source="x.csv")
    with pytest.raises(LearnerFileError, match="no learner rows"):
        parse_learners("name,email,completion_date\n", fmt="csv", source="x.csv")
    with pytest.raises(LearnerFileError, match="start date 2026-02-01 is after the date of completion"):
        parse_learners('{"name": "A", "email": "a@example.org", "start_date": "2026-02-01", '
                       '"completion_date": "2026-01-01"}', fmt="jsonl")


def test_learner_list_must_be_csv_or_jsonl(tmp_path: Path) -> None:
    (tmp_path / "learners.xlsx").write_bytes(b"PK")
    with pytest.raises(InvalidInputError, match="must be .csv or .jsonl"):
        load_learners(tmp_path / "learners.xlsx")


# -- building credentials ---------------------------------------------------------------------------------------


def test_built_credential_carries_every_element(template: CourseTemplate, learners: list) -> None:
    doc = build_credential(_profile(), template, learners[0], index=7, issued_at=NOW, salt="00ff")
    assert validate_microcredential(doc) == []
    subject = doc["credentialSubject"]
    assert "id" not in subject  # Anna has no DID: identifiers only
    ids = {i["identityType"]: i for i in subject["identifier"]}
    assert ids["name"] == {"type": "IdentityObject", "identityHash": "Anna Schmidt", "identityType": "name",
                           "hashed": False}
    expected = "sha256$" + hashlib.sha256(b"anna.schmidt@example.org" + b"00ff").hexdigest()
    assert ids["emailAddress"] == {"type": "IdentityObject", "identityHash": expected, "identityType": "emailAddress",
                                   "hashed": True, "salt": "00ff"}
    assert ids["sisSourcedId"]["identityHash"] == "S-2026-0141"
    achievement = subject["achievement"]
    assert achievement["creditsAvailable"] == 5 and achievement["workload"] == "PT125H"
    assert "- write a data management plan" in achievement["criteria"]["narrative"]
    assert subject["result"] == [{"type": ["Result"], "value": "1.3",
                                  "resultDescription": achievement["resultDescription"][0]["id"]}]
    assert subject["activityEndDate"] == "2026-02-27T00:00:00Z"  # a date-time, as the OB 3.0 schema asks
    assert doc["validFrom"] == doc["awardedDate"] == "2026-03-02T09:30:00Z" and "validUntil" not in doc
    revocation_list = ("urn:microcred:status:eip155:31337:0x5fbdb2315678afecb367f032d93f642f64180aa3:"
                       "0x4b91651416eaf1be5aefa7c9ae61397d888fd0a7:revocation")
    assert doc["credentialStatus"] == {"id": revocation_list + "#7", "type": "BitstringStatusListEntry",
                                       "statusPurpose": "revocation", "statusListIndex": "7",
                                       "statusListCredential": revocation_list, "chain": "eip155:31337",
                                       "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                                       "issuerAccount": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7",
                                       "statusIndex": 7}
    assert doc["issuer"]["address"] == {"type": ["Address"], "addressCountryCode": "DE", "addressRegion": "Bavaria"}


def test_validity_rule_and_plain_identifiers(learners: list) -> None:
    data = json.loads((EXAMPLES / "course-template.json").read_text(encoding="utf-8"))
    data.update(validity={"years": 1, "months": 0}, hash_identifiers=False)
    template = parse_template(data)
    leap = datetime(2028, 2, 29, 12, 0, tzinfo=timezone.utc)
    doc = build_credential(_profile(), template, learners[0], index=0, issued_at=leap)
    assert doc["validUntil"] == "2029-02-28T12:00:00Z"
    assert {i["identityHash"] for i in doc["credentialSubject"]["identifier"]} >= {"anna.schmidt@example.org"}
    assert validate_microcredential(doc) == []


def test_a_profile_without_chain_details_cannot_issue(template: CourseTemplate, learners: list,
                                                       tmp_path: Path) -> None:
    profile = _profile(registry=None, account=None)
    with pytest.raises(IssuerNotReadyError) as caught:
        issue_batch(profile, template, learners, tmp_path / "out", FakeSigner(),
                    IndexAllocator(tmp_path / "state.json"), NOW)
    assert isinstance(caught.value, ConfigError)
    assert "no registry address (--registry), no chain account" in str(caught.value)
    assert not (tmp_path / "state.json").exists()


# -- batches ----------------------------------------------------------------------------------------------------


def test_batch_writes_one_signed_credential_per_learner(template: CourseTemplate, learners: list,
                                                        tmp_path: Path) -> None:
    signer, seen = FakeSigner(), []
    allocator = IndexAllocator(tmp_path / "tux.state.json")
    result = issue_batch(_profile(), template, learners, tmp_path / "out", signer, allocator, lambda: NOW,
                         progress=lambda done, total: seen.append((done, total)))
    files = sorted(p.name for p in (tmp_path / "out").glob("*.json"))
    assert files == ["000000-anna-schmidt.json", "000001-jonas-muller.json", "000002-elodie-martin.json"]
    assert signer.calls == 3 and seen[0] == (0, 3) and seen[-1] == (3, 3)
    docs = _credentials(tmp_path / "out")
    assert sorted(d["credentialStatus"]["statusIndex"] for d in docs) == [0, 1, 2]
    assert len({d["id"] for d in docs}) == 3 and all(d["id"].startswith("urn:uuid:") for d in docs)
    assert all(validate_microcredential(d) == [] for d in docs)
    assert result.indexes == IndexRange(0, 3) and result.issued_now == 3 and str(result.indexes) == "0-2"
    assert [c.index for c in result.credentials] == [0, 1, 2]
    assert json.loads(result.journal.read_text())["complete"] is True
    assert _leftovers(tmp_path / "out") == [] and allocator.next_index == 3


def test_rerun_of_a_complete_batch_changes_nothing(template: CourseTemplate, learners: list,
                                                   tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json")
    issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW)
    before = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    signer = FakeSigner()
    again = issue_batch(_profile(), template, learners, tmp_path / "out", signer, allocator, NOW)
    assert signer.calls == 0 and again.issued_now == 0 and again.already_present == 3
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == before
    assert allocator.next_index == 3


def test_separate_batches_never_share_an_index(template: CourseTemplate, learners: list, tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json")
    first = issue_batch(_profile(), template, learners, tmp_path / "a", FakeSigner(), allocator, NOW)
    second = issue_batch(_profile(), template, learners, tmp_path / "b", FakeSigner(), allocator, NOW)
    more = load_learners(_csv(tmp_path / "more.csv", 5), template=template)
    third = issue_batch(_profile(), template, more, tmp_path / "a", FakeSigner(), allocator, NOW)
    indexes = [c.index for r in (first, second, third) for c in r.credentials]
    assert indexes == list(range(11))
    assert len(list((tmp_path / "a").glob("*.json"))) == 8  # two complete batches may share a directory


def test_interrupted_batch_resumes_with_its_indexes_and_ids(template: CourseTemplate, tmp_path: Path) -> None:
    learners = load_learners(_csv(tmp_path / "l.csv", 6), template=template)
    allocator = IndexAllocator(tmp_path / "state.json")

    def stop_after_two(stage: str, details: dict[str, Any]) -> None:
        if stage == "written" and details["row"] == 1:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW,
                    hook=stop_after_two)
    journal = json.loads(next((tmp_path / "out").glob(".microcred-batch-*.journal")).read_text())
    assert journal["complete"] is False and len(list((tmp_path / "out").glob("*.json"))) == 2
    signer = FakeSigner()
    result = issue_batch(_profile(), template, learners, tmp_path / "out", signer, allocator, NOW)
    assert signer.calls == 4 and result.issued_now == 4 and result.already_present == 2
    assert [(c.index, c.id) for c in result.credentials] == [(e["index"], e["id"]) for e in journal["entries"]]
    assert allocator.next_index == 6


def test_damaged_file_of_an_unfinished_batch_is_signed_again(template: CourseTemplate, tmp_path: Path) -> None:
    learners = load_learners(_csv(tmp_path / "l.csv", 3), template=template)
    allocator = IndexAllocator(tmp_path / "state.json")

    def stop(stage: str, details: dict[str, Any]) -> None:
        if stage == "synced":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW, hook=stop)
    victim = sorted((tmp_path / "out").glob("*.json"))[1]
    identity = json.loads(victim.read_text())["id"]
    victim.write_text('{"@context": ["https://www.w3.org/ns/cre', encoding="utf-8")  # as after a power loss
    (tmp_path / "out" / f".{victim.name}.issue.tmp").write_text("{", encoding="utf-8")
    signer = FakeSigner()
    issue_batch(_profile(), template, learners, tmp_path / "out", signer, allocator, NOW)
    assert signer.calls == 1
    repaired = json.loads(victim.read_text())
    assert repaired["id"] == identity and repaired["credentialStatus"]["statusIndex"] == 1
    assert _leftovers(tmp_path / "out") == []


def test_complete_batch_with_a_lost_file_is_not_reissued(template: CourseTemplate, learners: list,
                                                          tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json")
    issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW)
    next(iter(sorted((tmp_path / "out").glob("*.json")))).unlink()
    with pytest.raises(BatchConflictError, match="was completed, but .* is gone"):
        issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW)


def test_unfinished_batch_of_other_inputs_blocks_the_directory(template: CourseTemplate, tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json")
    first = load_learners(_csv(tmp_path / "l.csv", 4), template=template)

    def stop(stage: str, details: dict[str, Any]) -> None:
        if stage == "written":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        issue_batch(_profile(), template, first, tmp_path / "out", FakeSigner(), allocator, NOW, hook=stop,
                    source="l.csv")
    edited = load_learners(_csv(tmp_path / "l.csv", 5), template=template)
    with pytest.raises(BatchConflictError, match=r"unfinished batch of other inputs \(l.csv, indexes 0-3\)"):
        issue_batch(_profile(), template, edited, tmp_path / "out", FakeSigner(), allocator, NOW)
    assert allocator.next_index == 4  # refused before reserving


def test_a_foreign_file_is_never_overwritten(template: CourseTemplate, learners: list, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "000000-anna-schmidt.json").write_text('{"id": "urn:uuid:00000000-0000-4000-8000-000000000000"}')
    with pytest.raises(BatchConflictError, match="holds credential 'urn:uuid:00000000"):
        issue_batch(_profile(), template, learners, out, FakeSigner(), IndexAllocator(tmp_path / "s.json"), NOW)
    assert "00000000" in (out / "000000-anna-schmidt.json").read_text()


def test_a_lost_journal_never_reuses_indexes(template: CourseTemplate, learners: list, tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json")
    result = issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW)
    for path in (tmp_path / "out").iterdir():
        path.unlink()
    with pytest.raises(BatchConflictError, match=r"issued before \(indexes 0-2\).*never reused"):
        issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW)
    assert result.indexes.last == 2 and allocator.next_index == 3


def test_a_tampered_journal_cannot_write_outside_the_batch(template: CourseTemplate, learners: list,
                                                           tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json")

    def stop(stage: str, details: dict[str, Any]) -> None:
        if stage == "journaled":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW, hook=stop)
    path = next((tmp_path / "out").glob(".microcred-batch-*.journal"))
    journal = json.loads(path.read_text())
    journal["entries"][0]["file"] = "../escaped.json"
    path.write_text(json.dumps(journal))
    with pytest.raises(BatchConflictError, match="is damaged: entry"):
        issue_batch(_profile(), template, learners, tmp_path / "out", FakeSigner(), allocator, NOW)
    assert not (tmp_path / "escaped.json").exists()


def test_a_signer_without_proof_is_an_error(template: CourseTemplate, learners: list, tmp_path: Path) -> None:
    with pytest.raises(IssuanceError, match="without a proof"):
        issue_batch(_profile(), template, learners, tmp_path / "out", lambda doc: dict(doc),
                    IndexAllocator(tmp_path / "s.json"), NOW)
    assert list((tmp_path / "out").glob("*.json")) == []


def test_an_output_directory_in_use_is_refused(template: CourseTemplate, learners: list, tmp_path: Path) -> None:
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    fd = os.open(out / ".microcred-issue.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(BatchConflictError, match="in use by another microcred process"):
            issue_batch(_profile(), template, learners, out, FakeSigner(), IndexAllocator(tmp_path / "s.json"), NOW)
    finally:
        os.close(fd)


# -- the allocator ----------------------------------------------------------------------------------------------


def test_allocator_is_idempotent_per_batch_and_monotonic(tmp_path: Path) -> None:
    allocator = IndexAllocator(tmp_path / "state.json", clock=lambda: NOW)
    assert allocator.next_index == 0 and allocator.reservation("a") is None
    assert allocator.reserve("a", 10) == IndexRange(0, 10)
    assert allocator.reserve("b", 1) == IndexRange(10, 1)
    assert allocator.reserve("a", 10) == IndexRange(0, 10)
    assert IndexAllocator(tmp_path / "state.json").next_index == 11
    with pytest.raises(BatchConflictError):
        allocator.reserve("a", 11)
    with pytest.raises(InvalidInputError):
        allocator.reserve("c", 0)
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["batches"]["a"] == {"first": 0, "count": 10, "reservedAt": "2026-03-02T09:30:00Z", "journal": None}


def test_allocator_serialises_concurrent_reservations(tmp_path: Path) -> None:
    ranges: list[IndexRange] = []
    lock = threading.Lock()

    def reserve(i: int) -> None:
        got = IndexAllocator(tmp_path / "state.json").reserve(f"batch-{i}", 3)
        with lock:
            ranges.append(got)

    threads = [threading.Thread(target=reserve, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    covered = sorted(i for r in ranges for i in range(r.first, r.first + r.count))
    assert covered == list(range(36))


def test_a_damaged_state_file_stops_issuing(tmp_path: Path) -> None:
    (tmp_path / "state.json").write_text("{not json")
    with pytest.raises(Exception, match="damaged .* never start it again at 0"):
        IndexAllocator(tmp_path / "state.json").reserve("a", 1)


# -- killed for real --------------------------------------------------------------------------------------------

DRIVER = r"""
import hashlib, json, os, signal, sys
from datetime import datetime, timezone
from microcred.registry.issuance import IndexAllocator, issue_batch, load_learners, load_template
from microcred.registry.issuance._issuer import IssuerProfile

cfg = json.loads(sys.argv[1])
profile = IssuerProfile.from_json(cfg["profile"])
template = load_template(cfg["template"])
learners = load_learners(cfg["learners"], template=template)
written = 0

def hook(stage, details):
    global written
    written += stage == "written"
    if stage == cfg.get("kill_stage") and (stage != "written" or written == cfg.get("kill_at")):
        os.kill(os.getpid(), signal.SIGKILL)

def sign(doc):
    value = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z" + value}
    return {**doc, "proof": proof}

def progress(done, total):
    print(done, flush=True)

result = issue_batch(profile, template, learners, cfg["out"], sign, IndexAllocator(cfg["state"]),
                     lambda: datetime.now(timezone.utc), progress=progress, hook=hook)
print(json.dumps(result.summary()), flush=True)
"""


def _config(tmp_path: Path, learners: Path, out: str) -> dict[str, Any]:
    return {"profile": _profile().to_json(), "template": str(EXAMPLES / "course-template.json"),
            "learners": str(learners), "out": str(tmp_path / out), "state": str(tmp_path / "tux.state.json")}


def _drive(config: dict[str, Any], **kill: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", DRIVER, json.dumps({**config, **kill})], capture_output=True,
                          text=True, timeout=120)


def _assert_whole_batch(out: Path, n: int) -> list[int]:
    docs = _credentials(out)
    names = [d["credentialSubject"]["identifier"][0]["identityHash"] for d in docs]
    assert sorted(names) == sorted(f"Learner {i}" for i in range(n)), "one credential per learner"
    indexes = [d["credentialStatus"]["statusIndex"] for d in docs]
    assert len(set(indexes)) == n and len({d["id"] for d in docs}) == n
    assert all(d.get("proof") for d in docs)
    assert _leftovers(out) == []
    journal = json.loads(next(out.glob(".microcred-batch-*.journal")).read_text())
    assert journal["complete"] is True
    assert sorted(indexes) == list(range(journal["first"], journal["first"] + n))
    return indexes


@pytest.mark.parametrize(("stage", "at"), [("reserved", None), ("journaled", None), ("written", 1),
                                           ("written", 13), ("written", 40), ("synced", None)])
def test_sigkill_at_each_stage_then_rerun_issues_each_learner_once(tmp_path: Path, stage: str,
                                                                   at: int | None) -> None:
    n = 40
    config = _config(tmp_path, _csv(tmp_path / "learners.csv", n), "out")
    killed = _drive(config, kill_stage=stage, kill_at=at)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    finished = _drive(config)
    assert finished.returncode == 0, finished.stderr
    first = _assert_whole_batch(tmp_path / "out", n)
    expected_new = {"reserved": n, "journaled": n, "synced": 0}.get(stage, n - (at or 0))
    assert json.loads(finished.stdout.splitlines()[-1])["issued"] == expected_new
    # a second, separate batch of the same issuer: no index of the first is used again
    other = _config(tmp_path, _csv(tmp_path / "other.csv", 10), "other")
    assert _drive(other).returncode == 0
    second = [d["credentialStatus"]["statusIndex"] for d in _credentials(tmp_path / "other")]
    assert set(second).isdisjoint(first) and sorted(second) == list(range(n, n + 10))


def test_sigkill_at_arbitrary_moments_then_rerun(tmp_path: Path) -> None:
    """The parent kills the child as soon as it reports k credentials: wherever the child is by then (signing,
    mid-write, renaming) is not controlled. Three kills, then a clean run."""
    n = 300
    config = _config(tmp_path, _csv(tmp_path / "learners.csv", n), "out")
    for k in (1, 97, 201):
        child = subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(config)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
        assert child.stdout is not None
        deadline = time.monotonic() + 120
        for line in child.stdout:
            if line.strip().isdigit() and int(line) >= k:
                child.send_signal(signal.SIGKILL)
                break
            assert time.monotonic() < deadline
        child.wait(timeout=60)
        child.stdout.close()
        assert child.stderr is not None
        child.stderr.close()
        assert child.returncode == -signal.SIGKILL, f"the batch finished before the kill at {k}"
    finished = _drive(config)
    assert finished.returncode == 0, finished.stderr
    _assert_whole_batch(tmp_path / "out", n)
    assert json.loads((tmp_path / "tux.state.json").read_text())["nextIndex"] == n


def test_a_template_that_cannot_make_a_valid_credential_reserves_nothing(template: CourseTemplate, learners: list,
                                                                         tmp_path: Path) -> None:
    broken = template.model_copy(update={"title": " "})  # bypasses the template checks on purpose
    with pytest.raises(CredentialFormatError, match=r"title of the micro-credential \(Annex I element 2\) invalid"):
        issue_batch(_profile(), broken, learners, tmp_path / "out", FakeSigner(),
                    IndexAllocator(tmp_path / "state.json"), NOW, source="l.csv")
    assert not (tmp_path / "state.json").exists() and not (tmp_path / "out").exists()


# -- issuer profiles on disk ------------------------------------------------------------------------------------


def test_issuer_store_round_trip_and_errors(tmp_path: Path) -> None:
    store = IssuerStore(tmp_path)
    assert store.names() == [] and store.list() == []
    path = store.save(_profile(website="https://www.tu-example.de"))
    assert path == tmp_path / "issuers" / "tux.json" and store.exists("tux")
    IndexAllocator(store.state_path("tux")).reserve("batch", 2)  # the state file beside it is not a profile
    assert store.names() == ["tux"] and store.load("tux") == _profile(website="https://www.tu-example.de")
    assert json.loads(path.read_text())["legalName"] == "Technische Universität Example"
    with pytest.raises(InvalidInputError, match="exists already"):
        store.save(_profile())
    store.save(_profile(region="Saxony"), overwrite=True)
    assert store.load("tux").region == "Saxony" and list((tmp_path / "issuers").glob(".*.tmp")) == []
    with pytest.raises(NotFoundError, match=r"no issuer named 'nobody' .* \(issuers: tux\)"):
        store.load("nobody")
    with pytest.raises(InvalidInputError, match="invalid issuer name"):
        store.path("../evil")
    (tmp_path / "issuers" / "copy.json").write_text(path.read_text())
    with pytest.raises(InvalidInputError, match="holds the profile of 'tux', not 'copy'"):
        store.load("copy")


def test_issuer_profile_checks_every_field() -> None:
    with pytest.raises(InvalidInputError) as caught:
        _profile(country="UK", did="web:tux", account="0x12", chain="1", cryptosuite="rsa", website="ftp://x")
    text = str(caught.value)
    for expected in ("country 'UK' is not an ISO 3166-1 alpha-2 country code (ISO 3166-1 writes 'GB')",
                     "did 'web:tux' is not a DID", "account '0x12' is not an Ethereum address",
                     "chain '1' is not a CAIP-2 chain id", "cryptosuite must be 'eddsa-rdfc-2022'",
                     "website 'ftp://x' is not a web address"):
        assert expected in text
    assert _profile().public_name == "TU Example" and _profile(displayName=None).public_name.startswith("Technische")
