"""`microcred node` and `deploy` drive a real anvil node."""

from __future__ import annotations

import json

from click.testing import CliRunner

import microcred.cli  # noqa: F401  (registers commands)
from microcred.cli import cli
from tests.support.chain import free_port


def _run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_node_start_deploy_restart_keeps_state(tmp_path):
    home = str(tmp_path / "home")
    port = str(free_port())
    try:
        started = _run("--home", home, "--json", "node", "start", "--port", port)
        assert started.exit_code == 0, started.output
        assert json.loads(started.output)["chainId"] == 31337
        first = _run("--home", home, "--json", "deploy")
        assert first.exit_code == 0, first.output
        address = json.loads(first.output)["addresses"]["CredentialRegistry"]
        assert _run("--home", home, "node", "stop").exit_code == 0
        assert json.loads(_run("--home", home, "--json", "node", "status").output)["running"] is False
        assert _run("--home", home, "node", "start").exit_code == 0  # same port remembered
        again = _run("--home", home, "--json", "deploy")
        assert json.loads(again.output)["addresses"]["CredentialRegistry"] == address  # state survived
    finally:
        _run("--home", home, "node", "stop")


def test_deploy_to_a_dead_endpoint_is_a_clear_error(tmp_path):
    from microcred.cli import main
    import pytest

    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SystemExit) as exc:
        main(["--home", str(tmp_path), "--network", url, "deploy"])
    assert exc.value.code == 2
