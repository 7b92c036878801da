"""`history` and `audit` read an issuer's timeline with the same library function (issuer_timeline) and count it
with the same one (count_events): the same rows, the same count, on the in-process chain."""

from __future__ import annotations

import json

from tests.support.cli import run


def test_history_lists_and_counts_what_the_audit_reports(capsys, home, tmp_path):
    base = ["--home", str(home), "--network", "memory"]
    code, out, _ = run(capsys, *base, "--json", "key", "new", "chain", "--type", "secp256k1")
    assert code == 0
    address = json.loads(out).get("ethAddress") or json.loads(out)["eth_address"]
    delegate = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    for args in (("did", "add-delegate", "--key", "chain", delegate),
                 ("did", "add-delegate", "--key", "chain", delegate, "--type", "sigAuth"),
                 ("did", "revoke-delegate", "--key", "chain", delegate)):
        assert run(capsys, *base, *args)[0] == 0
    code, out, _ = run(capsys, *base, "--json", "audit", address, "--out", str(tmp_path / "report.html"))
    assert code == 0
    audited = json.loads(out)
    report = json.loads((tmp_path / "report.json").read_text())
    code, out, _ = run(capsys, *base, "--json", "history", address)
    rows = [json.loads(line) for line in out.strip().splitlines()]
    assert len(rows) == audited["events"] == len(report["timeline"]) == 3
    assert [(r["block"], r["kind"]) for r in rows] == [(e["block"], e["kind"]) for e in report["timeline"]]
    code, text, _ = run(capsys, *base, "history", address)
    assert code == 0
    assert text.strip().splitlines()[-1].strip() == "3 events (0 credential registry, 3 DID, 0 accreditation)"
    assert audited["eventsBySource"] == {"total": 3, "credentials": 0, "did": 3, "accreditation": 0}
