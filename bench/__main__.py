"""`python -m bench gas|all|NAME`: run benchmarks; each writes bench/<name>.json."""

from __future__ import annotations

import importlib
import sys

#: name → module whose main() writes bench/<name>.json
BENCHES = {"gas": "bench.gas", "did": "bench.did", "audit": "bench.bench_audit", "accreditation": "bench.accreditation",
           "credentials": "bench.credentials", "verify": "bench.verify", "serve": "bench.serve",
           "learner": "bench.learner"}


def run(names: list[str]) -> None:
    for name in names:
        print(f"== {name}", flush=True)
        importlib.import_module(BENCHES[name]).main()


if __name__ == "__main__":
    args = sys.argv[1:] or ["all"]
    if args == ["all"]:
        args = list(BENCHES)
    unknown = [a for a in args if a not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark(s) {unknown}; known: {', '.join(BENCHES)} or all")
    run(args)
