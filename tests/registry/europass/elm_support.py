"""Shared by the Europass tests: the Commission's vectors, SHACL validation with pySHACL, issuer and signer."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyshacl
import pytest
import rdflib

from microcred.registry.credential import canonize_rdfc
from microcred.registry.issuance import IssuerProfile

ROOT = Path(__file__).resolve().parents[3]
ELM = ROOT / "tests" / "vectors" / "09-elm"
#: more of the same repository and commit, listed in tests/registry/europass/vectors/MANIFEST.tsv
MORE = Path(__file__).resolve().parent / "vectors"
EXAMPLES = ROOT / "examples"
FIXTURES = ROOT / "tests" / "fixtures"
DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.utc)
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def profile(**changes: Any) -> IssuerProfile:
    data = {"name": "tux", "legalName": "Technische Universität Example", "displayName": "TU Example",
            "country": "DE", "region": "Bavaria", "did": DID, "verificationMethod": f"{DID}#{DID[8:]}",
            "key": "tux-signing", "account": "0x4b91651416eAf1BE5AeFA7C9Ae61397d888Fd0a7",
            "chain": "eip155:31337", "registry": "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "website": "https://www.tu-example.de"}
    data.update(changes)
    return IssuerProfile.from_json({k: val for k, val in data.items() if val is not None})


class FakeSigner:
    """A placeholder Data Integrity proof: the mapping never looks at the proof value."""

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        digest = hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
        return {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022",
                                 "verificationMethod": f"{DID}#{DID[8:]}", "proofPurpose": "assertionMethod",
                                 "proofValue": "z" + digest}}


@pytest.fixture(scope="session")
def shapes_full() -> rdflib.Graph:
    """EDC-generic-full.ttl: the controlled-vocabulary constraints (the issue's bar)."""
    return rdflib.Graph().parse(ELM / "EDC-generic-full.ttl", format="turtle")


@pytest.fixture(scope="session")
def shapes_all(shapes_full: rdflib.Graph) -> rdflib.Graph:
    """EDC-generic-full.ttl with the shapes it imports (EDC-generic-no-cv.ttl: cardinalities and classes)."""
    graph = rdflib.Graph()
    for triple in shapes_full:
        graph.add(triple)
    return graph.parse(MORE / "EDC-generic-no-cv.ttl", format="turtle")


def data_graph(edc: dict[str, Any]) -> rdflib.Graph:
    """The EDC as RDF, converted offline and losslessly (DataLossError if a term were undefined)."""
    dataset = rdflib.Dataset()
    dataset.parse(data=canonize_rdfc(edc), format="nquads")
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


def violations(edc: dict[str, Any], shapes: rdflib.Graph) -> list[tuple[str, str, str]]:
    """``(focus node, path, message)`` of every SHACL violation; empty when the EDC conforms."""
    conforms, report, _text = pyshacl.validate(data_graph(edc), shacl_graph=shapes)
    found = [(str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath)),
              str(report.value(r, SH.resultMessage))) for r in report.subjects(rdflib.RDF.type, SH.ValidationResult)]
    assert conforms == (not found)
    return found
