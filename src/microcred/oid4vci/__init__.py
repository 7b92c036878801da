"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow: the issuer's endpoints
(:class:`CredentialIssuer`, served by ``microcred serve --issuer``) and the wallet's client
(:func:`receive_credential`, used by ``microcred wallet receive``). See docs/oid4vci.md."""

from microcred.oid4vci._client import Pending, Received, collect_deferred, credential_from_answer, receive_credential
from microcred.oid4vci._issuer import CredentialIssuer, oid4vci_folder
from microcred.oid4vci._messages import (
    CONFIGURATION_ID,
    PRE_AUTHORIZED_GRANT,
    PROOF_TYP,
    CredentialOffer,
    OAuthError,
    OfferError,
    authorization_server_metadata,
    issuer_metadata,
    issuer_url,
    metadata_url,
    parse_offer_uri,
)
from microcred.oid4vci._offers import Offer, OfferBook, TokenSigner

__all__ = [
    "CONFIGURATION_ID",
    "PRE_AUTHORIZED_GRANT",
    "PROOF_TYP",
    "CredentialIssuer",
    "CredentialOffer",
    "OAuthError",
    "Offer",
    "OfferBook",
    "OfferError",
    "Pending",
    "Received",
    "TokenSigner",
    "authorization_server_metadata",
    "collect_deferred",
    "credential_from_answer",
    "issuer_metadata",
    "issuer_url",
    "metadata_url",
    "oid4vci_folder",
    "parse_offer_uri",
    "receive_credential",
]
