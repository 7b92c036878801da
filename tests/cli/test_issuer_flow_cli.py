"""An issuer's session through the command line on the in-process chain: did:ethr management, the audit report,
history as CSV, and exit codes of verify for a file that is not a credential."""

from __future__ import annotations

import json

import pytest

from microcred.cli import main


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code or 0, capsys.readouterr().out


def test_ethr_key_management_and_audit(capsys, home, tmp_path):
    base = ["--home", str(home), "--network", "memory"]
    code, out = run(capsys, *base, "--json", "key", "new", "chain", "--type", "secp256k1")
    assert code == 0
    address = json.loads(out)["eth_address"] if "eth_address" in out else json.loads(out)["ethAddress"]
    delegate = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    from microcred.cli._app import _MEMORY
    from microcred.chain._connect import connect

    chain = _MEMORY.setdefault("memory", connect("memory"))
    did = f"did:ethr:{hex(chain.chain_id)}:{address}"  # a bare did:ethr:0x… would name mainnet
    code, out = run(capsys, *base, "did", "add-delegate", "--key", "chain", delegate)
    assert code == 0 and "veriKey delegate" in out
    code, out = run(capsys, *base, "did", "resolve", did)
    assert code == 0 and delegate.lower() in out.lower()
    code, out = run(capsys, *base, "did", "revoke-delegate", "--key", "chain", delegate)
    assert code == 0
    code, out = run(capsys, *base, "did", "resolve", did)
    assert delegate.lower() not in out.lower()

    report = tmp_path / "report.html"
    code, out = run(capsys, *base, "audit", address, "--out", str(report))
    assert code == 0 and report.exists() and report.with_suffix(".json").exists()
    assert "<svg" in report.read_text() or "<table" in report.read_text()
    code, out = run(capsys, *base, "history", address, "--csv")
    assert code == 0 and out.startswith("time,block,source,kind,summary,tx")
    code, out = run(capsys, *base, "--json", "history", address)
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert [r["kind"] for r in rows if r["source"] == "did"] == ["delegate-added", "delegate-revoked"]


def test_verify_of_a_file_that_is_not_json_is_invalid_not_a_crash(capsys, home, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    code, out = run(capsys, "--home", str(home), "--network", "memory", "--json", "verify", str(bad))
    line = json.loads(out.strip().splitlines()[0])
    assert code == 1 and line["valid"] is False and "not valid JSON" in line["checks"][0]["detail"]
