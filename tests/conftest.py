"""Shared fixtures: where the external vectors live, a throw-away home directory, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: the standards' vectors this project's tests use, copied in with their provenance (tests/vectors/MANIFEST.tsv)
VECTORS = ROOT / "tests" / "vectors"


@pytest.fixture(scope="session")
def vectors_dir() -> Path:
    assert VECTORS.is_dir(), f"test vectors not found at {VECTORS}"
    return VECTORS


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh microcred home; the passphrase comes from the environment as in scripts."""
    h = tmp_path / "home"
    monkeypatch.setenv("MICROCRED_HOME", str(h))
    monkeypatch.setenv("MICROCRED_PASSPHRASE", "test passphrase")
    return h


pytest_plugins = ["tests.chain_fixtures"]
