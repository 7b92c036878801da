"""Offline JSON-LD: the bundled contexts, the loader that refuses everything else, RDFC-1.0 and JCS.

Expected canonical forms come from tests/vectors: the W3C vc-di-eddsa / vc-di-ecdsa test vectors (03a, 03b),
the Open Badges 3.0 vector (05-openbadges3/spec-repo/impl/test-vectors/obv3p0) and the RFC 8785 test data (08a-jcs).
"""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import socket
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from microcred.errors import InvalidInputError
from microcred.registry.credential import _jsonld
from microcred.registry.credential._jsonld import (
    ContextNotAllowedError,
    DataLossError,
    JsonLdProcessingError,
    bundled_context_urls,
    canonize_jcs,
    canonize_rdfc,
    document_loader,
    expand,
    get_context,
    known_context_urls,
    register_context,
)

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES_V2 = "https://www.w3.org/ns/credentials/examples/v2"
OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

#: the @context URLs the bundle must serve (the contexts users write), with their vector copies
REQUIRED = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://www.w3.org/2018/credentials/v1": "credentials-v1.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": "ed25519-2020-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-context-3.0.3.json",
    "https://www.w3.org/ns/credentials/status/v1": "bitstring-status-list-standalone-v1.jsonld",
    "https://w3id.org/vc/status-list/2021/v1": "status-list-2021-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://w3id.org/security/jwk/v1": "jwk-v1.jsonld",
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
    "https://www.w3.org/2018/credentials/examples/v1": "credentials-examples-v1.jsonld",
}

OB_DIR = "05-openbadges3"


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def index() -> dict[str, dict[str, Any]]:
    folder = resources.files("microcred.registry.credential") / "contexts"
    return json.loads((folder / "index.json").read_text(encoding="utf-8"))["contexts"]


# -- the bundle --------------------------------------------------------------------------------------------------


def test_every_required_context_is_bundled(index: dict[str, dict[str, Any]]) -> None:
    missing = sorted(set(REQUIRED) - bundled_context_urls())
    assert not missing, f"contexts not bundled: {missing}"
    for url, name in REQUIRED.items():
        assert index[url]["file"] == name


def test_bundled_files_are_exact_copies_of_the_vectors(vectors_dir: Path, index: dict[str, dict[str, Any]]) -> None:
    """Each pinned file is byte-for-byte the copy the standards bodies publish (MANIFEST.tsv sha256)."""
    manifest = {row[0]: row[7] for row in csv.reader((vectors_dir / "MANIFEST.tsv").open(), delimiter="\t")}
    folder = resources.files("microcred.registry.credential") / "contexts"
    pinned = [(url, e) for url, e in index.items() if "sha256" in e]
    assert len(pinned) >= len(REQUIRED)
    for url, entry in pinned:
        data = (folder / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], url
        assert manifest[f"02-contexts/{entry['file']}"] == entry["sha256"], url
        assert data == (vectors_dir / "02-contexts" / entry["file"]).read_bytes(), url


def test_each_bundled_context_is_a_context_document() -> None:
    for url in bundled_context_urls():
        doc = get_context(url)
        assert isinstance(doc["@context"], (dict, list)), url


def test_a_context_file_that_was_edited_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                   index: dict[str, dict[str, Any]]) -> None:
    folder = resources.files("microcred.registry.credential") / "contexts"
    for name in {e["file"] for e in index.values()} | {"index.json"}:
        (tmp_path / name).write_bytes((folder / name).read_bytes())
    edited = json.loads((tmp_path / "credentials-v2.jsonld").read_text())
    edited["@context"]["name"] = "https://evil.example/name"
    (tmp_path / "credentials-v2.jsonld").write_text(json.dumps(edited))
    monkeypatch.setattr(_jsonld, "_contexts", None)
    monkeypatch.setattr(_jsonld, "_contexts_dir", lambda: tmp_path)
    from microcred.errors import ConfigError
    with pytest.raises(ConfigError, match="credentials-v2.jsonld.*sha256"):
        bundled_context_urls()


# -- the loader --------------------------------------------------------------------------------------------------


def test_loader_serves_bundled_contexts_as_static_documents() -> None:
    remote = document_loader(V2)
    assert remote["documentUrl"] == V2
    assert remote["tag"] == "static"
    assert "VerifiableCredential" in remote["document"]["@context"]
    remote["document"]["@context"]["name"] = "changed"  # a copy: the served document stays intact
    assert document_loader(V2)["document"]["@context"]["name"] == "https://schema.org/name"


@pytest.mark.parametrize("url", [
    "https://example.com/contexts/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://www.w3.org/ns/credentials/v2/",  # no trailing-slash variant exists
    "http://www.w3.org/ns/credentials/v2",
    "file:///etc/passwd",
])
def test_loader_refuses_other_urls_naming_them(url: str) -> None:
    with pytest.raises(ContextNotAllowedError) as caught:
        document_loader(url)
    assert caught.value.url == url
    assert url in str(caught.value)
    assert isinstance(caught.value, InvalidInputError)


def test_canonicalisation_never_touches_the_network(monkeypatch: pytest.MonkeyPatch, vectors_dir: Path) -> None:
    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the JSON-LD loader tried to open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    _jsonld.clear_caches()  # every context is loaded again, offline
    doc = _read(vectors_dir / OB_DIR / "extracted/ob3-eddsa-rdfc-2022/credential-unsigned.json")
    doc["@context"] = [V2, OB, *sorted(bundled_context_urls() - {V2, OB, "https://www.w3.org/2018/credentials/v1",
                                                                 "https://www.w3.org/2018/credentials/examples/v1",
                                                                 "https://w3id.org/microcred/v1",
                                                                 "https://www.w3.org/ns/did/v1",
                                                                 "https://w3id.org/security/data-integrity/v1",
                                                                 "https://w3id.org/vc/status-list/2021/v1"})]
    assert canonize_rdfc(doc)
    with pytest.raises(ContextNotAllowedError, match="https://unknown.example/ctx"):
        canonize_rdfc({**doc, "@context": [V2, "https://unknown.example/ctx"]})


def test_a_nested_unknown_context_is_refused_by_name() -> None:
    doc = {"@context": [V2, EXAMPLES_V2], "type": "VerifiableCredential", "issuer": "did:example:1",
           "credentialSubject": {"@context": "https://nested.example/ctx", "id": "did:example:2"}}
    with pytest.raises(ContextNotAllowedError) as caught:
        canonize_rdfc(doc)
    assert caught.value.url == "https://nested.example/ctx"


def test_examples_v1_needs_odrl_which_is_not_bundled() -> None:
    """credentials/examples/v1 imports the ODRL context; the loader names it rather than fetching it."""
    doc = {"@context": ["https://www.w3.org/2018/credentials/v1", "https://www.w3.org/2018/credentials/examples/v1"],
           "type": "VerifiableCredential"}
    with pytest.raises(ContextNotAllowedError, match="odrl"):
        canonize_rdfc(doc)


# -- register_context --------------------------------------------------------------------------------------------


def test_register_context_serves_a_new_context() -> None:
    url = "https://contexts.test.example/register-a/v1"
    document = {"@context": {"@protected": True, "level": "https://vocab.test.example/level"}}
    assert url not in known_context_urls()
    register_context(url, document)
    assert url in known_context_urls() and url not in bundled_context_urls()
    nquads = canonize_rdfc({"@context": [url], "@id": "https://x.example/1", "level": "6"})
    assert nquads == '<https://x.example/1> <https://vocab.test.example/level> "6" .\n'
    register_context(url, json.loads(json.dumps(document)))  # the same document again: accepted, no change


def test_register_context_refuses_to_replace_a_context() -> None:
    url = "https://contexts.test.example/register-b/v1"
    register_context(url, {"@context": {"a": "https://vocab.test.example/a"}})
    with pytest.raises(InvalidInputError, match="already served"):
        register_context(url, {"@context": {"a": "https://evil.example/a"}})
    with pytest.raises(InvalidInputError, match="already served"):
        register_context(V2, {"@context": {"name": "https://evil.example/name"}})
    assert canonize_rdfc({"@context": url, "@id": "https://x.example/1", "a": "1"}).count("vocab.test.example/a") == 1


@pytest.mark.parametrize(("url", "document", "message"), [
    ("contexts/v1", {"@context": {}}, "absolute"),
    ("ftp://x.example/ctx", {"@context": {}}, "absolute"),
    ("https://contexts.test.example/c", {"a": "b"}, "@context"),
    ("https://contexts.test.example/c", ["not", "an", "object"], "@context"),
    ("https://contexts.test.example/c", {"@context": "https://other.example"}, "@context"),
])
def test_register_context_validates_its_input(url: str, document: Any, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        register_context(url, document)


# -- canonicalisation against the vectors ------------------------------------------------------------------------

CANONICAL_CASES = [
    ("03a-di-eddsa/TestVectors/unsigned.json", "03a-di-eddsa/TestVectors/eddsa-rdfc-2022/canonDocDataInt.txt"),
    ("03a-di-eddsa/TestVectors/eddsa-rdfc-2022/proofConfigDataInt.json",
     "03a-di-eddsa/TestVectors/eddsa-rdfc-2022/proofCanonDataInt.txt"),
    ("03a-di-eddsa/TestVectors/Ed25519Signature2020/proofConfigEdSig.json",
     "03a-di-eddsa/TestVectors/Ed25519Signature2020/proofCanonEdSig.txt"),
    ("03b-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/proofConfigECDSAP256.json",
     "03b-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p256/proofCanonECDSAP256.txt"),
    (f"{OB_DIR}/extracted/ob3-eddsa-rdfc-2022/credential-unsigned.json",
     f"{OB_DIR}/spec-repo/impl/test-vectors/obv3p0/document-canon.txt"),
]


@pytest.mark.parametrize("engine", _jsonld.ENGINES)
@pytest.mark.parametrize(("source", "expected"), CANONICAL_CASES, ids=[c[1].split("/")[-1] for c in CANONICAL_CASES])
def test_canonical_nquads_match_the_vectors(vectors_dir: Path, engine: str, source: str, expected: str) -> None:
    doc = _read(vectors_dir / source)
    assert canonize_rdfc(doc, engine=engine) == (vectors_dir / expected).read_text(encoding="utf-8")  # type: ignore


def test_open_badges_proof_canonical_form(vectors_dir: Path) -> None:
    """The OB 3.0 vector's proof configuration takes the credential's @context."""
    doc = _read(vectors_dir / OB_DIR / "extracted/ob3-eddsa-rdfc-2022/credential-unsigned.json")
    proof = _read(vectors_dir / OB_DIR / "extracted/ob3-eddsa-rdfc-2022/proof.json")
    del proof["proofValue"]
    proof["@context"] = doc["@context"]
    expected = (vectors_dir / OB_DIR / "spec-repo/impl/test-vectors/obv3p0/proof-canon.txt").read_text()
    assert canonize_rdfc(proof) == expected


def test_sha384_labels_blank_nodes_as_p384_ecdsa_requires(vectors_dir: Path) -> None:
    """ecdsa-rdfc-2019 with P-384 runs RDFC-1.0 with SHA-384: blank node labels differ from SHA-256's."""
    config = _read(vectors_dir / "03b-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/proofConfigECDSAP384.json")
    expected = (vectors_dir / "03b-di-ecdsa/TestVectors/ecdsa-rdfc-2019-p384/proofCanonECDSAP384.txt").read_text()
    assert canonize_rdfc(config, hash_algorithm="sha384") == expected
    # the pyld engine labels with SHA-384 too (it refused to before; the W3C suite's SHA-384 tests need it)
    assert canonize_rdfc(config, engine="pyld", hash_algorithm="sha384") == expected
    with pytest.raises(InvalidInputError, match="hash algorithm"):
        canonize_rdfc(config, hash_algorithm="md5")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="engine"):
        canonize_rdfc(config, engine="rdflib")  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["achievementAlignmentCase.json", "achievementAlignmentCe.json",
                                  "basicOpenBadgeCredential.json"])
def test_engines_agree_on_the_open_badges_examples(vectors_dir: Path, name: str) -> None:
    doc = _read(vectors_dir / OB_DIR / "extracted/examples" / name)
    fast = canonize_rdfc(doc)
    assert fast == canonize_rdfc(doc, engine="pyld")
    assert len(fast.splitlines()) > 10


def test_cached_scoped_contexts_give_the_same_expansion_as_plain_pyld(vectors_dir: Path) -> None:
    """The memo of processed type-scoped contexts changes nothing in the result (cold, warm, and pyld alone)."""
    from pyld import jsonld

    doc = _read(vectors_dir / OB_DIR / "extracted/examples/achievementAlignmentCase.json")
    _jsonld.clear_caches()
    cold = expand(doc)
    warm = expand(doc)
    plain = jsonld.expand(doc, {"documentLoader": document_loader, "base": None})
    assert cold == warm == plain
    assert _jsonld._processor._memo, "type-scoped contexts were not memoised"


def test_an_inline_context_changed_in_place_is_processed_again() -> None:
    """The memo of processed contexts must never serve a stale definition for a context object the caller edits."""
    inline = {"level": "https://vocab.test.example/level"}
    doc = {"@context": [inline], "@id": "https://x.example/1", "level": "6"}
    first = canonize_rdfc(doc)
    inline["level"] = "https://vocab.test.example/eqfLevel"
    second = canonize_rdfc(doc)
    assert "vocab.test.example/level>" in first and "vocab.test.example/eqfLevel>" in second


def test_canonicalisation_does_not_change_its_input(vectors_dir: Path) -> None:
    doc = _read(vectors_dir / OB_DIR / "extracted/ob3-eddsa-rdfc-2022/credential-unsigned.json")
    before = json.dumps(doc, sort_keys=True)
    canonize_rdfc(doc)
    assert json.dumps(doc, sort_keys=True) == before


def test_named_graphs_of_proofs_are_canonicalised(vectors_dir: Path) -> None:
    """A document holding proofs (a proof chain's input) puts each proof in its own blank-node graph."""
    import pyoxigraph as ox

    doc = _read(vectors_dir / "03a-di-eddsa/TestVectors/proof-set-chain/proofChainTempDoc1.json")
    nquads = canonize_rdfc(doc)
    quads = list(ox.parse(nquads, ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)}
    proof_links = [q for q in quads if q.predicate.value == "https://w3id.org/security#proof"]
    assert len(graphs) == 2 and all(isinstance(g, ox.BlankNode) for g in graphs)
    assert {q.object for q in proof_links} == graphs
    assert nquads == canonize_rdfc(doc, engine="pyld")


# -- errors and lossless securing (VC Data Integrity §2.4.3) -----------------------------------------------------


def _vc(**extra: Any) -> dict[str, Any]:
    return {"@context": [V2], "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
            "credentialSubject": {"id": "did:example:subject"}, **extra}


@pytest.mark.parametrize(("doc", "dropped"), [
    (_vc(undefinedTerm="x"), "undefinedTerm"),
    (_vc(credentialSubject={"id": "did:example:s", "nickname": "x"}), "nickname"),
    (_vc(id="relative/id"), "relative/id"),
    (_vc(type=["VerifiableCredential", "NotDefined"]), "NotDefined"),
    (_vc(issuer="https://bad iri.example/"), "bad iri"),
    (_vc(name={"@value": "x", "@language": "not a tag"}), "not a tag"),
    (_vc(name={"@value": "مرحبا", "@language": "ar", "@direction": "rtl"}), "direction"),
])
def test_data_that_would_be_dropped_is_refused(doc: dict[str, Any], dropped: str) -> None:
    with pytest.raises(DataLossError) as caught:
        canonize_rdfc(doc)
    assert caught.value.code == "DATA_LOSS_DETECTION_ERROR"
    assert any(dropped in item for item in caught.value.dropped), caught.value.dropped
    assert dropped in str(caught.value)


def test_unsafe_mode_drops_silently_as_json_ld_does() -> None:
    nquads = canonize_rdfc(_vc(undefinedTerm="x"), safe=False)
    assert "undefinedTerm" not in nquads and "credentials#issuer" in nquads


def test_a_term_mapped_to_null_is_not_data_loss() -> None:
    doc = {"@context": [{"@vocab": "https://vocab.test.example/"}, {"ignored": None}], "@id": "https://x.example/1",
           "ignored": "dropped on purpose", "kept": "yes"}
    assert canonize_rdfc(doc) == '<https://x.example/1> <https://vocab.test.example/kept> "yes" .\n'


def test_protected_term_redefinition_is_a_json_ld_error() -> None:
    doc = {"@context": [V2, {"name": "https://evil.example/name"}], "type": "VerifiableCredential", "name": "x"}
    with pytest.raises(JsonLdProcessingError) as caught:
        canonize_rdfc(doc)
    assert caught.value.code == "protected term redefinition"
    assert "protected" in str(caught.value)


@pytest.mark.parametrize("doc", [[], "text", None])
def test_a_document_must_be_an_object(doc: Any) -> None:
    with pytest.raises(InvalidInputError, match="JSON object"):
        canonize_rdfc(doc)


def test_empty_document_has_empty_canonical_form() -> None:
    assert canonize_rdfc({"@context": V2}) == ""


# -- engines agree on generated documents -----------------------------------------------------------------------

_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), max_size=30)
_scalar = st.one_of(_text, st.integers(-10**15, 10**15), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False, width=64))
_subject = st.dictionaries(st.sampled_from(["alumniOf", "degree", "grade", "credits", "note", "level"]),
                           st.one_of(_scalar, st.lists(_scalar, max_size=3),
                                     st.dictionaries(st.sampled_from(["name", "value"]), _scalar, max_size=2)),
                           max_size=5)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(subject=_subject)
def test_engines_agree_on_generated_credentials(subject: dict[str, Any]) -> None:
    """pyoxigraph and pyld give byte-identical RDFC-1.0 output (printable text; the engines escape C0 controls
    differently: pyld as URDNA2015, pyoxigraph as RDFC-1.0), and the memoised expansion is pyld's."""
    doc = {"@context": [V2, EXAMPLES_V2], "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
           "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"id": "did:example:s", **subject}}
    assert canonize_rdfc(doc) == canonize_rdfc(doc, engine="pyld")
    assert expand(doc) == _plain_pyld_expand(doc)


def _plain_pyld_expand(doc: dict[str, Any]) -> Any:
    from pyld import jsonld

    return jsonld.JsonLdProcessor().expand(copy.deepcopy(doc), {"documentLoader": document_loader, "base": None})


_ob_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cc"]), min_size=1, max_size=20)
_ob_optional = st.fixed_dictionaries({}, optional={
    "description": _ob_text, "creditsAvailable": st.one_of(st.integers(0, 300), st.floats(0, 300)),
    "humanCode": _ob_text, "fieldOfStudy": _ob_text, "achievementType": st.sampled_from(["Badge", "MicroCredential"]),
    "alignment": st.lists(st.fixed_dictionaries({"type": st.just(["Alignment"]), "targetName": _ob_text,
                                                 "targetUrl": st.just("https://esco.example/skill/1")}),
                          max_size=2),
    "criteria": st.fixed_dictionaries({"narrative": _ob_text}),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(achievement=_ob_optional, name=_ob_text, result=st.lists(_ob_text, max_size=2))
def test_cached_expansion_equals_plain_pyld_on_open_badges(achievement: dict[str, Any], name: str,
                                                           result: list[str]) -> None:
    """Open Badges 3.0 is full of type-scoped contexts: the memoised processor must expand exactly as pyld does."""
    doc = {"@context": [V2, OB], "type": ["VerifiableCredential", "OpenBadgeCredential"], "name": name,
           "issuer": {"id": "did:example:issuer", "type": ["Profile"], "name": name},
           "validFrom": "2026-01-01T00:00:00Z",
           "credentialSubject": {"id": "did:example:s", "type": ["AchievementSubject"],
                                 "achievement": {"id": "https://example.edu/a/1", "type": ["Achievement"],
                                                 "name": name, **achievement},
                                 "result": [{"type": ["Result"], "value": v} for v in result]}}
    assert expand(doc) == _plain_pyld_expand(doc)
    assert canonize_rdfc(doc) == canonize_rdfc(doc, engine="pyld")


def test_control_characters_are_escaped_as_rdfc_1_0_says() -> None:
    """RDFC-1.0 §4.4 (canonical N-Quads): \\b, \\f and other C0 controls are escaped; pyld leaves them raw."""
    doc = {"@context": [V2, EXAMPLES_V2], "type": "VerifiableCredential", "issuer": "did:example:i",
           "credentialSubject": {"id": "did:example:s", "note": "a\bb\fc\u0001d\te\n\"\\"}}
    line = next(x for x in canonize_rdfc(doc).splitlines() if "examples#note" in x)
    assert line.endswith('"a\\bb\\fc\\u0001d\\te\\n\\"\\\\" .')


# -- JCS ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["arrays", "french", "structures", "unicode", "values", "weird"])
def test_jcs_matches_the_rfc8785_test_data(vectors_dir: Path, name: str) -> None:
    data = vectors_dir / "08a-jcs/testdata"
    value = json.loads((data / "input" / f"{name}.json").read_text(encoding="utf-8"))
    assert canonize_jcs(value).encode("utf-8") == (data / "output" / f"{name}.json").read_bytes()


_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**53) + 1, 2**53 - 1),
              st.floats(allow_nan=False, allow_infinity=False), st.text(st.characters(codec="utf-8"))),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(st.characters(codec="utf-8"), max_size=6),
                                               children, max_size=4)),
    max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(value=_json)
def test_jcs_fast_path_equals_rfc8785(value: Any) -> None:
    assert canonize_jcs(value) == rfc8785.dumps(value).decode("utf-8")


@pytest.mark.parametrize("value", [{"a": float("nan")}, {"a": 2**60}, {"a": "\ud800"}, {"a": {"b": object()}}])
def test_jcs_refuses_what_is_not_json(value: Any) -> None:
    with pytest.raises(InvalidInputError, match="JCS"):
        canonize_jcs(value)
