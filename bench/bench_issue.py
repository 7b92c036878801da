"""Batch issuance: seconds to issue 10,000 micro-credentials from a CSV, signed and written to disk.

Everything a course administrator waits for is inside the timing: reading and checking the CSV, reserving the
index range (fsync), the batch journal (fsync), building, signing and writing each credential (temporary file and
rename), the final file-system sync and the journal's completion. The signer is injected: pass the real
``eddsa-rdfc-2022`` signer to measure the whole command; :func:`main` without one measures microcred's own
overhead with a placeholder signer that only adds a dummy proof. The bar: 10,000 in at most 60 s with real
signatures, i.e. an overhead well under 1 ms per credential next to 3-5 ms of RDF canonicalisation and signing.

    python bench/bench_issue.py        # prints the figures
    python -m bench issue              # once registered in bench/__main__.py: also writes bench/issue.json
"""

from __future__ import annotations

import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from collections.abc import Callable

from microcred.registry.issuance import IndexAllocator, issue_batch, load_learners, load_template
from microcred.registry.issuance._issuer import IssuerProfile

Sign = Callable[[dict[str, Any]], dict[str, Any]]

#: the bar: 10,000 credentials, signed and written, in at most this many seconds
TARGET_SECONDS = 60.0
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def _profile() -> IssuerProfile:
    return IssuerProfile.from_json({
        "name": "bench", "legalName": "Technische Universität Example", "country": "DE", "region": "Bavaria",
        "did": _DID, "verificationMethod": f"{_DID}#{_DID[len('did:key:'):]}", "key": "bench-signing",
        "account": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7", "chain": "eip155:31337",
        "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3"})


def write_learners_csv(path: Path, count: int) -> Path:
    """A learner list of ``count`` distinct learners, as a course administrator would export it."""
    with path.open("w", encoding="utf-8") as fh:
        fh.write("name,email,student_id,completion_date,grade\n")
        for i in range(count):
            fh.write(f"Learner {i:05d},learner{i:05d}@example.org,S-{i:06d},2026-02-27,1.3\n")
    return path


def placeholder_signer(doc: dict[str, Any]) -> dict[str, Any]:
    """Adds a dummy proof: measures microcred's overhead without any cryptography."""
    return {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                             "verificationMethod": f"{_DID}#{_DID[len('did:key:'):]}",
                             "proofPurpose": "assertionMethod", "proofValue": "z" + "1" * 86}}


def bench_issue_10k(sign: Sign, count: int = 10_000, *, profile: IssuerProfile | None = None,
                    template_path: Path | None = None) -> float:
    """Seconds to issue ``count`` credentials from a generated CSV into a temporary directory with ``sign``."""
    with tempfile.TemporaryDirectory(prefix="microcred-bench-issue-") as tmp:
        root = Path(tmp)
        learners_csv = write_learners_csv(root / "learners.csv", count)
        start = time.perf_counter()
        template = load_template(template_path or EXAMPLES / "course-template.json")
        learners = load_learners(learners_csv, template=template)
        result = issue_batch(profile or _profile(), template, learners, root / "out", sign,
                             IndexAllocator(root / "bench.state.json"), lambda: datetime.now(timezone.utc))
        elapsed = time.perf_counter() - start
        if result.issued_now != count:
            raise RuntimeError(f"issued {result.issued_now} credentials, not {count}")
        return elapsed


def main(sign: Sign | None = None, count: int = 10_000) -> dict[str, Any]:
    """Measure, print, and write bench/issue.json. Without ``sign``, measures the overhead only."""
    from bench._util import write_result

    overhead = bench_issue_10k(placeholder_signer, count)
    figures: dict[str, Any] = {
        "credentials": count,
        "overhead_seconds": round(overhead, 3),
        "overhead_ms_per_credential": round(overhead / count * 1000, 4),
        "target_seconds": TARGET_SECONDS,
    }
    print(f"issuance overhead: {count:,} credentials in {overhead:.2f} s "
          f"({overhead / count * 1000:.3f} ms each, placeholder signer)")
    notes = {"signer": "placeholder (dummy proof)"}
    if sign is not None:
        total = bench_issue_10k(sign, count)
        figures.update(total_seconds=round(total, 3), ms_per_credential=round(total / count * 1000, 4),
                       within_target=total <= TARGET_SECONDS)
        notes["signer"] = getattr(sign, "__qualname__", type(sign).__name__)
        print(f"issuance with the given signer: {count:,} credentials in {total:.2f} s "
              f"({total / count * 1000:.3f} ms each; target {TARGET_SECONDS:.0f} s)")
    write_result("issue", figures, notes)
    return figures


if __name__ == "__main__":
    seconds = bench_issue_10k(placeholder_signer)
    print(f"10,000 credentials with a placeholder signer: {seconds:.2f} s ({seconds / 10:.3f} ms each)")
