"""The pure-Python RDFC-1.0 fast path (registry/credential/_quads.py) gives exactly pyoxigraph's canonical N-Quads,
on every JSON-LD document of the test vectors, on hand-made edge cases and on generated documents; and it steps
aside (``None``) where it cannot tell them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.errors import InvalidInputError
from microcred.registry.credential import _jsonld
from microcred.registry.credential._quads import canonical_nquads

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
_ALGORITHMS = {"sha256": ox.CanonicalizationAlgorithm.RDFC_1_0, "sha384": ox.CanonicalizationAlgorithm.RDFC_1_0_SHA_384}


def _documents(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        if "@context" in value:
            yield value
        for item in value.values():
            yield from _documents(item)
    elif isinstance(value, list):
        for item in value:
            yield from _documents(item)


def _vector_documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted(VECTORS.rglob("*.json*")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        for i, doc in enumerate(_documents(data)):
            found.append((f"{path.relative_to(VECTORS)}#{i}", doc))
    return found


def _both(doc: dict[str, Any], hash_name: str = "sha256") -> tuple[str | None, str | BaseException]:
    """The fast path's canonical N-Quads (of the expanded document) and pyoxigraph's (of the prepared one)."""
    expanded, dropped = _jsonld._expand_only(doc)
    # canonize_rdfc takes the fast path only when expansion dropped nothing (the dropped terms are gone)
    fast = None if dropped else canonical_nquads(expanded, hash_name, _jsonld._literal)
    _, prepared, lossless = _jsonld._prepared(expanded, list(dropped), False)
    if not lossless:
        assert fast is None, "the fast path took a document that loses data"
        return None, "loses data"
    try:
        slow: str | BaseException = _jsonld._canonize_oxigraph(prepared, _ALGORITHMS[hash_name])
    except _jsonld.JsonLdProcessingError as exc:
        slow = exc
    return fast, slow


def test_every_vector_document_gives_pyoxigraphs_canonical_nquads() -> None:
    compared = 0
    for name, doc in _vector_documents():
        try:
            _, _, lossless = _jsonld._expand(doc, False)
        except InvalidInputError:
            continue  # unknown context or invalid JSON-LD: both paths refuse it before canonicalisation
        for hash_name in ("sha256", "sha384"):
            fast, slow = _both(doc, hash_name)
            if not lossless:
                continue  # _both checked that the fast path stepped aside
            assert fast is not None, f"{name}: the fast path stepped aside"
            assert fast == slow, name
            compared += 1
    assert compared >= 100  # the vectors hold ~90 canonicalisable credentials, presentations and proofs


_CONTEXT = {"@vocab": "http://example.org/v#", "ex": "http://example.org/p#",
            "items": {"@container": "@list"}, "ref": {"@type": "@id"}, "inner": {"@container": "@graph"},
            "data": {"@type": "@json"}, "when": {"@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
            "label": {"@language": "en-GB"}}


@pytest.mark.parametrize("doc", [
    {"@id": "http://a.example/1", "name": 'quote " backslash \\ tab \t nl \n cr \r bs \b ff \f del \x7f nul \x00'},
    {"@id": "http://a.example/1", "name": "non-characters \ufffe \uffff \U0010ffff and \ufffd"},
    {"@id": "http://a.example/1", "name": "line sep \u2028 para \u2029 nel \u0085 fs \x1c gs \x1d rs \x1e"},
    {"@id": "http://a.example/1",
     "items": [1, 2.5, True, "x", {"@id": "http://a.example/in-a-list"}, [], ["nested", ["deep"]], "end"]},
    {"@id": "http://a.example/1", "items": []},
    {"name": "top-level blank", "knows": {"name": "another", "knows": {"@id": "_:x"}}, "ref": "_:x"},
    {"@id": "http://a.example/1", "inner": {"@id": "http://a.example/p", "name": "in a named graph"}},
    {"@id": "http://a.example/1", "inner": [{"name": "graph one"}, {"name": "graph two"}]},
    {"@id": "http://a.example/g", "@graph": [{"@id": "http://a.example/2", "name": "x"}], "name": "the graph"},
    {"@id": "http://a.example/1", "data": {"b": [1, 2.0, "é"], "a": None}},
    {"@id": "http://a.example/1", "label": "colour", "name": {"@value": "Farbe", "@language": "de-CH"}},
    {"@id": "http://a.example/1", "when": "2026-01-01T00:00:00Z", "n": [5.9e16, 1e21, -0.0, 12345678901234567]},
    {"@id": "http://a.example/1", "@type": ["ex:T", "_:t"], "ex:p": {"@value": "typed", "@type": "ex:dt"}},
    {"@id": "urn:uuid:6a1676b8-b51f-11ed-937b-000000000000", "name": "unicode \U0001F600 \u00e9 \uffff"},
    {"@id": "http://a.example/é?q=1#frag", "ref": "http://b.example/path%20with%20escapes"},
    {"@graph": [{"@id": "http://a.example/1", "name": "a"}, {"@id": "http://a.example/1", "name": "a"}]},
])
def test_edge_cases_give_pyoxigraphs_canonical_nquads(doc: dict[str, Any]) -> None:
    for hash_name in ("sha256", "sha384"):
        fast, slow = _both({"@context": _CONTEXT, **doc}, hash_name)
        assert fast is not None
        assert fast == slow


@pytest.mark.parametrize("doc", [
    # two blank nodes with the same first-degree hash: N-degree hashing, left to pyoxigraph
    {"@id": "_:x", "knows": {"@id": "_:y", "knows": {"@id": "_:x"}}},
    {"@id": "http://a.example/1", "knows": [{"name": "twin"}, {"name": "twin"}, {"name": "other"}]},
    # an IRI pyoxigraph refuses (a port that is not a number), though expansion keeps it
    {"@id": "http://a.example:port/1", "name": "x"},
    # a language tag pyoxigraph refuses
    {"@id": "http://a.example/1", "name": {"@value": "x", "@language": "a-b"}},
    # a lone surrogate is not UTF-8
    {"@id": "http://a.example/1", "name": "\ud800"},
    # rdf:langString without a language
    {"@id": "http://a.example/1",
     "ex:p": {"@value": "x", "@type": "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"}},
    # @reverse is not translated
    {"@id": "http://a.example/1", "@reverse": {"http://example.org/v#knows": {"@id": "http://a.example/2"}}},
])
def test_the_fast_path_steps_aside_where_it_cannot_tell(doc: dict[str, Any]) -> None:
    try:
        fast, _ = _both({"@context": _CONTEXT, **doc})
    except _jsonld.JsonLdProcessingError:
        return  # refused by expansion already, which is before the fast path
    assert fast is None


_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "id": "urn:uuid:6a1676b8-b51f-11ed-937b-000000000003", "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": "Example University",
               "address": {"type": ["Address"], "addressCountry": "Netherlands"}},
    "validFrom": "2026-01-01T00:00:00Z", "name": "Data Stewardship",
    "credentialSubject": {"id": "did:example:learner3", "type": ["AchievementSubject"], "creditsEarned": 5,
                          "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"],
                                          "name": "Data Stewardship", "criteria": {"narrative": "Pass."},
                                          "resultDescription": [{"id": "urn:uuid:f6ab24cd-86e8-4eaf-b8c6-ded74e8fd41c",
                                                                 "type": ["ResultDescription"], "name": "Grade",
                                                                 "resultType": "LetterGrade",
                                                                 "allowedValue": ["A", "B", "C"]}]}},
}


def test_canonize_rdfc_takes_the_fast_path_for_a_credential(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = _jsonld.canonize_rdfc(_CREDENTIAL)

    def refuse(*args: Any) -> str:
        raise AssertionError("pyoxigraph was used")

    monkeypatch.setattr(_jsonld, "_canonize_oxigraph", refuse)
    assert _jsonld.canonize_rdfc(_CREDENTIAL) == expected
    assert _jsonld.canonize_rdfc(_CREDENTIAL, engine="pyld") == expected
    assert "_:c14n0" in expected


def test_a_collision_falls_back_to_pyoxigraph() -> None:
    doc = {"@context": _CONTEXT, "@id": "http://a.example/1", "knows": [{"name": "twin"}, {"name": "twin"}]}
    text = _jsonld.canonize_rdfc(doc)
    assert text.count("_:c14n") == 4  # two twins, each as subject and as object


_KEYS = st.sampled_from(["name", "knows", "items", "ref", "inner", "data", "when", "label", "ex:p"])
_TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6)
_SCALARS = st.one_of(_TEXT, st.integers(-2**60, 2**60), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False, width=32))


def _node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    ids = st.one_of(st.none(), st.sampled_from(["_:a", "_:b", "http://a.example/1", "http://a.example/2"]))
    return st.builds(lambda i, props: {**({"@id": i} if i else {}), **props}, ids,
                     st.dictionaries(_KEYS, children, max_size=4))


_VALUES = st.recursive(_SCALARS, lambda children: st.one_of(st.lists(children, max_size=3), _node(children)),
                       max_leaves=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_node(_VALUES))
def test_generated_documents_give_pyoxigraphs_canonical_nquads(doc: dict[str, Any]) -> None:
    try:
        fast, slow = _both({"@context": _CONTEXT, **doc})  # a document that loses data: fast must be None
    except InvalidInputError:
        return  # not valid JSON-LD for the context, or a @json value beyond JCS: refused before
    if fast is not None:
        assert fast == slow


@pytest.mark.parametrize("doc", [
    {"@id": "http://a.example/1", "undefined": "x"},
    {"@id": "relative/iri", "name": "x"},
    {"@id": "http://a.example/1", "ref": "relative"},
    {"@id": "http://a.example/1", "name": {"@value": "x", "@language": "not a tag"}},
    {"@id": "http://a.example/1", "name": {"@value": "x", "@direction": "rtl"}},
    {"@id": "http://a.example/1", "@type": "Relative/Type", "name": "x"},
])
def test_a_document_that_loses_data_is_refused_as_before(doc: dict[str, Any]) -> None:
    context = {"name": "http://example.org/v#name", "ref": {"@id": "http://example.org/v#ref", "@type": "@id"}}
    with pytest.raises(_jsonld.DataLossError):
        _jsonld.canonize_rdfc({"@context": context, **doc})
    fast, _ = _both({"@context": context, **doc})
    assert fast is None
