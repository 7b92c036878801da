"""Issuing through the CLI on the memory chain, for tests of what `issue` writes (its status object, its forms)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred.cli import main
from tests.support.paths import EXAMPLES


def run(capsys, *args: str) -> str:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    assert (exc.value.code or 0) == 0, (args, captured.err, captured.out)
    return captured.out


def memory_issuer(home: Path, capsys, *, legal_name: str = "Université Exemple", country: str = "FR",
                  key_type: str = "ed25519", init: tuple[str, ...] = ()) -> list[str]:
    """Issuer ``x`` on the in-process chain: a signing key (``key_type``) and a secp256k1 account key in ``home``,
    its profile (``init``: more `issuer init` options); the CLI's base arguments for that home."""
    from microcred.chain import connect
    from microcred.cli._app import _MEMORY

    chain = _MEMORY.setdefault("memory", connect("memory"))
    base = ["--home", str(home), "--network", "memory"]
    run(capsys, *base, "key", "new", "sig", "--type", key_type)
    run(capsys, *base, "key", "new", "acct", "--type", "secp256k1")
    run(capsys, *base, "issuer", "init", "x", "--legal-name", legal_name, "--country", country, "--key", "sig",
        "--account-key", "acct", "--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry"), *init)
    return base


def credentials(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith((".", "anchor-journal")))


def issue(home: Path, tmp_path: Path, capsys, cryptosuite: str, *, status_list_url: str | None = None):
    """An issuer with ``cryptosuite`` (bound to its account) on the memory chain: its credentials as issued, and
    the same files after anchoring."""
    key_type = "ed25519" if cryptosuite.startswith("eddsa") else "p256"
    extra = ("--status-list-url", status_list_url) if status_list_url else ()
    base = memory_issuer(home, capsys, key_type=key_type, init=("--cryptosuite", cryptosuite, *extra))
    from microcred.cli._app import _MEMORY

    chain = _MEMORY["memory"]
    out = tmp_path / "out"
    run(capsys, *base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
        "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out))
    issued = [json.loads(p.read_text(encoding="utf-8")) for p in credentials(out)]
    run(capsys, *base, "issuer", "bind", "x")
    run(capsys, *base, "anchor", str(out), "--issuer", "x")
    return base, chain, out, issued
