"""The issuer's side of OID4VCI state: offers waiting for a wallet, and the secret that signs access tokens and
nonces.

Everything lives in the issuer's state folder (``<home>/state/<issuer>/oid4vci/``, files mode 0600), so any number
of ``serve`` workers of one issuer share it and keep no state in memory:

- an offer is a file named after the hash of its pre-authorized code (the code itself is never stored); it holds
  the course template, the learner's details (not the DID: that comes from the wallet's key proof), where the
  credential is written, when the offer expires and the hash of its transaction code;
- redeeming writes ``<id>.redeemed.json`` exclusively: of two wallets racing with the same code, one wins;
- access tokens and ``c_nonce`` values are HMAC-SHA-256 tokens under a secret created once (32 random bytes).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from microcred._files import write_atomic, write_json_atomic
from microcred.oid4vci._messages import OAuthError

OFFER_FORMAT = "microcred-oid4vci-offer"
DEFAULT_OFFER_TTL = timedelta(days=14)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def code_hash(code: str) -> str:
    """The name an offer is stored under: SHA-256 of its pre-authorized code (hex, first 32 digits)."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()[:32]


def _secret_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


class TokenSigner:
    """Short-lived tokens any worker can check: ``payload.mac``, the payload a JSON object with ``kind`` and
    ``exp`` (unix seconds), the MAC an HMAC-SHA-256 under the issuer's secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 32:
            raise ValueError("the token secret must be at least 32 bytes")
        self._secret = secret

    @classmethod
    def for_folder(cls, folder: Path) -> TokenSigner:
        """The signer of ``folder``'s secret, created (0600, exclusively) on first use."""
        path = folder / "token-secret"
        if not path.exists():
            try:
                write_atomic(path, secrets.token_bytes(32), mode=0o600, exclusive=True)
            except FileExistsError:
                pass  # another worker made it first: use theirs
        return cls(path.read_bytes())

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, kind: str, claims: dict[str, Any], ttl: timedelta, now: datetime) -> str:
        body = {"kind": kind, "exp": int((now + ttl).timestamp()), "jti": secrets.token_urlsafe(9), **claims}
        payload = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{payload}.{self._mac(payload)}"

    def open(self, kind: str, token: object, now: datetime) -> dict[str, Any] | None:
        """The claims of a genuine, unexpired token of ``kind``; None otherwise (the caller names the error)."""
        if not isinstance(token, str) or token.count(".") != 1:
            return None
        payload, mac = token.split(".")
        if not hmac.compare_digest(mac, self._mac(payload)):
            return None
        try:
            claims = json.loads(_unb64(payload))
        except ValueError:
            return None
        if not isinstance(claims, dict) or claims.get("kind") != kind or not isinstance(claims.get("exp"), int):
            return None
        if claims["exp"] < now.timestamp():
            return None
        return claims


@dataclass(frozen=True)
class Offer:
    """One pending offer: what will be issued, to where, until when."""

    id: str
    issuer: str
    template: dict[str, Any]
    learner: dict[str, Any]
    out_dir: str
    created: str
    expires: str
    tx_code_hash: str | None = None
    #: the wallet gets the credential once it is anchored (deferred issuance, §9), not at once
    deferred: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"format": OFFER_FORMAT, "id": self.id, "issuer": self.issuer, "template": self.template,
                "learner": self.learner, "out": self.out_dir, "created": self.created, "expires": self.expires,
                "txCodeHash": self.tx_code_hash, "deferred": self.deferred}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Offer:
        return cls(id=data["id"], issuer=data["issuer"], template=data["template"], learner=data["learner"],
                   out_dir=data["out"], created=data["created"], expires=data["expires"],
                   tx_code_hash=data.get("txCodeHash"), deferred=bool(data.get("deferred", False)))

    def expired(self, now: datetime) -> bool:
        return datetime.fromisoformat(self.expires) <= now


class OfferBook:
    """The offers of one issuer, in ``folder`` (``<home>/state/<issuer>/oid4vci``)."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def _path(self, offer_id: str, suffix: str = ".json") -> Path:
        return self.folder / "offers" / f"{offer_id}{suffix}"

    def create(self, issuer: str, template: dict[str, Any], learner: dict[str, Any], out_dir: str | Path, *,
               now: datetime, ttl: timedelta = DEFAULT_OFFER_TTL, tx_code: str | None = None,
               deferred: bool = False) -> tuple[Offer, str]:
        """A new offer and its pre-authorized code (shown once, in the offer link; only its hash is kept)."""
        code = secrets.token_urlsafe(32)
        offer = Offer(id=code_hash(code), issuer=issuer, template=template, learner=learner,
                      out_dir=str(Path(out_dir).resolve()), created=now.isoformat(),
                      expires=(now + ttl).isoformat(), tx_code_hash=_secret_hash(tx_code) if tx_code else None,
                      deferred=deferred)
        write_json_atomic(self._path(offer.id), offer.to_json(), mode=0o600)
        return offer, code

    def for_code(self, code: object, now: datetime) -> Offer:
        """The pending offer of a pre-authorized code.

        :raises OAuthError: ``invalid_grant`` when the code is unknown, expired or already used
        """
        if not isinstance(code, str) or not code:
            raise OAuthError("invalid_request", "the token request has no pre-authorized_code")
        offer = self.get(code_hash(code))
        if offer is None:
            raise OAuthError("invalid_grant", "this pre-authorized code is unknown to the issuer")
        if offer.expired(now):
            raise OAuthError("invalid_grant", f"this pre-authorized code expired on {offer.expires[:10]}")
        if self.redeemed(offer.id):
            raise OAuthError("invalid_grant", "this pre-authorized code has been used already")
        return offer

    def check_tx_code(self, offer: Offer, tx_code: object) -> None:
        """RFC 6749 / OID4VCI §6.3: a transaction code is required exactly when the offer asked for one."""
        if offer.tx_code_hash is None:
            if tx_code not in (None, ""):
                raise OAuthError("invalid_request", "this offer needs no transaction code, but one was sent")
            return
        if not isinstance(tx_code, str) or not tx_code:
            raise OAuthError("invalid_request", "this offer needs its transaction code (tx_code)")
        if not hmac.compare_digest(_secret_hash(tx_code), offer.tx_code_hash):
            raise OAuthError("invalid_grant", "the transaction code is wrong")

    def get(self, offer_id: str) -> Offer | None:
        if not offer_id.isalnum():
            return None
        try:
            data = json.loads(self._path(offer_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return Offer.from_json(data) if isinstance(data, dict) and data.get("format") == OFFER_FORMAT else None

    def redeemed(self, offer_id: str) -> dict[str, Any] | None:
        try:
            data = json.loads(self._path(offer_id, ".redeemed.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def redeem(self, offer: Offer, *, holder: str, credential_path: str, now: datetime) -> None:
        """Mark ``offer`` used, exclusively.

        :raises OAuthError: ``credential_request_denied`` when another request redeemed it first
        """
        record = {"id": offer.id, "holder": holder, "credential": credential_path, "at": now.isoformat()}
        try:
            write_atomic(self._path(offer.id, ".redeemed.json"),
                         json.dumps(record, indent=2).encode("utf-8"), mode=0o600, exclusive=True)
        except FileExistsError:
            raise OAuthError("credential_request_denied", "this offer has been redeemed already") from None

    def deliver(self, offer: Offer, now: datetime) -> None:
        """Mark a deferred offer's credential as obtained by the wallet (its transaction id is then invalid).

        :raises OAuthError: ``invalid_transaction_id`` when it was obtained already
        """
        try:
            write_atomic(self._path(offer.id, ".delivered.json"),
                         json.dumps({"id": offer.id, "at": now.isoformat()}).encode("utf-8"), mode=0o600,
                         exclusive=True)
        except FileExistsError:
            raise OAuthError("invalid_transaction_id", "this credential has been obtained already") from None

    def delivered(self, offer_id: str) -> bool:
        return self._path(offer_id, ".delivered.json").exists()


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
