"""The whole W3C RDFC-1.0 test suite (tests/vectors/11-rdf-canon, manifest.jsonld) for every canonicalisation
engine microcred uses (pyoxigraph and pyld): evaluation tests byte for byte, map tests (issued identifiers),
and the negative poison-graph test (refused, not run for ever)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from microcred.registry.credential._jsonld import (
    ENGINES,
    CanonicalizationLimitError,
    canonical_issued_identifiers,
    canonize_nquads,
)
from tests.support.paths import VECTORS

SUITE = VECTORS / "11-rdf-canon"
ENTRIES: list[dict[str, Any]] = json.loads((SUITE / "manifest.jsonld").read_text(encoding="utf-8"))["entries"]


def _hash(entry: dict[str, Any]) -> Any:
    return {"SHA256": "sha256", "SHA384": "sha384"}[entry.get("hashAlgorithm", "SHA256")]


def _cases(kind: str) -> list[Any]:
    return [pytest.param(e, id=e["id"].lstrip("#")) for e in ENTRIES if e["type"] == f"rdfc:{kind}"]


def test_the_suite_is_whole() -> None:
    kinds = [e["type"] for e in ENTRIES]
    assert (kinds.count("rdfc:RDFC10EvalTest"), kinds.count("rdfc:RDFC10MapTest"),
            kinds.count("rdfc:RDFC10NegativeEvalTest")) == (64, 21, 1)
    assert len(kinds) == 86


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", _cases("RDFC10EvalTest"))
def test_eval(entry: dict[str, Any], engine: str) -> None:
    given = (SUITE / entry["action"]).read_text(encoding="utf-8")
    expected = (SUITE / entry["result"]).read_text(encoding="utf-8")
    assert canonize_nquads(given, engine=engine, hash_algorithm=_hash(entry)) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", _cases("RDFC10MapTest"))
def test_map(entry: dict[str, Any], engine: str) -> None:
    """The issued identifiers: pyld's map is compared directly; for both engines, the input relabelled with the
    expected map is exactly the engine's canonical output."""
    given = (SUITE / entry["action"]).read_text(encoding="utf-8")
    expected: dict[str, str] = json.loads((SUITE / entry["result"]).read_text(encoding="utf-8"))
    if engine == "pyld":
        assert canonical_issued_identifiers(given, hash_algorithm=_hash(entry)) == expected
    import pyoxigraph as ox

    relabelled = []
    for quad in ox.parse(given, ox.RdfFormat.N_QUADS):
        def swap(term: Any) -> Any:
            return ox.BlankNode(expected[term.value]) if isinstance(term, ox.BlankNode) else term
        relabelled.append(ox.Quad(swap(quad.subject), quad.predicate, swap(quad.object), swap(quad.graph_name)))
    mapped = ox.serialize(ox.Dataset(relabelled), format=ox.RdfFormat.N_QUADS).decode("utf-8")
    canonical = canonize_nquads(given, engine=engine, hash_algorithm=_hash(entry))  # type: ignore[arg-type]
    assert sorted(mapped.split("\n")[:-1]) == canonical.split("\n")[:-1]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("entry", _cases("RDFC10NegativeEvalTest"))
def test_negative(entry: dict[str, Any], engine: str) -> None:
    given = (SUITE / entry["action"]).read_text(encoding="utf-8")
    with pytest.raises(CanonicalizationLimitError, match="poison"):
        canonize_nquads(given, engine=engine, hash_algorithm=_hash(entry))  # type: ignore[arg-type]
