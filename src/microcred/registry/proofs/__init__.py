"""W3C Data Integrity proofs: the pipeline (transform, hash, sign, verify; proof sets and chains) and the registry
of cryptosuites by name. Keys, multibase and signature checks come from :mod:`microcred.did`."""

from microcred.registry.proofs._lookup import KeyLookup, did_key_lookup
from microcred.registry.proofs._pipeline import (
    DEFAULT_ACCEPT_TYPES,
    HashData,
    ProofError,
    ProofGenerationError,
    ProofResult,
    Signer,
    VerificationResult,
    add_proof,
    hash_data,
    sign_batch,
    verify_proofs,
)
from microcred.registry.proofs._suites import (
    CRYPTOSUITES,
    DATA_INTEGRITY_PROOF,
    DEFAULT_CRYPTOSUITE,
    ED25519_2020_CONTEXT,
    ED25519_SIGNATURE_2020,
    SUITES,
    Cryptosuite,
    suite_of_proof,
)

__all__ = [
    "CRYPTOSUITES",
    "DATA_INTEGRITY_PROOF",
    "DEFAULT_ACCEPT_TYPES",
    "DEFAULT_CRYPTOSUITE",
    "ED25519_2020_CONTEXT",
    "ED25519_SIGNATURE_2020",
    "SUITES",
    "Cryptosuite",
    "HashData",
    "KeyLookup",
    "ProofError",
    "ProofGenerationError",
    "ProofResult",
    "Signer",
    "VerificationResult",
    "add_proof",
    "did_key_lookup",
    "hash_data",
    "sign_batch",
    "suite_of_proof",
    "verify_proofs",
]
