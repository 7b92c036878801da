"""Issue 15, item 3: a confirmed write on the local node survives `kill -9` of the node.

The CLI saves anvil's state (``anvil_dumpState``, atomically) after each confirmed write and before it reports
it; anvil's own dump comes only every second, so without that a revocation confirmed just before the kill is lost.
"""

from __future__ import annotations

import json
from pathlib import Path
import os
import signal
import time

import pytest

from microcred.chain._node import LocalNode, NodePortError
from tests.support.cli import exit_code as run
from tests.support.chain import free_port
from tests.support.paths import EXAMPLES




def _killed(pid: int) -> None:
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.02)
    raise AssertionError(f"anvil {pid} survived SIGKILL")


def test_a_confirmed_revocation_survives_kill_9_of_the_node(home, tmp_path, capsys):
    from microcred.chain._connect import connect
    from microcred.registry import RegistryClient
    from microcred.registry.issuance import IssuerStore

    node = LocalNode(home, port=free_port())
    node.start()
    try:
        base = ["--home", str(home), "--network", "local"]
        assert run(*base, "key", "new", "sig") == 0
        assert run(*base, "key", "new", "acct", "--type", "secp256k1") == 0
        chain = connect("local", home=home)
        assert run(*base, "issuer", "init", "x", "--legal-name", "X", "--country", "FR", "--key", "sig",
                   "--account-key", "acct", "--chain", chain.caip2, "--registry",
                   chain.address_of("CredentialRegistry")) == 0
        out = tmp_path / "out"
        assert run(*base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
                   "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out)) == 0
        assert run(*base, "issuer", "bind", "x") == 0
        assert run(*base, "anchor", str(out), "--issuer", "x") == 0
        files = sorted(p for p in out.glob("*.json") if not p.name.startswith("."))
        index = json.loads(files[0].read_text())["credentialStatus"]["statusIndex"]
        capsys.readouterr()
        assert run(*base, "--json", "revoke", str(files[0]), "--issuer", "x", "--reason", "fraud") == 0
        confirmed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert confirmed["status"] == "revoked"
        _killed(node.status().pid)  # at once: anvil's own once-a-second dump has most likely not run yet
        assert run(*base, "--json", "node", "status") == 1, "node status exits non-zero when no node runs"
        node = LocalNode(home)
        node.start()
        profile = IssuerStore(home).load("x")
        reader = RegistryClient(connect("local", home=home).w3, profile.registry)
        assert reader.status_of(profile.account, [index])[0].label == "revoked"
        # the anchored batches survived too: every credential still verifies against the chain
        capsys.readouterr()
        assert run(*base, "--json", "verify", str(files[1])) == 0
    finally:
        LocalNode(home).stop()


def test_persist_writes_a_state_anvil_loads(tmp_path):
    node = LocalNode(tmp_path / "home", port=free_port())
    node.start()
    try:
        seconds = node.persist()
        assert seconds < 10
        state = json.loads(node.state_file.read_text())
        assert {"block", "accounts"} <= set(state)
    finally:
        node.stop()


def test_the_states_of_past_blocks_stay_in_the_nodes_folder(tmp_path):
    """anvil writes the states of past blocks to disk (4.5 GB for the audit benchmark's 10,000 blocks) and removes
    them only on a clean exit; the node keeps them under its own folder and empties it at each start, so a node
    killed with SIGKILL leaves nothing behind in ~/.foundry."""
    node = LocalNode(tmp_path / "home", port=free_port())
    stale = node.history_dir / "left-by-a-killed-node"
    stale.parent.mkdir(parents=True)
    stale.write_text("x")
    node.start()
    try:
        pid = node.status().pid
        assert pid is not None
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        assert args[args.index(b"--cache-path") + 1] == str(node.history_dir).encode()
        assert not stale.exists() and node.history_dir.is_dir()
    finally:
        node.stop()


@pytest.mark.parametrize("port", [0, 99999, -1])
def test_a_port_outside_1_to_65535_is_a_named_error(tmp_path, port, capsys):
    with pytest.raises(NodePortError, match="from 1 to 65535"):
        LocalNode(tmp_path, port=port)
    assert run("--home", str(tmp_path), "node", "start", "--port", str(port)) == 2
    err = capsys.readouterr().err
    assert "from 1 to 65535" in err and "Traceback" not in err
