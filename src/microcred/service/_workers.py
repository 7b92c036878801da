"""Several worker processes on one port, each with its own listening socket (``SO_REUSEPORT``), so the kernel spreads
the connections over the workers evenly. With one shared socket, the first worker to wake accepts a burst of
connections at once and, as clients keep their connections alive, keeps most of the load while the others idle.

A worker that ends while the service runs is started again; one that cannot start ends the service, with its exit
code. SIGINT and SIGTERM end every worker gracefully (each finishes the requests it is answering)."""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

__all__ = ["run_workers", "spreads_connections"]

_LOG = logging.getLogger("microcred.service")
#: a worker that ends sooner than this after its start did not start: the service ends instead of looping
_STARTUP_SECONDS = 10.0


def spreads_connections() -> bool:
    """Whether this system lets several processes listen on one port (``SO_REUSEPORT``)."""
    return hasattr(socket, "SO_REUSEPORT")


def _listening_socket(host: str, port: int, *, listen: bool) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    if listen:
        sock.listen(2048)
    return sock


def _worker(factory: Callable[[], Any], host: str, port: int, options: dict[str, Any]) -> None:
    import uvicorn

    sock = _listening_socket(host, port, listen=True)
    uvicorn.Server(uvicorn.Config(factory, factory=True, **options)).run(sockets=[sock])


def run_workers(factory: Callable[[], Any], host: str, port: int, count: int, options: dict[str, Any]) -> int:
    """Serve ``factory()`` (an ASGI application, built in each worker) with ``count`` worker processes on
    ``host:port`` until SIGINT or SIGTERM; the exit code (0, or a worker's that could not start)."""
    from microcred.errors import ConfigError

    try:
        reserved = _listening_socket(host, port, listen=False)  # the port is ours (and known, when 0 was asked)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    port = reserved.getsockname()[1]
    context = multiprocessing.get_context("spawn")
    stopping: list[int] = []

    def start() -> tuple[Any, float]:
        process = context.Process(target=_worker, args=(factory, host, port, options), daemon=False)
        process.start()
        return process, time.monotonic()

    def stop(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    workers = [start() for _ in range(count)]
    code = 0
    try:
        while not stopping:
            wait([p.sentinel for p, _ in workers], timeout=0.5)
            for i, (process, started) in enumerate(workers):
                if process.is_alive() or stopping:
                    continue
                if time.monotonic() - started < _STARTUP_SECONDS:
                    code = process.exitcode or 1
                    _LOG.error("a worker could not start (exit code %s): stopping", process.exitcode)
                    stopping.append(0)
                    break
                _LOG.warning("a worker ended (exit code %s): starting another", process.exitcode)
                workers[i] = start()
    finally:
        for process, _ in workers:
            if process.is_alive():
                process.terminate()
        for process, _ in workers:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join()
        reserved.close()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code
