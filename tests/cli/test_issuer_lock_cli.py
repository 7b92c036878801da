"""Issue 15, items 2 and 4: the issuer's lock, and state kept out of the profiles folder.

Two `microcred anchor` processes at once on the same credentials: the second waits, saying who holds the lock;
both finish; every credential is anchored exactly once, the journal is intact, no root is paid twice.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.cli import exit_code as run
from microcred.registry.issuance import IssuerBusyError, IssuerStore, issuer_lock
from tests.support.paths import EXAMPLES
from tests.support.paths import ROOT


@pytest.fixture(scope="module")
def own_node(tmp_path_factory):
    """An anvil node of this module alone: the session's shared node is left to the tests that expect to be the
    first to deploy on it."""
    from microcred.chain._node import LocalNode
    from tests.support.chain import free_port

    node = LocalNode(tmp_path_factory.mktemp("own-node"), port=free_port())
    node.start()
    yield node, None
    node.stop()




def _local_issuer(own_node, home: Path, name: str = "x"):
    from microcred.chain._connect import connect

    node, _ = own_node
    base = ["--home", str(home), "--network", "local"]
    assert run(*base, "key", "new", "sig") == 0
    assert run(*base, "key", "new", "acct", "--type", "secp256k1") == 0
    chain = connect("local", home=home, rpc_urls=(node.url,))
    assert run(*base, "issuer", "init", name, "--legal-name", "X", "--country", "FR", "--key", "sig",
               "--account-key", "acct", "--chain", chain.caip2, "--registry",
               chain.address_of("CredentialRegistry")) == 0
    (home / "node").mkdir(exist_ok=True)
    (home / "node" / "node.json").write_text(json.dumps({"port": node.port}))
    return base, chain


def _env() -> dict[str, str]:
    # the subprocesses run this checkout's sources (src/) and its tests package
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}


def _cli(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from microcred.cli import main; main()", *args], cwd=ROOT,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _read_until(proc: subprocess.Popen, needle: str, timeout: float = 120) -> str:
    """stderr of ``proc`` up to the line containing ``needle`` (the process keeps running)."""
    seen = ""
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    while needle not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {needle!r} within {timeout} s; stderr so far: {seen}"
        ready, _, _ = select.select([proc.stderr], [], [], left)
        if ready:
            line = proc.stderr.readline()
            assert line or proc.poll() is None, f"the process ended early: {seen}"
            seen += line
    return seen


def test_two_anchors_at_once_wait_for_each_other_and_anchor_everything_once(own_node, home, tmp_path, capsys):
    base, chain = _local_issuer(own_node, home)
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    for out in (out_a, out_b):
        assert run(*base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
                   "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out)) == 0
    files = sorted(p for d in (out_a, out_b) for p in d.glob("*.json") if not p.name.startswith("."))
    store = IssuerStore(home)
    # hold the issuer's lock here, so both processes meet it: each says who holds it and waits
    with issuer_lock(store.lock_path("x"), issuer="x", command="the test"):
        first = _cli(*base, "anchor", str(out_a), "--issuer", "x", "--batch-limit", "2")
        second = _cli(*base, "anchor", str(out_a), str(out_b), "--issuer", "x", "--batch-limit", "3")
        for proc in (first, second):
            said = _read_until(proc, "is busy")
            assert f"issuer 'x' is busy: process {os.getpid()} (the test" in said
    outcomes = [proc.communicate(timeout=300) for proc in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outcomes

    account = store.load("x").account
    from microcred.registry import RegistryClient

    reg = RegistryClient(chain.w3, store.load("x").registry)
    anchored = [e for e in reg.history(account, with_times=False) if e.kind == "anchored"]
    roots = [e.data["root"] for e in anchored]
    assert len(roots) == len(set(roots)), "a root was anchored twice"
    assert sum(e.data["count"] for e in anchored) == len(files), "every credential anchored exactly once"
    for path in files:
        doc = json.loads(path.read_text())
        anchors = [p for p in doc["proof"] if p.get("type") != "DataIntegrityProof"]
        assert len(anchors) == 1 and anchors[0]["merkleRoot"] in roots, path
    journal = json.loads((store.journal_dir("x") / f"anchor-journal-{account.lower()}.json").read_text())
    assert [e["stage"] for e in journal["entries"]] == ["done"] * len(anchored), "journal intact"
    assert sorted(f for e in journal["entries"] for f in e["files"]) == sorted(str(f) for f in files)
    # nothing but profiles in the profiles folder: listing, history and audit by DID still work
    assert sorted(p.name for p in store.directory.iterdir()) == ["x.json"]
    capsys.readouterr()
    assert run(*base, "--json", "issuer", "list") == 0
    assert "x" in capsys.readouterr().out
    did = store.load("x").did
    assert run(*base, "history", did) == 0
    assert run(*base, "audit", did, "--out", str(tmp_path / "audit.html")) == 0


def test_without_waiting_a_busy_issuer_is_a_named_error_naming_the_holder(tmp_path):
    path = tmp_path / "state" / "x" / "lock"
    with issuer_lock(path, issuer="x", command="anchor"):
        probe = subprocess.run(
            [sys.executable, "-c", "import sys; from microcred.registry.issuance import issuer_lock\n"
             "try:\n    with issuer_lock(sys.argv[1], issuer='x', command='revoke', wait=False): pass\n"
             "except Exception as exc:\n    print(type(exc).__name__, exc)", str(path)],
            env=_env(), capture_output=True, text=True, timeout=60, check=False)
        assert probe.stdout.startswith("IssuerBusyError issuer 'x' is busy: process "), probe
        assert f"process {os.getpid()} (anchor, since " in probe.stdout
    with issuer_lock(path, issuer="x", command="revoke", wait=False):  # free again once released
        pass
    assert issubclass(IssuerBusyError, Exception) and IssuerBusyError.exit_code == 2


def test_state_an_older_version_left_in_the_profiles_folder_is_moved_out_and_ignored(home):
    store = IssuerStore(home)
    store.directory.mkdir(parents=True)
    (store.directory / "x.state.json").write_text('{"nextIndex": 7, "batches": {}}')
    (store.directory / "anchor-journal-0xabc.json").write_text('{"entries": []}')
    (store.directory / ".x.json.tmp").write_text("{")
    assert store.names() == []
    assert store.state_path("x") == home / "state" / "x" / "indexes.json"
    assert json.loads(store.state_path("x").read_text())["nextIndex"] == 7
    assert (store.journal_dir("x", "0xABC") / "anchor-journal-0xabc.json").is_file()
    assert not (store.directory / "x.state.json").exists()
    assert not (store.directory / "anchor-journal-0xabc.json").exists()
