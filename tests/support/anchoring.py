"""Shared test helpers (moved from tests/registry/test_anchor.py)."""

from __future__ import annotations

import json
from pathlib import Path


def make_credentials(directory: Path, chain, registry: str, account: str, indexes) -> list[Path]:
    """Signed-looking credentials (the anchorer only needs a signature proof to be present)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in indexes:
        doc = {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "credentialSubject": {"id": f"did:example:learner{i}"},
            "credentialStatus": {"type": "MicrocredRegistryEntry2026", "chain": chain, "registry": registry,
                                 "issuerAccount": account, "statusIndex": i},
            "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022", "proofValue": f"z{i}"},
        }
        path = directory / f"{i:05d}.json"
        path.write_text(json.dumps(doc))
        paths.append(path)
    return paths


