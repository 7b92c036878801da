"""`microcred key ...` and `microcred did resolve`, driven in-process with CliRunner; errors through main()."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from eth_account import Account

import microcred.cli  # noqa: F401  (registers commands)
from microcred.cli import cli, main
from microcred.did import KeyPair, Keystore, resolve_did_key

PASS = "cli passphrase"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    home = tmp_path / "home"
    monkeypatch.setenv("MICROCRED_PASSPHRASE", PASS)
    monkeypatch.delenv("MICROCRED_HOME", raising=False)

    def invoke(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--home", str(home), *args], input=input)

    invoke.home = home  # type: ignore[attr-defined]
    return invoke


def _secret_forms(home: Path, name: str) -> list[str]:
    key = Keystore(home / "keys").load(name, PASS)
    return [key.private_bytes().hex(), key.to_jwk(private=True)["d"]]


def test_new_default_ed25519(run) -> None:  # type: ignore[no-untyped-def]
    result = run("key", "new", "issuer")
    assert result.exit_code == 0, result.output
    assert "type:        ed25519" in result.output
    info = Keystore(run.home / "keys").info("issuer")
    assert info.did in result.output and info.did.startswith("did:key:z6Mk")
    assert "eth address" not in result.output
    keys = run.home / "keys"
    assert stat.S_IMODE(keys.stat().st_mode) == 0o700
    assert stat.S_IMODE((keys / "issuer.key.json").stat().st_mode) == 0o600
    for secret in _secret_forms(run.home, "issuer"):
        assert secret not in result.output


def test_new_secp256k1_json(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--json", "key", "new", "chain", "--type", "secp256k1")
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["type"] == "secp256k1" and out["did"].startswith("did:key:zQ3s")
    v3 = json.loads((run.home / "keys" / "chain.eth.json").read_text())
    assert Account.from_key(Account.decrypt(v3, PASS)).address == out["ethAddress"]
    assert stat.S_IMODE((run.home / "keys" / "chain.eth.json").stat().st_mode) == 0o600
    for secret in _secret_forms(run.home, "chain"):
        assert secret not in result.output


def test_new_refuses_an_existing_name_and_force_replaces(run) -> None:  # type: ignore[no-untyped-def]
    assert run("key", "new", "a").exit_code == 0
    again = run("key", "new", "a", "--type", "p256")
    assert again.exit_code != 0 and "exists already" in str(again.exception)
    assert run("key", "new", "a", "--type", "p256", "--force").exit_code == 0
    assert Keystore(run.home / "keys").info("a").key_type == "p256"


def test_list_text_and_json_without_passphrase(run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    empty = run("key", "list")
    assert empty.exit_code == 0 and "no keys" in empty.output
    run("key", "new", "alpha")
    run("key", "new", "beta", "--type", "secp256k1")
    monkeypatch.delenv("MICROCRED_PASSPHRASE")
    text = run("key", "list")
    assert text.exit_code == 0, text.output
    lines = text.output.splitlines()
    assert lines[0].split() == ["NAME", "TYPE", "DID", "/", "ETH", "ADDRESS"]
    assert lines[1].split()[:2] == ["alpha", "ed25519"] and lines[2].split()[:2] == ["beta", "secp256k1"]
    rows = [json.loads(line) for line in run("--json", "key", "list").output.splitlines()]
    assert [r["name"] for r in rows] == ["alpha", "beta"]
    assert "ethAddress" in rows[1] and "ethAddress" not in rows[0]


def test_export_public_and_private(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("key", "new", "issuer", "--type", "p256")
    public = run("key", "export", "issuer")
    assert public.exit_code == 0
    jwk = json.loads(public.output)
    assert set(jwk) == {"kty", "crv", "x", "y"}
    refused = run("key", "export", "issuer", "--private")
    assert refused.exit_code == 2 and "--yes-i-know" in refused.output
    private = run("key", "export", "issuer", "--private", "--yes-i-know")
    assert private.exit_code == 0
    assert "PRIVATE key" in private.stderr and "PRIVATE key" not in private.stdout
    assert json.loads(private.stdout)["d"] in _secret_forms(run.home, "issuer")
    out = tmp_path / "issuer.jwk"
    written = run("key", "export", "issuer", "--private", "--yes-i-know", "--out", str(out))
    assert written.exit_code == 0 and json.loads(out.read_text())["d"] not in written.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert run("key", "export", "issuer", "--out", str(out)).exit_code != 0  # never overwrites


def test_import(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pair = KeyPair.generate("secp256k1")
    path = tmp_path / "k.jwk"
    path.write_text(json.dumps(pair.to_jwk(private=True)))
    result = run("--json", "key", "import", "imported", str(path))
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["did"] == pair.did and out["ethAddress"] == pair.eth_address
    assert pair.to_jwk(private=True)["d"] not in result.output
    stdin = run("key", "import", "from-stdin", "-", input=json.dumps(KeyPair.generate().to_jwk(private=True)))
    assert stdin.exit_code == 0, stdin.output
    path.write_text(json.dumps(pair.to_jwk()))
    public_only = run("key", "import", "pub", str(path))
    assert public_only.exit_code != 0 and "no private key" in str(public_only.exception)
    path.write_text("{not json")
    assert "not a JSON JWK" in str(run("key", "import", "bad", str(path)).exception)


def test_did_resolve(run) -> None:  # type: ignore[no-untyped-def]
    pair = KeyPair.generate()
    result = run("did", "resolve", pair.did)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == resolve_did_key(pair.did).to_json()
    assert "\n  " in result.output  # indented for people
    one_line = run("--json", "did", "resolve", pair.did, "--jwk")
    assert len(one_line.output.strip().splitlines()) == 1
    assert json.loads(one_line.output)["verificationMethod"][0]["publicKeyJwk"] == pair.to_jwk()
    full = json.loads(run("did", "resolve", pair.did, "--metadata", "--at", "2026-05-01T00:00:00Z").output)
    assert set(full) == {"didDocument", "didDocumentMetadata", "didResolutionMetadata"}


def test_did_resolve_at_accepts_unix_seconds_and_dates(run) -> None:  # type: ignore[no-untyped-def]
    did = KeyPair.generate().did
    for at in ("1767225600", "2026-01-01", "2026-01-01T10:00:00+02:00"):
        assert run("did", "resolve", did, "--at", at).exit_code == 0


@pytest.mark.parametrize("args, message", [
    (["did", "resolve", "did:example:123"], "no resolver for the DID method 'example'"),
    (["did", "resolve", "did:key:z0"], "invalid did:key"),
    (["did", "resolve", "not-a-did"], "not a DID"),
    (["did", "resolve", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "--at", "yesterday"],
     "--at: not a time"),
    (["key", "new", "bad/name"], "invalid key name"),
    (["key", "export", "missing"], "no key named 'missing'"),
])
def test_errors_are_one_line_with_exit_code_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str], args: list[str],
                                              message: str) -> None:
    monkeypatch.setenv("MICROCRED_PASSPHRASE", PASS)
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(tmp_path), *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert "Traceback" not in err


def test_wrong_passphrase_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("MICROCRED_PASSPHRASE", PASS)
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(tmp_path), "key", "new", "k"])
    assert exc.value.code == 0
    monkeypatch.setenv("MICROCRED_PASSPHRASE", "wrong")
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(tmp_path), "key", "export", "k", "--private", "--yes-i-know"])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert "wrong passphrase for key 'k'" in captured.err and '"d"' not in captured.out
