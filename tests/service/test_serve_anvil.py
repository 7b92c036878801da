"""`microcred serve` as a user starts it (its own process, two workers) against a real anvil node."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support.chain import free_port
from tests.support.cli import issue_on_anvil

SRC = str(Path(__file__).resolve().parents[2] / "src")


@pytest.mark.anvil
def test_serve_verifies_against_anvil_and_logs_nothing_submitted(anvil_node, home, tmp_path):
    node, _ = anvil_node
    base, files = issue_on_anvil(node, home, tmp_path)
    doc = json.loads(Path(files[0]).read_text())
    port = free_port()
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", "from microcred.cli import main; main()", "--home", str(home),
                             "--network", "local", "--rpc", node.url, "serve", "--port", str(port), "--workers", "2"],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(timeout=30) as client:
            for _ in range(300):  # until a worker answers (bounded: the process must not have ended)
                assert proc.poll() is None, proc.stderr.read()
                try:
                    if client.get(url + "/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    try:
                        proc.wait(timeout=0.1)
                    except subprocess.TimeoutExpired:
                        pass
            body = client.post(url + "/credentials/verify", json={"verifiableCredential": doc}).json()
            assert body["valid"] is True, body
            learner = body["summary"]["learner"]
            assert learner
            assert body["sources"]["trusted"][0]["endpoint"] == node.url
            upload = client.post(url + "/verify", files={"file": ("a.json", json.dumps(doc), "application/json")})
            assert upload.json()["valid"] is True
            assert client.get(url + "/").headers["content-security-policy"].startswith("default-src 'none'")
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    assert doc["id"] not in out + err and learner not in out + err
    assert "Traceback" not in err
