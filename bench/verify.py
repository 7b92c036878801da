"""End-to-end benchmarks on a local anvil node started here: verifying 1,000 anchored credentials of one issuer
(rdfc and jcs) with every check and counting RPC requests, and issuing + signing + anchoring 10,000 credentials.
Everything goes through the `microcred` command line, in process. Writes bench/verify.json."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bench._util import RPCCounter, anvil, write_result
from bench.bench_issue import write_learners_csv
from microcred.cli import main as cli_main
from microcred.registry.ledger import registry_client

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args: str) -> None:
    try:
        cli_main(list(args))
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise RuntimeError(f"`microcred {' '.join(args)}` exited with {exc.code}") from None


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.json") if not p.name.startswith("."))


def _two_endpoints(home: Path, url: str, items: list) -> int:
    """RPC requests (both endpoints together) to verify ``items`` with two --rpc that must agree."""
    from microcred.cli._app import AppContext
    from microcred.cli._verify import build_verifier

    first, second = RPCCounter(url), RPCCounter(url)
    try:
        verifier = build_verifier(AppContext(home=home, network="local", rpc_urls=(first.url, second.url)))
        verifier.endpoints
        first.reset()
        second.reset()
        results = verifier.verify(items)
        assert all(r.valid for r in results), [r.as_json() for r in results if not r.valid][:1]
        return first.requests + second.requests
    finally:
        first.close()
        second.close()


def main() -> dict:
    os.environ.setdefault("MICROCRED_PASSPHRASE", "bench passphrase")
    figures: dict = {}
    with anvil() as (node, home):
        base = ["--home", str(home), "--network", node.url]
        run(*base, "key", "new", "sig", "--type", "ed25519")
        run(*base, "key", "new", "acct", "--type", "secp256k1")
        run(*base, "issuer", "init", "bench", "--legal-name", "Bench University", "--country", "DE",
            "--key", "sig", "--account-key", "acct")
        run(*base, "issuer", "bind", "bench")
        learners = write_learners_csv(home / "learners-1000.csv", 1000)
        template = str(EXAMPLES / "course-template.json")
        for suite, key in (("eddsa-rdfc-2022", "rdfc"), ("eddsa-jcs-2022", "jcs")):
            out = home / f"out-{key}"
            run(*base, "issue", "--issuer", "bench", "--template", template, "--learners", str(learners),
                "--out", str(out), "--cryptosuite", suite)
            run(*base, "anchor", str(out), "--issuer", "bench")
            files = _files(out)
            assert len(files) == 1000
            counter = RPCCounter(node.url)
            try:
                from microcred.cli._app import AppContext
                from microcred.cli._verify import build_verifier
                from microcred.registry.anchoring._anchor import load_credential

                app = AppContext(home=home, network=counter.url)
                verifier = build_verifier(app)
                verifier.endpoints  # connect now, so the figure counts verification only
                items = [(str(f), load_credential(f)) for f in files]
                counter.reset()
                start = time.perf_counter()
                results = verifier.verify(items)
                elapsed = time.perf_counter() - start
                requests = counter.requests
                methods = list(counter.methods)
            finally:
                counter.close()
            bad = [r.as_json() for r in results if not r.valid]
            assert not bad, bad[:1]
            figures[f"verify_full_{key}_per_s"] = round(len(items) / elapsed, 1)
            # the same files, bare signature verification only (the same suite, keys decoded from did:key), same run
            from microcred.registry.credential import strip_anchor
            from microcred.registry.proofs import did_key_lookup, verify_proofs

            start = time.perf_counter()
            for _, doc in items:
                assert verify_proofs(strip_anchor(doc), did_key_lookup).verified
            signature_only = len(items) / (time.perf_counter() - start)
            figures[f"verify_signature_only_{key}_per_s"] = round(signature_only, 1)
            figures[f"verify_full_{key}_vs_signature_only"] = round(len(items) / elapsed / signature_only, 2)
            if key == "rdfc":
                figures["verify_1000_rpc_requests"] = requests
                figures["_verify_1000_rpc_methods"] = methods
                figures["verify_1000_rpc_requests_2rpc"] = _two_endpoints(home, node.url, items)
        # issue, sign and anchor 10,000 credentials, end to end
        learners = write_learners_csv(home / "learners-10k.csv", 10_000)
        out = home / "out-10k"
        start = time.perf_counter()
        run(*base, "issue", "--issuer", "bench", "--template", template, "--learners", str(learners),
            "--out", str(out))
        run(*base, "anchor", str(out), "--issuer", "bench", "--batch-limit", "10000")
        figures["issue_anchor_10k_s"] = round(time.perf_counter() - start, 1)
        from microcred.chain._connect import connect

        chain = connect("local", home=home, rpc_urls=(node.url,))
        from microcred.registry.issuance._issuer import IssuerStore

        account = IssuerStore(home).load("bench").account
        events = [e for e in registry_client(chain).history(account, with_times=False) if e.kind == "anchored"]
        last = events[-1]
        gas = chain.w3.eth.get_transaction_receipt(last.tx_hash)["gasUsed"]
        figures["anchor_gas_per_credential"] = round(gas / last.data["count"], 2)
        figures["anchor_gas_10k_batch"] = gas
    methods = figures.pop("_verify_1000_rpc_methods")
    path = write_result("verify", figures, {
        "node": "anvil, started by the benchmark", "verify_1000_rpc_methods": methods,
        "bars": {"verify_full_rdfc_per_s": ">= 300", "verify_full_jcs_per_s": ">= 1000",
                 "verify_1000_rpc_requests": "<= 5", "verify_1000_rpc_requests_2rpc": "<= 8",
                 "verify_full_rdfc_vs_signature_only": ">= 0.5", "verify_full_jcs_vs_signature_only": ">= 0.5",
                 "issue_anchor_10k_s": "<= 90",
                 "anchor_gas_per_credential": "< 100"}})
    print(f"wrote {path}")
    for k, v in figures.items():
        print(f"  {k:28} {v}")
    return figures


if __name__ == "__main__":
    main()
