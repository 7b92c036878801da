"""The Credential Issuer of OID4VCI 1.0 (pre-authorized code flow) over microcred's issuance.

:class:`CredentialIssuer` answers the four requests a wallet makes — metadata, token, nonce, credential — as plain
functions of their inputs (the web service only carries them over HTTP). The credential request must carry a
``jwt`` key proof (appendix F.1) signed by the holder's ``did:key``: typed ``openid4vci-proof+jwt``, ``aud`` this
issuer, a fresh ``iat`` and a ``c_nonce`` from the nonce endpoint. The credential is then issued exactly as
``microcred issue`` would, under the issuer's lock, with the holder's DID as ``credentialSubject.id``, into the
folder the offer names (``microcred anchor`` anchors it with the others); the offer is used up.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from microcred.did import JWSError, did_key_verification_method, verify_compact
from microcred.errors import MicrocredError
from microcred.oid4vci._messages import (
    CONFIGURATION_ID,
    PRE_AUTHORIZED_GRANT,
    PROOF_TYP,
    OAuthError,
    authorization_server_metadata,
    issuer_metadata,
)
from microcred.oid4vci._offers import Offer, OfferBook, TokenSigner, utc_now
from microcred.registry.credential import anchor_proofs
from microcred.registry.issuance import (
    IndexAllocator,
    IssuerStore,
    Learner,
    Sign,
    issue_batch,
    issuer_lock,
    parse_template,
)

ACCESS_TOKEN_TTL = timedelta(minutes=10)
#: a deferred offer's access token is shown again at the deferred endpoint, after the issuer has anchored
DEFERRED_ACCESS_TOKEN_TTL = timedelta(days=30)
#: seconds the wallet is asked to wait between deferred requests (the issuer anchors in batches)
DEFERRED_INTERVAL = 3600
NONCE_TTL = timedelta(minutes=5)
#: how far a key proof's ``iat`` may lie from the issuer's clock
PROOF_WINDOW = timedelta(minutes=5)
PROOF_ALGORITHMS = ("EdDSA", "ES256")


def oid4vci_folder(home: str | Path, issuer: str) -> Path:
    """Where an issuer's OID4VCI state lives: beside its other state, outside the issuers folder."""
    return IssuerStore(home).state_dir(issuer) / "oid4vci"


class CredentialIssuer:
    """The OID4VCI endpoints of issuer ``issuer`` of ``home``, published at ``credential_issuer`` (its URL).

    ``signer()`` gives the function that signs a credential; it is called on the first credential request (so
    that only then the issuer's key is unlocked). ``now`` is the clock.
    """

    def __init__(self, home: str | Path, issuer: str, credential_issuer: str, signer: Callable[[], Sign], *,
                 now: Callable[[], datetime] = utc_now) -> None:
        self.home = Path(home)
        self.store = IssuerStore(self.home)
        self.profile = self.store.load(issuer)
        self.credential_issuer = credential_issuer
        self.book = OfferBook(oid4vci_folder(self.home, self.profile.name))
        self.tokens = TokenSigner.for_folder(self.book.folder)
        self._signer_factory = signer
        self._sign: Sign | None = None
        self.now = now

    # -- metadata ------------------------------------------------------------------------------------------------
    def metadata(self) -> dict[str, Any]:
        return issuer_metadata(self.credential_issuer, name=self.profile.public_name,
                               signing_algs=(self.profile.cryptosuite,))

    def authorization_server_metadata(self) -> dict[str, Any]:
        return authorization_server_metadata(self.credential_issuer)

    # -- token ---------------------------------------------------------------------------------------------------
    def token(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint (§6): a pre-authorized code (and its transaction code) for a Bearer access token."""
        grant = form.get("grant_type")
        if grant != PRE_AUTHORIZED_GRANT:
            raise OAuthError("unsupported_grant_type",
                             f"grant_type {grant!r} is not supported; use {PRE_AUTHORIZED_GRANT}")
        now = self.now()
        offer = self.book.for_code(form.get("pre-authorized_code"), now)
        self.book.check_tx_code(offer, form.get("tx_code"))
        ttl = DEFERRED_ACCESS_TOKEN_TTL if offer.deferred else ACCESS_TOKEN_TTL
        token = self.tokens.issue("access", {"offer": offer.id}, ttl, now)
        return {"access_token": token, "token_type": "Bearer", "expires_in": int(ttl.total_seconds()),
                "authorization_details": [{"type": "openid_credential", "credential_configuration_id":
                                           CONFIGURATION_ID, "credential_identifiers": [offer.id]}]}

    # -- nonce ---------------------------------------------------------------------------------------------------
    def nonce(self) -> dict[str, str]:
        """The nonce endpoint (§7): a fresh ``c_nonce`` any worker can check, valid for a few minutes."""
        return {"c_nonce": self.tokens.issue("nonce", {}, NONCE_TTL, self.now())}

    # -- credential ----------------------------------------------------------------------------------------------
    def credential(self, authorization: str | None, body: object) -> dict[str, Any]:
        """The credential endpoint (§8): checks the access token, the request and the key proof, issues the
        credential to the holder's DID and uses the offer up."""
        now = self.now()
        offer = self._offer_of(authorization, now)
        if not isinstance(body, dict):
            raise OAuthError("invalid_credential_request", "the credential request is not a JSON object")
        wanted_id, wanted_config = body.get("credential_identifier"), body.get("credential_configuration_id")
        if wanted_id is not None and wanted_config is not None:
            raise OAuthError("invalid_credential_request",
                             "give credential_identifier or credential_configuration_id, not both")
        if wanted_id is not None and wanted_id != offer.id:
            raise OAuthError("unknown_credential_identifier", f"credential identifier {wanted_id!r} is unknown")
        if wanted_id is None and wanted_config != CONFIGURATION_ID:
            raise OAuthError("unknown_credential_configuration",
                             f"credential configuration {wanted_config!r} is unknown (offered: {CONFIGURATION_ID})")
        holder = self._holder_of(body.get("proofs"), now)
        credential = self._issue(offer, holder, now)
        if offer.deferred:  # signed now; handed over once anchored (202, §8.3)
            return {"transaction_id": offer.id, "interval": DEFERRED_INTERVAL}
        return {"credentials": [{"credential": credential}]}

    def deferred_credential(self, authorization: str | None, body: object) -> dict[str, Any]:
        """The deferred credential endpoint (§9): the credential once the issuer has anchored it (200), or the
        same ``transaction_id`` and an ``interval`` to wait (202). A transaction id serves once."""
        now = self.now()
        offer = self._offer_of(authorization, now)
        transaction = body.get("transaction_id") if isinstance(body, dict) else None
        record = self.book.redeemed(offer.id)
        if transaction != offer.id or not offer.deferred or record is None or self.book.delivered(offer.id):
            raise OAuthError("invalid_transaction_id", "this transaction id is not one of this access token's, "
                                                       "or its credential has been obtained already")
        credential = json.loads(Path(record["credential"]).read_text(encoding="utf-8"))
        if not anchor_proofs(credential):
            return {"transaction_id": offer.id, "interval": DEFERRED_INTERVAL}
        self.book.deliver(offer, now)
        return {"credentials": [{"credential": credential}]}

    def _offer_of(self, authorization: str | None, now: datetime) -> Offer:
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise OAuthError("invalid_token", "the request carries no Bearer access token", status=401)
        claims = self.tokens.open("access", token.strip(), now)
        offer = self.book.get(str(claims.get("offer"))) if claims else None
        if offer is None:
            raise OAuthError("invalid_token", "the access token is not valid or has expired", status=401)
        return offer

    def _holder_of(self, proofs: object, now: datetime) -> str:
        """The holder's DID from the request's one ``jwt`` key proof (§8.2, appendix F.1 and F.4)."""
        if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
            raise OAuthError("invalid_proof", "the request must carry proofs with one jwt key proof")
        jwts = proofs["jwt"]
        if not isinstance(jwts, list) or len(jwts) != 1:
            raise OAuthError("invalid_proof", "exactly one jwt key proof is accepted (no batch issuance)")
        try:
            verified = verify_compact(jwts[0], _did_key_for_kid, what="the key proof",
                                      algorithms=PROOF_ALGORITHMS)
        except JWSError as exc:
            raise OAuthError("invalid_proof", str(exc)) from None
        except MicrocredError as exc:
            raise OAuthError("invalid_proof", f"the key proof's kid is not a usable did:key: {exc}") from None
        header = verified.header
        if header.get("typ") != PROOF_TYP:
            raise OAuthError("invalid_proof", f"the key proof is not typed {PROOF_TYP}")
        if "jwk" in header or "x5c" in header:
            raise OAuthError("invalid_proof", "the key proof names its key twice (kid with jwk or x5c)")
        try:
            claims = verified.json_payload()
        except JWSError as exc:
            raise OAuthError("invalid_proof", str(exc)) from None
        if not isinstance(claims, dict):
            raise OAuthError("invalid_proof", "the key proof's payload is not a JSON object")
        if claims.get("aud") != self.credential_issuer:
            raise OAuthError("invalid_proof", f"the key proof is for audience {claims.get('aud')!r}, not this "
                                              f"issuer ({self.credential_issuer})")
        iat = claims.get("iat")
        if not isinstance(iat, int | float) or isinstance(iat, bool) or \
                abs(now.timestamp() - float(iat)) > PROOF_WINDOW.total_seconds():
            raise OAuthError("invalid_proof", "the key proof's iat is missing or not within five minutes of now")
        if claims.get("nonce") is None:
            raise OAuthError("invalid_proof", "the key proof carries no c_nonce (get one from the nonce endpoint)")
        if self.tokens.open("nonce", claims.get("nonce"), now) is None:
            raise OAuthError("invalid_nonce", "the key proof's c_nonce is not one of this issuer's or has expired")
        return verified.controller

    def _issue(self, offer: Offer, holder: str, now: datetime) -> dict[str, Any]:
        template = parse_template(offer.template, source=f"offer {offer.id}")
        learner = Learner.model_validate({**offer.learner, "did": holder, "line": 1})
        with issuer_lock(self.store.lock_path(self.profile.name), issuer=self.profile.name, command="oid4vci"):
            if self.book.redeemed(offer.id):
                raise OAuthError("credential_request_denied", "this offer has been redeemed already")
            result = issue_batch(self.profile, template, [learner], offer.out_dir, self._signer(),
                                 IndexAllocator(self.store.state_path(self.profile.name)), now,
                                 source=f"offer {offer.id}")
            path = result.credentials[0].path
            self.book.redeem(offer, holder=holder, credential_path=str(path), now=now)
        return json.loads(Path(path).read_text(encoding="utf-8"))

    def _signer(self) -> Sign:
        if self._sign is None:
            self._sign = self._signer_factory()
        return self._sign


def _did_key_for_kid(kid: str) -> tuple[str, bytes, str]:
    key, controller = did_key_verification_method(kid)
    return key.key_type, key.public_key, controller
