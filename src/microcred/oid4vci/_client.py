"""The wallet's side of OID4VCI 1.0 (pre-authorized code flow): from an offer link to a credential bound to the
holder's ``did:key``.

Every request goes through :class:`~microcred.did.HTTPSFetcher`-style rules (verified HTTPS, public addresses only
unless the holder allows private networks, a timeout and a size limit on each answer, no redirects): an offer is
someone else's input, and must not make the wallet probe the holder's network. The steps are those of §3.5:
offer → issuer metadata (its ``credential_issuer`` must be the offer's) → authorization server metadata → token →
nonce → credential request with a ``jwt`` key proof. The credential that comes back must name the holder as its
subject.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Protocol
from urllib.parse import urlencode

from microcred.did import HTTPSResponse, KeyPair, sign_compact
from microcred.oid4vci._messages import (
    AS_METADATA_PATH,
    PRE_AUTHORIZED_GRANT,
    PROOF_TYP,
    CredentialOffer,
    OAuthError,
    OfferError,
    check_issuer_metadata,
    metadata_url,
    parse_offer_uri,
)
from microcred.registry.issuance import verification_method_for


class Fetcher(Protocol):
    def get(self, url: str, *, accept: str = ...) -> HTTPSResponse: ...

    def post(self, url: str, body: bytes, *, content_type: str, accept: str = ...,
             headers: dict[str, str] | None = ..., answer_statuses: tuple[int, ...] = ...) -> HTTPSResponse: ...


@dataclass(frozen=True)
class Pending:
    """A deferred issuance (§9): where and with what to ask again, and how long the issuer asks to wait. The
    access token is a secret (it obtains the credential): keep it as the wallet keeps credentials."""

    deferred_endpoint: str
    access_token: str
    transaction_id: str
    interval: int
    credential_issuer: str
    issuer_name: str | None
    holder: str

    def to_json(self) -> dict[str, Any]:
        return {"deferredEndpoint": self.deferred_endpoint, "accessToken": self.access_token,
                "transactionId": self.transaction_id, "interval": self.interval,
                "credentialIssuer": self.credential_issuer, "issuerName": self.issuer_name, "holder": self.holder}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Pending:
        return cls(data["deferredEndpoint"], data["accessToken"], data["transactionId"], int(data["interval"]),
                   data["credentialIssuer"], data.get("issuerName"), data["holder"])


@dataclass(frozen=True)
class Received:
    """What the issuer sent: the credential (or, for a deferred issuance, what to ask again with), who sent it and
    under which configuration."""

    credential: dict[str, Any] | None
    credential_issuer: str
    configuration_id: str
    issuer_name: str | None
    pending: Pending | None = None


def _json(response: HTTPSResponse, what: str) -> Any:
    try:
        return json.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        raise OfferError(f"{what} at {response.url} is not JSON") from None


def _answer(response: HTTPSResponse, what: str) -> dict[str, Any]:
    """A JSON object answer; an OAuth error answer becomes :class:`OAuthError` with the server's words."""
    data = _json(response, what)
    if response.status != 200:
        if isinstance(data, dict) and isinstance(data.get("error"), str):
            raise OAuthError(data["error"], str(data.get("error_description") or "no description"),
                             status=response.status)
        raise OfferError(f"{what} at {response.url} answered HTTP {response.status}")
    if not isinstance(data, dict):
        raise OfferError(f"{what} at {response.url} is not a JSON object")
    return data


def credential_from_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """The one ``ldp_vc`` credential of a credential response (§8.3): ``credentials[0].credential``, an object."""
    credentials = answer.get("credentials")
    if not isinstance(credentials, list) or not credentials or not isinstance(credentials[0], dict):
        raise OfferError("the credential answer carries no credentials (a deferred issuance is not supported)")
    credential = credentials[0].get("credential")
    if not isinstance(credential, dict):
        raise OfferError("the issued credential is not a JSON object (ldp_vc)")
    return credential


def receive_credential(offer_text: str, holder: KeyPair, fetcher: Fetcher, *, tx_code: str | None = None,
                       allow_http: bool = False, now: Callable[[], float] = time.time,
                       progress: Callable[[str], None] | None = None) -> Received:
    """Follow the offer in ``offer_text`` (a link or the offer's JSON) and return the credential issued to
    ``holder``'s did:key.

    :raises OfferError: the offer, the metadata or an answer is not usable (named)
    :raises OAuthError: the issuer refused a step (its ``error`` code and description)
    :raises FetchError: an endpoint could not be reached under the fetcher's rules
    """
    say = progress or (lambda message: None)
    offer, reference = parse_offer_uri(offer_text)
    if offer is None:
        assert reference is not None
        say(f"fetching the offer from {reference}")
        offer = CredentialOffer.from_json(_json(fetcher.get(reference, accept="application/json"), "the offer"),
                                          allow_http=allow_http)
    issuer = offer.credential_issuer
    if offer.tx_code is not None and not tx_code:
        hint = offer.tx_code.get("description") or "the issuer sends it separately"
        raise OfferError(f"this offer needs a transaction code ({hint}): give it with --tx-code")
    say(f"asking {issuer} what it issues")
    metadata = check_issuer_metadata(
        _json(fetcher.get(metadata_url(issuer), accept="application/json"), "the issuer metadata"), issuer)
    configuration_id = offer.credential_configuration_ids[0]
    if configuration_id not in metadata["credential_configurations_supported"]:
        raise OfferError(f"the offer names configuration {configuration_id!r}, which the issuer's metadata "
                         "does not list")
    servers = metadata.get("authorization_servers") or [issuer]
    as_metadata = _answer(fetcher.get(metadata_url(servers[0], AS_METADATA_PATH), accept="application/json"),
                          "the authorization server metadata")
    token_endpoint = as_metadata.get("token_endpoint")
    if not isinstance(token_endpoint, str):
        raise OfferError("the authorization server metadata has no token_endpoint")

    say("exchanging the pre-authorized code for an access token")
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
    if tx_code:
        form["tx_code"] = tx_code
    token = _answer(fetcher.post(token_endpoint, urlencode(form).encode("ascii"),
                                 content_type="application/x-www-form-urlencoded", answer_statuses=(200, 400, 401)),
                    "the token answer")
    access_token = token.get("access_token")
    if not isinstance(access_token, str) or str(token.get("token_type", "")).lower() != "bearer":
        raise OfferError("the token answer carries no Bearer access_token")

    claims: dict[str, Any] = {"aud": issuer, "iat": int(now())}
    nonce_endpoint = metadata.get("nonce_endpoint")
    if isinstance(nonce_endpoint, str):
        nonce = _answer(fetcher.post(nonce_endpoint, b"", content_type="application/x-www-form-urlencoded"),
                        "the nonce answer").get("c_nonce")
        if not isinstance(nonce, str):
            raise OfferError("the nonce answer carries no c_nonce")
        claims["nonce"] = nonce
    verification_method = verification_method_for(holder.did)
    proof = sign_compact(holder, {"typ": PROOF_TYP, "kid": verification_method}, claims)

    say("requesting the credential with a proof of the holder's key")
    identifiers = [i for d in token.get("authorization_details") or [] if isinstance(d, dict)
                   for i in d.get("credential_identifiers") or []]
    request: dict[str, Any] = {"proofs": {"jwt": [proof]}}
    if identifiers:
        request["credential_identifier"] = identifiers[0]
    else:
        request["credential_configuration_id"] = configuration_id
    response = fetcher.post(str(metadata["credential_endpoint"]), json.dumps(request).encode("utf-8"),
                            content_type="application/json", headers={"Authorization": f"Bearer {access_token}"},
                            answer_statuses=(200, 202, 400, 401))
    display = metadata.get("display")
    name = display[0].get("name") if isinstance(display, list) and display and isinstance(display[0], dict) else None
    if response.status == 202:
        deferred = metadata.get("deferred_credential_endpoint")
        if not isinstance(deferred, str):
            raise OfferError("the issuer deferred the credential but names no deferred_credential_endpoint")
        later = _accepted(response, "the credential answer")
        say("the issuer will hand the credential over once it is anchored: the wallet keeps the request")
        return Received(None, issuer, configuration_id, name,
                        Pending(deferred, access_token, later[0], later[1], issuer, name, holder.did))
    credential = _bound(credential_from_answer(_answer(response, "the credential answer")), holder.did)
    return Received(credential, issuer, configuration_id, name)


def _accepted(response: HTTPSResponse, what: str) -> tuple[str, int]:
    """(transaction_id, interval) of a 202 answer."""
    data = _json(response, what)
    if not isinstance(data, dict) or not isinstance(data.get("transaction_id"), str):
        raise OfferError(f"{what} defers the credential without a transaction_id")
    interval = data.get("interval")
    return data["transaction_id"], int(interval) if isinstance(interval, int) and interval > 0 else 3600


def _bound(credential: dict[str, Any], holder: str) -> dict[str, Any]:
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    if subject_id != holder:
        raise OfferError(f"the issued credential's subject is {subject_id!r}, not the holder {holder}")
    return credential


def collect_deferred(pending: Pending, fetcher: Fetcher) -> Received:
    """Ask the deferred credential endpoint again (§9): the credential once the issuer has anchored it, else the
    same pending request (``Received.pending``) with the interval the issuer asks to wait."""
    response = fetcher.post(pending.deferred_endpoint, json.dumps({"transaction_id": pending.transaction_id})
                            .encode("utf-8"), content_type="application/json",
                            headers={"Authorization": f"Bearer {pending.access_token}"},
                            answer_statuses=(200, 202, 400, 401))
    if response.status == 202:
        _, interval = _accepted(response, "the deferred answer")
        return Received(None, pending.credential_issuer, "", pending.issuer_name,
                        replace(pending, interval=interval))
    credential = _bound(credential_from_answer(_answer(response, "the deferred answer")), pending.holder)
    return Received(credential, pending.credential_issuer, "", pending.issuer_name)


