"""The issuer binding names (account, chain, credential registry): on the memory chain, a credential anchored in a
registry its issuer's DID is not bound for fails the issuer check with a named reason; a binding of the old form
(no credential registry) is reported as such, and `issuer bind` binds again for the registry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from microcred.did import EthrDIDController, Keystore, publish_binding
from tests.support.cli import run
from tests.support.paths import EXAMPLES

PASSPHRASE = "test passphrase"  # the home fixture's MICROCRED_PASSPHRASE


def _issuer(capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path) -> tuple[list[str], Any, list[Path]]:
    """An issuer with credentials issued, not yet bound nor anchored: (global options, chain, files)."""
    from microcred.chain._connect import connect
    from microcred.cli._app import _MEMORY

    chain = _MEMORY.setdefault("memory", connect("memory"))
    base = ["--home", str(home), "--network", "memory"]
    for args in (("key", "new", "sig"), ("key", "new", "acct", "--type", "secp256k1"),
                 ("issuer", "init", "x", "--legal-name", "X", "--country", "FR", "--key", "sig", "--account-key",
                  "acct", "--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry")),
                 ("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(tmp_path / "out"))):
        code, _, err = run(capsys, *base, *args)
        assert code == 0, (args, err)
    files = sorted(p for p in (tmp_path / "out").glob("*.json") if not p.name.startswith("."))
    return base, chain, files


def _bind_with_library(home: Path, chain: Any, credential_registry: str | None) -> None:
    """Publish the issuer's binding as the library can: for ``credential_registry``, or of the old form."""
    keys = Keystore(home / "keys")
    account = keys.load_eth_account("acct", PASSPHRASE)
    chain.fund(account.address)
    controller = EthrDIDController(chain.w3, chain.address_of("EthereumDIDRegistry"), account,
                                   chain_id=chain.chain_id)
    key = keys.load("sig", PASSPHRASE)
    publish_binding(controller, key.did, key, credential_registry=credential_registry)


def _issue_and_anchor_again(capsys: pytest.CaptureFixture[str], base: list[str], out: Path) -> Path:
    for args in (("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(out)), ("anchor", str(out), "--issuer", "x")):
        code, _, err = run(capsys, *base, *args)
        assert code == 0, (args, err)
    return sorted(p for p in out.glob("*.json") if not p.name.startswith("."))[0]


def _issuer_check(capsys: pytest.CaptureFixture[str], base: list[str], file: Path) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, *base, "--json", "verify", str(file))
    line = json.loads(out.strip().splitlines()[0])
    return code, next(c for c in line["checks"] if c["name"] == "issuer")


def test_bound_for_another_registry_fails_the_issuer_check(capsys, home, tmp_path):
    base, chain, files = _issuer(capsys, home, tmp_path)
    elsewhere = "0x" + "bb" * 20
    _bind_with_library(home, chain, elsewhere)
    assert run(capsys, *base, "anchor", str(tmp_path / "out"), "--issuer", "x")[0] == 0
    code, issuer = _issuer_check(capsys, base, files[0])
    assert code == 1 and issuer["result"] == "fail"
    assert "other-credential-registry" in issuer["detail"]
    assert chain.address_of("CredentialRegistry") in issuer["detail"]
    assert "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" in issuer["detail"]
    # binding for the registry it anchors in (what `issuer bind` does): what is anchored from then on is valid
    # (the binding is checked as of the anchor's time, so the credentials anchored before stay as they were)
    code, out, _ = run(capsys, *base, "--json", "issuer", "bind", "x")
    assert code == 0 and json.loads(out)["registry"] == chain.address_of("CredentialRegistry")
    later = _issue_and_anchor_again(capsys, base, tmp_path / "later")
    code, issuer = _issuer_check(capsys, base, later)
    assert code == 0 and issuer["result"] == "pass" and chain.address_of("CredentialRegistry") in issuer["detail"]
    assert _issuer_check(capsys, base, files[0])[1]["result"] == "fail"


def test_an_old_binding_is_named_and_bind_publishes_one_for_the_registry(capsys, home, tmp_path):
    base, chain, files = _issuer(capsys, home, tmp_path)
    _bind_with_library(home, chain, None)  # a binding as published before it named the credential registry
    assert run(capsys, *base, "anchor", str(tmp_path / "out"), "--issuer", "x")[0] == 0
    code, issuer = _issuer_check(capsys, base, files[0])
    assert code == 1 and issuer["result"] == "fail"
    assert "no-credential-registry" in issuer["detail"] and "names no credential registry" in issuer["detail"]
    code, out, err = run(capsys, *base, "issuer", "bind", "x")
    assert code == 0 and "older binding" in out + err and "bound did:key:" in out
    code, out, _ = run(capsys, *base, "--json", "issuer", "bind", "x")
    assert code == 0 and json.loads(out)["already"] is True  # bound for its registry now: nothing sent
    code, issuer = _issuer_check(capsys, base, _issue_and_anchor_again(capsys, base, tmp_path / "later"))
    assert code == 0 and issuer["result"] == "pass"
