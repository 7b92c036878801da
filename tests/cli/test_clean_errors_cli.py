"""Issue 15, item 6: each mistake and mishap below gets a named error, a one-line message and the right exit code;
a full disk during `issue` says what was written, and running the command again resumes."""

from __future__ import annotations

import errno
import json
from pathlib import Path
from typing import Any

import pytest

import microcred.cli._issue as issue_module
import microcred.registry.issuance._batch as issuance
from microcred.cli import main
from microcred.did import Keystore
from microcred.registry.anchoring import BatchLimitError, check_batch_limit
from microcred.registry.issuance import DiskFullError
from tests.support.paths import EXAMPLES

REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err, captured.err
    return int(exc.value.code or 0), captured.out, captured.err


@pytest.fixture
def issuer(home: Path, capsys) -> list[str]:
    store = Keystore(home / "keys", scrypt_n=2**4)
    store.create("sig", "ed25519", "test passphrase")
    store.create("acct", "secp256k1", "test passphrase")
    base = ["--home", str(home), "--network", "local"]
    code, _, err = run(capsys, *base, "issuer", "init", "tux", "--legal-name", "TU", "--country", "DE", "--key", "sig",
                       "--account-key", "acct", "--chain", "eip155:31337", "--registry", REGISTRY)
    assert code == 0, err
    return base


def test_an_issuer_made_for_the_memory_network_is_warned_about(home, capsys):
    Keystore(home / "keys", scrypt_n=2**4).create("sig", "ed25519", "test passphrase")
    code, _, err = run(capsys, "--home", str(home), "--network", "memory", "issuer", "init", "m", "--legal-name",
                       "M", "--country", "FR", "--key", "sig")
    assert code == 0
    assert "warning: --network memory is an in-process chain" in err and "--network local" in err


@pytest.mark.parametrize("limit", ["0", "-3", "65537"])
def test_anchor_batch_limit_outside_1_to_65536_is_refused_before_anything(issuer, capsys, tmp_path, limit):
    (tmp_path / "c.json").write_text("{}")
    code, out, err = run(capsys, *issuer, "anchor", str(tmp_path), "--issuer", "tux", "--batch-limit", limit)
    assert code == 2 and out == ""
    assert f"error: the batch limit is a whole number from 1 to 65,536 (credentials per batch), not {limit}" in err
    with pytest.raises(BatchLimitError):
        check_batch_limit(int(limit))


def test_node_start_on_port_99999_and_node_status_without_a_node(home, capsys):
    code, _, err = run(capsys, "--home", str(home), "node", "start", "--port", "99999")
    assert code == 2 and "a TCP port is a whole number from 1 to 65535, not 99999" in err
    code, out, _ = run(capsys, "--home", str(home), "--json", "node", "status")
    assert code == 1 and json.loads(out)["running"] is False


class _Placeholder:
    def __call__(self, app: Any, profile: Any, cryptosuite: str):
        def sign(doc: dict[str, Any]) -> dict[str, Any]:
            return {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": cryptosuite,
                                     "verificationMethod": profile.verification_method,
                                     "proofPurpose": "assertionMethod", "proofValue": "zplaceholder"}}
        return sign


def test_a_full_disk_during_issue_says_what_was_written_and_a_rerun_resumes(issuer, capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(issue_module, "_make_signer", _Placeholder())
    real = issuance._write_credential
    writes: list[str] = []

    def full_after_two(out_dir: Path, name: str, doc: dict[str, Any]) -> None:
        if len(writes) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(out_dir / name))
        writes.append(name)
        real(out_dir, name, doc)

    monkeypatch.setattr(issuance, "_write_credential", full_after_two)
    out = tmp_path / "out"
    args = [*issuer, "issue", "--issuer", "tux", "--template", str(EXAMPLES / "course-template.json"),
            "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out)]
    code, stdout, err = run(capsys, *args)
    assert code == 2 and stdout == ""
    assert "error: the disk is full (No space left on device) writing " in err
    assert "2 of 3 credentials are in" in err and "status indexes 0-2 reserved" in err
    assert "run the same command again; it resumes the batch with the same indexes" in err
    monkeypatch.setattr(issuance, "_write_credential", real)  # space freed
    code, stdout, err = run(capsys, *args)
    assert code == 0, err
    assert "issued 1 credential (2 already present) for 3 learners" in stdout
    indexes = sorted(json.loads(p.read_text())["credentialStatus"]["statusIndex"]
                     for p in out.glob("*.json") if not p.name.startswith("."))
    assert indexes == [0, 1, 2], "the rerun used the reserved indexes, none twice"


def test_disk_full_is_an_issuance_error_and_an_oserror():
    exc = DiskFullError(errno.ENOSPC, "the disk is full")
    assert isinstance(exc, OSError) and exc.errno == errno.ENOSPC and str(exc) == "the disk is full"
