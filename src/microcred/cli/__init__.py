"""The ``microcred`` command line: thin, turns library errors into messages and exit codes.

Importing this package registers every command on :data:`cli`. Command modules are private (``_node``, ``_key``,
...); each holds one group of commands.
"""

from microcred.cli._app import AppContext, cli, main

# Each import registers its commands on `cli`. Keep the list in the order `microcred --help` shows them.
from microcred.cli import _commands  # noqa: E402,F401

__all__ = ["AppContext", "cli", "main"]
