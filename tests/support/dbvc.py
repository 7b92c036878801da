"""Run Digital Bazaar's verifier/issuer (tests/interop/js/dbvc.mjs) in a Node subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "interop" / "js" / "dbvc.mjs"
PACKAGES = ("vc", "data-integrity", "eddsa-rdfc-2022-cryptosuite", "eddsa-jcs-2022-cryptosuite",
            "ecdsa-rdfc-2019-cryptosuite", "ecdsa-jcs-2019-cryptosuite", "ed25519-multikey", "ecdsa-multikey")


def node() -> str:
    """Node 22 of node_modules/.bin (npm package `node`), else the node on PATH; the packages must be installed
    (`make` runs npm ci): a missing one is an error, not a skip."""
    missing = [p for p in PACKAGES if not (ROOT / "node_modules" / "@digitalbazaar" / p / "package.json").exists()]
    if missing:
        raise RuntimeError(f"npm devDependencies missing from node_modules: {', '.join(missing)} (run make)")
    local = ROOT / "node_modules" / ".bin" / "node"
    found = str(local) if local.exists() else shutil.which("node")
    if found is None:
        raise RuntimeError("no node on PATH and none in node_modules/.bin")
    return found


def run(request: dict[str, Any], *, timeout: float = 600) -> dict[str, Any]:
    done = subprocess.run([node(), str(SCRIPT)], input=json.dumps(request).encode("utf-8"), capture_output=True,
                          timeout=timeout, cwd=ROOT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dbvc.mjs failed ({done.returncode}): {done.stderr.decode('utf-8', 'replace')[-3000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def verify(suite: str, credentials: list[dict[str, Any]]) -> dict[str, Any]:
    return run({"mode": "verify", "suite": suite, "credentials": credentials})


def issue(suite: str, credentials: list[dict[str, Any]], *, curve: str = "P-256") -> dict[str, Any]:
    return run({"mode": "issue", "suite": suite, "curve": curve, "credentials": credentials})


def verify_presentations(suite: str, presentations: list[dict[str, Any]], *, challenge: str,
                         domain: str | None) -> dict[str, Any]:
    return run({"mode": "verify-presentation", "suite": suite, "presentations": presentations,
                "challenge": challenge, "domain": domain})
