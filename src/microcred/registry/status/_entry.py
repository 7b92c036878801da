"""The one ``credentialStatus`` object microcred writes: a W3C ``BitstringStatusListEntry`` whose list is derived
from the registry, carrying the registry coordinates.

Open Badges 3.0 allows one status object (``0..1``) with an ``id``. So one object serves two kinds of verifier:

* a standard Bitstring Status List verifier reads ``statusPurpose`` (``revocation``), ``statusListIndex`` and
  ``statusListCredential``: the list ``microcred status export`` (or ``microcred serve``) derives from the chain;
* microcred reads ``chain``, ``registry``, ``issuerAccount`` and ``statusIndex`` (terms of the microcred context)
  and asks the registry for the credential's whole state, suspension included. Which registry to believe still
  comes from the verifier's own trust configuration, never from these coordinates.

The list is the revocation list (revocation is final; one entry carries one purpose). The suspension list is
published beside it and read by microcred from the chain. Without a published base URL, the list is named by a
``urn:microcred:status:`` URN naming chain, registry, account and purpose, the id ``status export`` gives it, so
``verify --status-list FILE`` finds it offline.
"""

from __future__ import annotations

from typing import Any, Final

from microcred.errors import InvalidInputError

__all__ = ["ENTRY_PURPOSE", "LIST_PURPOSES", "registry_status_entry", "status_list_id"]

#: the purpose of the entry a credential carries
ENTRY_PURPOSE: Final = "revocation"
#: the lists derived from the registry, one per purpose
LIST_PURPOSES: Final = ("revocation", "suspension")


def status_list_id(*, chain: str, registry: str, issuer_account: str, purpose: str,
                   base_url: str | None = None) -> str:
    """The id (and address) of an issuer's list of ``purpose``: ``{base_url}/{purpose}`` when the lists are
    published there, else ``urn:microcred:status:{chain}:{registry}:{account}:{purpose}``."""
    if purpose not in LIST_PURPOSES:
        raise InvalidInputError(f"a status purpose is {' or '.join(LIST_PURPOSES)}, not {purpose!r}")
    if base_url:
        return f"{base_url.rstrip('/')}/{purpose}"
    return f"urn:microcred:status:{chain}:{registry.lower()}:{issuer_account.lower()}:{purpose}"


def registry_status_entry(*, chain: str, registry: str, issuer_account: str, index: int,
                          base_url: str | None = None) -> dict[str, Any]:
    """The credential's one status object for registry index ``index`` (see the module's text)."""
    list_id = status_list_id(chain=chain, registry=registry, issuer_account=issuer_account, purpose=ENTRY_PURPOSE,
                             base_url=base_url)
    return {
        "id": f"{list_id}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": ENTRY_PURPOSE,
        "statusListIndex": str(index),
        "statusListCredential": list_id,
        "chain": chain,
        "registry": registry,
        "issuerAccount": issuer_account,
        "statusIndex": index,
    }
