"""Every credential `issue` writes is valid against the official Open Badges 3.0 AchievementCredential JSON Schema
(tests/vectors/10-ob3-schema, MANIFEST.tsv), in every cryptosuite and every form: as issued, anchored, exported
with --plain, baked into a PNG and an SVG. Its one status object serves a Bitstring Status List verifier (the list
`status export` writes) and microcred (the registry coordinates); and it verifies."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft201909Validator

from microcred.cli import main
from microcred.registry.credential import read_container_file
from microcred.registry.ledger._statuslist import bit, decode_bitstring
from microcred.registry.proofs._suites import CRYPTOSUITES
from tests.support.issuing import credentials, issue, run
from tests.support.paths import ROOT, VECTORS

SCHEMA = VECTORS / "10-ob3-schema" / "achievementcredential.json"
PNG = ROOT / "docs" / "img" / "verdict-valid.png"


@pytest.fixture(scope="module")
def validator() -> Draft201909Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)  # "format" an annotation, as draft 2019-09 has it by default


@pytest.fixture(scope="module")
def strict_formats() -> Draft201909Validator:
    """The schema with its "format" keywords asserted too (date-time needs rfc3339-validator)."""
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    checker = Draft201909Validator.FORMAT_CHECKER
    assert {"date", "date-time"} <= set(checker.checkers), "date-time needs rfc3339-validator (test dependency)"
    return Draft201909Validator(schema, format_checker=checker)


def problems(validator: Draft201909Validator, doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(doc)]


@pytest.mark.parametrize("cryptosuite", CRYPTOSUITES)
def test_every_form_of_every_suite_is_schema_valid(home, tmp_path, capsys, validator, cryptosuite):
    base, _, out, issued = issue(home, tmp_path, capsys, cryptosuite)
    files = credentials(out)
    assert len(files) == len(issued) == 3
    forms: dict[str, dict] = {}
    for n, (path, as_issued) in enumerate(zip(files, issued)):
        forms[f"issued {n}"] = as_issued
        anchored = json.loads(path.read_text(encoding="utf-8"))
        assert [p["type"] for p in anchored["proof"]] == ["DataIntegrityProof", "MicrocredAnchorProof2026"]
        assert anchored["proof"][0]["cryptosuite"] == cryptosuite
        forms[f"anchored {n}"] = anchored
        plain = tmp_path / f"plain-{n}.json"
        run(capsys, *base, "export", str(path), "--plain", "--out", str(plain))
        forms[f"plain {n}"] = json.loads(plain.read_text(encoding="utf-8"))
        assert forms[f"plain {n}"]["proof"] == [anchored["proof"][0]] == as_issued["proof"]
    svg = tmp_path / "image.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><circle r="1"/></svg>', encoding="utf-8")
    for image in (PNG, svg):
        baked = tmp_path / f"baked{image.suffix}"
        run(capsys, *base, "bake", str(files[0]), "--image", str(image), "--out", str(baked))
        forms[f"baked {image.suffix}"] = read_container_file(baked)
        assert forms[f"baked {image.suffix}"] == forms["anchored 0"]
    for form, doc in forms.items():
        assert problems(validator, doc) == [], form
        status = doc["credentialStatus"]
        assert isinstance(status, dict) and status["type"] == "BitstringStatusListEntry" and status["id"], form
        assert isinstance(doc["proof"], list), form
    verdicts = [json.loads(line) for line in run(capsys, *base, "--json", "verify", *map(str, files)).splitlines()]
    assert [v["valid"] for v in verdicts] == [True] * 3


def test_the_schema_refuses_the_old_shapes(validator):
    """The test can fail: the shapes issued before (a status array, an entry without id, a bare proof) do not
    pass the schema."""
    doc = json.loads((ROOT / "tests" / "fixtures" / "old_status_shape" / "three_entries.json").read_text())
    assert any(p.startswith("credentialStatus") for p in problems(validator, doc))
    doc = json.loads((ROOT / "tests" / "fixtures" / "old_status_shape" / "registry_entry_only.json").read_text())
    found = problems(validator, doc)
    assert any("'id' is a required property" in p for p in found)
    assert any(p.startswith("proof") for p in found)



def test_with_formats_asserted_too_every_credential_passes(home, tmp_path, capsys, strict_formats):
    """With the schema's formats asserted as well: activity dates are date-times (as the schema and the OB 3.0
    examples write them), like every other date microcred writes; a date alone (older credentials, or the OB 3.0
    context's xsd:date) or a date-time without its time zone is caught."""
    _, _, out, issued = issue(home, tmp_path, capsys, "eddsa-jcs-2022")
    for doc in [*issued, *(json.loads(p.read_text(encoding="utf-8")) for p in credentials(out))]:
        assert problems(strict_formats, doc) == []
        subject = doc["credentialSubject"]
        assert subject["activityEndDate"].endswith("T00:00:00Z")
        older = {**doc, "credentialSubject": {**subject, "activityEndDate": subject["activityEndDate"][:10]}}
        assert any(p.startswith("credentialSubject/activityEndDate:") for p in problems(strict_formats, older))
        assert problems(strict_formats, {**doc, "validFrom": "2026-03-02 09:30"}) != []


def test_one_status_object_for_a_bitstring_verifier_and_for_microcred(home, tmp_path, capsys, validator):
    """With published lists: the entry names the revocation list `status export` writes, at the credential's
    registry index; revocation shows in that list, suspension in the suspension list and in microcred's verdict
    (read from the chain), and the verdict with the lists given offline agrees with them."""
    base, chain, out, _ = issue(home, tmp_path, capsys, "eddsa-rdfc-2022",
                                status_list_url="https://x.example/status")
    files = credentials(out)
    docs = [json.loads(p.read_text(encoding="utf-8")) for p in files]
    for doc in docs:
        assert problems(validator, doc) == []
    index = {d["credentialStatus"]["statusIndex"]: p for d, p in zip(docs, files)}
    entry = docs[0]["credentialStatus"]
    assert entry == {
        "id": f"https://x.example/status/revocation#{entry['statusIndex']}", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": str(entry["statusIndex"]),
        "statusListCredential": "https://x.example/status/revocation", "chain": chain.caip2,
        "registry": chain.address_of("CredentialRegistry"), "issuerAccount": entry["issuerAccount"],
        "statusIndex": entry["statusIndex"]}
    first, second, third = sorted(index)
    run(capsys, *base, "revoke", str(first), "--issuer", "x", "--reason", "fraud")
    run(capsys, *base, "suspend", str(second), "--issuer", "x", "--reason", "under-investigation")
    lists = tmp_path / "lists"
    run(capsys, *base, "status", "export", "--issuer", "x", "--out", str(lists))
    revocation = json.loads((lists / "revocation.json").read_text(encoding="utf-8"))
    assert revocation["id"] == entry["statusListCredential"]
    bits = decode_bitstring(revocation["credentialSubject"]["encodedList"])
    assert [bit(bits, i) for i in (first, second, third)] == [True, False, False]
    suspension = json.loads((lists / "suspension.json").read_text(encoding="utf-8"))
    bits = decode_bitstring(suspension["credentialSubject"]["encodedList"])
    assert [bit(bits, i) for i in (first, second, third)] == [False, True, False]

    offline = ["--status-list", str(lists / "revocation.json")]
    with pytest.raises(SystemExit):
        main([*base, "--json", "verify", *offline, *(str(index[i]) for i in (first, second, third))])
    got = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    checks = [{c["name"]: (c["result"], c["detail"]) for c in v["checks"]} for v in got]
    assert [v["status"] for v in got] == ["revoked", "suspended", "active"]
    assert [c["status"][0] for c in checks] == ["fail", "fail", "pass"]
    assert [c["status_list"][0] for c in checks] == ["fail", "pass", "pass"]
    assert all("agrees with the registry" in c["status_list"][1] for c in checks)
    assert [v["valid"] for v in got] == [False, False, True]


def test_a_list_the_registry_disagrees_with_is_flagged(home, tmp_path, capsys):
    """A list that says "not revoked" for a credential the chain says is revoked: reported, not settled."""
    base, _, out, _ = issue(home, tmp_path, capsys, "eddsa-jcs-2022")
    path = credentials(out)[0]
    entry = json.loads(path.read_text(encoding="utf-8"))["credentialStatus"]
    assert entry["statusListCredential"].startswith("urn:microcred:status:")
    lists = tmp_path / "lists"
    run(capsys, *base, "status", "export", "--issuer", "x", "--out", str(lists))  # before the revocation
    run(capsys, *base, "revoke", str(entry["statusIndex"]), "--issuer", "x", "--reason", "fraud")
    assert json.loads((lists / "revocation.json").read_text())["id"] == entry["statusListCredential"]
    with pytest.raises(SystemExit) as exc:
        main([*base, "--json", "verify", "--status-list", str(lists / "revocation.json"), str(path)])
    line = json.loads(capsys.readouterr().out)
    checks = {c["name"]: (c["result"], c["detail"]) for c in line["checks"]}
    assert exc.value.code == 1 and checks["status"][0] == "fail"
    assert checks["status_list"][0] == "error" and "disagree" in checks["status_list"][1]
    # without the list, the check is not run: the registry alone answers
    with pytest.raises(SystemExit):
        main([*base, "--json", "verify", str(path)])
    line = json.loads(capsys.readouterr().out)
    assert "status_list" not in {c["name"] for c in line["checks"]} and line["status"] == "revoked"
