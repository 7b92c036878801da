"""A fork server for the kill tests: ``python -m tests.cli.fault_driver``, one JSON request a line on stdin.

Importing microcred, web3 and the proof stack takes seconds on a busy machine; the server pays it once and forks a
child per command, so each run killed is a real process that dies by SIGKILL, at a chosen point, with nothing
after it (no ``finally``, no ``atexit``, no buffered write).

A request: ``{"argv": [...], "out": PATH, "err": PATH, "ticks": PATH, "kill_at": N | null, "slow_send": S | null,
"mine_when_waiting": bool, "rpc": URL}``. The child runs ``microcred.cli.main(argv)`` and counts *ticks*: before
and after each JSON-RPC request (but the chain id, which web3 caches) and each ``os.replace`` (every atomic file
write: journals, credentials, state files). At tick ``kill_at`` it sends itself SIGKILL.

``slow_send`` (0-based) turns the node's automine off just before that ``eth_sendRawTransaction``, so the
transaction waits in the mempool while the child waits for its receipt: a kill then lands between "sent" and
"confirmed". ``mine_when_waiting`` turns automine back on the first time the child finds no receipt (a block that
comes while a rerun waits). Each tick's label is appended to ``ticks`` as it happens. The answer line:
``{"rc": exit code, or -9 when killed}``.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from typing import Any


def _preload() -> None:
    """What the commands import lazily, imported once here so each child starts at once."""
    import microcred.cli  # noqa: F401
    import microcred.cli._anchor  # noqa: F401
    import microcred.cli._bind  # noqa: F401
    import microcred.cli._issue  # noqa: F401
    import microcred.cli._node  # noqa: F401
    import microcred.cli._status  # noqa: F401
    import microcred.did  # noqa: F401
    import microcred.registry.anchoring  # noqa: F401
    import microcred.registry.issuance  # noqa: F401
    import microcred.registry.ledger  # noqa: F401
    import microcred.registry.proofs._pipeline  # noqa: F401


def _raw_rpc(url: str, method: str, params: list[Any]) -> None:
    import requests

    requests.post(url, json={"jsonrpc": "2.0", "id": 1, "method": method, "params": params}, timeout=10)


def _child(request: dict[str, Any]) -> int:
    from web3 import HTTPProvider

    from microcred.cli import main

    log = open(request["ticks"], "w", buffering=1)  # noqa: SIM115 (the child ends by _exit or SIGKILL)
    kill_at = request.get("kill_at")
    slow_send = request.get("slow_send")
    url = str(request.get("rpc"))
    state = {"ticks": 0, "sends": 0, "waiting_mined": not request.get("mine_when_waiting")}

    def tick(label: str) -> None:
        log.write(label + "\n")
        if state["ticks"] == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)
        state["ticks"] += 1

    original = HTTPProvider.make_request
    original_batch = HTTPProvider.make_batch_request

    def make_request(self: Any, method: str, params: Any) -> Any:
        if method == "eth_sendRawTransaction":
            if state["sends"] == slow_send:
                _raw_rpc(url, "evm_setAutomine", [False])
            state["sends"] += 1
        if method == "eth_chainId":  # answered from web3's cache after the first time: not a point worth a kill
            return original(self, method, params)
        tick(f"before {method}")
        response = original(self, method, params)
        if method == "eth_getTransactionReceipt" and not state["waiting_mined"] and \
                isinstance(response, dict) and response.get("result") is None:
            state["waiting_mined"] = True
            _raw_rpc(url, "evm_setAutomine", [True])  # the block arrives while the command waits
        tick(f"after {method}")
        return response

    def make_batch_request(self: Any, requests: Any) -> Any:
        tick("before batch")
        response = original_batch(self, requests)
        tick("after batch")
        return response

    HTTPProvider.make_request = make_request  # type: ignore[method-assign]
    HTTPProvider.make_batch_request = make_batch_request  # type: ignore[method-assign,assignment]
    replace = os.replace

    def replacing(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        name = os.path.basename(os.fspath(dst))
        tick(f"before replace {name}")
        replace(src, dst, *args, **kwargs)
        tick(f"after replace {name}")

    os.replace = replacing
    out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(request["err"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdin = open(os.devnull)  # noqa: SIM115 (not a terminal: no confirmation prompt)
    try:
        main(request["argv"])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    sys.stdout.flush()
    sys.stderr.flush()
    return code


def main() -> None:
    _preload()
    print("ready", flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                code = _child(request)
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        rc = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"rc": rc}), flush=True)


if __name__ == "__main__":
    main()
