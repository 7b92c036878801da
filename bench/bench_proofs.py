"""Data Integrity proof throughput on one core: signing and verification of an Open Badges 3.0 micro-credential.

The credential (:func:`microcredential`, ~2 KB of JSON) is a VC 2.0 ``OpenBadgeCredential`` shaped like the
examples of the Open Badges 3.0 specification (``tests/vectors/05-openbadges3/extracted/examples/``), with
the contexts ``credentials/v2`` and ``ob/v3p0/context-3.0.3.json``. Every signed or verified credential is
*distinct* (its id, learner and dates differ), so no cache of a document helps.

* ``sign_*_per_s``: :func:`microcred.registry.proofs.sign_batch`, one batch (one proof configuration).
* ``verify_*_per_s``: :func:`~microcred.registry.proofs.verify_proofs` with a ``did:key`` lookup, each credential
  with its own ``created`` time, so the proof configuration is canonicalised for every credential as when one
  credential arrives alone (``verify_rdfc_batch_per_s``: a batch sharing one configuration).
* ``didkit_verify_per_s``: ``didkit.verify_credential`` (Rust, spruceid ssi, through its Python binding) on the same
  content as a VC 1.1 credential with an ``Ed25519Signature2020`` proof, run in a child process because the
  binding may crash the interpreter when it exits.

Rates are per second of CPU time of the measuring process (``time.process_time``, which for didkit also counts its
runtime's threads), i.e. what one core does, and stay meaningful on a busy machine.

    python bench/bench_proofs.py       # prints the figures as JSON
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from nacl.bindings import crypto_sign_open

from microcred.did import PublicKey
from microcred.registry.proofs import did_key_lookup, sign_batch, verify_proofs

#: the bars the issue sets
TARGETS = {"sign_rdfc_per_s": 200, "sign_jcs_per_s": 2000, "verify_jcs_vs_didkit": 5, "verify_rdfc_vs_didkit": 1}

_SEED = bytes(range(32))


class _Ed25519Signer:
    key_type = "ed25519"

    def __init__(self, seed: bytes) -> None:
        self._key = Ed25519PrivateKey.from_private_bytes(seed)
        self.public_key = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        multibase = PublicKey("ed25519", self.public_key).multibase
        self.did = f"did:key:{multibase}"
        self.verification_method = f"{self.did}#{multibase}"

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


def microcredential(n: int = 0, issuer: str = "did:key:z6MkexampleIssuer") -> dict[str, Any]:
    """An OB 3.0 micro-credential of about 2 KB; ``n`` makes it distinct."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": f"urn:uuid:6a1676b8-b51f-11ed-937b-{n:012d}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Stewardship for Research Projects (micro-credential)",
        "description": "Awarded for completing the short course on research data stewardship, 5 ECTS.",
        "issuer": {
            "id": issuer,
            "type": ["Profile"],
            "name": "Example University of Applied Sciences",
            "url": "https://www.example.edu",
            "email": "registrar@example.edu",
            "address": {"type": ["Address"], "addressCountry": "Netherlands", "addressCountryCode": "NL",
                        "addressLocality": "Utrecht"},
        },
        "validFrom": (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=n)).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {
            "id": f"did:example:learner{n}",
            "type": ["AchievementSubject"],
            "activityStartDate": "2025-09-01T00:00:00Z",
            "activityEndDate": "2025-12-15T00:00:00Z",
            "creditsEarned": 5,
            "achievement": {
                "id": "https://www.example.edu/achievements/data-stewardship",
                "type": ["Achievement"],
                "achievementType": "MicroCredential",
                "name": "Data Stewardship for Research Projects",
                "description": "Plan, document and publish research data following the FAIR principles.",
                "criteria": {"narrative": "Pass the written assessment and a supervised practical assignment "
                                          "(data management plan reviewed by two assessors)."},
                "creditsAvailable": 5,
                "fieldOfStudy": "Information science",
                "humanCode": "DS-101",
                "inLanguage": "en",
                "alignment": [{
                    "type": ["Alignment"],
                    "targetName": "EQF level 6",
                    "targetFramework": "European Qualifications Framework",
                    "targetType": "ext:EQF",
                    "targetUrl": "https://europa.eu/europass/en/description-eight-eqf-levels",
                }, {
                    "type": ["Alignment"],
                    "targetName": "manage research data",
                    "targetFramework": "ESCO",
                    "targetType": "ext:ESCO",
                    "targetUrl": "http://data.europa.eu/esco/skill/5c1f9e7d-4b8f-4f0e-9d3c-7c2b1f0e8a11",
                }],
                "resultDescription": [{
                    "id": "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c",
                    "type": ["ResultDescription"],
                    "name": "Final grade",
                    "resultType": "LetterGrade",
                    "allowedValue": ["A", "B", "C", "D", "E", "F"],
                }],
            },
            "result": [{"type": ["Result"], "resultDescription": "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c",
                        "value": "B"}],
        },
    }


def _rate(action: Callable[[], int], min_seconds: float) -> float:
    """Operations per CPU second of ``action`` (which returns how many it did), repeated for ``min_seconds``."""
    done, start = 0, time.process_time()
    while True:
        done += action()
        elapsed = time.process_time() - start
        if elapsed >= min_seconds:
            return done / elapsed


def _sign_rate(cryptosuite: str, count: int, seconds: float) -> float:
    signer = _Ed25519Signer(_SEED)
    docs = [microcredential(i, signer.did) for i in range(count)]
    sign_batch(docs[:5], signer, verification_method=signer.verification_method, cryptosuite=cryptosuite)  # warm

    def run() -> int:
        sign_batch(docs, signer, verification_method=signer.verification_method, cryptosuite=cryptosuite,
                   created="2026-02-01T10:00:00Z")
        return len(docs)

    return _rate(run, seconds)


def sign_rdfc_per_s(count: int = 200, seconds: float = 2.0) -> float:
    """eddsa-rdfc-2022 signatures per second (distinct credentials, one batch)."""
    return _sign_rate("eddsa-rdfc-2022", count, seconds)


def sign_jcs_per_s(count: int = 1000, seconds: float = 2.0) -> float:
    """eddsa-jcs-2022 signatures per second (distinct credentials, one batch)."""
    return _sign_rate("eddsa-jcs-2022", count, seconds)


def _signed(cryptosuite: str, count: int, shared_config: bool) -> list[dict[str, Any]]:
    signer = _Ed25519Signer(_SEED)
    start = datetime(2026, 2, 1, tzinfo=UTC)
    if shared_config:
        return sign_batch([microcredential(i, signer.did) for i in range(count)], signer,
                          verification_method=signer.verification_method, cryptosuite=cryptosuite, created=start)
    return [sign_batch([microcredential(i, signer.did)], signer, verification_method=signer.verification_method,
                       cryptosuite=cryptosuite, created=start + timedelta(seconds=i))[0] for i in range(count)]


def _verify_rate(cryptosuite: str, count: int, seconds: float, shared_config: bool) -> float:
    docs = _signed(cryptosuite, count, shared_config)
    assert verify_proofs(docs[0], did_key_lookup).verified

    def run() -> int:
        for doc in docs:
            if not verify_proofs(doc, did_key_lookup).verified:
                raise AssertionError("a benchmark credential did not verify")
        return len(docs)

    return _rate(run, seconds)


def verify_rdfc_per_s(count: int = 300, seconds: float = 2.0) -> float:
    """eddsa-rdfc-2022 verifications per second, each credential with its own proof configuration."""
    return _verify_rate("eddsa-rdfc-2022", count, seconds, shared_config=False)


def verify_rdfc_batch_per_s(count: int = 300, seconds: float = 2.0) -> float:
    """eddsa-rdfc-2022 verifications per second of a batch whose proofs share one configuration."""
    return _verify_rate("eddsa-rdfc-2022", count, seconds, shared_config=True)


def verify_jcs_per_s(count: int = 1000, seconds: float = 2.0) -> float:
    """eddsa-jcs-2022 verifications per second."""
    return _verify_rate("eddsa-jcs-2022", count, seconds, shared_config=False)


def vc11_equivalent(doc: dict[str, Any], issuer: str) -> dict[str, Any]:
    """The same content as a VC 1.1 credential didkit can process: credentials/v1, and the OB terms through an
    ``@vocab`` (didkit bundles no Open Badges context and loads none)."""
    body = copy.deepcopy({k: v for k, v in doc.items() if k not in ("@context", "validFrom", "proof")})
    body["issuer"]["id"] = issuer
    return {"@context": ["https://www.w3.org/2018/credentials/v1",
                         {"@vocab": "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"}],
            **body, "issuanceDate": doc["validFrom"]}


_DIDKIT_CHILD = textwrap.dedent("""
    import asyncio, json, os, sys, time
    import didkit

    async def main():
        cfg = json.load(sys.stdin)
        jwk = didkit.generate_ed25519_key()
        did = didkit.key_to_did("key", jwk)
        vm = await didkit.key_to_verification_method("key", jwk)
        options = json.dumps({"proofPurpose": "assertionMethod", "verificationMethod": vm,
                              "type": "Ed25519Signature2020"})
        vcs = []
        for doc in cfg["docs"]:
            doc["issuer"]["id"] = did
            vcs.append(await didkit.issue_credential(json.dumps(doc), options, jwk))
        check = json.dumps({"proofPurpose": "assertionMethod"})
        result = json.loads(await didkit.verify_credential(vcs[0], check))
        assert not result["errors"], result
        done, start = 0, time.process_time()
        while True:
            for vc in vcs:
                result = json.loads(await didkit.verify_credential(vc, check))
                assert not result["errors"], result
            done += len(vcs)
            elapsed = time.process_time() - start
            if elapsed >= cfg["seconds"]:
                return done / elapsed

    rate = asyncio.run(main())
    sys.stdout.write(json.dumps({"rate": rate}))
    sys.stdout.flush()
    os._exit(0)  # didkit's runtime may crash the interpreter at a normal exit
""")


def didkit_verify_per_s(count: int = 100, seconds: float = 2.0) -> float:
    """``didkit.verify_credential`` calls per second on the VC 1.1 + Ed25519Signature2020 equivalent."""
    docs = [vc11_equivalent(microcredential(i), "did:key:placeholder") for i in range(count)]
    child = subprocess.run([sys.executable, "-c", _DIDKIT_CHILD], check=False,
                           input=json.dumps({"docs": docs, "seconds": seconds}),
                           capture_output=True, text=True, timeout=600)
    if child.returncode != 0:
        raise RuntimeError(f"the didkit benchmark failed ({child.returncode}): {child.stderr[-2000:]}")
    return float(json.loads(child.stdout)["rate"])


def measure(seconds: float = 2.0) -> dict[str, float]:
    """Every figure and the ratios to didkit."""
    figures = {
        "sign_rdfc_per_s": sign_rdfc_per_s(seconds=seconds),
        "sign_jcs_per_s": sign_jcs_per_s(seconds=seconds),
        "verify_rdfc_per_s": verify_rdfc_per_s(seconds=seconds),
        "verify_rdfc_batch_per_s": verify_rdfc_batch_per_s(seconds=seconds),
        "verify_jcs_per_s": verify_jcs_per_s(seconds=seconds),
        "didkit_verify_per_s": didkit_verify_per_s(seconds=seconds),
    }
    figures["verify_jcs_vs_didkit"] = figures["verify_jcs_per_s"] / figures["didkit_verify_per_s"]
    figures["verify_rdfc_vs_didkit"] = figures["verify_rdfc_per_s"] / figures["didkit_verify_per_s"]
    return {k: round(v, 2) for k, v in figures.items()}


def main() -> None:
    """Measure and print the figures, the credential size and the targets as JSON."""
    figures = measure()
    size = len(json.dumps(microcredential(0)))
    print(json.dumps({"figures": figures, "targets": TARGETS,
                      "met": {k: figures[k] >= v for k, v in TARGETS.items()},
                      "credential_bytes": size, "python": sys.version.split()[0]}, indent=2))


if __name__ == "__main__":
    main()


# -- against Digital Bazaar's @digitalbazaar/vc (Node, npm devDependencies) and bare Ed25519 ----------------------

#: rounds of microcred's JCS verification and bare Ed25519, one after the other, for their ratio
RAW_ROUNDS = 3
DB_TARGETS = {"verify_rdfc_vs_digitalbazaar": 6, "verify_jcs_vs_digitalbazaar": 2, "verify_jcs_vs_raw_ed25519": 0.5}
_DBVC = Path(__file__).resolve().parents[1] / "tests" / "interop" / "js" / "dbvc.mjs"


def _node() -> str:
    local = _DBVC.parents[3] / "node_modules" / ".bin" / "node"
    found = str(local) if local.exists() else shutil.which("node")
    if found is None:
        raise RuntimeError("no node on PATH and none in node_modules/.bin (run make)")
    return found


def digitalbazaar_verify_per_s(cryptosuite: str, docs: list[dict[str, Any]]) -> float:
    """@digitalbazaar/vc ``verifyCredential`` calls per CPU second of its Node process, over ``docs``, each of
    which must verify (offline: microcred's bundled contexts, did:key documents derived from the DID)."""
    request = {"mode": "verify", "suite": cryptosuite, "credentials": docs, "warmup": 50}  # JIT, caches: untimed
    child = subprocess.run([_node(), str(_DBVC)], input=json.dumps(request), text=True,
                           capture_output=True, timeout=1800, check=False)
    if child.returncode != 0:
        raise RuntimeError(f"the Digital Bazaar benchmark failed ({child.returncode}): {child.stderr[-2000:]}")
    answer = json.loads(child.stdout)
    failed = [r["error"] for r in answer["results"] if not r["verified"]]
    if failed:
        raise AssertionError(f"{len(failed)} credentials did not verify with @digitalbazaar/vc: {failed[0]}")
    return len(docs) / (answer["cpu_ms"] / 1000)


def raw_ed25519_verify_per_s(count: int = 1000, seconds: float = 2.0, *, library: str = "libsodium") -> float:
    """Bare Ed25519 verifications of a 32-byte hash per CPU second (the physical limit of a signature check), with
    ``library``: ``libsodium`` (PyNaCl, what microcred verifies with, the faster) or ``openssl`` (cryptography)."""
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    raw_public = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    messages = [hashlib.sha256(str(i).encode()).digest() for i in range(count)]
    signed = [(m, key.sign(m)) for m in messages]
    if library == "openssl":
        def check(message: bytes, signature: bytes) -> None:
            public.verify(signature, message)
    elif library == "libsodium":
        def check(message: bytes, signature: bytes) -> None:
            crypto_sign_open(signature + message, raw_public)
    else:
        raise ValueError(f"unknown Ed25519 library {library!r}")

    def run() -> int:
        for message, signature in signed:
            check(message, signature)
        return len(signed)

    return _rate(run, seconds)


def _verify_all_rate(docs: list[dict[str, Any]], seconds: float) -> float:
    def run() -> int:
        for doc in docs:
            if not verify_proofs(doc, did_key_lookup).verified:
                raise AssertionError("a benchmark credential did not verify")
        return len(docs)

    run()  # warm
    return _rate(run, seconds)


def measure_digitalbazaar(count: int = 1000, seconds: float = 2.0) -> dict[str, float]:
    """Signature verification of the same ``count`` credentials (each its own proof configuration) by microcred
    and by @digitalbazaar/vc in this run, and bare Ed25519 in this run (the JCS rate and bare Ed25519 in
    :data:`RAW_ROUNDS` interleaved rounds, the best of each); the three ratios."""
    figures: dict[str, float] = {}
    raw = 0.0
    for name, suite in (("rdfc", "eddsa-rdfc-2022"), ("jcs", "eddsa-jcs-2022")):
        docs = _signed(suite, count, shared_config=False)
        if name == "jcs":  # against bare Ed25519: interleaved rounds, the best of each (one slow spell of this
            # shared machine must not decide the ratio)
            ours = raw = 0.0
            for _ in range(RAW_ROUNDS):
                ours = max(ours, _verify_all_rate(docs, seconds / 2))
                raw = max(raw, raw_ed25519_verify_per_s(seconds=seconds / 2))
        else:
            ours = _verify_all_rate(docs, seconds)
        theirs = digitalbazaar_verify_per_s(suite, docs)
        figures[f"verify_{name}_1000_per_s"] = round(ours, 2)
        figures[f"digitalbazaar_verify_{name}_per_s"] = round(theirs, 2)
        figures[f"verify_{name}_vs_digitalbazaar"] = round(ours / theirs, 2)
    figures["raw_ed25519_verify_per_s"] = round(raw, 2)
    figures["raw_ed25519_openssl_verify_per_s"] = round(raw_ed25519_verify_per_s(seconds=seconds, library="openssl"), 2)
    figures["verify_jcs_vs_raw_ed25519"] = round(figures["verify_jcs_1000_per_s"] / raw, 3)
    return figures
