"""Before and after, in one run on one machine: every benchmark of an earlier commit and of this one, interleaved.

The house was rebuilt (issue 9: a ``chain/`` package, one key stack, verification in the library) on the promise
that no figure gets worse. Figures of two runs on these shared machines vary twofold, so this benchmark checks out
both commits side by side (``git worktree``, detached, in a temporary folder), and runs each benchmark that both
have first on the earlier commit, then on this one, then the next: both sides see the same machine at nearly the
same moment. Each side runs with its own source (``PYTHONPATH``) and writes its own ``bench/*.json`` in its
checkout; the figures are then compared key by key and written to ``bench/before_after.json``:

    {"before": "0adfe82…", "after": "…", "benches": {"verify": {"verify_full_jcs_per_s": {"before": …, "after": …,
     "change": after / before, "better": "higher", "no_worse": true}, …}}, "worse": [...], "no_worse": true}

A figure is *no worse* when it moved in its better direction or by less than the noise allowance (``--noise``,
default 15 %; ratios measured within one benchmark, such as ``*_vs_*``, are the steadiest). The peers' and
baselines' own rates (``didkit_*``, ``digitalbazaar_*``, ``raw_*``) are shown as ``reference`` and not judged.
Which way is better is read from the key's name: rates (``*_per_s``) and ratios (``*_vs_*``) up; times (``*_s``,
``*_ms``), gas, requests and memory down.

    python -m bench.before_after                   # 0adfe82 (the last commit before issue 9) against HEAD
    python -m bench.before_after --before REV --only did,verify --repeat 2

The audit and did benchmarks' figures are short timings (0.03 to 0.5 s), which swing by half between two runs here:
they are run three times per side, alternating, and the best run of each side compared (``--repeat`` for every
benchmark). ``--merge`` measures only ``--only``'s benchmarks and puts them into the existing
``bench/before_after.json`` (each bench records the commits it compared).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from collections.abc import Callable

ROOT = Path(__file__).resolve().parents[1]
#: the last commit before the rebuild of issue 9
DEFAULT_BEFORE = "0adfe82"
#: benchmark name -> module, for the benchmarks the earlier commit has too (``python -m bench NAME`` on both)
SHARED = ("verify", "credentials", "did", "gas", "audit", "accreditation")
#: the file each benchmark writes its figures to, where it is not its own (accreditation adds to audit.json)
WRITES = {"accreditation": "audit"}
#: runs per side of the benchmarks whose figures are single short timings (a few tens of milliseconds to a second,
#: where one run on a shared machine swings by half); the best run of each side is compared
REPEAT = {"audit": 3, "did": 3}
#: figures of the peers and baselines a benchmark measures beside microcred (didkit, Digital Bazaar, bare Ed25519):
#: shown, never judged (the ratios against them are microcred's figures)
_REFERENCE = re.compile(r"^(didkit|digitalbazaar|raw)_")
_LOWER = re.compile(r"(_s|_ms|_mb|_bytes|gas|_requests(_\w+)?|_rpc_requests\w*|_calls)$|gas_")


def better_direction(key: str, bench: str = "") -> str:
    """``"higher"`` or ``"lower"``: which way is better for a figure, from its name (every figure of the gas
    benchmark is gas)."""
    if bench == "gas":
        return "lower"
    if key.endswith("_per_s") or "_vs_" in key or key.endswith("_ratio"):
        return "higher"
    if _LOWER.search(key) or "gas" in key:
        return "lower"
    return "higher"


def compare(before: dict[str, Any], after: dict[str, Any], *, noise: float, bench: str = "") -> dict[str, Any]:
    """Key by key, the numeric figures both sides have (``_meta`` and text left out)."""
    out: dict[str, dict[str, Any]] = {}
    for key in sorted(set(before) & set(after)):
        b, a = before[key], after[key]
        if key.startswith("_") or isinstance(b, bool) or isinstance(a, bool):
            continue
        if not isinstance(b, (int, float)) or not isinstance(a, (int, float)):
            continue
        better = better_direction(key, bench)
        change = (a / b) if b else (1.0 if a == b else float("inf"))
        if better == "higher":
            no_worse = a >= b * (1 - noise)
        else:
            no_worse = a <= b * (1 + noise) if b else a <= b
        out[key] = {"before": b, "after": a, "change": round(change, 3), "better": better, "no_worse": no_worse}
        if _REFERENCE.match(key):
            out[key] |= {"no_worse": True, "reference": True}
    return out


def _checkout(rev: str, where: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--force", str(where), rev],
                   check=True, capture_output=True, text=True)
    modules = ROOT / "node_modules"
    if modules.exists():
        (where / "node_modules").symlink_to(modules)
    return where


def _run_bench(tree: Path, name: str, timeout: float) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(tree / "src") + os.pathsep + str(tree)}
    env["PATH"] = str(ROOT / "node_modules" / ".bin") + os.pathsep + env.get("PATH", "")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "bench", name], cwd=tree, env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"benchmark {name} at {tree} failed ({done.returncode}): {done.stderr[-1500:]}")
    figures = json.loads((tree / "bench" / f"{WRITES.get(name, name)}.json").read_text())
    if name in WRITES:  # only what this benchmark measured
        figures = {k: v for k, v in figures.items() if k.startswith(f"{name}_")}
    figures["_seconds"] = round(time.monotonic() - started, 1)
    return figures


def best_of(runs: list[dict[str, Any]], bench: str = "") -> dict[str, Any]:
    """The best value of each numeric figure over several runs of one side (the highest rate, the lowest time):
    the run least disturbed by the machine's other work. Other values come from the first run."""
    out = dict(runs[0])
    for key in runs[0]:
        values = [r.get(key) for r in runs]
        if key.startswith("_") or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
            continue
        pick = max if better_direction(key, bench) == "higher" else min
        out[key] = pick(v for v in values if isinstance(v, (int, float)))
    out["_seconds"] = round(sum(float(r.get("_seconds", 0)) for r in runs), 1)
    out["_runs"] = len(runs)
    return out


def measure(before_rev: str, after_rev: str, names: list[str], *, noise: float, timeout: float = 3600,
            progress: Callable[[dict[str, Any]], None] | None = None,
            repeat: int | None = None) -> dict[str, Any]:
    """Run ``names`` on both commits, interleaved, and compare; ``progress`` gets the result so far after each
    benchmark (so a long run that is stopped keeps what it measured). ``repeat``: runs per side of every benchmark
    (default :data:`REPEAT`, else 1), alternating sides; the best of each side is compared (:func:`best_of`)."""
    revs = {}
    for side, rev in (("before", before_rev), ("after", after_rev)):
        revs[side] = subprocess.run(["git", "-C", str(ROOT), "rev-parse", rev], check=True, capture_output=True,
                                    text=True).stdout.strip()
    tmp = Path(tempfile.mkdtemp(prefix="microcred-before-after-"))
    trees = {side: _checkout(rev, tmp / side) for side, rev in revs.items()}
    benches: dict[str, Any] = {}
    failed: dict[str, str] = {}
    try:
        for name in names:
            runs: dict[str, list[dict[str, Any]]] = {"before": [], "after": []}
            times = repeat or REPEAT.get(name, 1)
            for attempt in range(times):
                for side in ("before", "after"):
                    if f"{name} ({side})" in failed:
                        continue
                    print(f"== {name} ({side}, {revs[side][:10]}, run {attempt + 1} of {times})", flush=True)
                    try:
                        runs[side].append(_run_bench(trees[side], name, timeout))
                    except (RuntimeError, subprocess.TimeoutExpired, OSError, ValueError) as exc:
                        failed[f"{name} ({side})"] = str(exc)[-600:]
            if runs["before"] and runs["after"] and not any(f"{name} (" in k for k in failed):
                figures = {side: best_of(r, name) for side, r in runs.items()}
                benches[name] = compare(figures["before"], figures["after"], noise=noise, bench=name)
                benches[name]["_seconds"] = {"before": figures["before"]["_seconds"],
                                             "after": figures["after"]["_seconds"]}
                benches[name]["_runs"] = {"before": figures["before"]["_runs"], "after": figures["after"]["_runs"]}
                benches[name]["_commits"] = dict(revs)
            if progress is not None:
                progress(_summary(revs, benches, failed))
    finally:
        for tree in trees.values():
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           capture_output=True, check=False)
        shutil.rmtree(tmp, ignore_errors=True)
    return _summary(revs, benches, failed)


def merged(earlier: dict[str, Any], later: dict[str, Any]) -> dict[str, Any]:
    """``earlier``'s result with the benchmarks ``later`` measured (and its failures) put in their place."""
    kept = {name: {**figures, "_commits": figures.get("_commits") or {"before": earlier.get("before"),
                                                                         "after": earlier.get("after")}}
            for name, figures in earlier.get("benches", {}).items()}
    benches = {**kept, **later["benches"]}
    measured = {name.split(" (")[0] for name in later["failed"]} | set(later["benches"])
    failed = {k: v for k, v in earlier.get("failed", {}).items() if k.split(" (")[0] not in measured}
    revs = {"before": later["before"], "after": later["after"]}
    return _summary(revs, benches, {**failed, **later["failed"]})


def _summary(revs: dict[str, str], benches: dict[str, Any], failed: dict[str, str]) -> dict[str, Any]:
    worse = [f"{name}.{key}" for name, figures in benches.items() for key, f in figures.items()
             if not key.startswith("_") and not f["no_worse"]]
    return {"before": revs["before"], "after": revs["after"], "benches": dict(benches), "worse": worse,
            "failed": dict(failed), "no_worse": not worse and not failed}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default=DEFAULT_BEFORE, help="the earlier commit (default: %(default)s)")
    parser.add_argument("--after", default="HEAD", help="the later commit (default: %(default)s)")
    parser.add_argument("--only", default=",".join(SHARED), help="benchmarks, comma-separated (default: all shared)")
    parser.add_argument("--noise", type=float, default=0.15, help="the allowance for noise (default: %(default)s)")
    parser.add_argument("--merge", action="store_true",
                        help="put the benchmarks measured into the existing bench/before_after.json")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per side of each benchmark, the best compared (default: 3 for audit, did; else 1)")
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = [n for n in names if n not in SHARED]
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; both commits have: {', '.join(SHARED)}")
    from bench._util import write_result

    notes = {"noise_allowance": args.noise,
             "how": "both commits checked out side by side, each benchmark run on the earlier one and then on "
                    "this one", "asked": names}
    earlier: dict[str, Any] = {}
    if args.merge:
        path = ROOT / "bench" / "before_after.json"
        earlier = json.loads(path.read_text()) if path.exists() else {}
        earlier.pop("_meta", None)
        notes["merged"] = names

    def keep(so_far: dict[str, Any]) -> dict[str, Any]:
        return merged(earlier, so_far) if args.merge else so_far

    result = keep(measure(args.before, args.after, names, noise=args.noise, repeat=args.repeat,
                          progress=lambda so_far: write_result("before_after", keep(so_far), notes)))
    path = write_result("before_after", result, notes)
    print(f"wrote {path}: no_worse={result['no_worse']} worse={result['worse']} failed={list(result['failed'])}")
    return result


if __name__ == "__main__":
    main()
