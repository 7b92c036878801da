"""A local anvil node: started, stopped and inspected for `microcred node start|stop|status`.

The node keeps its chain in ``<home>/node/state.json``: anvil dumps it every second and on stop, and
:meth:`LocalNode.persist` dumps it at once (``anvil_dumpState``, written atomically and fsynced), which the CLI does
after each confirmed write *before* it reports the confirmation, so a confirmed transaction survives even a
``kill -9`` of the node. The anvil binary comes from the npm package ``@foundry-rs/anvil``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from typing import Any
from dataclasses import dataclass
from pathlib import Path

import gzip

import requests

from microcred._files import write_atomic
from microcred.errors import ConfigError, InvalidInputError, NetworkError, NotFoundError

__all__ = ["LocalNode", "NodeStatus", "NodePortError", "NodeStateError", "find_anvil", "DEFAULT_PORT",
           "LOCAL_CHAIN_ID"]


class NodePortError(InvalidInputError):
    """A node port outside 1-65535."""


class NodeStateError(NetworkError):
    """The node's state could not be saved (so a confirmation would not survive a crash of the node)."""

DEFAULT_PORT = 8545
LOCAL_CHAIN_ID = 31337
_ANVIL_REL = Path("node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil")


def find_anvil(explicit: str | None = None, search_from: Path | None = None) -> Path:
    """The anvil binary: ``explicit`` if given, else ``node_modules`` above ``search_from`` or this package."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise NotFoundError(f"no anvil binary at {path}")
        return path
    starts = [p for p in (search_from, Path.cwd(), Path(__file__).resolve()) if p is not None]
    for start in starts:
        for parent in [start, *start.parents]:
            candidate = parent / _ANVIL_REL
            if candidate.is_file():
                return candidate
    raise NotFoundError(
        "the anvil binary was not found: run `make setup` (installs @foundry-rs/anvil from npm) or set "
        "MICROCRED_ANVIL to its path; or use --network memory, which needs no node"
    )


@dataclass(frozen=True)
class NodeStatus:
    running: bool
    pid: int | None
    url: str
    chain_id: int | None = None
    block_number: int | None = None
    state_file: str | None = None


def _rpc(url: str, method: str, timeout: float = 2.0) -> Any:  # a JSON-RPC result: any JSON value
    reply = requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": []}, timeout=timeout)
    reply.raise_for_status()
    return reply.json()["result"]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class LocalNode:
    """The anvil node of one microcred home directory."""

    def __init__(self, home: Path, *, port: int | None = None, anvil: Path | None = None) -> None:
        self.dir = Path(home) / "node"
        self.pid_file = self.dir / "anvil.pid"
        self.conf_file = self.dir / "node.json"
        self.state_file = self.dir / "state.json"
        self.log_file = self.dir / "anvil.log"
        #: where anvil keeps the states of past blocks (``--cache-path``), emptied at each start
        self.history_dir = self.dir / "history"
        self._anvil = anvil
        if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535):
            raise NodePortError(f"a TCP port is a whole number from 1 to 65535, not {port!r}")
        saved = self._saved()
        self.port = port or saved.get("port") or DEFAULT_PORT

    def _saved(self) -> dict:
        try:
            return json.loads(self.conf_file.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def status(self) -> NodeStatus:
        pid = self._pid()
        if pid is None:
            return NodeStatus(False, None, self.url, state_file=str(self.state_file))
        try:
            chain_id = int(_rpc(self.url, "eth_chainId"), 16)
            block = int(_rpc(self.url, "eth_blockNumber"), 16)
        except (requests.RequestException, KeyError, ValueError):
            return NodeStatus(False, pid, self.url, state_file=str(self.state_file))
        return NodeStatus(True, pid, self.url, chain_id, block, str(self.state_file))

    def start(self, *, timeout: float = 20.0) -> NodeStatus:
        """Start anvil in the background (no-op when already running) and wait until it answers."""
        current = self.status()
        if current.running:
            return current
        if not _port_free(self.port):
            raise ConfigError(
                f"port {self.port} is taken by another program: stop it or choose another with --port"
            )
        anvil = find_anvil(str(self._anvil) if self._anvil else None)
        self.dir.mkdir(parents=True, exist_ok=True)
        # anvil keeps the states of past blocks on disk (gigabytes for a long chain) and removes them only on a clean
        # exit: under the node's own folder, emptied here, a node that was killed leaves nothing in ~/.foundry
        shutil.rmtree(self.history_dir, ignore_errors=True)
        self.history_dir.mkdir(parents=True, exist_ok=True)
        args = [str(anvil), "--host", "127.0.0.1", "--port", str(self.port), "--chain-id", str(LOCAL_CHAIN_ID),
                "--state", str(self.state_file), "--state-interval", "1", "--cache-path", str(self.history_dir),
                "--silent"]
        log = open(self.log_file, "ab")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
        log.close()
        self.pid_file.write_text(str(proc.pid))
        self.conf_file.write_text(json.dumps({"port": self.port}))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise NetworkError(f"anvil exited at start (code {proc.returncode}); see {self.log_file}")
            try:
                _rpc(self.url, "eth_chainId", timeout=0.5)
                return self.status()
            except (requests.RequestException, KeyError, ValueError):
                time.sleep(0.1)
        proc.kill()
        raise NetworkError(f"anvil did not answer on {self.url} within {timeout:.0f} s; see {self.log_file}")

    def persist(self, *, timeout: float = 30.0) -> float:
        """Write the node's whole chain to its state file now (atomic, fsynced); returns the seconds it took.

        anvil's own dumps come every second; this one closes that window for a write that was just confirmed.
        """
        started = time.monotonic()
        try:
            dump = _rpc(self.url, "anvil_dumpState", timeout=timeout)
            data = gzip.decompress(bytes.fromhex(dump[2:] if dump.startswith("0x") else dump))
        except (requests.RequestException, KeyError, ValueError, TypeError, OSError, EOFError) as exc:
            raise NodeStateError(f"could not save the local node's state to {self.state_file} ({exc}): a "
                                 "confirmed transaction may not survive a crash of the node") from exc
        write_atomic(self.state_file, data)
        return time.monotonic() - started

    def stop(self, *, timeout: float = 10.0) -> bool:
        """Stop the node, letting it dump its state. Returns whether a node was running."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            try:  # reap it if it is our child
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True
