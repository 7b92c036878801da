"""The messages of OpenID for Verifiable Credential Issuance 1.0 that microcred speaks (pre-authorized code flow).

Names and rules follow the specification (sections named in each docstring): the credential offer (§4.1), the
token request and response (§6), the nonce response (§7), the credential request and response (§8), issuer and
authorization server metadata (§12.2, RFC 8414) and the ``jwt`` key proof (appendix F.1). Unknown members are
ignored, as the specification asks; missing or malformed required members are an :class:`OfferError` or an
:class:`OAuthError` naming the member.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from microcred.errors import InvalidInputError

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
OFFER_SCHEME = "openid-credential-offer://"
PROOF_TYP = "openid4vci-proof+jwt"
ISSUER_METADATA_PATH = "/.well-known/openid-credential-issuer"
AS_METADATA_PATH = "/.well-known/oauth-authorization-server"
#: the credential configuration microcred offers: an EU micro-credential as an OB 3.0 credential with Data Integrity
CONFIGURATION_ID = "EUMicroCredential_ldp_vc"


class OfferError(InvalidInputError):
    """A credential offer (or the issuer's metadata it leads to) that a wallet cannot use."""


class OAuthError(InvalidInputError):
    """An error answer of the token or credential endpoint (RFC 6749 §5.2, OID4VCI §8.3.1): ``error`` is the
    registered code, ``description`` a sentence for people, ``status`` the HTTP status."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def to_json(self) -> dict[str, str]:
        # error_description allows %x20-21 / %x23-5B / %x5D-7E only (§8.3.1.2)
        text = "".join(c if 0x20 <= ord(c) <= 0x7E and c not in '"\\' else "?" for c in self.description)
        return {"error": self.error, "error_description": text}


def issuer_url(value: object, *, what: str = "credential_issuer", allow_http: bool = False) -> str:
    """A Credential Issuer Identifier (§12.2.1): an https URL with a host and no query or fragment.

    ``allow_http`` admits ``http://`` for loopback tests only."""
    if not isinstance(value, str) or not value:
        raise OfferError(f"{what} is missing or not a string")
    parts = urlsplit(value)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname or parts.query or parts.fragment:
        raise OfferError(f"{what} {value!r} is not an https URL with a host and no query or fragment")
    return value


def metadata_url(credential_issuer: str, well_known: str = ISSUER_METADATA_PATH) -> str:
    """Where the metadata of ``credential_issuer`` lives: the well-known segment goes between the host and the
    path (§12.2.2; RFC 8414 §3 for the authorization server)."""
    parts = urlsplit(credential_issuer)
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{well_known}{path}"


@dataclass(frozen=True)
class CredentialOffer:
    """A credential offer (§4.1.1) with a pre-authorized code grant."""

    credential_issuer: str
    credential_configuration_ids: tuple[str, ...]
    pre_authorized_code: str
    tx_code: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        grant: dict[str, Any] = {"pre-authorized_code": self.pre_authorized_code}
        if self.tx_code is not None:
            grant["tx_code"] = self.tx_code
        return {"credential_issuer": self.credential_issuer,
                "credential_configuration_ids": list(self.credential_configuration_ids),
                "grants": {PRE_AUTHORIZED_GRANT: grant}}

    @classmethod
    def from_json(cls, data: object, *, allow_http: bool = False) -> CredentialOffer:
        if not isinstance(data, dict):
            raise OfferError("the credential offer is not a JSON object")
        issuer = issuer_url(data.get("credential_issuer"), allow_http=allow_http)
        ids = data.get("credential_configuration_ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids) \
                or len(set(ids)) != len(ids):
            raise OfferError("credential_configuration_ids must be a non-empty array of unique strings")
        grants = data.get("grants") or {}
        if not isinstance(grants, dict):
            raise OfferError("grants is not an object")
        grant = grants.get(PRE_AUTHORIZED_GRANT)
        if not isinstance(grant, dict):
            raise OfferError("the offer has no pre-authorized code grant; microcred's wallet supports only that "
                             "flow (an authorization code flow needs a browser login at the issuer)")
        code = grant.get("pre-authorized_code")
        if not isinstance(code, str) or not code:
            raise OfferError("the pre-authorized code grant has no pre-authorized_code")
        tx_code = grant.get("tx_code")
        if tx_code is not None and not isinstance(tx_code, dict):
            raise OfferError("tx_code is not an object")
        return cls(issuer, tuple(ids), code, tx_code)

    def uri(self, *, by_reference: str | None = None) -> str:
        """The offer as a link a wallet opens: by value, or by reference to ``by_reference`` (§4.1.2, §4.1.3)."""
        if by_reference is not None:
            return f"{OFFER_SCHEME}?credential_offer_uri={quote(by_reference, safe='')}"
        text = json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)
        return f"{OFFER_SCHEME}?credential_offer={quote(text, safe='')}"


def parse_offer_uri(text: str) -> tuple[CredentialOffer | None, str | None]:
    """(offer, None) for an offer by value, (None, URL) for one by reference; accepts the
    ``openid-credential-offer://`` link, an ``https://…?credential_offer=…`` link, or the bare JSON object.

    :raises OfferError: neither parameter, both, or JSON that is not an offer
    """
    text = text.strip()
    if text.startswith("{"):
        try:
            return CredentialOffer.from_json(json.loads(text), allow_http=True), None
        except ValueError:
            raise OfferError("the credential offer is not valid JSON") from None
    query = parse_qs(urlsplit(text).query, keep_blank_values=True)
    by_value, by_reference = query.get("credential_offer"), query.get("credential_offer_uri")
    if by_reference and not by_value:
        return None, by_reference[0]
    if not by_value or by_reference:
        raise OfferError("a credential offer link carries exactly one of credential_offer and credential_offer_uri "
                         f"(got {'both' if by_value else 'neither'})")
    try:
        data = json.loads(by_value[0])
    except ValueError:
        raise OfferError("the credential_offer parameter is not valid JSON") from None
    return CredentialOffer.from_json(data, allow_http=True), None


def issuer_metadata(credential_issuer: str, *, name: str, locale: str = "en",
                    signing_algs: tuple[str, ...] = ("eddsa-rdfc-2022",)) -> dict[str, Any]:
    """The Credential Issuer Metadata (§12.2.4) of a microcred issuer served at ``credential_issuer``."""
    base = credential_issuer.rstrip("/")
    return {
        "credential_issuer": credential_issuer,
        "credential_endpoint": f"{base}/credential",
        "nonce_endpoint": f"{base}/nonce",
        "deferred_credential_endpoint": f"{base}/deferred_credential",
        "display": [{"name": name, "locale": locale}],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc",
                "credential_definition": {
                    "@context": ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                },
                "cryptographic_binding_methods_supported": ["did:key"],
                "credential_signing_alg_values_supported": list(signing_algs),
                "proof_types_supported": {"jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}},
                "credential_metadata": {"display": [{"name": "EU micro-credential", "locale": locale}]},
            },
        },
    }


def authorization_server_metadata(credential_issuer: str) -> dict[str, Any]:
    """OAuth 2.0 Authorization Server Metadata (RFC 8414) of the issuer acting as its own authorization server."""
    base = credential_issuer.rstrip("/")
    return {
        "issuer": credential_issuer,
        "token_endpoint": f"{base}/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "token_endpoint_auth_methods_supported": ["none"],
    }


def check_issuer_metadata(data: object, credential_issuer: str) -> dict[str, Any]:
    """The issuer metadata a wallet fetched, checked: ``credential_issuer`` identical to the one the offer named
    (§12.2.4: otherwise the metadata MUST NOT be used) and a credential endpoint."""
    if not isinstance(data, dict):
        raise OfferError("the issuer metadata is not a JSON object")
    if data.get("credential_issuer") != credential_issuer:
        raise OfferError(f"the issuer metadata names credential_issuer {data.get('credential_issuer')!r}, not "
                         f"{credential_issuer!r} as the offer does: not used")
    if not isinstance(data.get("credential_endpoint"), str):
        raise OfferError("the issuer metadata has no credential_endpoint")
    configurations = data.get("credential_configurations_supported")
    if not isinstance(configurations, dict) or not configurations:
        raise OfferError("the issuer metadata has no credential_configurations_supported")
    return data
