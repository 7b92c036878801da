"""`microcred issuer init|show|list` and `microcred issue`, in-process; user-facing errors through main().

Signing is injected: ``_make_signer`` is replaced by a fake that adds a placeholder proof, so these tests do not
depend on the proof layer (the real eddsa-rdfc-2022 wiring has its own test).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

import microcred.cli  # noqa: F401  (registers commands)
import microcred.cli._issue as issue_module
from microcred.cli import cli, main
from microcred.did import Keystore
from microcred.registry.credential._model import validate_microcredential

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@pytest.fixture
def keys(home: Path) -> dict[str, Any]:
    """A signing key and a chain account in the home's keystore (cheap scrypt: test speed only)."""
    store = Keystore(home / "keys", scrypt_n=2**4)
    signing = store.create("tux-signing", "ed25519", "test passphrase")
    account = store.create("tux-chain", "secp256k1", "test passphrase")
    store.create("tux-p256", "p256", "test passphrase")
    return {"signing": signing, "account": account}


def _run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["--home", str(home), *args], catch_exceptions=False)


def _main(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(home), *args])
    out, err = capsys.readouterr()
    return int(exc.value.code or 0), out, err


def _init(home: Path, *extra: str) -> Result:
    return _run(home, "issuer", "init", "tux", "--legal-name", "Technische Universität Example", "--display-name",
                "TU Example", "--country", "de", "--region", "Bavaria", "--key", "tux-signing", "--account-key",
                "tux-chain", "--chain", "eip155:31337", "--registry", REGISTRY, *extra)


class FakeSigners:
    """Stands in for ``_make_signer``: records each construction and signs with a placeholder proof."""

    def __init__(self) -> None:
        self.made: list[str] = []
        self.signed = 0

    def __call__(self, app: Any, profile: Any, cryptosuite: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
        self.made.append(cryptosuite)

        def sign(doc: dict[str, Any]) -> dict[str, Any]:
            self.signed += 1
            return {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": cryptosuite,
                                     "verificationMethod": profile.verification_method,
                                     "proofPurpose": "assertionMethod", "proofValue": "zplaceholder"}}

        return sign


@pytest.fixture
def signers(monkeypatch: pytest.MonkeyPatch) -> FakeSigners:
    fake = FakeSigners()
    monkeypatch.setattr(issue_module, "_make_signer", fake)
    return fake


def _issue(home: Path, out: Path, *extra: str, learners: Path = EXAMPLES / "learners.csv",
           template: Path = EXAMPLES / "course-template.json") -> list[str]:
    return ["issue", "--issuer", "tux", "--template", str(template), "--learners", str(learners), "--out", str(out),
            *extra]


# -- issuer profiles --------------------------------------------------------------------------------------------


def test_issuer_init_takes_did_and_account_from_the_keystore(home: Path, keys: dict[str, Any]) -> None:
    result = _init(home)
    assert result.exit_code == 0, result.output
    profile = json.loads(_run(home, "--json", "issuer", "show", "tux").stdout)
    did = keys["signing"].did
    assert profile["did"] == did and profile["verificationMethod"] == f"{did}#{did[len('did:key:'):]}"
    assert profile["account"] == keys["account"].eth_address and profile["accountKey"] == "tux-chain"
    assert profile["country"] == "DE" and profile["region"] == "Bavaria" and profile["key"] == "tux-signing"
    assert profile["cryptosuite"] == "eddsa-rdfc-2022" and profile["chain"] == "eip155:31337"
    assert profile["registry"] == REGISTRY and profile["network"] == "local"
    assert json.loads((home / "issuers" / "tux.json").read_text()) == profile
    shown = _run(home, "issuer", "show", "tux").output
    assert "legalName:" in shown and "Technische Universität Example" in shown
    listed = _run(home, "issuer", "list").stdout.splitlines()
    assert listed[0].split() == ["NAME", "CC", "CHAIN", "DID"] and listed[1].split() == ["tux", "DE",
                                                                                       "eip155:31337", did]
    assert [json.loads(line)["name"] for line in _run(home, "--json", "issuer", "list").stdout.splitlines()] == \
        ["tux"]


def test_issuer_init_with_an_explicit_did_and_a_p256_key(home: Path, keys: dict[str, Any]) -> None:
    result = _run(home, "--json", "issuer", "init", "web", "--legal-name", "Example Academy", "--country", "AT",
                  "--key", "tux-p256", "--did", "did:web:academy.example", "--verification-method",
                  "did:web:academy.example#key-1", "--website", "https://academy.example")
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert profile["did"] == "did:web:academy.example" and profile["cryptosuite"] == "ecdsa-rdfc-2019"
    assert "account" not in profile and "registry" not in profile


def test_issuer_init_errors(capsys: pytest.CaptureFixture[str], home: Path, keys: dict[str, Any]) -> None:
    base = ["issuer", "init", "tux", "--legal-name", "TU Example", "--country", "DE"]
    code, _, err = _main(capsys, home, *base, "--key", "tux-chain")
    assert code == 2 and "key 'tux-chain' is secp256k1" in err
    code, _, err = _main(capsys, home, *base, "--key", "absent")
    assert code == 2 and "no key named 'absent'" in err
    code, _, err = _main(capsys, home, *base, "--key", "tux-signing", "--cryptosuite", "ecdsa-rdfc-2019")
    assert code == 2 and "it signs with eddsa-rdfc-2022 or eddsa-jcs-2022, not ecdsa-rdfc-2019" in err
    code, _, err = _main(capsys, home, *base, "--key", "tux-signing", "--did", "did:web:tux.example")
    assert code == 2 and "give its verification method id" in err
    code, _, err = _main(capsys, home, *base[:-1], "XX", "--key", "tux-signing", "--registry", "0x12",
                         "--account-key", "tux-p256")
    assert code == 2 and "--account-key 'tux-p256' is p256" in err
    code, _, err = _main(capsys, home, *base[:-1], "XX", "--key", "tux-signing", "--registry", "0x12")
    assert code == 2
    assert "--country 'XX' is not an ISO 3166-1 alpha-2 country code" in err and "--registry '0x12'" in err
    assert "Traceback" not in err
    assert _main(capsys, home, *base, "--key", "tux-signing")[0] == 0
    code, _, err = _main(capsys, home, *base, "--key", "tux-signing")
    assert code == 2 and "exists already" in err and "--force" in err
    assert _main(capsys, home, *base, "--key", "tux-signing", "--region", "Saxony", "--force")[0] == 0
    code, _, err = _main(capsys, home, "issuer", "show", "nobody")
    assert code == 2 and "no issuer named 'nobody'" in err and "issuers: tux" in err


# -- issue ------------------------------------------------------------------------------------------------------


def test_issue_writes_the_credentials_and_a_summary(home: Path, keys: dict[str, Any], signers: FakeSigners,
                                                    tmp_path: Path) -> None:
    assert _init(home).exit_code == 0
    out = tmp_path / "credentials"
    result = _run(home, *_issue(home, out))
    assert result.exit_code == 0, result.output
    assert "issued 3 credentials for 3 learners of 'Data Stewardship for Research'" in result.stdout
    assert f"status indexes 0-2 on eip155:31337, registry {REGISTRY}" in result.stdout
    assert f"files in {out}" in result.stdout
    assert "issuing" in result.stderr and "all rows valid" in result.stderr
    docs = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert len(docs) == 3 and all(validate_microcredential(d) == [] for d in docs)
    assert {d["issuer"]["id"] for d in docs} == {keys["signing"].did}
    assert {d["credentialStatus"]["issuerAccount"] for d in docs} == {keys["account"].eth_address}
    assert signers.made == ["eddsa-rdfc-2022"] and signers.signed == 3


def test_issue_json_lines_and_rerun(home: Path, keys: dict[str, Any], signers: FakeSigners, tmp_path: Path) -> None:
    assert _init(home).exit_code == 0
    out = tmp_path / "out"
    first = _run(home, "--json", *_issue(home, out, "--cryptosuite", "eddsa-jcs-2022",
                                         learners=EXAMPLES / "learners.jsonl"))
    assert first.exit_code == 0, first.output
    lines = [json.loads(line) for line in first.stdout.splitlines()]
    assert [(x["statusIndex"], x["line"], x["new"]) for x in lines] == [(0, 1, True), (1, 2, True), (2, 3, True)]
    assert all(Path(x["file"]).is_file() and x["id"].startswith("urn:uuid:") for x in lines)
    assert signers.made == ["eddsa-jcs-2022"]
    again = _run(home, *_issue(home, out, learners=EXAMPLES / "learners.jsonl"))
    assert again.exit_code == 0
    assert "issued 0 credentials (3 already present) for 3 learners" in again.stdout
    assert signers.made == ["eddsa-jcs-2022"]  # nothing to sign: the key was not even unlocked
    other = _run(home, "--json", *_issue(home, tmp_path / "other"))
    assert [json.loads(line)["statusIndex"] for line in other.stdout.splitlines()] == [3, 4, 5]


def test_bad_learner_file_issues_nothing_and_names_every_row(capsys: pytest.CaptureFixture[str], home: Path,
                                                             keys: dict[str, Any], signers: FakeSigners,
                                                             tmp_path: Path) -> None:
    assert _init(home).exit_code == 0
    out = tmp_path / "out"
    bad = FIXTURES / "invalid_learner_rows.csv"
    code, stdout, err = _main(capsys, home, *_issue(home, out, learners=bad))
    assert code == 2 and stdout == ""
    assert f"error: learner list {bad}: 7 rows are invalid, no credential was issued:" in err
    for line in range(3, 10):
        assert f"{bad}:{line}: " in err
    assert "Traceback" not in err and "pydantic" not in err
    assert not out.exists() and signers.made == []
    assert not (home / "issuers" / "tux.state.json").exists()  # no index was reserved
    assert not (home / "state" / "tux" / "indexes.json").exists()


def test_bad_template_names_file_line_and_element(capsys: pytest.CaptureFixture[str], home: Path,
                                                  keys: dict[str, Any], signers: FakeSigners,
                                                  tmp_path: Path) -> None:
    assert _init(home).exit_code == 0
    bad = FIXTURES / "invalid_template_values.json"
    code, _, err = _main(capsys, home, *_issue(home, tmp_path / "out", template=bad))
    assert code == 2
    assert f"{bad}:7: level (EQF, QF-EHEA) (Annex I element 8) invalid at eqf_level" in err
    assert f"{bad}:6: notional workload (Annex I element 7) invalid at ects: must be at least 0, got -5" in err
    code, _, err = _main(capsys, home, *_issue(home, tmp_path / "out",
                                                 template=FIXTURES / "invalid_missing_outcomes.json"))
    assert code == 2 and "learning outcomes (Annex I element 6) missing at learning_outcomes" in err
    assert signers.made == []


def test_issue_needs_a_complete_profile(capsys: pytest.CaptureFixture[str], home: Path, keys: dict[str, Any],
                                        signers: FakeSigners, tmp_path: Path) -> None:
    assert _run(home, "issuer", "init", "tux", "--legal-name", "TU Example", "--country", "DE", "--key",
                "tux-signing").exit_code == 0
    code, _, err = _main(capsys, home, *_issue(home, tmp_path / "out"))
    assert code == 2
    assert "issuer 'tux' has no chain id (--chain), no registry address (--registry), no chain account" in err
    code, _, err = _main(capsys, home, "issue", "--issuer", "nobody", "--template", "t.json", "--learners",
                         "l.csv", "--out", str(tmp_path / "o"))
    assert code == 2 and "no issuer named 'nobody'" in err
    assert signers.made == []
