"""Run the did:ethr reference resolver (npm ethr-did-resolver, tests/interop/js/ethr_did_resolver.cjs) in a Node
subprocess."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "interop" / "js" / "ethr_did_resolver.cjs"
#: the version whose output microcred's default did:ethr documents follow
REFERENCE_VERSION = "11.1.3"


def modules() -> Path:
    """The node_modules holding ethr-did-resolver: $MICROCRED_ETHR_DID_RESOLVER_MODULES, else the project's."""
    env = os.environ.get("MICROCRED_ETHR_DID_RESOLVER_MODULES")
    return Path(env) if env else ROOT / "node_modules"


def missing() -> str | None:
    """Why the reference cannot run here (``None`` when it can)."""
    if shutil.which("node") is None:
        return "no node on PATH"
    if not (modules() / "ethr-did-resolver" / "package.json").is_file():
        return (f"npm ethr-did-resolver@{REFERENCE_VERSION} is not installed in {modules()} (a devDependency of "
                f"package.json, or set MICROCRED_ETHR_DID_RESOLVER_MODULES to a node_modules holding it)")
    return None


def resolve(rpc_url: str, chain_id: int, registry: str, requests: list[dict[str, Any]], *,
            timeout: float = 120) -> dict[str, Any]:
    """``{"version", "results": [{"result", "nowBefore", "nowAfter"}]}`` for ``requests`` of
    ``{"did", "versionId"}``."""
    node = shutil.which("node")
    assert node is not None
    env = {**os.environ, "MICROCRED_ETHR_DID_RESOLVER_MODULES": str(modules())}
    done = subprocess.run([node, str(SCRIPT)], input=json.dumps({
        "rpcUrl": rpc_url, "chainId": chain_id, "registry": registry, "requests": requests}).encode("utf-8"),
        capture_output=True, timeout=timeout, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"ethr_did_resolver.cjs failed ({done.returncode}): "
                           f"{done.stderr.decode('utf-8', 'replace')[-3000:]}")
    return json.loads(done.stdout)  # type: ignore[no-any-return]
