"""The registry of cryptosuites: every suite by name with its transformation, keys and hashes; the pipeline knows
none by name (so adding a suite touches _suites.py and this test); the public names are re-exported."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from microcred.registry import proofs
from microcred.registry.proofs import (
    CRYPTOSUITES,
    DATA_INTEGRITY_PROOF,
    DEFAULT_CRYPTOSUITE,
    ED25519_2020_CONTEXT,
    ED25519_SIGNATURE_2020,
    SUITES,
    Cryptosuite,
    suite_of_proof,
)

EXPECTED = {
    # name: (proof type, cryptosuite, transformation, key types, {key type: hash})
    "eddsa-rdfc-2022": (DATA_INTEGRITY_PROOF, "eddsa-rdfc-2022", "rdfc", {"ed25519"}, {"ed25519": "sha256"}),
    "eddsa-jcs-2022": (DATA_INTEGRITY_PROOF, "eddsa-jcs-2022", "jcs", {"ed25519"}, {"ed25519": "sha256"}),
    "ecdsa-rdfc-2019": (DATA_INTEGRITY_PROOF, "ecdsa-rdfc-2019", "rdfc", {"p256", "p384"},
                        {"p256": "sha256", "p384": "sha384"}),
    "ecdsa-jcs-2019": (DATA_INTEGRITY_PROOF, "ecdsa-jcs-2019", "jcs", {"p256", "p384"},
                       {"p256": "sha256", "p384": "sha384"}),
    "Ed25519Signature2020": (ED25519_SIGNATURE_2020, None, "rdfc", {"ed25519"}, {"ed25519": "sha256"}),
}


def test_every_suite_by_name() -> None:
    assert set(SUITES) == set(EXPECTED)
    for name, (proof_type, cryptosuite, transformation, key_types, hashes) in EXPECTED.items():
        suite = SUITES[name]
        assert isinstance(suite, Cryptosuite)
        assert (suite.name, suite.proof_type, suite.cryptosuite, suite.transformation) == (
            name, proof_type, cryptosuite, transformation)
        assert suite.key_types == key_types
        assert {k: suite.hash_name(k) for k in key_types} == hashes
    assert SUITES["Ed25519Signature2020"].context == ED25519_2020_CONTEXT
    assert CRYPTOSUITES == ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        SUITES["x"] = SUITES["eddsa-jcs-2022"]  # type: ignore[index]


@pytest.mark.parametrize(("proof", "name"), [
    ({"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}, "eddsa-rdfc-2022"),
    ({"type": "DataIntegrityProof", "cryptosuite": "ecdsa-jcs-2019"}, "ecdsa-jcs-2019"),
    ({"type": "Ed25519Signature2020"}, "Ed25519Signature2020"),
    ({"type": "DataIntegrityProof", "cryptosuite": "Ed25519Signature2020"}, None),
    ({"type": "DataIntegrityProof", "cryptosuite": "bbs-2023"}, None),
    ({"type": "DataIntegrityProof", "cryptosuite": ["eddsa-rdfc-2022"]}, None),
    ({"type": "MerkleInclusionProof2026"}, None),
    ({}, None),
])
def test_suite_of_proof(proof: dict, name: str | None) -> None:
    suite = suite_of_proof(proof)
    assert (suite.name if suite else None) == name


def test_the_pipeline_names_no_suite() -> None:
    """The pipeline asks the suite object; a suite's name appears (outside docstrings) only in the registry."""
    source = (Path(proofs.__file__).parent / "_pipeline.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    strings = {node.value for node in ast.walk(tree)
               if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings}
    assert not strings & set(SUITES)
    assert DEFAULT_CRYPTOSUITE in CRYPTOSUITES


def test_public_names() -> None:
    assert len(proofs.__all__) == len(set(proofs.__all__))
    for name in proofs.__all__:
        obj = getattr(proofs, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), name
    for name in ("SUITES", "Cryptosuite", "CRYPTOSUITES", "suite_of_proof", "add_proof", "verify_proofs",
                 "did_key_lookup", "KeyLookup", "sign_batch", "hash_data"):
        assert name in proofs.__all__
