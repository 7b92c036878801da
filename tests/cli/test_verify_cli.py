"""`microcred verify` on the memory chain: the verdict per file, hostile input as one file's problem, offline
checks when no chain answers, and what the verdict says to a person."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.issuing import memory_issuer
from tests.support.chain import free_port

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OFFLINE = ("format", "signature", "validity")




def lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.strip().splitlines()]


def checks(line: dict) -> dict[str, str]:
    return {c["name"]: c["result"] for c in line["checks"]}


@pytest.fixture
def issued(home, tmp_path, capsys):
    """Credentials of an issuer (did:key bound to its account) on the memory chain, anchored."""
    base = memory_issuer(home, capsys)
    for args in (("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(tmp_path / "out")),
                 ("issuer", "bind", "x"), ("anchor", str(tmp_path / "out"), "--issuer", "x")):
        code, _, err = run(capsys, *base, *args)
        assert code == 0, (args, err)
    files = sorted(p for p in (tmp_path / "out").glob("*.json") if not p.name.startswith("."))
    return base, files


def test_valid_files_and_the_summary_line(issued, capsys):
    base, files = issued
    code, out, _ = run(capsys, *base, "--json", "verify", *map(str, files[:2]))
    assert code == 0
    got = lines(out)
    assert len(got) == 2 and all(line["valid"] for line in got)
    assert {"file", "id", "valid", "status", "checks"} <= set(got[0])
    code, out, _ = run(capsys, *base, "verify", *map(str, files[:2]))
    assert code == 0 and out.strip().splitlines()[-1] == "2 credentials: 2 valid, 0 invalid, 0 could not check"


def hostile(tmp_path: Path, good: dict) -> dict[str, Path]:
    files = {}

    def put(name: str, data: bytes | str) -> None:
        path = tmp_path / f"{name}.json"
        path.write_bytes(data if isinstance(data, bytes) else data.encode())
        files[name] = path

    nan = json.dumps(good).replace('"statusIndex": 0', '"statusIndex": 0, "x": NaN')
    assert "NaN" in nan
    put("nan", nan)
    put("infinity", json.dumps({**good, "n": 1}).replace('"n": 1', '"n": Infinity'))
    put("huge-float", json.dumps({**good, "n": 1}).replace('"n": 1', '"n": 1e999'))
    for name, index in (("index-2^64-1", 2**64 - 1), ("index-2^256-1", 2**256 - 1)):
        doc = json.loads(json.dumps(good))
        doc["credentialStatus"]["statusIndex"] = index
        put(name, json.dumps(doc))
    put("deep", "[" * 100_000 + "]" * 100_000)
    put("deep-object", '{"a":' * 65 + "1" + "}" * 65)
    put("too-large", json.dumps({**good, "pad": "x" * (1024 * 1024)}))
    put("not-an-object", "[1, 2, 3]")
    put("not-utf8", b'{"id": "\xff\xfe"}')
    return files


REASONS = {"nan": "NaN", "infinity": "Infinity", "huge-float": "out of range", "index-2^64-1": "out of range",
           "index-2^256-1": "out of range", "deep": "nested deeper than 64", "deep-object": "nested deeper than 64",
           "too-large": "too large", "not-an-object": "JSON object", "not-utf8": "not UTF-8"}


def test_hostile_files_are_each_invalid_and_the_good_one_is_reported(issued, tmp_path, capsys):
    base, files = issued
    good = json.loads(files[0].read_text())
    bad = hostile(tmp_path, good)
    args = [str(bad[name]) for name in REASONS] + [str(files[0])]
    code, out, _ = run(capsys, *base, "--json", "verify", *args)
    got = {Path(line["file"]).stem: line for line in lines(out)}
    assert code == 1
    assert got[files[0].stem]["valid"] is True, got[files[0].stem]
    for name, reason in REASONS.items():
        line = got[name]
        assert line["valid"] is False and "fail" in checks(line).values(), line
        assert any(reason in c["detail"] for c in line["checks"] if c["result"] == "fail"), (name, line)
        assert "error" not in checks(line).values() or name.startswith("index"), line


def test_deeply_nested_json_is_invalid_not_a_segfault(tmp_path):
    """In a process of its own, as a user runs it: before the depth check, this ended with rc 139."""
    import os
    import subprocess
    import sys

    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 150_000 + "1" + "}" * 150_000)
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-c", "from microcred.cli import main; main()", "--home", str(tmp_path / "h"),
               "--network", "memory", "--json", "verify", str(deep)]
    proc = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-500:])
    assert "nested deeper than 64" in json.loads(proc.stdout.splitlines()[0])["checks"][0]["detail"]


def test_no_node_running_still_checks_the_file(issued, capsys):
    base, files = issued
    dead = f"http://127.0.0.1:{free_port()}"
    code, out, _ = run(capsys, "--home", base[1], "--network", dead, "--json", "verify", str(files[0]))
    (line,) = lines(out)
    assert code == 2 and line["valid"] is False
    got = checks(line)
    assert all(got[name] == "pass" for name in OFFLINE), line
    assert got["anchor"] == "error" and got["status"] == "error" and got["issuer"] == "error"
    anchor = next(c["detail"] for c in line["checks"] if c["name"] == "anchor")
    assert anchor.startswith("could not check") and dead in anchor


def test_text_output_names_what_was_achieved(issued, capsys):
    base, files = issued
    doc = json.loads(files[0].read_text())
    code, out, _ = run(capsys, *base, "verify", str(files[0]))
    assert code == 0
    text = out.splitlines()
    assert text[0].endswith("VALID (status: active)")
    learner = next(i["identityHash"] for i in doc["credentialSubject"]["identifier"] if i["identityType"] == "name")
    assert learner in text[1] and doc["credentialSubject"]["achievement"]["name"] in text[1]
    assert "ECTS" in text[1] and "EQF" in text[1]
    assert "Université Exemple (FR)" in text[2] and doc["validFrom"][:10] in text[2]
    assert text.index(text[2]) < next(i for i, t in enumerate(text) if "signature" in t)
    assert any(t.strip().startswith("one source trusted:") and "block" in t for t in text)
    code, out, _ = run(capsys, *base, "--json", "verify", str(files[0]))
    (line,) = lines(out)
    assert line["summary"]["learner"] == learner and line["summary"]["country"] == "FR"
    assert line["summary"]["awardingBody"] == "Université Exemple" and line["summary"]["level"].startswith("EQF")
    assert set(line["summary"]) == {"learner", "achievement", "credits", "level", "awardingBody", "country", "issued"}
    assert line["sources"]["single_source"] is True and line["sources"]["trusted"][0]["block"] is not None


def test_a_registry_the_verifier_does_not_trust_fails(issued, tmp_path, capsys):
    base, files = issued
    doc = json.loads(files[0].read_text())
    doc["credentialStatus"]["registry"] = "0x" + "12" * 20
    for p in doc["proof"]:
        if p.get("type") == "MicrocredAnchorProof2026":
            p["registry"] = "0x" + "12" * 20
    f = tmp_path / "elsewhere.json"
    f.write_text(json.dumps(doc))
    code, out, _ = run(capsys, *base, "--json", "verify", str(f))
    (line,) = lines(out)
    anchor = next(c["detail"] for c in line["checks"] if c["name"] == "anchor")
    assert code == 1 and checks(line)["anchor"] == "fail" and "not trusted" in anchor
    assert "0x1212121212121212121212121212121212121212" in anchor


def test_a_registry_the_verifier_names_with_registry_is_believed(issued, tmp_path, capsys):
    """--registry adds the verifier's own choice to the registries it believes, and takes none away."""
    base, files = issued
    doc = json.loads(files[0].read_text())
    elsewhere = "0x" + "12" * 20
    doc["credentialStatus"]["registry"] = elsewhere
    for proof in doc["proof"]:
        if proof.get("type") == "MicrocredAnchorProof2026":
            proof["registry"] = elsewhere
    f = tmp_path / "elsewhere.json"
    f.write_text(json.dumps(doc))
    code, out, _ = run(capsys, *base, "--json", "verify", str(f), "--registry", elsewhere)
    (line,) = lines(out)
    anchor = next(c["detail"] for c in line["checks"] if c["name"] == "anchor")
    # believed now: the anchor check goes on to the inclusion proof, which the edit broke
    assert "not trusted" not in anchor and "inclusion proof" in anchor
    code, out, _ = run(capsys, *base, "--json", "verify", str(files[0]), "--registry", elsewhere)
    (line,) = lines(out)
    assert code == 0 and checks(line)["anchor"] == "pass"


def test_bitstring_status_lists_from_status_export_read_offline(home, tmp_path, capsys):
    """Credentials whose status object is a Bitstring entry carrying the registry's coordinates: the lists
    `status export` writes, given with --status-list, agree with the chain; a list older than a revocation
    disagrees, and that is flagged."""
    base = memory_issuer(home, capsys, init=("--status-list-url", "https://x.example/status"))
    out = tmp_path / "out"
    for args in (("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(out)),
                 ("issuer", "bind", "x"), ("anchor", str(out), "--issuer", "x"),
                 ("revoke", "0", "--issuer", "x", "--reason", "fraud"),
                 ("status", "export", "--issuer", "x", "--out", str(tmp_path / "lists")),
                 ("revoke", "1", "--issuer", "x", "--reason", "fraud")):
        code, _, err = run(capsys, *base, *args)
        assert code == 0, (args, err)
    files = sorted(p for p in out.glob("*.json") if not p.name.startswith("."))
    by_index = {json.loads(p.read_text())["credentialStatus"]["statusIndex"]: p for p in files}
    lists = ["--status-list", str(tmp_path / "lists" / "revocation.json"),
             "--status-list", str(tmp_path / "lists" / "suspension.json")]
    code, stdout, _ = run(capsys, *base, "--json", "verify", str(by_index[0]), str(by_index[2]), *lists)
    revoked, active = lines(stdout)
    assert checks(revoked)["status"] == checks(revoked)["status_list"] == "fail"
    assert "agrees with the registry" in next(c for c in revoked["checks"] if c["name"] == "status_list")["detail"]
    assert revoked["status"] == "revoked" and code == 1
    assert checks(active)["status_list"] == "pass" and active["valid"] is True
    code, stdout, _ = run(capsys, *base, "--json", "verify", str(by_index[1]), *lists)
    [line] = lines(stdout)
    assert checks(line)["status"] == "fail" and checks(line)["status_list"] == "error"
    assert "disagree" in next(c for c in line["checks"] if c["name"] == "status_list")["detail"]
    assert code == 1  # the registry says revoked: invalid, with the stale list flagged


def test_at_a_block_reads_the_chain_at_that_block(issued, capsys):
    from microcred.cli._app import _MEMORY

    base, files = issued
    w3 = _MEMORY["memory"].w3
    anchored_at = w3.eth.block_number  # the fixture's last transaction is the anchoring
    code, _, err = run(capsys, *base, "revoke", str(files[0]), "--issuer", "x", "--reason", "fraud", "--yes")
    assert code == 0, err
    code, out, _ = run(capsys, *base, "--json", "verify", str(files[0]))
    assert code == 1 and checks(lines(out)[0])["status"] == "fail"
    code, out, _ = run(capsys, *base, "--json", "verify", str(files[0]), "--at", f"block:{anchored_at}")
    got = lines(out)[0]
    assert code == 0 and got["valid"] and checks(got)["status"] == "pass", got
    assert got["sources"]["trusted"][0]["block"] == anchored_at
    fresh = ["--home", str(Path(base[1]).parent / "verifier-home"), "--network", "memory"]  # a verifier's empty home
    code, out, _ = run(capsys, *fresh, "--json", "verify", str(files[0]), "--at", f"block:{anchored_at}")
    assert code == 0 and lines(out)[0]["checks"] == got["checks"]
    code, out, _ = run(capsys, *base, "--json", "verify", str(files[1]), "--at", f"block:{anchored_at - 1}")
    got = lines(out)[0]
    assert code == 1 and checks(got)["anchor"] == "fail", got  # not anchored yet at that block
    code, _, err = run(capsys, *base, "verify", str(files[1]), "--at", f"block:{anchored_at + 10_000}")
    assert code == 2 and "is not on the chain" in err
