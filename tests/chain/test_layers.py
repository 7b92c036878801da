"""chain/ is the bottom of the house: it imports nothing of microcred above it (did, registry, cli, service)."""

from __future__ import annotations

import ast
from pathlib import Path

import microcred.chain

CHAIN = Path(microcred.chain.__file__).parent
ABOVE = ("microcred.did", "microcred.registry", "microcred.cli", "microcred.service")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_chain_imports_nothing_above_it():
    offending = {
        f"{path.name}: {name}"
        for path in CHAIN.glob("*.py")
        for name in _imports(path)
        if name == "microcred" or any(name == up or name.startswith(up + ".") for up in ABOVE)
    }
    assert not offending, offending


def test_a_chain_has_no_registry_method():
    """The credential registry client is built above chain/: microcred.registry.ledger.registry_client."""
    assert not hasattr(microcred.chain.Chain, "registry")
