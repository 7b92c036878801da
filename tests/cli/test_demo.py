"""The demo tells the whole story on the in-process chain, and each step ends as the story says."""

from __future__ import annotations

import pytest

from microcred.cli import main


def test_demo_on_the_memory_chain(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("MICROCRED_HOME", str(tmp_path / "unused"))
    with pytest.raises(SystemExit) as exc:
        main(["--network", "memory", "demo"])
    out = capsys.readouterr().out
    assert exc.value.code == 0, out[-3000:]
    assert out.count(": VALID (status: active)") >= 5  # 3 after anchoring, the reinstated one, the one at --at
    assert "INVALID (status: revoked)" in out and "assessment-annulled" in out
    assert "INVALID (status: suspended)" in out
    assert "tampered.json: INVALID" in out
    assert "Revoked 1 credential" in out
    assert "presentation by did:key:" in out and "INVALID (wrong-challenge)" in out  # the learner's part
    assert "ada-certificate.pdf: VALID (status: active)" in out  # the certificate verifies from what it embeds
    assert "add to LinkedIn:" in out
