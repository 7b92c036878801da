"""Global options (--network, --rpc, --home, --json, --debug) work before and after the command, as users type them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import microcred.cli  # noqa: F401  (registers commands)
from microcred.cli import cli
from microcred.cli._app import hoist_global_options


@pytest.mark.parametrize(("args", "expected"), [
    (["verify", "a.json", "--json"], ["--json", "verify", "a.json"]),
    (["demo", "--network", "memory"], ["--network", "memory", "demo"]),
    (["demo", "--network=memory"], ["--network=memory", "demo"]),
    (["verify", "a.json", "--rpc", "http://a", "--at", "2026-01-01", "--rpc", "http://b"],
     ["--rpc", "http://a", "--rpc", "http://b", "verify", "a.json", "--at", "2026-01-01"]),
    (["--home", "h", "key", "list", "--debug"], ["--home", "h", "--debug", "key", "list"]),
    (["verify", "--", "--json"], ["verify", "--", "--json"]),
])
def test_global_options_move_to_the_front(args: list[str], expected: list[str]) -> None:
    assert hoist_global_options(args) == expected


def test_an_option_after_the_command_takes_effect(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROCRED_PASSPHRASE", "p")
    home = tmp_path / "after"
    made = CliRunner().invoke(cli, ["key", "new", "k", "--home", str(home), "--json"])
    assert made.exit_code == 0, made.output
    assert json.loads(made.output.strip().splitlines()[-1])["name"] == "k"
    assert (home / "keys" / "k.key.json").exists()
    listed = CliRunner().invoke(cli, ["key", "list", "--json", "--home", str(home)])
    assert listed.exit_code == 0, listed.output
    assert "k" in listed.output and listed.output.lstrip().startswith("{")


def test_a_global_option_missing_its_value_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["demo", "--network"])
    assert result.exit_code == 2
    assert "--network" in result.output


def test_a_missing_passphrase_is_a_named_error_not_misuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from microcred.cli import main

    monkeypatch.delenv("MICROCRED_PASSPHRASE", raising=False)
    with pytest.raises(SystemExit) as exc:
        main(["key", "new", "k", "--home", str(tmp_path / "h")])
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.startswith("error: a passphrase is needed to") and "MICROCRED_PASSPHRASE" in err
    assert "Usage:" not in err
