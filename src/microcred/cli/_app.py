"""The ``microcred`` command group, its global options and the error boundary.

Each command lives in its own module of this package and registers itself on :data:`cli`. Commands build the
library objects they need from :class:`AppContext`, call them, and let library errors rise: :func:`main` turns a
:class:`~microcred.errors.MicrocredError` into one clear line on stderr and the exit code it carries. No traceback
reaches a user unless ``--debug`` is given.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from microcred.errors import ConfigError, MicrocredError

if TYPE_CHECKING:
    from microcred.chain import Chain

#: Environment variables the CLI (and only the CLI) reads.
ENV_HOME = "MICROCRED_HOME"
ENV_NETWORK = "MICROCRED_NETWORK"
ENV_PASSPHRASE = "MICROCRED_PASSPHRASE"


class PassphraseRequiredError(ConfigError):
    """A key must be unlocked, and no passphrase can be had: none in the environment, no terminal to ask in."""


T = TypeVar("T")


def default_home() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("microcred", appauthor=False))


@dataclass
class AppContext:
    """What every command may need: where state lives, which network, how to print."""

    home: Path
    network: str
    json_output: bool = False
    debug: bool = False
    rpc_urls: tuple[str, ...] = ()
    #: let what a credential names (did:web hosts) be loopback or private addresses: for tests, never by default
    allow_private_network: bool = False
    _cache: dict[str, Any] = field(default_factory=dict)

    # -- output -------------------------------------------------------------------------------------------------
    def emit(self, obj: Any, text: str | None = None) -> None:
        """Print ``obj`` as one JSON line with --json, else ``text`` (or a readable rendering of obj)."""
        if self.json_output:
            click.echo(json.dumps(obj, sort_keys=False, default=str))
        elif text is not None:
            click.echo(text)
        else:
            click.echo(_render(obj))

    def emit_list(self, items: Sequence[T], *, empty: str, as_json: Callable[[T], Any],
                  table: Callable[[Sequence[T]], Iterable[str]]) -> None:
        """A listing: ``empty`` narrated when there is nothing, one JSON line per item with --json, else the lines
        of ``table(items)``."""
        if not items:
            self.info(empty)
            return
        if self.json_output:
            for item in items:
                self.emit(as_json(item))
            return
        for line in table(items):
            click.echo(line)

    def info(self, message: str) -> None:
        """Progress and narration: stderr, so --json stdout stays machine-readable."""
        click.echo(message, err=True)

    # -- secrets ------------------------------------------------------------------------------------------------
    def passphrase(self, purpose: str, confirm: bool = False) -> str:
        value = os.environ.get(ENV_PASSPHRASE)
        if value is not None:
            return value
        if not sys.stdin or not sys.stdin.isatty():
            raise PassphraseRequiredError(
                f"a passphrase is needed to {purpose}: set {ENV_PASSPHRASE} or run in a terminal"
            )
        return click.prompt(f"Passphrase to {purpose}", hide_input=True, confirmation_prompt=confirm)

    # -- chain --------------------------------------------------------------------------------------------------
    def chain(self, *, read_only: bool = False) -> Chain:
        """The connected :class:`microcred.chain.Chain` for --network (built once).

        ``read_only``: for what a verifier or an auditor runs (verify, history, audit, did resolve, status export):
        nothing is deployed, sent or recorded, whatever the chain (the chain refuses to send).
        """
        key = "chain-ro" if read_only else "chain"
        if key not in self._cache:
            from microcred.chain import connect

            if self.network == "memory":  # one in-process chain per process, shared by the commands it runs
                if "memory" not in _MEMORY:
                    if read_only:  # nothing to read yet: an empty chain, not kept (a reader deploys nothing)
                        self._cache[key] = connect("memory", read_only=True)
                        return self._cache[key]
                    _MEMORY["memory"] = connect("memory")
                shared = _MEMORY["memory"]
                self._cache[key] = shared.as_read_only() if read_only else shared
            else:
                self._cache[key] = connect(self.network, home=self.home, rpc_urls=self.rpc_urls,
                                           deploy_if_missing=not read_only, read_only=read_only)
        return self._cache[key]


_MEMORY: dict[str, Any] = {}


def _render(obj: Any, indent: int = 0) -> str:
    pad = "  " * indent
    if isinstance(obj, dict):
        lines = []
        for key, value in obj.items():
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{pad}{key}:")
                lines.append(_render(value, indent + 1))
            else:
                lines.append(f"{pad}{key}: {value}")
        return "\n".join(lines)
    if isinstance(obj, list):
        return "\n".join(
            (f"{pad}-\n{_render(v, indent + 1)}" if isinstance(v, (dict, list)) else f"{pad}- {v}") for v in obj
        )
    return f"{pad}{obj}"


pass_app = click.make_pass_decorator(AppContext)

#: Options of the command group that users type after the command as often as before it.
GLOBAL_VALUE_OPTIONS = ("--network", "--home", "--rpc")
GLOBAL_FLAGS = ("--json", "--debug", "--allow-private-network")
_EXAMPLE = {"--network": "memory", "--home": "~/microcred-home", "--rpc": "http://127.0.0.1:8545"}


def hoist_global_options(args: list[str]) -> list[str]:
    """Move the global options found anywhere (before a ``--``) to the front, keeping their order and values, so
    ``microcred verify f.json --json`` means ``microcred --json verify f.json``."""
    hoisted: list[str] = []
    rest: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg == "--":
            rest.extend(args[index:])
            break
        name = arg.split("=", 1)[0]
        if arg in GLOBAL_FLAGS:
            hoisted.append(arg)
        elif name in GLOBAL_VALUE_OPTIONS and "=" in arg:
            hoisted.append(arg)
        elif arg in GLOBAL_VALUE_OPTIONS:
            if index + 1 >= len(args):
                raise click.UsageError(f"option {arg} needs a value (for example {arg} {_EXAMPLE[arg]})")
            hoisted.extend(args[index:index + 2])
            index += 1
        else:
            rest.append(arg)
        index += 1
    return hoisted + rest


class GlobalOptionsGroup(click.Group):
    """A command group whose global options work before and after the command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_options(list(args)))


@click.group(cls=GlobalOptionsGroup, context_settings={"help_option_names": ["-h", "--help"],
                                                       "max_content_width": 110})
@click.option(
    "--network",
    envvar=ENV_NETWORK,
    default="local",
    show_default=True,
    help="memory (in-process EVM), local (anvil started by `microcred node start`) or an RPC URL.",
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar=ENV_HOME,
    default=None,
    help=f"Where keys, issuers and node state live (default: ${ENV_HOME} or the user data directory).",
)
@click.option("--rpc", "rpc_urls", multiple=True,
              help="RPC endpoint URL of the chain (repeatable: each is asked, and they must agree).")
@click.option("--json", "json_output", is_flag=True, help="Machine-readable output: one JSON object per line.")
@click.option("--debug", is_flag=True, help="Show a traceback when something goes wrong.")
@click.option("--allow-private-network", is_flag=True,
              help="Let credentials name hosts on loopback or private networks (did:web); for tests only.")
@click.version_option(package_name="microcred")
@click.pass_context
def cli(ctx: click.Context, network: str, home: Path | None, rpc_urls: tuple[str, ...], json_output: bool,
        debug: bool, allow_private_network: bool) -> None:
    """microcred: EU micro-credentials, signed with DID keys and anchored in an on-chain registry.

    Global options (--network, --rpc, --home, --json, --debug, --allow-private-network) go before or after the
    command.

    \b
    Example, a whole story on a throw-away in-process chain:
      microcred demo --network memory
    """
    ctx.obj = AppContext(home=(home or default_home()).expanduser(), network=network, json_output=json_output,
                         debug=debug, rpc_urls=tuple(rpc_urls), allow_private_network=allow_private_network)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``microcred`` console script."""
    from microcred import cli as _commands  # noqa: F401  (registers every command)

    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        cli.main(args=argv, prog_name="microcred", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except MicrocredError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(2)
    except Exception as exc:  # a bug: say so plainly, never dump a trace unless asked
        if debug:
            raise
        click.echo(f"internal error ({type(exc).__name__}): {exc}. Run again with --debug for details.", err=True)
        sys.exit(2)
    sys.exit(0)
