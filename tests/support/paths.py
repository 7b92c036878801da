"""Where the repository's own files are, for tests that read them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: the example issuer template and learner lists shipped in the repository
EXAMPLES = ROOT / "examples"
#: the standards' vectors this project's tests use, copied in with their provenance (tests/vectors/MANIFEST.tsv)
VECTORS = ROOT / "tests" / "vectors"
