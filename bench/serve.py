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
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx  # the readiness probe only; the load uses raw streams

from bench._util import anvil, free_port, write_result
from bench.bench_issue import write_learners_csv
from microcred.cli import main as cli_main
from microcred.cli._serve import usable_cpus

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


def _inprocess_rate(home: Path, url: str, docs: list[dict], seconds: float) -> tuple[float, float]:
    """Credentials per second through one in-process verifier, one credential per call, and the CPU milliseconds
    each took in this process (the chain's work is anvil's)."""
    from microcred.cli._app import AppContext
    from microcred.cli._verify import build_verifier

    verifier = build_verifier(AppContext(home=home, network="local", rpc_urls=(url,)))
    _ = verifier.endpoints  # connect now, so the rate counts verification only
    done, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        v = verifier.verify([(None, docs[done % len(docs)])])[0]
        assert v.valid, v.as_json()
        done += 1
    return done / (time.perf_counter() - start), (time.process_time() - cpu) * 1000 / done


async def _load(url: str, docs: list[dict], clients: int, seconds: float,
                sample: Callable[[], Any] | None = None) -> dict:
    """``clients`` closed-loop clients, each on its own keep-alive connection (raw asyncio streams: the load
    generator should spend as little of the machine's CPU as it can), posting credentials in turn for ``seconds``."""
    host, port = url.removeprefix("http://").split(":")
    bodies = [json.dumps({"verifiableCredential": d}).encode() for d in docs]
    requests = [b"POST /credentials/verify HTTP/1.1\r\nHost: " + host.encode() + b"\r\nContent-Type: "
                b"application/json\r\nContent-Length: " + str(len(b)).encode() + b"\r\n\r\n" + b for b in bodies]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds

    async def client(n: int) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        i = n
        try:
            while time.perf_counter() < deadline:
                request = requests[i % len(requests)]
                i += clients
                start = time.perf_counter()
                try:
                    writer.write(request)
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
                    status = int(head.split(b" ", 2)[1])
                    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                                  if line.lower().startswith(b"content-length:"))
                    body = await asyncio.wait_for(reader.readexactly(length), 30)
                    ok = status == 200 and json.loads(body).get("valid") is True
                except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError,
                        StopIteration, ValueError):
                    ok = False
                    writer.close()
                    reader, writer = await asyncio.open_connection(host, int(port))
                latencies.append(time.perf_counter() - start)
                errors += not ok
        finally:
            writer.close()

    async def sampler() -> Any:
        await asyncio.sleep(seconds / 2)
        return sample() if sample else None

    cpu, start = time.process_time(), time.perf_counter()
    sampled, *_ = await asyncio.gather(sampler(), *(client(n) for n in range(clients)))
    elapsed = time.perf_counter() - start
    latencies.sort()
    return {"sampled": sampled, "count": len(latencies), "errors": errors, "elapsed": elapsed,
            "client_cpu_s": time.process_time() - cpu,
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


def _connections(pids: list[int]) -> list[int]:
    """How many TCP connections each of ``pids`` holds open (its socket descriptors, less the listening one)."""
    out = []
    for p in pids:
        try:
            out.append(sum(1 for fd in Path(f"/proc/{p}/fd").iterdir() if os.readlink(fd).startswith("socket:")))
        except OSError:
            out.append(-1)
    return out


def _tree(pid: int) -> list[int]:
    return [pid] + [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == pid]


def _cpu_s(pids: list[int]) -> float:
    """CPU seconds (user + system) spent so far by ``pids``."""
    total = 0
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            continue
    return total / os.sysconf("SC_CLK_TCK")


def _machine() -> list[int]:
    """The machine's CPU ticks so far: user, nice, system, idle, iowait, irq, softirq, steal (/proc/stat)."""
    return [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]


def _schedstat(pids: list[int]) -> tuple[float, float]:
    """Seconds the threads of ``pids`` have run on a CPU, and seconds they have waited, runnable, for one."""
    run = wait = 0
    for p in pids:
        try:
            tasks = list(Path(f"/proc/{p}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                fields = (task / "schedstat").read_text().split()
                run, wait = run + int(fields[0]), wait + int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    return run / 1e9, wait / 1e9


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _serve_and_load(home: Path, node: Any, docs: list[dict], clients: int, seconds: float,
                    *options: str) -> dict:
    """Start `microcred serve` (default workers, ``options``), load it, stop it: the load's figures, the CPU cores
    the server, anvil and the client used, the server's sockets per worker at half time and resident memory."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", "from microcred.cli import main; main()", "--home", str(home),
                             "--network", "local", "--rpc", node.url, "serve", "--port", str(port), *options],
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
        server, chain = _tree(proc.pid), [p for p in [node._pid()] if p is not None]
        before = _cpu_s(server), _cpu_s(chain), os.times().elapsed
        sched, ticks = _schedstat(server), _machine()
        load = asyncio.run(_load(url, docs, clients, seconds, lambda: _connections(server[1:] or server)))
        wall = os.times().elapsed - before[2]
        ran, waited = (after - then for after, then in zip(_schedstat(server), sched))
        used = [after - then for after, then in zip(_machine(), ticks)]
        load["machine"] = {"busy_share": round(1 - (used[3] + used[4]) / max(1, sum(used)), 3),
                           "steal_share": round(used[7] / max(1, sum(used)), 3)}
        load["runqueue"] = {"ran_s": round(ran, 1), "waited_for_a_cpu_s": round(waited, 1),
                            "waited_share": round(waited / max(1e-9, ran + waited), 3)}
        load["cpu"] = {"server": (_cpu_s(server) - before[0]) / wall, "anvil": (_cpu_s(chain) - before[1]) / wall,
                       "client": load["client_cpu_s"] / load["elapsed"]}
        load["rss"] = _rss_mb(proc.pid)
    finally:
        proc.terminate()
        proc.wait(30)
    load["rate"] = load["count"] / load["elapsed"]
    return load


def main() -> dict:
    os.environ.setdefault("MICROCRED_PASSPHRASE", "bench passphrase")
    seconds = float(os.environ.get("BENCH_SERVE_SECONDS", "60"))
    uncached_seconds = float(os.environ.get("BENCH_SERVE_UNCACHED_SECONDS", "20"))
    clients = int(os.environ.get("BENCH_SERVE_CLIENTS", "50"))
    with anvil() as (node, home):
        base = ["--home", str(home), "--network", node.url]
        docs = _issue(base, home)
        load_before = os.getloadavg()[0]
        inprocess_before, inprocess_cpu = _inprocess_rate(home, node.url, docs, min(seconds, 10))
        load = _serve_and_load(home, node, docs, clients, seconds)
        # the same without the chain-read cache: what batching alone gives
        uncached = _serve_and_load(home, node, docs, clients, uncached_seconds, "--cache-ttl", "0") \
            if uncached_seconds > 0 else None
        # the machine is shared: the in-process rate is measured before and after the loads, and their mean used
        inprocess_after, _ = _inprocess_rate(home, node.url, docs, min(seconds, 10))
        inprocess = (inprocess_before + inprocess_after) / 2
        load_after = os.getloadavg()[0]
    cpu, rss = load["cpu"], load["rss"]
    rate = load["count"] / load["elapsed"]
    figures = {"serve_error_rate": round(load["errors"] / max(1, load["count"]), 4),
               "serve_p99_ms": round(load["p99"] * 1000, 1), "serve_p50_ms": round(load["p50"] * 1000, 1),
               "serve_per_s": round(rate, 1), "inprocess_per_s": round(inprocess, 1),
               "serve_vs_inprocess": round(rate / inprocess, 3), "serve_rss_mb": round(max(rss), 1)}
    cores = os.cpu_count() or 1
    capacity = cores * 1000 / max(0.01, cpu["server"] * 1000 / rate)
    p99_note = None
    if figures["serve_p99_ms"] > 250:
        p99_note = (
            f"p99 over 250 ms: during the load the server got {cpu['server']:.2f} of the {cores} cores (the 1-minute "
            f"load average was {load_before:.1f} before and {load_after:.1f} after, the machine's CPUs were "
            f"{load['machine']['busy_share']:.0%} busy and {load['machine']['steal_share']:.0%} stolen by the host"
            + ("; other jobs shared the machine" if load_before > 1 else "; the machine was otherwise idle") + "), "
            f"the client {cpu['client']:.2f} and anvil {cpu['anvil']:.2f}; its threads waited, runnable, for a CPU "
            f"{load['runqueue']['waited_for_a_cpu_s']:.0f} s while they ran {load['runqueue']['ran_s']:.0f} s "
            "(/proc/PID/task/*/schedstat). At the CPU one credential cost the "
            f"server here ({cpu['server'] * 1000 / rate:.2f} ms), {cores} cores of its own would serve about "
            f"{capacity:.0f} /s, so {clients} closed-loop clients would wait about {clients / capacity * 1000:.0f} ms "
            "on average (a projection from CPU time, not a measurement). With 50 clients closed-loop the mean "
            "latency is clients / rate (Little's law): p99 <= 250 ms needs about 200+ credentials /s served.")
    path = write_result("serve", figures, {
        "node": "anvil, started by the benchmark", "clients": clients, "seconds": seconds,
        "issuers": ISSUERS, "credentials": len(docs), "workers": usable_cpus(), "cpus": os.cpu_count(),
        "requests": load["count"], "errors": load["errors"],
        "inprocess_per_s_before_after": [round(inprocess_before, 1), round(inprocess_after, 1)],
        "inprocess": "one in-process Verifier, one credential per call, no chain-read cache (the library as is)",
        "cpu_cores_used_during_load": {k: round(v, 2) for k, v in cpu.items()},
        "server_cpu_ms_per_credential": round(cpu["server"] * 1000 / rate, 2),
        "inprocess_cpu_ms_per_credential": round(inprocess_cpu, 2),
        "sockets_per_worker_at_half_time": load["sampled"],
        "rss_mb_per_process": [round(r, 1) for r in rss],
        "server_threads_runqueue": load["runqueue"],
        "machine_cpu_during_load": load["machine"],
        "client": "raw asyncio streams, one keep-alive connection per client, closed loop",
        "service": "requests arriving while a worker verifies are verified together in its next call (at most 64); "
                   "chain reads cached per worker for 5 s (--cache-ttl), one read per issuer per ttl",
        "p99_note": p99_note,
        "load_average_1min_before_after": [round(load_before, 2), round(load_after, 2)],
        "uncached": None if uncached is None else {
            "serve_cache_ttl": 0, "seconds": uncached_seconds, "serve_per_s": round(uncached["rate"], 1),
            "serve_vs_inprocess": round(uncached["rate"] / inprocess, 3),
            "serve_p50_ms": round(uncached["p50"] * 1000, 1), "serve_p99_ms": round(uncached["p99"] * 1000, 1),
            "errors": uncached["errors"], "cpu_cores_used": {k: round(v, 2) for k, v in uncached["cpu"].items()},
            "server_cpu_ms_per_credential": round(uncached["cpu"]["server"] * 1000 / uncached["rate"], 2)},
        "bars": {"serve_error_rate": "= 0", "serve_p99_ms": "<= 250", "serve_vs_inprocess": ">= 0.7",
                 "serve_rss_mb": "< 300"}})
    print(f"wrote {path}")
    return figures


if __name__ == "__main__":
    main()
