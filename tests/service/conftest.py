"""An issuer's credentials on the memory chain (one valid, one revoked, one tampered) and the service over them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run
from tests.support.issuing import memory_issuer

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"




@pytest.fixture
def issued(home, tmp_path, capsys):
    """``{"valid": doc, "revoked": doc, "tampered": doc}`` and the CLI's base arguments."""
    base = memory_issuer(home, capsys)
    out = tmp_path / "out"
    for args in (("issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(out)),
                 ("issuer", "bind", "x"), ("anchor", str(out), "--issuer", "x")):
        code, _, err = run(capsys, *base, *args)
        assert code == 0, (args, err)
    files = sorted(p for p in out.glob("*.json") if not p.name.startswith("."))
    code, _, err = run(capsys, *base, "revoke", str(files[1]), "--issuer", "x", "--reason", "fraud")
    assert code == 0, err
    valid, revoked = (json.loads(f.read_text()) for f in files[:2])
    tampered = json.loads(files[2].read_text())
    tampered["credentialSubject"]["achievement"]["name"] = "Doctorate in everything"
    return {"valid": valid, "revoked": revoked, "tampered": tampered, "base": base, "home": home}


@pytest.fixture
def service(issued):
    from fastapi.testclient import TestClient

    from microcred.cli._app import AppContext
    from microcred.service import ServiceConfig, create_app

    app = AppContext(home=issued["home"], network="memory")
    with TestClient(create_app(ServiceConfig(app=app, max_body=1536 * 1024)),
                    raise_server_exceptions=False) as client:
        yield client
