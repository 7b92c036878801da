"""The memo of expanded subtrees (registry/credential/_jsonld.py, ``_Processor._expand``) changes no expansion: the
test vectors expand as plain pyld expands them, the second time too; what expansion drops is still reported when
a subtree comes from the memo; and a caller changing an expanded document changes nothing that is kept."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from microcred.errors import InvalidInputError
from microcred.registry.credential import _jsonld

VECTORS = Path(__file__).resolve().parents[2] / "vectors"


def _documents(value: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(value, dict):
        if "@context" in value:
            found.append(value)
        for item in value.values():
            found += _documents(item)
    elif isinstance(value, list):
        for item in value:
            found += _documents(item)
    return found


def _plain_pyld(doc: dict[str, Any]) -> Any:
    return jsonld.JsonLdProcessor().expand(copy.deepcopy(doc), {
        "documentLoader": _jsonld.document_loader, "base": None, "processingMode": "json-ld-1.1"})


def test_vector_documents_expand_as_plain_pyld_expands_them_twice() -> None:
    compared = 0
    _jsonld.clear_caches()
    for path in sorted(VECTORS.rglob("*.json*")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        for doc in _documents(data):
            try:
                expected = _plain_pyld(doc)
            except jsonld.JsonLdError:
                continue  # an unknown context or invalid JSON-LD
            for _ in range(2):  # the second time from the memo where subtrees repeat
                try:
                    assert _jsonld.expand(doc, safe=False) == expected, path
                except InvalidInputError:
                    pytest.fail(f"{path}: expansion failed with the memo but not without")
            compared += 1
    assert compared >= 80
    assert _jsonld._processor._subtrees  # something was memoised


_CONTEXT = {"@vocab": "http://example.org/v#", "defined": "http://example.org/v#defined",
            "Strict": {"@id": "http://example.org/v#Strict", "@context": {"@vocab": None}}}


def test_a_dropped_term_in_a_memoised_subtree_is_still_data_loss() -> None:
    shared = {"@type": "Strict", "defined": "kept", "undefined": "dropped"}
    for n in range(3):
        doc = {"@context": _CONTEXT, "@id": f"http://a.example/{n}", "part": copy.deepcopy(shared)}
        with pytest.raises(_jsonld.DataLossError, match="undefined"):
            _jsonld.canonize_rdfc(doc)


def test_changing_an_expanded_document_changes_no_later_expansion() -> None:
    doc = {"@context": _CONTEXT, "@id": "http://a.example/1", "part": {"defined": "x", "other": "y"}}
    first = _jsonld.expand(doc)
    expected = copy.deepcopy(first)
    first[0]["http://example.org/v#part"][0]["http://example.org/v#defined"][0]["@value"] = "changed"
    assert _jsonld.expand({**doc, "@id": "http://a.example/2"})[0]["http://example.org/v#part"] == \
        expected[0]["http://example.org/v#part"]
