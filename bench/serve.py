"""The verification service under load, on loopback against a local anvil started here: 50 concurrent clients
for 60 s posting credentials of 10 issuers to `microcred serve` (default workers), against the in-process
`Verifier` rate measured in the same run. Writes bench/serve.json.

Bounded: ``BENCH_SERVE_SECONDS`` (default 60) and ``BENCH_SERVE_CLIENTS`` (default 50) change the load."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from bench._util import anvil, free_port, write_result
from bench.bench_issue import write_learners_csv
from microcred.cli import main as cli_main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
SRC = Path(__file__).resolve().parents[1] / "src"
ISSUERS = 10
PER_ISSUER = 20


def run(*args: str) -> None:
    try:
        cli_main(list(args))
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"`microcred {' '.join(args)}` exited with {exc.code}") from None


def _issue(base: list[str], home: Path) -> list[dict]:
    learners = write_learners_csv(home / "learners.csv", PER_ISSUER)
    docs = []
    for i in range(ISSUERS):
        run(*base, "key", "new", f"sig{i}", "--type", "ed25519")
        run(*base, "key", "new", f"acct{i}", "--type", "secp256k1")
        run(*base, "issuer", "init", f"u{i}", "--legal-name", f"Bench University {i}", "--country", "DE",
            "--key", f"sig{i}", "--account-key", f"acct{i}")
        run(*base, "issuer", "bind", f"u{i}")
        out = home / f"out-{i}"
        run(*base, "issue", "--issuer", f"u{i}", "--template", str(EXAMPLES / "course-template.json"),
            "--learners", str(learners), "--out", str(out))
        run(*base, "anchor", str(out), "--issuer", f"u{i}")
        docs += [json.loads(p.read_text()) for p in sorted(out.glob("*.json")) if not p.name.startswith(".")]
    return docs


def _inprocess_rate(home: Path, url: str, docs: list[dict], seconds: float) -> float:
    """Credentials per second through one in-process verifier, one credential per call (as the service does)."""
    from microcred.cli._app import AppContext
    from microcred.cli._verify import build_verifier

    verifier = build_verifier(AppContext(home=home, network="local", rpc_urls=(url,)))
    _ = verifier.endpoints  # connect now, so the rate counts verification only
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        v = verifier.verify([(None, docs[done % len(docs)])])[0]
        assert v.valid, v.as_json()
        done += 1
    return done / (time.perf_counter() - start)


async def _load(url: str, docs: list[dict], clients: int, seconds: float) -> dict:
    bodies = [json.dumps({"verifiableCredential": d}).encode() for d in docs]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal errors
        i = n
        while time.perf_counter() < deadline:
            body = bodies[i % len(bodies)]
            i += clients
            start = time.perf_counter()
            try:
                r = await http.post(url + "/credentials/verify", content=body,
                                    headers={"content-type": "application/json"})
                ok = r.status_code == 200 and r.json().get("valid") is True
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - start)
            errors += not ok

    async with httpx.AsyncClient(timeout=30, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(n, http) for n in range(clients)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return {"count": len(latencies), "errors": errors, "elapsed": elapsed,
            "p50": latencies[len(latencies) // 2], "p99": latencies[min(len(latencies) - 1,
                                                                      int(len(latencies) * 0.99))]}


def _rss_mb(pid: int) -> list[float]:
    """Resident memory of ``pid`` and of each of its children (the workers), in MB."""
    pids = [pid] + [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == pid]
    out = []
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return out


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def main() -> dict:
    os.environ.setdefault("MICROCRED_PASSPHRASE", "bench passphrase")
    seconds = float(os.environ.get("BENCH_SERVE_SECONDS", "60"))
    clients = int(os.environ.get("BENCH_SERVE_CLIENTS", "50"))
    with anvil() as (node, home):
        base = ["--home", str(home), "--network", node.url]
        docs = _issue(base, home)
        inprocess = _inprocess_rate(home, node.url, docs, min(seconds, 15))
        port = free_port()
        env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        proc = subprocess.Popen([sys.executable, "-c", "from microcred.cli import main; main()", "--home", str(home),
                                 "--network", "local", "--rpc", node.url, "serve", "--port", str(port)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(timeout=5) as http:
                for _ in range(600):  # until it answers (bounded)
                    if proc.poll() is not None:
                        raise RuntimeError(f"microcred serve ended: {proc.stderr.read().decode()[-2000:]}")
                    try:
                        if http.get(url + "/healthz").status_code == 200:
                            break
                    except httpx.TransportError:
                        try:
                            proc.wait(timeout=0.1)
                        except subprocess.TimeoutExpired:
                            pass
            asyncio.run(_load(url, docs[:50], 4, 2))  # warm every worker's connections
            load = asyncio.run(_load(url, docs, clients, seconds))
            rss = _rss_mb(proc.pid)
        finally:
            proc.terminate()
            proc.wait(30)
    rate = load["count"] / load["elapsed"]
    figures = {"serve_error_rate": round(load["errors"] / max(1, load["count"]), 4),
               "serve_p99_ms": round(load["p99"] * 1000, 1), "serve_p50_ms": round(load["p50"] * 1000, 1),
               "serve_per_s": round(rate, 1), "inprocess_per_s": round(inprocess, 1),
               "serve_vs_inprocess": round(rate / inprocess, 3), "serve_rss_mb": round(max(rss), 1)}
    path = write_result("serve", figures, {
        "node": "anvil, started by the benchmark", "clients": clients, "seconds": seconds,
        "issuers": ISSUERS, "credentials": len(docs), "workers": "default (CPU count)", "cpus": os.cpu_count(),
        "bars": {"serve_error_rate": "= 0", "serve_p99_ms": "<= 250", "serve_vs_inprocess": ">= 0.7",
                 "serve_rss_mb": "< 300"}})
    print(f"wrote {path}")
    return figures


if __name__ == "__main__":
    main()
