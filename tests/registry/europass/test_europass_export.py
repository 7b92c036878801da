"""Export: every credential `issue` writes becomes a European Digital Credential that conforms to the EDC shapes."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from microcred.registry.credential import (
    ANNEX_I_ELEMENTS,
    CredentialFormatError,
    DataLossError,
    known_context_urls,
)
from microcred.registry.europass import EDC_CONTEXT, edc_context, to_edc
from microcred.registry.issuance import IndexAllocator, issue_batch, load_learners
from tests.support.elm import ELM, EXAMPLES, FIXTURES, NOW, VARIANTS, FakeSigner, profile, violations
from tests.support.elm import issue_variant as _issue
from tests.support.elm import template_variant as _template


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_issued_credential_exported_conforms_to_edc_generic_full(
        tmp_path: Path, variant: str, shapes_full: Any, shapes_all: Any) -> None:
    credentials = _issue(tmp_path, VARIANTS[variant])
    assert len(credentials) == 3
    for credential in credentials:
        assert violations(to_edc(credential), shapes_full) == []
    for credential in credentials[:1]:  # the full shapes take a second per credential
        edc = to_edc(credential)
        # the shapes EDC-generic-full imports: all hold but the issuer's eIDAS identifier, which no microcred
        # issuer profile records …
        assert {path for _f, path, _m in violations(edc, shapes_all)} <= {
            "https://www.w3.org/2018/credentials#issuer", "http://data.europa.eu/snb/model/elm/eidasLegalIdentifier"}
        # … and with one given, everything holds
        assert violations(to_edc(credential, legal_identifier=("DE-HRB-123456", "DE")), shapes_all) == []


def test_jsonl_learners_and_learners_with_a_did_conform(tmp_path: Path, shapes_full: Any) -> None:
    for credential in _issue(tmp_path, {}, "learners.jsonl"):
        assert violations(to_edc(credential), shapes_full) == []


def test_the_fixture_credential_and_an_anchored_one_conform_and_link_back(shapes_full: Any) -> None:
    credential = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    anchored = copy.deepcopy(credential)
    anchored["proof"] = [credential["proof"], {
        "type": "MicrocredAnchorProof2026", "chain": "eip155:11155111",
        "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
        "issuerAccount": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7", "merkleRoot": "0x" + "ab" * 32,
        "merklePath": ["0x" + "cd" * 32], "transactionHash": "0x" + "ef" * 32, "blockNumber": 7,
        "created": "2026-03-02T10:00:00Z", "proofPurpose": "assertionMethod"}]
    for doc in (credential, anchored):
        edc = to_edc(doc)
        assert violations(edc, shapes_full) == []
    link = {i["schemeName"]: i["notation"] for i in to_edc(anchored)["identifier"]}
    assert link["microcred credentialId"] == credential["id"]
    assert link["microcred chain"] == "eip155:11155111"
    assert link["microcred registry"] == "0x5FbDB2315678afecb367f032d93F642f64180aa3"
    assert link["microcred statusIndex"] == "41"
    assert link["microcred merkleRoot"] == "0x" + "ab" * 32
    assert link["microcred transactionHash"] == "0x" + "ef" * 32
    assert link["microcred blockNumber"] == "7"
    # the digest is the one the Merkle leaf commits to: the credential without its anchor proof
    from microcred.registry.credential import credential_digest
    assert link["microcred digest"] == "sha256:" + credential_digest(anchored).hex()
    assert "merkleRoot" not in "".join(link) or "microcred merkleRoot" not in {
        i["schemeName"] for i in to_edc(credential)["identifier"]}
    assert "not anchored" in to_edc(credential)["displayParameter"]["description"]["en"]
    assert "0x" + "ab" * 32 in to_edc(anchored)["displayParameter"]["description"]["en"]


def test_every_annex_i_element_has_its_elm_home() -> None:
    credential = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    edc = to_edc(credential)
    person = edc["credentialSubject"]
    claim = person["hasClaim"]
    spec = claim["specifiedBy"]
    assessment = claim["provenBy"]
    notes = {n["subject"]["id"].rsplit("/", 1)[1]: n["noteLiteral"]["en"] for n in spec["additionalNote"]}
    body = claim["awardedBy"]["awardingBody"]
    found = {
        1: person["id"] == credential["credentialSubject"]["id"] and person["fullName"] == {"en": "Jonas Müller"},
        2: claim["title"] == {"en": "Data Stewardship for Research"},
        3: body["location"]["address"]["countryCode"]["id"].endswith("/country/DEU"),
        4: body["legalName"] == {"en": "Technische Universität Example"} and body["id"] == credential["issuer"]["id"],
        5: claim["awardedBy"]["awardingDate"] == "2026-03-02T09:30:00Z" == edc["validFrom"],
        6: len([o for o in spec["learningOutcome"] if "relatedESCOSkill" not in o]) == 4 and any(
            o.get("relatedESCOSkill", {}).get("id") == "http://data.europa.eu/esco/skill/"
            "ccd0a1d9-afda-43d9-b901-96344886e14d" for o in spec["learningOutcome"]),
        7: spec["creditPoint"]["point"] == "5" and spec["volumeOfLearning"] == "PT125H",
        8: spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6",
        9: assessment["specifiedBy"]["description"]["en"].startswith("Graded data management plan"),
        10: spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d",  # Blended
        11: notes["quality-assurance"].startswith("Internal quality assurance"),
        12: spec["entryRequirement"]["noteLiteral"]["en"].startswith("A bachelor's degree"),
        13: assessment["idVerification"]["id"].endswith("/supervised-online-identity-verification"),
        14: assessment["grade"]["noteLiteral"] == {"en": "2.0"} and
            assessment["specifiedBy"]["gradingScheme"]["title"] == {"en": "German grading scale (1.0 best, 4.0 pass)"},
        15: spec["isPartialQualification"] is True and notes["stackable-towards"].startswith("Certificate in"),
        16: spec["supplementaryDocument"]["contentURL"] == "https://www.tu-example.de/courses/ds4r-2026",
    }
    assert set(found) == set(ANNEX_I_ELEMENTS)
    assert [n for n, ok in found.items() if not ok] == []


def test_shacl_would_catch_a_concept_without_its_scheme(shapes_full: Any) -> None:
    credential = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    edc = to_edc(credential)
    del edc["issuer"]["location"]["address"]["countryCode"]["inScheme"]
    edc["credentialSubject"]["hasClaim"]["awardedBy"]["awardingBody"] = edc["issuer"]
    found = violations(edc, shapes_full)
    assert any(path == "http://data.europa.eu/snb/model/elm/countryCode" for _f, path, _m in found)


def test_an_undefined_term_is_refused_before_shacl_sees_it() -> None:
    credential = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    edc = to_edc(credential)
    edc["credentialSubject"]["hasClaim"]["notAnElmTerm"] = "x"
    from tests.support.elm import data_graph
    with pytest.raises(DataLossError):
        data_graph(edc)


def test_a_credential_lacking_an_annex_i_element_is_not_exported() -> None:
    broken = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    del broken["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(CredentialFormatError) as exc:
        to_edc(broken)
    assert "learning outcomes (Annex I element 6)" in str(exc.value)


def test_the_commission_samples_conform_to_the_same_shapes(shapes_full: Any) -> None:
    for name in ("Sample-CertOfPart-unsigned.jsonld",):
        assert violations(json.loads((ELM / name).read_text(encoding="utf-8")), shapes_full) == []


def test_the_bundled_context_is_the_commissions_copy_and_is_served_offline() -> None:
    bundled = Path(__import__("microcred.registry.europass", fromlist=["x"]).__file__).parent / "contexts"
    raw = (bundled / "edc-ap-context.jsonld").read_bytes()
    assert raw == (ELM / "edc-ap-context.jsonld").read_bytes()
    assert hashlib.sha256(raw).hexdigest() == json.loads((bundled / "index.json").read_text())[
        "contexts"][EDC_CONTEXT]["sha256"]
    assert EDC_CONTEXT in known_context_urls()
    assert edc_context() == json.loads(raw)


def test_credentials_with_a_bitstring_status_list_entry_conform_too(tmp_path: Path, shapes_full: Any) -> None:
    template = _template({})
    rows = load_learners(EXAMPLES / "learners.csv", template=template)
    issuer = profile(statusListUrl="https://www.tu-example.de/status")
    result = issue_batch(issuer, template, rows, tmp_path / "out", FakeSigner(), IndexAllocator(tmp_path / "s"), NOW)
    for issued in result.credentials:
        credential = json.loads(issued.path.read_text(encoding="utf-8"))
        assert credential["credentialStatus"]["statusListCredential"] == "https://www.tu-example.de/status/revocation"
        edc = to_edc(credential)
        assert violations(edc, shapes_full) == []
        link = {i["schemeName"]: i["notation"] for i in edc["identifier"]}
        assert link["microcred statusIndex"] == str(issued.index)
