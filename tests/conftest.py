"""Shared fixtures: where the external vectors live, a throw-away home directory, a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.paths import VECTORS


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


pytest_plugins = ["tests.support.chain"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that runs against a real anvil node (`pytest -m "not anvil"` runs the in-process rest)."""
    starts_a_node: dict[Path, bool] = {}
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        module = Path(str(item.fspath))
        if module not in starts_a_node:  # a module that starts its own node, or drives `microcred node`
            text = module.read_text(encoding="utf-8")
            starts_a_node[module] = "LocalNode(" in text or '"node", "start"' in text
        uses_node = "anvil_node" in getattr(item, "fixturenames", ()) or "anvil" in params.values()
        if uses_node or starts_a_node[module] or "anvil" in item.nodeid.lower():
            item.add_marker(pytest.mark.anvil)
