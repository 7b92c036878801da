"""An issuer's public face, with ``serve --issuer NAME``: its ``did:web`` document (public keys only), its Open Badges
3.0 ``Profile`` and its Bitstring Status Lists, regenerated from the chain and signed with its key (kept for ``ttl``
seconds, served with an ETag)."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import datetime, timezone
from collections.abc import Callable
from typing import Any

__all__ = ["IssuerFace", "etag_of"]

OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_CONTEXTS = ("https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1")
PURPOSES = ("revocation", "suspension")


def etag_of(doc: Any) -> str:
    """A strong ETag of a JSON document: the first 128 bits of the SHA-256 of its sorted form."""
    return '"' + hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32] + '"'


class IssuerFace:
    """What ``app``'s issuer ``name`` publishes; the key is unlocked once, with the CLI's passphrase rule."""

    def __init__(self, app: Any, name: str, *, ttl: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        from microcred.registry.issuance import IssuerStore

        self.app, self.ttl, self.clock = app, ttl, clock
        self.profile = IssuerStore(app.home).load(name)
        self._lock = threading.Lock()
        self._lists: dict[str, tuple[float, dict, str]] = {}
        self._key: Any = None

    def did_document(self) -> tuple[str, dict[str, Any]] | None:
        """Where the issuer's ``did:web`` document is served (its path) and the document, built from the public half
        of its signing key (no passphrase, no secret); ``None`` when its DID is not a did:web."""
        from microcred.did import DIDDocument, Keystore, did_web_location
        from microcred.errors import ConfigError

        p = self.profile
        if not p.did.startswith("did:web:"):
            return None
        vm = p.verification_method
        if vm.split("#", 1)[0] != p.did:
            raise ConfigError(f"issuer {p.name!r}: its verification method {vm} is not a key of its DID {p.did}")
        public = Keystore(self.app.home / "keys").public_key(p.key)
        data = {"@context": list(DID_CONTEXTS), "id": p.did,
                "verificationMethod": [{"id": vm, "type": "Multikey", "controller": p.did,
                                        "publicKeyMultibase": public.multibase}],
                "authentication": [vm], "assertionMethod": [vm]}
        return did_web_location(p.did).path, DIDDocument.from_json(data, did=p.did).to_json()

    def profile_json(self) -> dict[str, Any]:
        p = self.profile
        address: dict[str, Any] = {"type": ["Address"], "addressCountryCode": p.country}
        if p.region:
            address["addressRegion"] = p.region
        out: dict[str, Any] = {"@context": [OB3_CONTEXT], "id": p.did, "type": ["Profile"], "name": p.public_name,
                               "legalName": p.legal_name, "address": address}
        if p.website:
            out["url"] = p.website
        return out

    def status_list(self, purpose: str, list_url: str) -> tuple[dict, str, float]:
        """The signed list of ``purpose``, its ETag, and how many seconds it may be cached: the list says its ``ttl``
        (milliseconds, as the Bitstring Status List asks), and is read from the chain again once that has passed."""
        with self._lock:
            now = self.clock()
            cached = self._lists.get(purpose)
            if cached is None or now - cached[0] > self.ttl:
                doc = self._build(purpose, list_url)
                etag = etag_of(doc)
                cached = self._lists[purpose] = (now, doc, etag)
            return cached[1], cached[2], max(0.0, self.ttl - (now - cached[0]))

    def _build(self, purpose: str, list_url: str) -> dict:
        from microcred.did import Keystore
        from microcred.registry.ledger import registry_client, status_list_credential
        from microcred.registry.proofs import add_proof

        p = self.profile
        chain_id, registry, account = p.require_chain()
        chain = self.app.chain(read_only=True)
        client = registry_client(chain, address=registry)
        block = chain.w3.eth.block_number
        next_index, _ = client.issuer_state(account, block=block)
        statuses: list[Any] = []
        for start in range(0, next_index, 10_000):
            statuses.extend(client.status_of(account, list(range(start, min(next_index, start + 10_000))),
                                             block=block))
        if self._key is None:
            self._key = Keystore(self.app.home / "keys").load(p.key, self.app.passphrase("unlock the issuer key"))
        when = datetime.fromtimestamp(chain.w3.eth.get_block(block)["timestamp"], timezone.utc)
        doc = status_list_credential(list_url=list_url, issuer_did=p.did, purpose=purpose, statuses=statuses,
                                     valid_from=when, chain=chain_id, registry=registry, block=block)
        doc["credentialSubject"]["ttl"] = int(self.ttl * 1000)
        return add_proof(doc, self._key, verification_method=p.verification_method, cryptosuite=p.cryptosuite)
