"""The ABI and bytecode shipped in the Python package are exactly what a fresh compile gives."""

from __future__ import annotations

import os
import subprocess

from tests.support.paths import ROOT


def test_committed_artifacts_match_a_fresh_compile():
    """`make test` compiles the contracts once per checkout (the `artifacts/.built` step, untimed); this compares
    that compile with the copies committed in the Python package."""
    node_bin = ROOT / "node_modules" / ".bin"
    assert (node_bin / "hardhat").exists(), "Hardhat is not installed: run `make setup`"
    built = ROOT / "artifacts" / ".built"
    sources = list((ROOT / "contracts").rglob("*.sol"))
    assert built.exists(), "the contracts are not compiled: run `make artifacts/.built` (make test does)"
    assert all(s.stat().st_mtime <= built.stat().st_mtime for s in sources), \
        "a contract changed since the last compile: run `make artifacts/.built` (make test does)"
    env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    check = subprocess.run(["node", "scripts/export-artifacts.mjs", "--check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "matches a fresh compile" in check.stdout


def test_hardhat_deploy_script_deploys_the_shipped_contracts(anvil_node):
    import json

    from web3 import Web3

    node, _home = anvil_node
    node_bin = ROOT / "node_modules" / ".bin"
    env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}",
           "MICROCRED_RPC_URL": node.url,
           # anvil's second public test account: only ever funded on a dev chain
           "MICROCRED_PRIVATE_KEY": "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"}
    run = subprocess.run(["npx", "hardhat", "run", "scripts/deploy.mjs"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    w3 = Web3(Web3.HTTPProvider(node.url))
    assert result["chainId"] == 31337
    for name in ("CredentialRegistry", "EthereumDIDRegistry", "AccreditationRegistry"):
        assert w3.eth.get_code(Web3.to_checksum_address(result["addresses"][name])), name
