"""The one place where issuance meets the proof layer: a :data:`Sign` function for an issuer's profile and key."""

from __future__ import annotations

from typing import Any

from microcred.did import KeyPair
from microcred.registry.issuance._common import Sign
from microcred.registry.issuance._issuer import IssuerProfile
from microcred.registry.proofs import add_proof


def credential_signer(key: KeyPair, profile: IssuerProfile, cryptosuite: str | None = None) -> Sign:
    """``doc -> doc with a Data Integrity proof``: ``cryptosuite`` (default: the profile's), purpose
    ``assertionMethod``, the profile's verification method, made with ``key`` (the issuer's unlocked key)."""
    suite = cryptosuite or profile.cryptosuite
    verification_method = profile.verification_method

    def sign(doc: dict[str, Any]) -> dict[str, Any]:
        return add_proof(doc, key, cryptosuite=suite, verification_method=verification_method,
                         proof_purpose="assertionMethod")

    return sign
