"""Building a W3C Verifiable Presentation 2.0 signed by its holder: the credentials, the holder's DID, and a Data
Integrity proof with the purpose ``authentication`` that binds the verifier's ``challenge`` and ``domain``.

A credential read from a VC-JWT goes in as an ``EnvelopedVerifiableCredential`` (VC 2.0 §4.13: a ``data:`` URL
holding the JWS), so its own signature stays checkable; every other credential goes in as it is, its proofs (the
anchor proof too) included.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from microcred.errors import InvalidInputError
from microcred.registry.proofs import DEFAULT_CRYPTOSUITE, Signer, add_proof

__all__ = ["ENVELOPED_CREDENTIAL", "JWT_DATA_URL_PREFIX", "PRESENTATION_CONTEXT", "PRESENTATION_TYPE",
           "SubjectNotHolderError", "create_presentation", "subject_ids"]

PRESENTATION_CONTEXT: Final = "https://www.w3.org/ns/credentials/v2"
PRESENTATION_TYPE: Final = "VerifiablePresentation"
ENVELOPED_CREDENTIAL: Final = "EnvelopedVerifiableCredential"
JWT_DATA_URL_PREFIX: Final = "data:application/vc+jwt,"


class SubjectNotHolderError(InvalidInputError):
    """A credential to present names another subject than the holder (or none): it would not verify as theirs."""


def subject_ids(credential: Mapping[str, Any]) -> list[str | None]:
    """The ``id`` of each ``credentialSubject`` of ``credential`` (``None`` for a subject without one)."""
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return [s.get("id") if isinstance(s, Mapping) and isinstance(s.get("id"), str) else None for s in subjects]


def _embedded(credential: Mapping[str, Any]) -> dict[str, Any]:
    jws = getattr(credential, "jws", None)
    if isinstance(jws, str):
        return {"@context": PRESENTATION_CONTEXT, "id": JWT_DATA_URL_PREFIX + jws, "type": ENVELOPED_CREDENTIAL}
    if not isinstance(credential, Mapping):
        raise InvalidInputError(f"a credential to present is a JSON object, not {type(credential).__name__}")
    return dict(credential)


def create_presentation(credentials: Sequence[Mapping[str, Any]], signer: Signer, *, holder: str,
                        verification_method: str, challenge: str, domain: str | Sequence[str] | None = None,
                        cryptosuite: str = DEFAULT_CRYPTOSUITE, presentation_id: str | None = None,
                        created: datetime | str | None = None, expires: datetime | str | None = None,
                        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                        check_subjects: bool = True) -> dict[str, Any]:
    """A Verifiable Presentation of ``credentials`` by ``holder`` (a DID), signed by ``signer`` with a Data
    Integrity proof (``cryptosuite``, eddsa-rdfc-2022 by default) whose purpose is ``authentication`` and which
    carries ``challenge`` (the verifier's nonce, required) and ``domain`` (the verifier, recommended)::

        vp = create_presentation([credential], key, holder=key.did,
                                 verification_method=f"{key.did}#{key.public_key_multibase}",
                                 challenge="c0ffee", domain="https://hr.example")

    :raises SubjectNotHolderError: a credential names another subject than ``holder`` (``check_subjects=False``
        builds it anyway, for tests of the verifier).
    :raises InvalidInputError: no credential, no challenge, a holder that is not a DID.
    :raises microcred.registry.proofs.ProofGenerationError: the proof cannot be made (wrong key type, a document
        that cannot be canonicalised).
    """
    if not isinstance(challenge, str) or not challenge:
        raise InvalidInputError("a presentation needs the verifier's challenge (a non-empty string): it is what "
                                "makes a copied presentation useless to anyone else")
    if not isinstance(holder, str) or not holder.startswith("did:"):
        raise InvalidInputError(f"the holder of a presentation is a DID, not {holder!r}")
    if not verification_method.startswith(holder + "#"):
        raise InvalidInputError(f"the verification method {verification_method} is not a key of the holder {holder}")
    if not credentials:
        raise InvalidInputError("a presentation needs at least one credential")
    if check_subjects:
        for position, credential in enumerate(credentials, start=1):
            ids = subject_ids(credential)
            if any(i != holder for i in ids):
                named = ", ".join(str(i) for i in ids if i != holder)
                raise SubjectNotHolderError(
                    f"credential {position} ({credential.get('id') or 'no id'}) names the subject {named}, not the "
                    f"holder {holder}: only credentials issued to the holder's DID can be presented as theirs")
    vp: dict[str, Any] = {
        "@context": [PRESENTATION_CONTEXT],
        "id": presentation_id or f"urn:uuid:{uuid.uuid4()}",
        "type": [PRESENTATION_TYPE],
        "holder": holder,
        "verifiableCredential": [_embedded(c) for c in credentials],
    }
    return add_proof(vp, signer, verification_method=verification_method, cryptosuite=cryptosuite,
                     proof_purpose="authentication", challenge=challenge, domain=domain, created=created,
                     expires=expires, clock=clock)
