"""Where verification gets its keys: the :data:`KeyLookup` contract and :func:`did_key_lookup`, built on the one
key stack in :mod:`microcred.did`."""

from __future__ import annotations

import functools
from collections.abc import Callable

from microcred.did import did_key_verification_method

__all__ = ["KeyLookup", "did_key_lookup"]

#: ``key_lookup(verification_method_id) -> (key_type, raw public key, controller)``; raises NotFoundError (or
#: another InvalidInputError) when the method does not exist or is not usable, NetworkError when it could not
#: be fetched.
KeyLookup = Callable[[str], tuple[str, bytes, str]]


@functools.lru_cache(maxsize=1024)
def did_key_lookup(verification_method: str) -> tuple[str, bytes, str]:
    """A :data:`KeyLookup` for ``did:key`` verification methods: ``did:key:z…#z…``, or the bare DID ``did:key:z…``
    (a did:key has one key); decodes the key in the DID with :func:`microcred.did.did_key_verification_method`,
    so every key type microcred resolves (ed25519, secp256k1, p256, p384) is found here too. A did:key says
    everything about its key, so what a method gives is remembered (an issuer's credentials name one method).

    :raises InvalidInputError: (a :class:`~microcred.did.MalformedDIDError`) not a did:key verification method,
        or its key is malformed or of an unsupported type.
    """
    key, controller = did_key_verification_method(verification_method)
    return key.key_type, key.public_key, controller
