"""The ABI and bytecode shipped in the Python package are exactly what a fresh compile gives."""

from __future__ import annotations

import os
import subprocess

from tests.conftest import ROOT


def test_committed_artifacts_match_a_fresh_compile():
    node_bin = ROOT / "node_modules" / ".bin"
    assert (node_bin / "hardhat").exists(), "Hardhat is not installed: run `make setup`"
    env = {**os.environ, "PATH": f"{node_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    build = subprocess.run(["npx", "hardhat", "build"], cwd=ROOT, env=env, capture_output=True, text=True,
                           timeout=300)
    assert build.returncode == 0, build.stdout + build.stderr
    check = subprocess.run(["node", "scripts/export-artifacts.mjs", "--check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "matches a fresh compile" in check.stdout
