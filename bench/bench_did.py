"""did:key resolution throughput: resolutions per second of Ed25519 did:key DIDs, one thread, no cache.

Each round resolves a few thousand *distinct* DIDs through :meth:`microcred.did.Resolver.resolve` (DID syntax
check, method dispatch, multibase and multicodec decoding, document construction); did:key results are never
cached, so every call does the whole work. The figure is the best of three rounds.

    python bench/bench_did.py          # prints the figure
    python -m bench did                # once registered in bench/__main__.py: also writes bench/did.json
"""

from __future__ import annotations

import time

from microcred.did import KeyPair, Resolver

#: the bar the issue sets, resolutions per second on one core
TARGET = 20_000


def _dids(count: int) -> list[str]:
    return [KeyPair.generate("ed25519").did for _ in range(count)]


def bench_didkey_resolve(count: int = 5000, rounds: int = 3) -> float:
    """Best-of-``rounds`` resolutions per second over ``count`` distinct Ed25519 did:key DIDs."""
    dids = _dids(count)
    resolver = Resolver()
    resolve = resolver.resolve
    for did in dids[:200]:  # warm up imports and caches of the interpreter, not of the resolver
        resolve(did)
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for did in dids:
            resolve(did)
        elapsed = time.perf_counter() - start
        best = max(best, count / elapsed)
    return best


def main() -> None:
    """Measure, print, and write bench/did.json."""
    from bench._util import write_result

    rate = bench_didkey_resolve()
    print(f"did:key Ed25519 resolution: {rate:,.0f} per second (target {TARGET:,})")
    write_result("did", {"didkey_resolve_per_second": round(rate), "target_per_second": TARGET},
                 {"dids": 5000, "rounds": 3, "cache": "none (did:key is never cached)"})


if __name__ == "__main__":
    print(f"{bench_didkey_resolve():,.0f} did:key resolutions per second")
