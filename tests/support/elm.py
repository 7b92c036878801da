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
from microcred.registry.credential import (
    PARTICIPATION_FORMS,
    SUPERVISION_OPTIONS,
)
from microcred.registry.issuance import IndexAllocator, issue_batch, load_learners, parse_template

ROOT = Path(__file__).resolve().parents[2]
ELM = ROOT / "tests" / "vectors" / "09-elm"
#: more of the same repository and commit, listed in tests/registry/europass/vectors/MANIFEST.tsv
MORE = ROOT / "tests" / "registry" / "europass" / "vectors"
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


BASE_TEMPLATE = json.loads((EXAMPLES / "course-template.json").read_text(encoding="utf-8"))

#: template variants that together reach every branch of the mapping (each Annex I option at least once)
VARIANTS: dict[str, dict[str, Any]] = {
    "example": {},
    "level not applicable, QF-EHEA, online": {"eqf_level": None, "level_not_applicable": True,
                                              "qf_ehea_cycle": "first-cycle", "participation": "online"},
    "ects only, no grading, standalone": {"workload_hours": None, "grading": None, "stackability": "standalone",
                                          "stackable_towards": None, "participation": "onsite"},
    "hours only, further information as text, no skills": {
        "ects": None, "further_information": "Ask the registry office for the module handbook",
        "skills": [], "participation": "work-experience", "supervision": "unsupervised-no-identity-verification",
        "language": "de"},
    "minimal": {k: None for k in ("id", "code", "skills", "workload_hours", "prerequisites", "supervision",
                                  "stackability", "stackable_towards", "further_information", "field_of_study",
                                  "language", "grading")} | {"participation": "volunteering"},
    "validity and fractional hours": {"validity": {"years": 2, "months": 6}, "workload_hours": 12.5,
                                      "ects": 0.5, "participation": "blended"},
}
for i, option in enumerate(SUPERVISION_OPTIONS):
    VARIANTS[f"supervision {option}"] = {"supervision": option, "participation": PARTICIPATION_FORMS[i]}


def template_variant(changes: dict[str, Any]) -> Any:
    data = {**BASE_TEMPLATE, **changes}
    return parse_template({k: val for k, val in data.items() if val is not None})


def issue_variant(tmp_path: Path, changes: dict[str, Any], learners: str = "learners.csv") -> list[dict[str, Any]]:
    template = template_variant(changes)
    rows = load_learners(EXAMPLES / learners, template=template if template.grading else None)
    if template.grading is None:
        rows = [r.model_copy(update={"grade": None}) for r in rows]
    result = issue_batch(profile(), template, rows, tmp_path / "out", FakeSigner(),
                         IndexAllocator(tmp_path / "state.json"), NOW)
    return [json.loads(c.path.read_text(encoding="utf-8")) for c in result.credentials]
