"""The package tree keeps its shape: dependencies point one way (cli, service → registry → did → chain), the CLI
and the service use only the public names of the library packages, and every public face lists what it exports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from tests.support.paths import ROOT

SRC = ROOT / "src" / "microcred"
#: layer of each top-level package; a module may import its own layer or lower ones, never a higher one
LAYERS = {"_files": 0, "errors": 0, "contracts": 0, "chain": 1, "did": 2, "registry": 3, "wallet": 3, "oid4vci": 3.5,
          "cli": 4, "service": 4}
LIBRARY = ("chain", "did", "registry", "wallet", "oid4vci")
PUBLIC_FACES = ["microcred.chain", "microcred.did", "microcred.registry", "microcred.wallet",
                "microcred.oid4vci"] + sorted(
    f"microcred.registry.{p.name}" for p in (SRC / "registry").iterdir() if (p / "__init__.py").exists())


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module ``path`` imports, at any depth (function-level imports count too), as absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names
                         if alias.name.startswith("_"))
    return [(line, name) for line, name in found if name.startswith("microcred.") or name == "microcred"]


def _modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "__pycache__" not in p.parts)


def _layer(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_no_import_runs_back_up_the_layers() -> None:
    wrong = []
    for path in _modules():
        own = _layer(path)
        for line, name in _imports(path):
            parts = name.split(".")
            if len(parts) < 2 or parts[1] not in LAYERS:
                continue
            if LAYERS[parts[1]] > LAYERS.get(own, 0):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert wrong == []


def test_the_cli_uses_only_public_names_of_the_library() -> None:
    wrong = []
    for path in sorted((SRC / "cli").rglob("*.py")):
        for line, name in _imports(path):
            parts = name.split(".")
            if len(parts) >= 2 and parts[1] in LIBRARY and any(p.startswith("_") for p in parts[2:]):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert wrong == []


def test_the_checks_would_catch_a_wrong_arrow(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from microcred.registry.verify._verifier import Verifier\n", encoding="utf-8")
    assert (2, "microcred.registry.verify._verifier") in _imports(bad)


def _test_imports(path: Path) -> list[tuple[int, str]]:
    """The modules of ``tests`` that ``path`` imports, at any depth, as absolute names."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "." * node.level + (node.module or "")))
    return [(line, name) for line, name in found if name.startswith(("tests", "."))]


def _is_test_module(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return name.startswith(".") or last.startswith("test_") or last == "conftest"


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in ``tests/support``; a test module or a benchmark never imports a test module (or a
    conftest): moving or renaming a test then breaks nothing else."""
    wrong = []
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")]):
        if "__pycache__" in path.parts or path.parts[-2:] == ("tests", "test_architecture.py"):
            continue
        for line, name in _test_imports(path):
            if _is_test_module(name):
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert wrong == []


def test_the_test_import_check_would_catch_one(tmp_path: Path) -> None:
    bad = tmp_path / "test_bad.py"
    bad.write_text("def f():\n    from tests.registry.test_anchor import make_credentials\n", encoding="utf-8")
    assert any(_is_test_module(name) for _, name in _test_imports(bad))


@pytest.mark.parametrize("name", PUBLIC_FACES)
def test_every_public_face_exports_what_it_lists(name: str) -> None:
    module = importlib.import_module(name)
    listed = getattr(module, "__all__", None)
    assert listed, f"{name} has no __all__"
    assert len(listed) == len(set(listed)), f"{name}.__all__ names something twice"
    missing = [n for n in listed if not hasattr(module, n)]
    assert missing == []
