"""Credentials issued before the one OB 3.0 status object still verify: a lone ``MicrocredRegistryEntry2026``
or an array of it and two Bitstring Status List entries, with ``proof`` an object (tests/fixtures/old_status_shape,
and the same shapes issued, anchored and verified on the memory chain)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microcred.cli import main
from microcred.registry.credential import credential_digest, status_entry
from microcred.registry.credential._documents import has_registry_entry
from microcred.registry.credential._model import format_problems
from microcred.registry.proofs._pipeline import did_key_lookup, verify_proofs
from microcred.registry.issuance._build import _Builder
from tests.support.issuing import credentials, run
from tests.support.paths import EXAMPLES, ROOT

OLD = ROOT / "tests" / "fixtures" / "old_status_shape"


def verify_json(capsys, *args: str) -> tuple[int, list[dict]]:
    """Exit code and JSON lines of a `verify` run."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    out = capsys.readouterr().out
    return exc.value.code or 0, [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("name", ["registry_entry_only.json", "three_entries.json"])
def test_old_fixtures_read_and_verify_offline(name):
    """What needs no chain: the format (the micro-credential profile), the signature, the registry entry read."""
    doc = json.loads((OLD / name).read_text(encoding="utf-8"))
    assert has_registry_entry(doc)
    entry = status_entry(doc)
    assert entry["type"] == "MicrocredRegistryEntry2026" and entry["statusIndex"] == 41
    assert format_problems(doc) == []
    assert verify_proofs(doc, did_key_lookup).verified
    tampered = {**doc, "name": doc["name"] + "!"}
    assert not verify_proofs(tampered, did_key_lookup).verified


def test_a_lone_proof_and_an_array_of_one_have_one_digest():
    """The batch tree's leaves: an old credential (proof object) and its array form hash alike."""
    doc = json.loads((OLD / "registry_entry_only.json").read_text(encoding="utf-8"))
    assert isinstance(doc["proof"], dict)
    assert credential_digest(doc) == credential_digest({**doc, "proof": [doc["proof"]]})
    assert credential_digest(doc) != credential_digest({**doc, "proof": [doc["proof"], doc["proof"]]})


def _old_status(self: Any, index: int) -> Any:
    """The status the builder wrote before one OB 3.0 object."""
    entry = {"type": "MicrocredRegistryEntry2026", "chain": self.chain, "registry": self.registry,
             "issuerAccount": self.account, "statusIndex": index}
    if not self.status_list_url:
        return entry
    base = self.status_list_url.rstrip("/")
    return [entry] + [{"id": f"{base}/{p}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": p,
                       "statusListIndex": str(index), "statusListCredential": f"{base}/{p}"}
                      for p in ("revocation", "suspension")]


@pytest.mark.parametrize("status_list_url", [None, "https://x.example/status"], ids=["one-entry", "three-entries"])
def test_old_shapes_issued_anchored_and_verified(home, tmp_path, capsys, monkeypatch, status_list_url):
    from microcred.chain._connect import connect
    from microcred.cli._app import _MEMORY

    chain = _MEMORY.setdefault("memory", connect("memory"))
    base = ["--home", str(home), "--network", "memory"]
    run(capsys, *base, "key", "new", "sig")
    run(capsys, *base, "key", "new", "acct", "--type", "secp256k1")
    run(capsys, *base, "issuer", "init", "x", "--legal-name", "Université Exemple", "--country", "FR", "--key",
        "sig", "--account-key", "acct", "--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry"),
        *(["--status-list-url", status_list_url] if status_list_url else []))
    out = tmp_path / "out"
    with monkeypatch.context() as patch:
        patch.setattr(_Builder, "_status", _old_status)
        run(capsys, *base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
            "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out))
    files = credentials(out)
    for path in files:  # the proof as an object, as it was written then
        doc = json.loads(path.read_text(encoding="utf-8"))
        assert (isinstance(doc["credentialStatus"], list)) == bool(status_list_url)
        path.write_text(json.dumps({**doc, "proof": doc["proof"][0]}), encoding="utf-8")
    run(capsys, *base, "issuer", "bind", "x")
    run(capsys, *base, "anchor", str(out), "--issuer", "x")
    run(capsys, *base, "suspend", str(status_entry(json.loads(files[1].read_text()))["statusIndex"]), "--issuer", "x",
        "--reason", "under-investigation")
    lists: list[str] = []
    if status_list_url:
        run(capsys, *base, "status", "export", "--issuer", "x", "--out", str(tmp_path / "lists"))
        lists = ["--status-list", str(tmp_path / "lists" / "revocation.json"),
                 "--status-list", str(tmp_path / "lists" / "suspension.json")]
    code, got = verify_json(capsys, *base, "--json", "verify", *lists, *map(str, files))
    assert code == 1 and [v["valid"] for v in got] == [True, False, True], got
    assert [v["status"] for v in got] == ["active", "suspended", "active"]
    names = {c["name"] for c in got[0]["checks"]}
    assert ("status_list" in names) == bool(status_list_url)
    if status_list_url:
        detail = next(c for c in got[1]["checks"] if c["name"] == "status_list")
        assert detail["result"] == "fail" and "agrees with the registry" in detail["detail"]
