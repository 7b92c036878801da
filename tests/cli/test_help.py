"""Every command and group of the CLI has help text with a worked example (one test walks the whole tree)."""

from __future__ import annotations

from collections.abc import Iterator

import click
import pytest
from click.testing import CliRunner

from microcred.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


COMMANDS = dict(_commands(cli))


def test_the_tree_is_walked() -> None:
    # the commands the README documents are all reached, nested ones included
    for path in [("verify",), ("issue",), ("issuer", "init"), ("key", "new"), ("did", "resolve"), ("node", "start"),
                 ("status", "export"), ("serve",)]:
        assert path in COMMANDS, path


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    command = COMMANDS[path]
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert command.help, f"`microcred {' '.join(path)}` has no help"
    assert "Example" in result.output and "microcred " in result.output, f"`microcred {' '.join(path)}` has no example"
