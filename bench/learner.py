"""The learner's operations: `present_and_verify_10_per_s` — a presentation of 10 anchored micro-credentials signed
by the holder (eddsa-rdfc-2022) and verified in full (holder proof, challenge, domain, subjects, and every check of
every credential against the in-process chain), per second; `pdf_per_s` — PDF certificates of an anchored
credential written per second (`microcred pdf`: drawing, QR code, attachment, XMP), and `pdf_read_s`, the time to
read the credential back out of one. Writes bench/learner.json."""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from bench._util import write_result

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PASS = "bench passphrase"


def _cli(*args: str) -> None:
    from microcred.cli import main

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            main(list(args))
        except SystemExit as exc:
            if exc.code not in (0, None):
                raise RuntimeError(f"microcred {' '.join(args)} exited {exc.code}") from None


def present_and_verify(rounds: int = 5) -> dict[str, Any]:
    from microcred.chain import connect
    from microcred.cli._app import _MEMORY, AppContext
    from microcred.cli._verify import build_verifier
    from microcred.did import Keystore
    from microcred.registry.presentation import create_presentation, verify_presentation

    os.environ["MICROCRED_PASSPHRASE"] = PASS
    chain = _MEMORY.setdefault("memory", connect("memory"))
    with tempfile.TemporaryDirectory(prefix="microcred-bench-learner-") as tmp:
        home = Path(tmp)
        keys = Keystore(home / "keys", scrypt_n=2**4)
        keys.create("sig", "ed25519", PASS)
        keys.create("acct", "secp256k1", PASS)
        holder = keys.create("learner", "ed25519", PASS)
        learners = home / "learners.csv"
        learners.write_text(f"name,did,completion_date\nAda Learner,{holder.did},2026-02-27\n", encoding="utf-8")
        base = ["--home", str(home), "--network", "memory"]
        _cli(*base, "issuer", "init", "b", "--legal-name", "Bench University", "--country", "DE", "--key", "sig",
             "--account-key", "acct", "--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry"))
        outs = [home / f"out-{i}" for i in range(10)]  # ten courses' batches, each with the one learner
        for out in outs:
            _cli(*base, "issue", "--issuer", "b", "--template", str(EXAMPLES / "course-template.json"),
                 "--learners", str(learners), "--out", str(out))
        _cli(*base, "issuer", "bind", "b")
        _cli(*base, "anchor", *map(str, outs), "--issuer", "b")
        docs = [json.loads(p.read_text()) for out in outs for p in sorted(out.glob("*.json"))
                if not p.name.startswith(".") and "journal" not in p.name]
        assert len(docs) == 10
        key = keys.load("learner", PASS)
        vm = f"{key.did}#{key.public_key_multibase}"
        verifier = build_verifier(AppContext(home=home / "verifier", network="memory"))
        timings: dict[str, list[float]] = {"eddsa-rdfc-2022": [], "eddsa-jcs-2022": []}
        for suite, times in timings.items():
            for i in range(rounds + 1):  # the first round warms the caches (contexts, DIDs) and is not counted
                start = time.perf_counter()
                vp = create_presentation(docs, key, holder=key.did, verification_method=vm, challenge=f"c{i}",
                                         domain="https://hr.example", cryptosuite=suite)
                result = verify_presentation(vp, verifier=verifier, challenge=f"c{i}", domain="https://hr.example")
                elapsed = time.perf_counter() - start
                assert result.valid, result.as_json()
                if i:
                    times.append(elapsed)
        alone = []
        for _ in range(rounds):  # the same 10 credentials verified without a presentation, for comparison
            start = time.perf_counter()
            verifier.verify([(None, d) for d in docs])
            alone.append(time.perf_counter() - start)
        pdf = pdf_figures(docs[0], rounds=rounds * 2)
    best, jcs = min(timings["eddsa-rdfc-2022"]), min(timings["eddsa-jcs-2022"])
    return {"present_and_verify_10_per_s": round(1 / best, 2), "present_and_verify_10_s": round(best, 4),
            "present_and_verify_10_jcs_per_s": round(1 / jcs, 2), "verify_10_alone_s": round(min(alone), 4), **pdf}


def pdf_figures(doc: dict[str, Any], rounds: int = 10) -> dict[str, Any]:
    """Best of ``rounds`` (after one warm-up): a certificate of ``doc`` written (the CLI's words, a verification
    link), and its credential read back."""
    from microcred.registry.credential import read_container
    from microcred.service import verification_link, words
    from microcred.wallet import certificate_pdf

    made, reads = [], []
    data = b""
    for i in range(rounds + 1):
        start = time.perf_counter()
        data = certificate_pdf(doc, link_of=lambda d: verification_link(d, "https://verify.example.org/"),
                               lang="en", words=words("en")).data
        elapsed = time.perf_counter() - start
        start = time.perf_counter()
        assert read_container(data) == doc
        if i:
            made.append(elapsed)
            reads.append(time.perf_counter() - start)
    return {"pdf_per_s": round(1 / min(made), 2), "pdf_s": round(min(made), 4), "pdf_read_s": round(min(reads), 4),
            "pdf_bytes": len(data)}


def main() -> dict[str, Any]:
    figures = present_and_verify()
    path = write_result("learner", figures, {
        "present_and_verify_10": "10 anchored credentials of one issuer; holder proof eddsa-rdfc-2022 (the _jcs "
                                 "figure: eddsa-jcs-2022); full verify on the in-process chain (memory); best of "
                                 "5 rounds after one warm-up; verify_10_alone_s: the credentials without the "
                                 "presentation (the rest is RDFC-1.0 of the presentation, ~430 blank nodes, twice)",
        "pdf": "one anchored credential of the example template, issued to a did:key: its certificate written in "
               "memory (reportlab drawing, segno QR code of the verification link, pikepdf attachment and XMP), best "
               "of 10 after one warm-up; pdf_read_s: the credential read back from the PDF (read_container)",
        "bars": {"present_and_verify_10_per_s": "recorded (no bar yet)", "pdf_per_s": "recorded (no bar yet)"}})
    print(f"wrote {path}")
    for k, v in figures.items():
        print(f"  {k:32} {v}")
    return figures


if __name__ == "__main__":
    main()
