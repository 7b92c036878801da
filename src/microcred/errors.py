"""The one exception root of microcred.

Every error the library raises on purpose derives from :class:`MicrocredError`. Subclasses also inherit the
builtin they resemble (``ValueError``, ``LookupError``, ``ConnectionError``) so callers may catch either.
The CLI turns a ``MicrocredError`` into a one-line message and an exit code; anything else is a bug.
"""

from __future__ import annotations


class MicrocredError(Exception):
    """Root of every error microcred raises on purpose."""

    #: exit code the CLI uses for this kind of error: 2 = could not check / misuse, 1 = something is invalid
    exit_code = 2


class InvalidInputError(MicrocredError, ValueError):
    """Input (a file, an argument, a document) is malformed; the message names what and where."""


class NotFoundError(MicrocredError, LookupError):
    """Something named does not exist (a key, an issuer, a DID, a contract)."""


class NetworkError(MicrocredError, ConnectionError):
    """A remote endpoint (RPC, HTTPS) is down, timed out or answered garbage: nothing could be checked."""


class ConfigError(MicrocredError):
    """Configuration (home directory, network, deployment record) is missing or inconsistent."""
