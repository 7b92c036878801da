"""`status export`: signed Bitstring Status Lists that say what the chain says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from microcred.cli import main
from microcred.registry.proofs._pipeline import did_key_lookup, verify_proofs
from microcred.registry.ledger._statuslist import MIN_BITS, bit, decode_bitstring, encode_bitstring

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def run(*args: str) -> None:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert (exc.value.code or 0) == 0, args


def test_status_lists_match_the_chain(home, tmp_path, capsys):
    from microcred.cli._app import _MEMORY
    from microcred.chain._connect import connect

    chain = _MEMORY.setdefault("memory", connect("memory"))
    base = ["--home", str(home), "--network", "memory"]
    run(*base, "key", "new", "sig")
    run(*base, "key", "new", "acct", "--type", "secp256k1")
    run(*base, "issuer", "init", "x", "--legal-name", "X University", "--country", "FR", "--key", "sig",
        "--account-key", "acct", "--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry"),
        "--status-list-url", "https://x.example/status")
    out = tmp_path / "out"
    run(*base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
        "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out))
    run(*base, "anchor", str(out), "--issuer", "x")
    run(*base, "revoke", "0", "--issuer", "x", "--reason", "fraud")
    run(*base, "suspend", "2", "--issuer", "x", "--reason", "under-investigation")
    run(*base, "status", "export", "--issuer", "x", "--out", str(tmp_path / "lists"))
    capsys.readouterr()
    first = json.loads(sorted(p for p in out.glob("*.json") if not p.name.startswith("."))[0].read_text())
    entry = first["credentialStatus"]  # one status object: the revocation list's entry, and the registry's
    assert entry["type"] == "BitstringStatusListEntry" and entry["statusPurpose"] == "revocation"
    assert entry["statusListIndex"] == "0" and entry["statusIndex"] == 0
    lists = {"revocation": entry["statusListCredential"], "suspension": "https://x.example/status/suspension"}
    capsys.readouterr()
    with pytest.raises(SystemExit):  # not bound to its account in this test, so the issuer check fails
        main([*base, "--json", "verify", str(sorted(p for p in out.glob("*.json") if not p.name.startswith("."))[1])])
    checks = {c["name"]: c["result"] for c in json.loads(capsys.readouterr().out)["checks"]}
    assert checks["format"] == checks["signature"] == checks["anchor"] == checks["status"] == "pass", checks
    for purpose, expected in (("revocation", {0}), ("suspension", {2})):
        doc = json.loads((tmp_path / "lists" / f"{purpose}.json").read_text())
        assert doc["id"] == lists[purpose]
        assert doc["credentialSubject"]["statusPurpose"] == purpose
        bits = decode_bitstring(doc["credentialSubject"]["encodedList"])
        assert len(bits) * 8 >= MIN_BITS
        assert {i for i in range(3) if bit(bits, i)} == expected
        assert verify_proofs(doc, did_key_lookup).verified


def test_bitstring_round_trip_and_bad_input():
    bits = decode_bitstring(encode_bitstring([0, 7, 8, 131_071], 10))
    assert [bit(bits, i) for i in (0, 1, 7, 8, 131_071)] == [True, False, True, True, True]
    with pytest.raises(Exception, match="outside"):
        encode_bitstring([MIN_BITS + 5], 10)
    with pytest.raises(Exception, match="starts with 'u'"):
        decode_bitstring("zabc")


def test_status_list_entries_beside_the_registry_entry_are_checked():
    from microcred.registry.credential._model import format_problems

    doc = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "valid_format_microcredential.json")
                     .read_text())
    entry = {"id": "https://x.example/status/revocation#3", "type": "BitstringStatusListEntry",
             "statusPurpose": "revocation", "statusListIndex": "3",
             "statusListCredential": "https://x.example/status/revocation"}
    doc["credentialStatus"] = [doc["credentialStatus"], entry]
    assert format_problems(doc) == []
    doc["credentialStatus"][1] = {k: v for k, v in entry.items() if k != "statusListCredential"}
    assert any("BitstringStatusListEntry" in p for p in format_problems(doc))
    doc["credentialStatus"] = [entry]
    assert any("exactly one" in p for p in format_problems(doc))
