"""RDFC-1.0 in pure Python for the common case: the fast path of :func:`~._jsonld.canonize_rdfc`.

A credential's expanded JSON-LD (already checked for data loss and with its native literals spelled out by
:func:`._jsonld._prepare`) becomes RDF quads here directly (JSON-LD 1.1 API §6.1 *Deserialize JSON-LD to RDF*,
for the node objects, value objects, lists and graph objects expansion leaves), and is canonicalised here when
RDFC-1.0 needs no more than its first step: every blank node has a *unique* first-degree hash (RDFC-1.0 §4.6
*Hash First Degree Quads*, §4.4 step 3-4), so canonical labels are issued in the order of those hashes and no
N-degree hashing is needed.

Anything else returns ``None`` and the caller canonicalises with pyoxigraph as before: a shape this module does
not translate (``@reverse``, ``@included``, a blank node property, a base direction, a non-string literal), or
two blank nodes with the same first-degree hash. The results are the same by construction, and tests compare
both paths on every credential shape and test vector (``tests/registry/proofs/test_fast_rdfc.py``).

Going through pyoxigraph costs most of its time in building a Python object per term (parsing a credential's
64 quads into a ``Dataset`` takes longer than canonicalising them in Rust); a credential needs only string
concatenation and one hash per blank node.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

import pyoxigraph as ox

__all__ = ["BLANK", "IRI", "LANGUAGE", "canonical_nquads", "escape_literal"]

#: an absolute IRI (RFC 3987 scheme ":" rest) without the characters N-Quads cannot carry in an IRIREF
IRI: Final = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>"{}|^`\\]*$')
#: a blank node identifier
BLANK: Final = re.compile(r"^_:[^\s]+$")
#: BCP 47 well-formedness as JSON-LD 1.1 checks it (§9.7 "Value objects"); pyoxigraph drops other tags silently
LANGUAGE: Final = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")

_RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_TYPE: Final = f"<{_RDF}type>"
_FIRST: Final = f"<{_RDF}first>"
_REST: Final = f"<{_RDF}rest>"
_NIL: Final = f"<{_RDF}nil>"
_XSD_STRING: Final = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING: Final = f"{_RDF}langString"
# canonical N-Quads escaping of literals (RDFC-1.0 §4.4, the canonical form of RDF 1.2 N-Quads)
_ECHAR: Final = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
# and U+FFFE, U+FFFF, which are no XML 1.1 Char (as pyoxigraph writes them)
_ESCAPE: Final = {**{chr(c): f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}, **_ECHAR}
_TO_ESCAPE: Final = re.compile("[\x00-\x1f\x7f\ufffe\uffff\"\\\\]")
# keys of a node object this module translates (properties are absolute IRIs, checked by _prepare)
_NODE_KEYWORDS: Final = frozenset({"@id", "@type", "@graph", "@index"})
_VALUE_KEYS: Final = frozenset({"@value", "@type", "@language", "@index"})


def escape_literal(value: str) -> str:
    """The body of a literal in canonical N-Quads."""
    return _TO_ESCAPE.sub(lambda m: _ESCAPE[m.group(0)], value) if _TO_ESCAPE.search(value) else value


class _Unsupported(Exception):
    """Internal: a shape the fast path leaves to pyoxigraph."""


def _literal(node: Mapping[str, Any]) -> str:
    value = node["@value"]
    if not isinstance(value, str) or not _VALUE_KEYS.issuperset(node):
        raise _Unsupported
    text = f'"{escape_literal(value)}"'
    language = node.get("@language")
    datatype = node.get("@type")
    if language is not None:
        if datatype is not None or not isinstance(language, str):
            raise _Unsupported
        return f"{text}@{language.lower()}"
    if datatype is None or datatype == _XSD_STRING:
        return text
    if not isinstance(datatype, str) or datatype.startswith("_:") or datatype == _LANG_STRING:
        raise _Unsupported  # a blank datatype, or rdf:langString without a language: left to pyoxigraph
    return f"{text}^^<{datatype}>"


# A blank node's private label: "_:" and a number between U+0001 and U+0002, characters that stand raw in no line
# (a literal escapes them, an IRI cannot hold them), so labels are found and replaced in finished lines.
_LABEL: Final = re.compile("_:\x01[0-9]+\x02")


class _Builder:
    """The N-Quads lines of an expanded document, with private blank node labels (:data:`_LABEL`)."""

    def __init__(self, literal: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        self._literal = literal
        self.lines: set[str] = set()
        #: the lines that mention each blank node
        self.mentions: dict[str, set[str]] = {}
        self._labels: dict[str, str] = {}
        #: every IRI (without <>) and language tag used, to be checked once as pyoxigraph would
        self.iris: set[str] = set()
        self.languages: set[str] = set()

    def blank(self, label: str | None = None) -> str:
        if label is not None:
            found = self._labels.get(label)
            if found is not None:
                return found
        fresh = f"_:\x01{len(self.mentions)}\x02"
        self.mentions[fresh] = set()
        if label is not None:
            self._labels[label] = fresh
        return fresh

    def add(self, s: str, p: str, o: str, g: str) -> None:
        line = f"{s} {p} {o} {g} .\n" if g else f"{s} {p} {o} .\n"
        self.lines.add(line)
        mentions = self.mentions
        for term in (s, o, g):
            found = mentions.get(term)
            if found is not None:
                found.add(line)

    def subject(self, node: Mapping[str, Any]) -> str:
        identifier = node.get("@id")
        return self.blank() if identifier is None else self.iri(identifier)

    def iri(self, value: Any) -> str:
        """The term of an IRI or blank node identifier, checked as :func:`._jsonld._prepare` checks them."""
        if value.__class__ is not str:
            raise _Unsupported
        if value.startswith("_:"):
            if not BLANK.match(value):
                raise _Unsupported
            return self.blank(value)
        if value not in _VALID:
            if not IRI.match(value):
                raise _Unsupported  # a relative IRI: lost data, reported by _prepare
            self.iris.add(value)
        return f"<{value}>"

    def node(self, node: Mapping[str, Any], graph: str) -> str:
        """Emit the quads of a node (or graph) object in ``graph``; returns its subject term."""
        for key in node:
            if key[0] == "@" and key not in _NODE_KEYWORDS:
                raise _Unsupported
        subject = self.subject(node)
        if "@graph" in node:
            contents = node["@graph"]
            if not isinstance(contents, list):
                raise _Unsupported
            for item in contents:
                if not isinstance(item, dict) or "@value" in item or "@list" in item or "@set" in item:
                    raise _Unsupported  # a free-floating value in a graph: dropped by JSON-LD, left to pyoxigraph
                self.node(item, subject)
        types = node.get("@type")
        if types is not None:
            for t in types if isinstance(types, list) else [types]:
                self.add(subject, _TYPE, self.iri(t), graph)
        for key, values in node.items():
            if key[0] == "@":
                continue
            if key.startswith("_:") or not isinstance(values, list):
                raise _Unsupported  # a blank node property: generalized RDF, which conversion drops
            predicate = self.iri(key)
            for item in values:
                self.add(subject, predicate, self.object(item, graph), graph)
        return subject

    def object(self, item: Any, graph: str) -> str:
        if not isinstance(item, dict):
            raise _Unsupported
        if "@value" in item:
            language, datatype = item.get("@language"), item.get("@type")
            if language is not None:
                if language.__class__ is not str or not LANGUAGE.match(language):
                    raise _Unsupported  # a malformed tag: lost data, reported by _prepare
                if language not in _VALID:
                    self.languages.add(language)
            if datatype is not None and datatype != "@json":
                self.iri(datatype)
            if item["@value"].__class__ is not str or datatype == "@json":
                item = self._literal(item)  # a number, boolean or JSON literal, spelled out
            return _literal(item)
        if "@list" in item:
            if len(item) != 1 and set(item) != {"@list", "@index"}:
                raise _Unsupported
            return self.list(item["@list"], graph)
        if "@set" in item:
            raise _Unsupported
        return self.node(item, graph)

    def list(self, items: Any, graph: str) -> str:
        if not isinstance(items, list):
            raise _Unsupported
        if not items:
            return _NIL
        heads = [self.blank() for _ in items]
        for i, item in enumerate(items):
            self.add(heads[i], _FIRST, self.object(item, graph), graph)
            self.add(heads[i], _REST, heads[i + 1] if i + 1 < len(items) else _NIL, graph)
        return heads[0]


#: IRIs and language tags pyoxigraph accepted before (it checks them as RFC 3987 IRIs and BCP 47 tags, more
#: strictly than expansion does); bounded, started afresh when full
_VALID: set[str] = set()
_VALID_LIMIT: Final = 65536


def _all_valid(builder: _Builder) -> bool:
    """Whether pyoxigraph takes every IRI and language tag of the document (if not, the caller's pyoxigraph path
    reports the error as before)."""
    for iri in builder.iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            return False
        _remember(iri)
    for tag in builder.languages:
        try:
            ox.Literal("", language=tag)
        except ValueError:
            return False
        _remember(tag)
    return True


def _remember(value: str) -> None:
    if len(_VALID) >= _VALID_LIMIT:
        _VALID.clear()
    _VALID.add(value)


def canonical_nquads(expanded: list[Any], hash_name: str,
                     literal: Callable[[dict[str, Any]], dict[str, Any]]) -> str | None:
    """The RDFC-1.0 canonical N-Quads of an expanded document, or ``None`` when this module cannot tell them (a
    shape it does not translate, anything JSON-LD would drop, or blank nodes whose first-degree hashes collide).

    ``literal`` spells out a value object whose ``@value`` is not a string (or is a JSON literal) as JSON-LD's
    Object to RDF Conversion does (:func:`._jsonld._literal`)."""
    builder = _Builder(literal)
    try:
        for item in expanded:
            if isinstance(item, dict) and "@value" not in item and "@list" not in item and "@set" not in item:
                builder.node(item, "")
            else:
                return None
    except (_Unsupported, KeyError, TypeError, AttributeError, ValueError):
        return None
    if not _all_valid(builder):
        return None
    hashes: dict[str, str] = {}
    for blank, lines in builder.mentions.items():
        if not lines:
            continue  # a list head or graph name that no quad kept
        text = "".join(sorted(_LABEL.sub("_:z", line.replace(blank, "_:a")) for line in lines))
        try:
            digest = hashlib.new(hash_name, text.encode("utf-8")).hexdigest()
        except UnicodeEncodeError:  # a lone surrogate: not UTF-8, refused by the pyoxigraph path
            return None
        if digest in hashes:
            return None  # a shared first-degree hash: N-degree hashing needed, left to pyoxigraph
        hashes[digest] = blank
    text = "".join(builder.lines)
    if hashes:
        labels = {hashes[h]: f"_:c14n{i}" for i, h in enumerate(sorted(hashes))}
        text = _LABEL.sub(lambda m: labels[m.group(0)], text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    canonical = text.split("\n")
    canonical.pop()  # after the last "\n"
    canonical.sort()
    return "".join(line + "\n" for line in canonical)
