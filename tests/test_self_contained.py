"""A clone of the project is whole: nothing in it reads the folder of shared material that sits beside the
developers' copy, and the vectors the tests use are here with their provenance and licences."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

from tests.support.paths import ROOT, VECTORS

#: what a reference to the folder beside the clone looks like ("../" + "shared", "shared" + "/vectors")
OUTSIDE = re.compile(r"\.\./" + "shared|" + "shared" + r"/vectors|parent\s*/\s*[\"']" + "shared")
SCANNED = ("src", "tests", "bench", "scripts", ".ci")


def _project_files() -> list[Path]:
    files = [ROOT / "Makefile", ROOT / "hardhat.config.js", ROOT / "package.json", ROOT / "pyproject.toml"]
    for top in SCANNED:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and VECTORS not in path.parents and "__pycache__" not in path.parts \
                    and path.suffix not in (".pyc",) and ".egg-info" not in str(path):
                files.append(path)
    return files


def test_no_file_of_the_project_reads_the_shared_folder() -> None:
    offenders = [str(p.relative_to(ROOT)) for p in _project_files()
                 if OUTSIDE.search(p.read_text(encoding="utf-8", errors="replace"))]
    assert offenders == []


def test_the_pattern_would_catch_a_reference() -> None:
    assert OUTSIDE.search('VECTORS = ROOT.parent / "' + 'shared" / "vectors"')
    assert OUTSIDE.search("see ../" + "shared/DESIGN.md")


def test_every_copied_vector_is_listed_with_its_hash_and_licence() -> None:
    rows = list(csv.DictReader((VECTORS / "MANIFEST.tsv").open(encoding="utf-8"), delimiter="\t"))
    listed = {row["local_path"]: row for row in rows}
    for path in VECTORS.rglob("*"):
        if not path.is_file() or path.name == "MANIFEST.tsv":
            continue
        rel = str(path.relative_to(VECTORS))
        row = listed.get(rel) or next((r for p, r in listed.items() if p.endswith("/") and rel.startswith(p)), None)
        assert row is not None, f"{rel} is not in tests/vectors/MANIFEST.tsv"
        assert row["license"], rel
        if row["local_path"] == rel and row["kind"] == "copy":
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row["sha256"], rel
