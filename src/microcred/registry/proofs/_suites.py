"""The registry of cryptosuites, by name: what each suite transforms, hashes and signs with.

A suite is a :class:`Cryptosuite` value; the pipeline (:mod:`._pipeline`) asks it for its transformation, its hash
and its key types, and knows no suite by name. Adding a cryptosuite is one more entry in :data:`SUITES` below (and
its test); a suite with a new transformation also adds that transformation to the pipeline.

============================  =====================  ==============  ===================  ====================
name                          proof ``type``         transformation  keys                 hash
============================  =====================  ==============  ===================  ====================
``eddsa-rdfc-2022``           DataIntegrityProof     RDFC-1.0        ed25519              SHA-256
``eddsa-jcs-2022``            DataIntegrityProof     JCS             ed25519              SHA-256
``ecdsa-rdfc-2019``           DataIntegrityProof     RDFC-1.0        p256, p384           SHA-256 / SHA-384
``ecdsa-jcs-2019``            DataIntegrityProof     JCS             p256, p384           SHA-256 / SHA-384
``Ed25519Signature2020``      Ed25519Signature2020   RDFC-1.0        ed25519              SHA-256
============================  =====================  ==============  ===================  ====================

(vc-di-eddsa §3.2, §3.3 and Appendix A; vc-di-ecdsa §3.2, §3.3: SHA-384 for P-384 keys.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final, Literal

__all__ = [
    "CRYPTOSUITES",
    "DATA_INTEGRITY_PROOF",
    "DEFAULT_CRYPTOSUITE",
    "ED25519_2020_CONTEXT",
    "ED25519_SIGNATURE_2020",
    "SUITES",
    "Cryptosuite",
    "suite_of_proof",
]

DATA_INTEGRITY_PROOF: Final = "DataIntegrityProof"
ED25519_SIGNATURE_2020: Final = "Ed25519Signature2020"
#: the context that defines the Ed25519Signature2020 terms (vc-di-eddsa Appendix A)
ED25519_2020_CONTEXT: Final = "https://w3id.org/security/suites/ed25519-2020/v1"

Transformation = Literal["rdfc", "jcs"]
HashName = Literal["sha256", "sha384"]


@dataclass(frozen=True)
class Cryptosuite:
    """One suite: its name, the proof ``type`` and ``cryptosuite`` it writes, its transformation (``"rdfc"``:
    RDFC-1.0 canonical N-Quads, ``"jcs"``: RFC 8785), the key types it signs with and the hash per key type.

    ``context`` is a context the secured document must carry (legacy proof types define their terms there);
    ``own_proof_context`` says a proof that carries its own ``@context`` is hashed with it (as didkit writes
    Ed25519Signature2020 proofs).
    """

    name: str
    proof_type: str
    cryptosuite: str | None
    transformation: Transformation
    key_types: frozenset[str]
    hashes: Mapping[str, HashName] = field(default_factory=dict)
    context: str | None = None
    own_proof_context: bool = False

    def hash_name(self, key_type: str | None) -> HashName:
        """The hash of this suite for ``key_type`` (SHA-256 unless the suite says otherwise)."""
        return self.hashes.get(key_type or "", "sha256")


def _data_integrity(name: str, transformation: Transformation, key_types: set[str],
                    hashes: Mapping[str, HashName] | None = None) -> Cryptosuite:
    return Cryptosuite(name, DATA_INTEGRITY_PROOF, name, transformation, frozenset(key_types),
                       MappingProxyType(dict(hashes or {})))


_ECDSA_HASHES: Final[Mapping[str, HashName]] = {"p256": "sha256", "p384": "sha384"}

#: every suite microcred creates and verifies, by name
SUITES: Final[Mapping[str, Cryptosuite]] = MappingProxyType({s.name: s for s in (
    _data_integrity("eddsa-rdfc-2022", "rdfc", {"ed25519"}),
    _data_integrity("eddsa-jcs-2022", "jcs", {"ed25519"}),
    _data_integrity("ecdsa-rdfc-2019", "rdfc", {"p256", "p384"}, _ECDSA_HASHES),
    _data_integrity("ecdsa-jcs-2019", "jcs", {"p256", "p384"}, _ECDSA_HASHES),
    Cryptosuite(ED25519_SIGNATURE_2020, ED25519_SIGNATURE_2020, None, "rdfc", frozenset({"ed25519"}),
                context=ED25519_2020_CONTEXT, own_proof_context=True),
)})

#: the suite :func:`~microcred.registry.proofs.add_proof` uses unless told otherwise
DEFAULT_CRYPTOSUITE: Final = "eddsa-rdfc-2022"
#: the Data Integrity cryptosuites (``DataIntegrityProof`` with a ``cryptosuite``) microcred creates and verifies
CRYPTOSUITES: Final[tuple[str, ...]] = tuple(s.name for s in SUITES.values() if s.cryptosuite is not None)

_BY_PROOF_TYPE: Final = {s.proof_type: s for s in SUITES.values() if s.cryptosuite is None}


def suite_of_proof(proof: Mapping[str, Any]) -> Cryptosuite | None:
    """The suite a proof names (by ``type``, and ``cryptosuite`` for a ``DataIntegrityProof``), or ``None`` when
    microcred does not know it."""
    proof_type = proof.get("type")
    if proof_type == DATA_INTEGRITY_PROOF:
        name = proof.get("cryptosuite")
        suite = SUITES.get(name) if isinstance(name, str) else None
        return suite if suite is not None and suite.proof_type == DATA_INTEGRITY_PROOF else None
    return _BY_PROOF_TYPE.get(proof_type) if isinstance(proof_type, str) else None
