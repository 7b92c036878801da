"""`microcred node start|stop|status`: the local anvil node."""

from __future__ import annotations

import os
from pathlib import Path

import click

from microcred.cli._app import AppContext, cli, pass_app
from microcred.chain import LocalNode


def persist_confirmed(app: AppContext) -> None:
    """On ``--network local`` with this home's node running, save the node's chain to disk now: called after a
    write is confirmed and before the confirmation is reported, so it survives a ``kill -9`` of the node."""
    if app.network != "local":
        return
    node = LocalNode(app.home)
    if node.status().running:
        node.persist()


def _node(app: AppContext, port: int | None = None) -> LocalNode:
    anvil = os.environ.get("MICROCRED_ANVIL")
    return LocalNode(app.home, port=port, anvil=Path(anvil) if anvil else None)


@cli.group()
def node() -> None:
    """Run a local development chain (anvil), its state kept in <home>/node.

    \b
    Example:
      microcred node start && microcred node status && microcred node stop
    """


@node.command()
@click.option("--port", type=int, default=None, help="TCP port on 127.0.0.1 (default 8545, or the last used).")
@pass_app
def start(app: AppContext, port: int | None) -> None:
    """Start the local node in the background; the registry is deployed on first use.

    \b
    Example:
      microcred node start --port 8545
    """
    status = _node(app, port).start()
    app.emit({"running": True, "url": status.url, "pid": status.pid, "chainId": status.chain_id,
              "block": status.block_number, "state": status.state_file},
             f"local node running at {status.url} (pid {status.pid}, chain {status.chain_id}, "
             f"block {status.block_number}); state in {status.state_file}")


@node.command()
@pass_app
def stop(app: AppContext) -> None:
    """Stop the local node; its chain is kept on disk for the next start.

    \b
    Example:
      microcred node stop
    """
    was = _node(app).stop()
    app.emit({"stopped": was}, "local node stopped" if was else "no local node was running")


@node.command()
@pass_app
def status(app: AppContext) -> None:
    """Say whether the local node runs, where, and at which block; exit code 1 when it does not run.

    \b
    Example:
      microcred --json node status
    """
    st = _node(app).status()
    app.emit({"running": st.running, "url": st.url, "pid": st.pid, "chainId": st.chain_id,
              "block": st.block_number, "state": st.state_file},
             (f"running at {st.url} (pid {st.pid}), chain {st.chain_id}, block {st.block_number}"
              if st.running else f"not running (would listen on {st.url})"))
    if not st.running:
        raise SystemExit(1)  # like `systemctl status`: scripts test the exit code
