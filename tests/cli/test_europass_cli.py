"""`microcred import --from elm` and the `export_elm` function behind `export --format elm`, in-process."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import microcred.cli  # noqa: F401  (registers commands)
import microcred.cli._issue as issue_module
from microcred.cli import AppContext, cli, main
from microcred.cli._europass import export_elm
from microcred.did import Keystore
from microcred.registry.credential import validate_microcredential
from microcred.registry.europass import annex_i_content, read_edc

ROOT = Path(__file__).resolve().parents[2]
ELM = ROOT / "tests" / "vectors" / "09-elm"
MORE = ROOT / "tests" / "registry" / "europass" / "vectors"
FIXTURES = ROOT / "tests" / "fixtures"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.fixture
def issuer(home: Path) -> str:
    store = Keystore(home / "keys", scrypt_n=2**4)
    store.create("tux-signing", "ed25519", "test passphrase")
    store.create("tux-chain", "secp256k1", "test passphrase")
    result = _run(home, "issuer", "init", "tux", "--legal-name", "Technische Universität Example",
                  "--display-name", "TU Example", "--country", "de", "--region", "Bavaria", "--key", "tux-signing",
                  "--account-key", "tux-chain", "--chain", "eip155:31337", "--registry", REGISTRY)
    assert result.exit_code == 0, result.output
    return "tux"


@pytest.fixture
def fake_signer(monkeypatch: pytest.MonkeyPatch) -> None:
    def make(app: Any, profile: Any, cryptosuite: str) -> Any:
        def sign(doc: dict[str, Any]) -> dict[str, Any]:
            return {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": cryptosuite,
                                     "verificationMethod": profile.verification_method,
                                     "proofPurpose": "assertionMethod", "proofValue": "zplaceholder"}}
        return sign

    monkeypatch.setattr(issue_module, "_make_signer", make)


def _run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def _main(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def _supplement(tmp_path: Path) -> Path:
    path = tmp_path / "qa.json"
    path.write_text(json.dumps({"quality_assurance": "EDC Support Team review"}), encoding="utf-8")
    return path


def test_import_a_sealed_edc_lists_what_it_could_not_map(home: Path, issuer: str, fake_signer: None,
                                                         tmp_path: Path) -> None:
    result = _run(home, "--json", "import", str(MORE / "Sample-MC-Annex1-signed.jsonld"), "--from", "elm",
                  "--issuer", issuer, "--out", str(tmp_path / "out"), "--supplement", str(_supplement(tmp_path)))
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["new"] is True and record["source"] == "urn:credential:1018d05f-21d5-4555-b7f0-8fabfd22ca75"
    assert record["seal"]["valid"] is True and record["seal"]["trustedListChecked"] is False
    assert record["seal"]["signer"] == "TEST SEAL, ORGANIZACION TEST"
    assert any(u["path"] == "credentialSubject.dateOfBirth" for u in record["unmapped"])
    assert "quality_assurance taken from the supplement" in record["notes"]
    credential = json.loads(Path(record["file"]).read_text(encoding="utf-8"))
    assert validate_microcredential(credential) == []
    assert "JAdES seal by TEST SEAL, ORGANIZACION TEST was verified" in credential["evidence"][0]["narrative"]


def test_import_prints_the_unmapped_parts_for_people(home: Path, issuer: str, fake_signer: None,
                                                     tmp_path: Path) -> None:
    supplement = tmp_path / "s.json"
    supplement.write_text(json.dumps({"quality_assurance": "QA", "assessment": "attendance", "eqf_level": 4,
                                      "learning_outcomes": ["explain the EDC changes"]}), encoding="utf-8")
    result = _run(home, "import", str(ELM / "Sample-CertOfPart-unsigned.jsonld"), "--from", "elm", "--issuer",
                  issuer, "--out", str(tmp_path / "out"), "--supplement", str(supplement))
    assert result.exit_code == 0, result.output
    assert "imported urn:credential:43662fb0-c31c-4afb-b501-e85aea91c0a8 as urn:uuid:" in result.stdout
    assert "have no place in the OB 3.0 credential and were not imported:" in result.stdout
    assert "  credentialSubject.dateOfBirth: " in result.stdout
    assert "note: the claim is a LearningActivity" in result.stdout


def test_a_missing_supplement_file_is_a_clear_error(capsys: pytest.CaptureFixture[str], home: Path, issuer: str,
                                                    fake_signer: None, tmp_path: Path) -> None:
    code, _out, err = _main(capsys, home, "import", str(ELM / "Sample-CertOfPart-unsigned.jsonld"), "--from",
                            "elm", "--issuer", issuer, "--out", str(tmp_path / "out"), "--supplement",
                            str(tmp_path / "absent.json"))
    assert code == 2 and "absent.json: no such file" in err


def test_import_without_the_missing_elements_names_them_and_issues_nothing(
        capsys: pytest.CaptureFixture[str], home: Path, issuer: str, fake_signer: None, tmp_path: Path) -> None:
    code, out, err = _main(capsys, home, "import", str(ELM / "Sample-CertOfPart-unsigned.jsonld"), "--from", "elm",
                           "--issuer", issuer, "--out", str(tmp_path / "out"))
    assert code == 2
    assert "type of quality assurance (Annex I element 11) missing at quality_assurance" in err
    assert "learning outcomes (Annex I element 6) missing at learning_outcomes" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.json"))


def test_a_tampered_sealed_edc_is_refused(capsys: pytest.CaptureFixture[str], home: Path, issuer: str,
                                          fake_signer: None, tmp_path: Path) -> None:
    sealed = json.loads((MORE / "Sample-MC-Annex1-signed.jsonld").read_text(encoding="utf-8"))
    tampered = copy.deepcopy(sealed)
    tampered["payload"] = tampered["payload"].replace("Ana Andromeda", "Ann Andromeda", 1)
    path = tmp_path / "tampered.jsonld"
    path.write_text(json.dumps(tampered), encoding="utf-8")
    code, _out, err = _main(capsys, home, "import", str(path), "--from", "elm", "--issuer", issuer, "--out",
                            str(tmp_path / "out"), "--supplement", str(_supplement(tmp_path)))
    assert code == 1
    assert "the seal does not hold" in err and "not imported" in err
    assert not (tmp_path / "out").exists()


def test_import_signs_for_real_and_the_proof_verifies(home: Path, issuer: str, tmp_path: Path) -> None:
    from microcred.registry.proofs._pipeline import did_key_lookup, verify_proofs

    result = _run(home, "--json", "import", str(MORE / "Sample-MC-Annex1-unsigned.jsonld"), "--from", "elm",
                  "--issuer", issuer, "--out", str(tmp_path / "out"), "--supplement", str(_supplement(tmp_path)))
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout.strip().splitlines()[-1])
    credential = json.loads(Path(record["file"]).read_text(encoding="utf-8"))
    assert verify_proofs(credential, did_key_lookup).verified


def test_export_elm_writes_an_edc_that_imports_back(home: Path, issuer: str, fake_signer: None,
                                                    tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = AppContext(home=home, network="memory", json_output=True)
    out = tmp_path / "ds4r.jsonld"
    export_elm(app, FIXTURES / "valid_format_microcredential.json", out)
    record = json.loads(capsys.readouterr().out.strip())
    assert record == {"file": str(out), "id": json.loads(out.read_text())["id"], "format": "elm"}
    result = _run(home, "--json", "import", str(out), "--from", "elm", "--issuer", issuer, "--out",
                  str(tmp_path / "back"))
    assert result.exit_code == 0, result.output
    back = json.loads(Path(json.loads(result.stdout.strip().splitlines()[-1])["file"]).read_text())
    original = json.loads((FIXTURES / "valid_format_microcredential.json").read_text(encoding="utf-8"))
    content, expected = annex_i_content(back), annex_i_content(original)
    # the importing issuer awards the new credential under its own DID (here a fresh key): names agree
    assert content.pop(4)[1:] == expected.pop(4)[1:]
    assert content == expected
    assert read_edc(json.loads(out.read_text())).awarding_body == "Technische Universität Example"


def test_import_has_help_with_an_example(home: Path) -> None:
    result = _run(home, "import", "--help")
    assert result.exit_code == 0 and "Example:" in result.output and "--from" in result.output


def test_verify_reads_a_sealed_edc(tmp_path, capsys, monkeypatch):
    """`verify` of a sealed EDC checks its seal, names the signer, and says the trusted lists were not asked; a
    one-byte change of its payload is invalid."""
    import json as _json

    import pytest as _pytest

    from microcred.cli import main
    from tests.support.paths import VECTORS

    monkeypatch.setenv("MICROCRED_HOME", str(tmp_path / "empty"))
    sealed = VECTORS / "09-elm" / "Sample-CertOfPart-signed.jsonld"
    with _pytest.raises(SystemExit) as exc:
        main(["--json", "verify", str(sealed)])
    line = _json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    checks = {c["name"]: c for c in line["checks"]}
    assert checks["signature"]["result"] == "pass" and "TEST SEAL" in checks["issuer"]["detail"]
    assert "trusted lists" in checks["issuer"]["detail"]
    # the Commission's sample lacks Annex I elements: reported, and decisive only when asked for
    assert exc.value.code == 0 and checks["format"]["result"] == "fail"
    assert line["levels"]["microcredential"] == {"result": "invalid", "required": False, "checks": ["format"]}
    doc = _json.loads(sealed.read_text(encoding="utf-8"))
    middle = len(doc["payload"]) // 2
    doc["payload"] = doc["payload"][:middle] + ("A" if doc["payload"][middle] != "A" else "B") \
        + doc["payload"][middle + 1:]
    broken = tmp_path / "broken.jsonld"
    broken.write_text(_json.dumps(doc), encoding="utf-8")
    with _pytest.raises(SystemExit) as exc:
        main(["--json", "verify", str(broken)])
    line = _json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert exc.value.code == 1 and {c["name"]: c["result"] for c in line["checks"]}["signature"] == "fail"
