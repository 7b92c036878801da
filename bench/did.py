"""DID benchmarks: did:key resolutions per second and did:ethr RPC requests; writes bench/did.json."""

from __future__ import annotations

from bench._util import write_result
from bench.bench_did import bench_didkey_resolve
from bench.bench_ethr import CHANGES, UNRELATED_BLOCKS, bench_ethr_rpc_requests


def main() -> dict:
    figures = {
        "didkey_resolve_per_s": round(bench_didkey_resolve()),
        "ethr_rpc_requests": bench_ethr_rpc_requests(),
    }
    path = write_result("did", figures, {
        "bars": {"didkey_resolve_per_s": ">= 20000", "ethr_rpc_requests": f"<= K + 2 = {CHANGES + 2}"},
        "ethr_setup": f"K = {CHANGES} changes among {UNRELATED_BLOCKS} unrelated blocks, in-process EVM",
    })
    print(f"wrote {path}: {figures}")
    return figures


if __name__ == "__main__":
    main()
