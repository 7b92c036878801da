"""Binding a did:key or did:web DID to an issuer's Ethereum account, published in the ERC-1056 registry.

An issuer signs credentials with a DID key but anchors and revokes them from an Ethereum account. A verifier must
know that the two belong together, without trusting a server. The binding is a statement the **DID's key** signs
and the **account** publishes on its own ERC-1056 identity, so each side vouches for the other:

statement
    the JCS (RFC 8785) canonical form of ::

        {"type": "MicrocredDIDBinding2026", "did": "<did>", "verificationMethod": "<did>#<fragment>",
         "account": "0x<EIP-55>", "chainId": <int>, "registry": "0x<EIP-55>",
         "credentialRegistry": "0x<EIP-55>"}

    The verification method names the key that signs (a did:web may list several); ``registry`` is the ERC-1056
    registry the binding is published in, ``credentialRegistry`` the credential registry the issuer anchors in
    (the binding is for that registry only: an issuer anchoring in two registries publishes two bindings).
    Bindings published before ``credentialRegistry`` existed are still read: they bind the DID to the account but
    name no credential registry, which :func:`verify_binding` reports (``code`` ``no-credential-registry``) when
    asked about one.
signature
    the key's signature over the statement bytes, as :meth:`microcred.did.KeyPair.sign` makes it
    (Ed25519; ECDSA with SHA-256, 64 bytes ``r||s``).
published as
    attribute ``microcred/binding`` (the UTF-8 name right-padded to bytes32) of the account's identity, with value
    ``statement || "." || base64url(signature)`` (readable in any explorer: JSON, a dot, the signature), valid for
    :data:`DEFAULT_VALIDITY` seconds unless told otherwise. The name is outside ``did/pub/`` and ``did/svc/`` on
    purpose: a did:ethr resolver leaves it out of the account's own DID document.

Verification (:func:`verify_binding`) walks the account's ERC-1056 history with the same linked-event walker as the
did:ethr resolver (1 + K requests), keeps the binding attributes valid at the time asked (revoked, expired, or
after a deactivation: gone), and accepts one whose statement names this DID, account, chain and registry (and,
when asked, the credential registry) and whose signature verifies with the key the DID lists. Each result has a
``code`` naming why (:data:`BINDING_CODES`). A did:ethr DID needs no statement: it is bound to the account it
names. An RPC failure is raised (:class:`~microcred.did.DIDNetworkError`), never reported as "not bound".
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import rfc8785
from eth_utils import to_checksum_address

from microcred.did._didkey import public_key_from_did_key
from microcred.did._document import is_did
from microcred.did._errors import DIDNetworkError
from microcred.did._ethr import (
    AttributeChanged,
    EthrDIDController,
    EthrResolver,
    bytes32,
    parse_ethr_did,
)
from microcred.did._keys import KeyPair, PublicKey
from microcred.errors import InvalidInputError, MicrocredError

#: the ERC-1056 attribute name of a binding (text; the registry stores it right-padded to 32 bytes)
BINDING_ATTRIBUTE: Final = "microcred/binding"
#: ``type`` of the signed statement
BINDING_TYPE: Final = "MicrocredDIDBinding2026"
#: default validity of a published binding: 100 years
DEFAULT_VALIDITY: Final = 100 * 365 * 24 * 3600

#: why a binding holds or not (:attr:`BindingResult.code`)
BINDING_CODES: Final = (
    "bound",                      # a live, signed statement names this DID, account, chain, registries
    "ethr-identity",              # a did:ethr is bound to the account it names
    "ethr-other-account",         # a did:ethr of another account or chain
    "deactivated",                # the account's identity was deactivated
    "not-published",              # no binding attribute at all
    "revoked",                    # this DID's binding was revoked or has expired
    "other-dids",                 # live bindings, none of them for this DID
    "invalid-statement",          # a statement about this DID that is wrong (type, account, chain, DID registry, key)
    "bad-signature",              # its signature does not verify with the key it names
    "no-credential-registry",     # bound, but by a statement from before bindings named the credential registry
    "other-credential-registry",  # bound for another credential registry than the one asked about
)
_NAME: Final = bytes32(BINDING_ATTRIBUTE)
_B64URL: Final = re.compile(rb"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class BindingResult:
    """Whether ``did`` is bound to ``account``, why, and since which block."""

    bound: bool
    reason: str
    #: block of the attribute that binds (or of the one the reason is about), when there is one
    block: int | None = None
    did: str = ""
    account: str = ""
    verification_method: str | None = None
    #: why (one of :data:`BINDING_CODES`)
    code: str = ""
    #: the credential registry the statement names (``None``: none, or no statement)
    credential_registry: str | None = None

    def __bool__(self) -> bool:
        return self.bound


# -- the statement ----------------------------------------------------------------------------------------------


def binding_statement(did: str, verification_method: str, account: str, chain_id: int, registry: str,
                      credential_registry: str | None = None) -> bytes:
    """The canonical (JCS) bytes of the statement that binds ``did`` to ``account`` on ``chain_id``, published in the
    DID ``registry``, for the credentials anchored in ``credential_registry`` (left out: an old-form statement)."""
    if not is_did(did):
        raise InvalidInputError(f"not a DID: {did!r}")
    if not verification_method.startswith(did + "#") or len(verification_method) == len(did) + 1:
        raise InvalidInputError(f"the verification method {verification_method!r} is not a key of {did}")
    if not isinstance(chain_id, int) or isinstance(chain_id, bool) or chain_id <= 0:
        raise InvalidInputError(f"a chain id is a positive integer, got {chain_id!r}")
    statement: dict[str, Any] = {
        "type": BINDING_TYPE,
        "did": did,
        "verificationMethod": verification_method,
        "account": _address(account, "account"),
        "chainId": chain_id,
        "registry": _address(registry, "registry"),
    }
    if credential_registry is not None:
        statement["credentialRegistry"] = _address(credential_registry, "credential registry")
    return rfc8785.dumps(statement)


def encode_binding(statement: bytes, signature: bytes) -> bytes:
    """Attribute value: ``statement || "." || base64url(signature)`` (no padding)."""
    return statement + b"." + base64.urlsafe_b64encode(signature).rstrip(b"=")


def decode_binding(value: bytes) -> tuple[dict[str, Any], bytes, bytes]:
    """(statement as JSON, statement bytes, signature) of an attribute value; ``ValueError`` names what is wrong."""
    statement, dot, sig = value.rpartition(b".")
    if not dot or not _B64URL.fullmatch(sig):
        raise ValueError("the value is not 'statement.signature'")
    try:
        signature = base64.urlsafe_b64decode(sig + b"=" * (-len(sig) % 4))
        parsed = json.loads(statement.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"the value cannot be decoded ({exc})") from None
    if not isinstance(parsed, dict):
        raise ValueError("the statement is not a JSON object")
    try:
        canonical = rfc8785.dumps(parsed)
    except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
        raise ValueError(f"the statement cannot be canonicalised ({exc})") from None
    if canonical != statement:
        raise ValueError("the statement is not in canonical (JCS) form")
    return parsed, statement, signature


def _address(value: str, what: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", value):
        raise InvalidInputError(f"the {what} {value!r} is not an Ethereum address")
    return to_checksum_address(value)


# -- publishing -------------------------------------------------------------------------------------------------


def default_verification_method(did: str, keypair: KeyPair | None = None) -> str:
    """The verification method of a did:key (``did#<multibase>``); other methods must name theirs."""
    if did.startswith("did:key:"):
        key = public_key_from_did_key(did)
        if keypair is not None and keypair.public != key:
            raise InvalidInputError(f"the key pair given is not the key of {did}")
        return f"{did}#{did[8:]}"
    raise InvalidInputError(f"name the verification method of {did} that signs the binding (e.g. {did}#key-1)")


def binding_value(controller: EthrDIDController, did: str, keypair: KeyPair, *,
                  verification_method: str | None = None, registry_address: str | None = None,
                  credential_registry: str | None = None) -> bytes:
    """The attribute value :func:`publish_binding` publishes (statement signed by ``keypair``)."""
    registry = _address(registry_address or controller.registry, "registry")
    if registry != controller.registry:
        raise InvalidInputError(f"the registry {registry} is not the controller's ({controller.registry})")
    vm = verification_method or default_verification_method(did, keypair)
    statement = binding_statement(did, vm, controller.identity, controller.chain_id, registry, credential_registry)
    return encode_binding(statement, keypair.sign(statement))


def publish_binding(controller: EthrDIDController, did: str, keypair: KeyPair, registry_address: str | None = None,
                    *, verification_method: str | None = None, validity: int = DEFAULT_VALIDITY,
                    credential_registry: str | None = None) -> Any:
    """Have ``keypair`` (the DID's key) sign the binding of ``did`` to the controller's account for the credentials
    it anchors in ``credential_registry``, and publish it as attribute ``microcred/binding`` of that account.
    Returns the transaction receipt.

    ``verification_method`` defaults to the did:key's own key; a did:web must name the method that ``keypair``
    is. ``registry_address`` (the DID registry), when given, must be the controller's. Without
    ``credential_registry`` the statement is of the old form, which binds for no credential registry in particular
    and which the verifier's issuer check refuses.
    """
    value = binding_value(controller, did, keypair, verification_method=verification_method,
                          registry_address=registry_address, credential_registry=credential_registry)
    return controller.set_attribute(_NAME, value, validity)


def revoke_binding(controller: EthrDIDController, resolver: EthrResolver, did: str) -> list[Any]:
    """Revoke every live binding of ``did`` published by the controller's account; returns the receipts."""
    snap = resolver.snapshot(controller.identity)
    receipts = []
    for ev in snap.live_attributes:
        if ev.name != _NAME:
            continue
        try:
            statement, _, _ = decode_binding(ev.value)
        except ValueError:
            continue
        if statement.get("did") == did:
            receipts.append(controller.revoke_attribute(_NAME, ev.value))
    return receipts


# -- verifying --------------------------------------------------------------------------------------------------


def did_key_resolver(verification_method: str) -> PublicKey:
    """``resolve_key`` for did:key (offline): the key a ``did:key:…#<multibase>`` names."""
    did, _, fragment = verification_method.partition("#")
    key = public_key_from_did_key(did)
    if fragment != did[8:]:
        raise InvalidInputError(f"{verification_method} is not the key of {did} (expected {did}#{did[8:]})")
    return key


def verify_binding(
    resolver: EthrResolver,
    account: str,
    did: str,
    resolve_key: Callable[[str], PublicKey] | None = None,
    at: datetime | float | None = None,
    *,
    block: int | None = None,
    credential_registry: str | None = None,
) -> BindingResult:
    """Whether ``did`` is bound to ``account`` on the resolver's chain and registry, as of ``at`` / ``block``.

    :param resolver: the did:ethr resolver of the chain (its walker reads the account's history)
    :param account: the issuer's account
    :param did: the DID (did:key, did:web, or did:ethr)
    :param resolve_key: maps a verification method id (``did#fragment``) to its public key, raising when the DID
        does not list it (for did:web: resolve the DID, e.g. with :meth:`microcred.did.Resolver.
        resolve_verification_method`, and check the method's relationship); did:key is decoded offline by default
    :param at: time (timezone-aware datetime or unix seconds) the binding must hold at; ``block`` for a block
    :param credential_registry: the credential registry the binding must be for (the one a credential names);
        ``None`` accepts a binding for any registry, old-form statements included
    :raises DIDNetworkError: when the chain (or ``resolve_key``'s network) cannot be read
    """
    account = _address(account, "account")
    wanted = _address(credential_registry, "credential registry") if credential_registry is not None else None
    if did.startswith("did:ethr:"):
        parsed = parse_ethr_did(did, resolver.network_names)
        if parsed.chain_id != resolver.chain_id:
            return BindingResult(False, f"{did} is on chain {parsed.chain_id}, not on chain {resolver.chain_id}",
                                 did=did, account=account, code="ethr-other-account")
        if parsed.address != account:
            return BindingResult(False, f"{did} is the identity of {parsed.address}, not of {account}",
                                 did=did, account=account, code="ethr-other-account")
        return BindingResult(True, f"{did} is the did:ethr of {account}", did=did, account=account,
                             code="ethr-identity")
    if not is_did(did):
        raise InvalidInputError(f"not a DID: {did!r}")
    if resolve_key is None:
        if not did.startswith("did:key:"):
            raise InvalidInputError(f"pass resolve_key to check the key of {did}: only did:key is decoded offline")
        resolve_key = did_key_resolver

    snap = resolver.snapshot(account, at=at, block=block)
    when = _when(at, block)
    if snap.deactivated:
        return BindingResult(False, f"the identity of {account} was deactivated (block {snap.version_block}){when}",
                             block=snap.version_block, did=did, account=account, code="deactivated")
    published = [ev for ev in snap.events if isinstance(ev, AttributeChanged) and ev.name == _NAME]
    if not published:
        return BindingResult(False, f"{account} has published no {BINDING_ATTRIBUTE} attribute{when}",
                             did=did, account=account, code="not-published")
    live = [ev for ev in snap.live_attributes if ev.name == _NAME]
    mine: list[BindingResult] = []  # failed statements about this DID
    for ev in reversed(live):  # newest first
        outcome, about_did = _check(ev, resolver, account, did, resolve_key, wanted)
        if outcome.bound:
            return outcome
        if about_did:
            mine.append(outcome)
    if mine:  # the most telling failure: a binding for another registry, then an old one, then the newest
        order = ("other-credential-registry", "no-credential-registry")
        return min(mine, key=lambda r: order.index(r.code) if r.code in order else len(order))
    for ev in reversed(published):
        if ev.valid_to > 0 and _names_did(ev.value, did):
            return BindingResult(False, f"the binding of {did} published by {account} in block {ev.block_number} "
                                        f"was revoked or had expired{when}", block=ev.block_number, did=did,
                                 account=account, code="revoked")
    if not live:
        return BindingResult(False, f"{account} has no valid {BINDING_ATTRIBUTE} attribute{when} (all revoked or "
                                    f"expired, none of them for {did})", did=did, account=account, code="revoked")
    others = sorted({str(s.get("did")) for s in (_statement(ev.value) for ev in live) if s is not None})
    malformed = sum(1 for ev in live if _statement(ev.value) is None)
    detail = f" ({', '.join(others)})" if others else ""
    if malformed:
        detail += f"; {malformed} of its binding attributes are malformed"
    return BindingResult(False, f"{account} binds other DIDs, not {did}{when}{detail}", did=did, account=account,
                         code="other-dids")


def _check(ev: AttributeChanged, resolver: EthrResolver, account: str, did: str,
           resolve_key: Callable[[str], PublicKey], wanted: str | None) -> tuple[BindingResult, bool]:
    """One live binding attribute checked against ``did`` (and the credential registry ``wanted``): the result, and
    whether the statement is about ``did``."""
    where = f"the {BINDING_ATTRIBUTE} attribute of {account} in block {ev.block_number}"

    def no(reason: str, vm: str | None = None, about_did: bool = True, code: str = "invalid-statement",
           credential_registry: str | None = None) -> tuple[BindingResult, bool]:
        return BindingResult(False, f"{where}: {reason}", block=ev.block_number, did=did, account=account,
                             verification_method=vm, code=code, credential_registry=credential_registry), about_did

    try:
        statement, raw, signature = decode_binding(ev.value)
    except ValueError as exc:
        return no(f"malformed: {exc}", about_did=False)
    if statement.get("did") != did:
        return no(f"binds {statement.get('did')!r}, not {did}", about_did=False)
    vm = statement.get("verificationMethod")
    if not isinstance(vm, str) or not vm.startswith(did + "#"):
        return no(f"names the verification method {vm!r}, which is not a key of {did}")
    if statement.get("type") != BINDING_TYPE:
        return no(f"its statement is of type {statement.get('type')!r}, not {BINDING_TYPE}", vm)
    if not isinstance(statement.get("account"), str) or statement["account"].lower() != account.lower():
        return no(f"its statement names the account {statement.get('account')!r}, not {account}", vm)
    if statement.get("chainId") != resolver.chain_id:
        return no(f"its statement names chain {statement.get('chainId')!r}, not {resolver.chain_id}", vm)
    if not isinstance(statement.get("registry"), str) or statement["registry"].lower() != resolver.registry.lower():
        return no(f"its statement names the registry {statement.get('registry')!r}, not {resolver.registry}", vm)
    named = statement.get("credentialRegistry")
    if named is not None and (not isinstance(named, str) or not re.fullmatch(r"0x[0-9a-fA-F]{40}", named)):
        return no(f"its statement names the credential registry {named!r}, which is not an address", vm)
    named = to_checksum_address(named) if named is not None else None
    try:
        key = resolve_key(vm)
    except DIDNetworkError:
        raise
    except MicrocredError as exc:
        return no(f"the key {vm} cannot be used: {exc}", vm)
    if not isinstance(key, PublicKey):
        raise TypeError(f"resolve_key must return a PublicKey, got {type(key).__name__}")
    if not key.verify(raw, signature):
        return no(f"its signature does not verify with {vm}", vm, code="bad-signature")
    if wanted is not None and named is None:
        return no(f"binds {did} to {account} but names no credential registry (a binding of the old form): the "
                  f"credential's registry {wanted} is not bound; re-bind with `microcred issuer bind`", vm,
                  code="no-credential-registry")
    if wanted is not None and named != wanted:
        return no(f"binds {did} to {account} for the credential registry {named}, not for the credential's "
                  f"registry {wanted}", vm, code="other-credential-registry", credential_registry=named)
    for_what = f" for the credential registry {named}" if named is not None else ""
    return BindingResult(True, f"{did} is bound to {account}{for_what}: {where}, signed by {vm}",
                         block=ev.block_number, did=did, account=account, verification_method=vm, code="bound",
                         credential_registry=named), True


def _statement(value: bytes) -> dict[str, Any] | None:
    try:
        return decode_binding(value)[0]
    except ValueError:
        return None


def _names_did(value: bytes, did: str) -> bool:
    statement = _statement(value)
    return statement is not None and statement.get("did") == did


def _when(at: datetime | float | None, block: int | None) -> str:
    if block is not None:
        return f" as of block {block}"
    if isinstance(at, datetime):
        return f" as of {at.isoformat()}"
    if at is not None:
        return f" as of unix time {int(at)}"
    return ""


__all__ = [
    "BINDING_ATTRIBUTE",
    "BINDING_CODES",
    "BINDING_TYPE",
    "BindingResult",
    "DEFAULT_VALIDITY",
    "binding_statement",
    "binding_value",
    "decode_binding",
    "default_verification_method",
    "did_key_resolver",
    "encode_binding",
    "publish_binding",
    "revoke_binding",
    "verify_binding",
]
