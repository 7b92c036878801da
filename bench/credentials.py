"""Credential benchmarks, measured side by side in one run: signing and verifying (against didkit, against Digital
Bazaar's @digitalbazaar/vc on the same 1,000 credentials, and against bare Ed25519) and issuing 10,000 credentials
from a CSV with real eddsa-rdfc-2022 signatures. Writes bench/credentials.json.

    python -m bench.credentials                  # everything
    python -m bench.credentials digitalbazaar    # only the Digital Bazaar and bare Ed25519 ratios (printed)
"""

from __future__ import annotations

import json
import sys

from bench._util import write_result
from bench.bench_issue import bench_issue_10k
from bench.bench_proofs import DB_TARGETS, TARGETS, measure, measure_digitalbazaar
from microcred.did import KeyPair
from microcred.registry.proofs import add_proof


def real_signer(cryptosuite: str = "eddsa-rdfc-2022"):
    key = KeyPair.generate("ed25519")
    vm = f"{key.did}#{key.public_key_multibase}"

    def sign(doc):
        return add_proof(doc, key, cryptosuite=cryptosuite, verification_method=vm)

    return sign


def main() -> dict:
    figures = measure()
    figures.update(measure_digitalbazaar())
    figures["issue_10k_s"] = round(bench_issue_10k(real_signer()), 2)
    bars = {**TARGETS, **DB_TARGETS}
    path = write_result("credentials", figures, {"bars": {**{k: f">= {v}" for k, v in bars.items()},
                                                          "issue_10k_s": "<= 60"},
                                                 "one_core": True})
    print(f"wrote {path}")
    for k, v in figures.items():
        print(f"  {k:28} {v}")
    return figures


if __name__ == "__main__":
    if sys.argv[1:] == ["digitalbazaar"]:
        print(json.dumps(measure_digitalbazaar(), indent=2))
    else:
        main()
