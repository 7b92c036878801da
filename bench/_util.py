"""Shared pieces of the benchmarks: a throw-away anvil node, an RPC request counter, result files."""

from __future__ import annotations

import json
import platform
import socket
import tempfile
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from collections.abc import Iterator

import requests

from microcred.registry import LocalNode

BENCH_DIR = Path(__file__).resolve().parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def anvil() -> Iterator[tuple[LocalNode, Path]]:
    """A fresh anvil node in a temporary home, stopped afterwards."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-") as tmp:
        home = Path(tmp)
        node = LocalNode(home, port=free_port())
        node.start()
        try:
            yield node, home
        finally:
            node.stop()


class RPCCounter:
    """A JSON-RPC proxy on loopback that forwards to ``upstream`` and counts HTTP requests by method.

    A JSON-RPC batch counts as one request (one round trip), and its methods are listed.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.requests = 0
        self.methods: list[str] = []
        self._lock = threading.Lock()
        counter = self
        session = requests.Session()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                try:
                    parsed = json.loads(body)
                    names = [p["method"] for p in parsed] if isinstance(parsed, list) else [parsed["method"]]
                except (ValueError, KeyError, TypeError):
                    names = ["?"]
                with counter._lock:
                    counter.requests += 1
                    counter.methods.extend(names)
                reply = session.post(counter.upstream, data=body, headers={"Content-Type": "application/json"})
                self.send_response(reply.status_code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply.content)))
                self.end_headers()
                self.wfile.write(reply.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.methods = []

    def close(self) -> None:
        self.server.shutdown()


def write_result(name: str, figures: dict[str, Any], notes: dict[str, Any] | None = None) -> Path:
    """Write ``bench/<name>.json``: the figures, plus when and where they were measured."""
    out = {
        **figures,
        "_meta": {
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "python": platform.python_version(),
            **(notes or {}),
        },
    }
    path = BENCH_DIR / f"{name}.json"
    path.write_text(json.dumps(out, indent=2) + "\n")
    return path
