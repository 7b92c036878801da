"""The did:ethr DID document of a registry snapshot, written as the reference resolver writes it (no I/O).

Three key formats, one rule for everything else:

- ``hex`` (default): as ethr-did-resolver 11 writes it, the version the did:ethr specification's examples and most
  deployed verifiers know. ``did/pub/<algorithm>/<purpose>[/<encoding>]`` attributes keep the 2018/2019 names
  (``Ed25519VerificationKey2018``, ``EcdsaSecp256k1VerificationKey2019``, ``X25519KeyAgreementKey2019``) and the
  key as the attribute's encoding hint says (``publicKeyHex`` when there is none); ``#controllerKey`` carries
  ``publicKeyHex``; ``@context`` is DID v1, secp256k1recovery-2020 and security v3-unstable.
- ``jwk``: the same types, with secp256k1, Ed25519 and X25519 keys as ``publicKeyJwk``.
- ``multibase``: as ethr-did-resolver 12 and later write it: ``Ed25519VerificationKey2020`` and
  ``X25519KeyAgreementKey2020`` with ``publicKeyMultibase``, secp256k1 keys as ``publicKeyJwk``, ``Multikey``, and a
  ``@context`` built from the members present.

Common to all three (the method specification and both reference versions): a delegate or attribute is in the
document while its ``validTo`` is *greater than or equal to* the time of resolution, so one revoked in block B
(``validTo`` = B's time) is still there when resolving at B and gone after; ids are ``#controller``,
``#controllerKey``, ``#delegate-<n>``, ``#service-<n>`` where ``n`` counts the events of that section, revocations
included; owner 0x0 deactivates the DID (empty document, ``deactivated: true``).

One deliberate difference from ethr-did-resolver 11: when an ``enc`` key is revoked it also leaves
``keyAgreement`` (version 11 leaves a reference to a method that is no longer in the document; version 12 fixed it).
"""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Final

from microcred.did._document import DIDDocument, DIDDocumentMetadata, DIDResolutionResult
from microcred.did._ethr_events import (
    CONTENT_TYPE,
    AttributeChanged,
    DelegateChanged,
    EthrDID,
    bytes32_text,
)
from microcred.did._keys import PublicKey, b64url_encode
from microcred.did._multiformats import b58encode, multibase_encode
from microcred.errors import InvalidInputError

if TYPE_CHECKING:
    from microcred.did._ethr_resolver import IdentitySnapshot

#: the key formats of a did:ethr document (see the module's text)
KEY_FORMATS: Final = ("hex", "jwk", "multibase")

_DID_V1: Final = "https://www.w3.org/ns/did/v1"
_RECOVERY_2020: Final = "https://w3id.org/security/suites/secp256k1recovery-2020/v2"
_SECURITY_V2: Final = "https://w3id.org/security/v2"
#: ethr-did-resolver 11's third context (it defines publicKeyHex and EcdsaSecp256k1VerificationKey2019)
_SECURITY_V3_UNSTABLE: Final = "https://w3id.org/security/v3-unstable"
_LEGACY_CONTEXT: Final = (_DID_V1, _RECOVERY_2020, _SECURITY_V3_UNSTABLE)

_RECOVERY: Final = "EcdsaSecp256k1RecoveryMethod2020"
_SECP256K1_2019: Final = "EcdsaSecp256k1VerificationKey2019"
_ED25519_2018: Final = "Ed25519VerificationKey2018"
_X25519_2019: Final = "X25519KeyAgreementKey2019"
_ED25519_2020: Final = "Ed25519VerificationKey2020"
_X25519_2020: Final = "X25519KeyAgreementKey2020"

#: attribute names the reference reads: ``did/pub|svc/<word>[/<word>[/<word>]]`` (ASCII word characters, as in JS)
_ATTRIBUTE_RE: Final = re.compile(r"did/(pub|svc)/(\w+)(?:/(\w+))?(?:/(\w+))?", re.ASCII)

#: version 11: purpose → the suffix of the legacy type name; (algorithm + suffix) → verification method type
_LEGACY_PURPOSE: Final = {"sigAuth": "SignatureAuthentication2018", "veriKey": "VerificationKey2018",
                          "enc": "KeyAgreementKey2019"}
_LEGACY_TYPES: Final = {
    "Secp256k1VerificationKey2018": _SECP256K1_2019,
    "Secp256k1SignatureAuthentication2018": _SECP256K1_2019,
    "Ed25519SignatureAuthentication2018": _ED25519_2018,
    "Ed25519VerificationKey2018": _ED25519_2018,
    "RSAVerificationKey2018": "RSAVerificationKey2018",
    "X25519KeyAgreementKey2019": _X25519_2019,
}
#: version 12+: algorithm → verification method type
_MODERN_TYPES: Final = {"Secp256k1": _SECP256K1_2019, "Ed25519": _ED25519_2020, "X25519": _X25519_2020,
                        "Multikey": "Multikey"}
_MULTICODEC: Final = {_ED25519_2020: b"\xed\x01", _X25519_2020: b"\xec\x01"}
_OKP_CURVE: Final = {_ED25519_2018: "Ed25519", _X25519_2019: "X25519"}


def _iso(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts, timezone.utc) if ts is not None else None


def _secp256k1_jwk(value: bytes) -> dict[str, str] | None:
    try:
        return PublicKey.from_bytes("secp256k1", value).jwk if len(value) in (33, 65) else None
    except (InvalidInputError, ValueError):
        return None


def _hinted(encoding: str | None, value: bytes, *, pem: bool) -> dict[str, Any] | None:
    """The key member an encoding hint asks for (``None``: a PEM hint on bytes that are not UTF-8)."""
    if encoding in (None, "hex"):
        return {"publicKeyHex": value.hex()}
    if encoding == "base64":
        return {"publicKeyBase64": base64.b64encode(value).decode("ascii")}
    if encoding == "base58":
        return {"publicKeyBase58": b58encode(value)}
    if encoding == "pem" and pem:
        try:
            return {"publicKeyPem": value.decode("utf-8")}
        except UnicodeDecodeError:
            return None
    return {"value": value.hex()}


def _legacy_key(algorithm: str, purpose: str | None, encoding: str | None, value: bytes, key_format: str,
                warnings: list[str], where: str) -> tuple[str, dict[str, Any]] | None:
    """(type, key members) as version 11 writes them; with ``jwk``, known curves as ``publicKeyJwk``."""
    suffix = "undefined" if purpose is None else _LEGACY_PURPOSE.get(purpose, purpose)  # JS string concatenation
    vm_type = _LEGACY_TYPES.get(f"{algorithm}{suffix}", algorithm)
    if key_format == "jwk":
        if vm_type == _SECP256K1_2019:
            jwk = _secp256k1_jwk(value)
            if jwk is not None:
                return vm_type, {"publicKeyJwk": jwk}
            warnings.append(f"{where}: not a secp256k1 public key ({len(value)} bytes); written as hex")
        elif vm_type in _OKP_CURVE:
            if len(value) == 32:
                return vm_type, {"publicKeyJwk": {"kty": "OKP", "crv": _OKP_CURVE[vm_type],
                                                  "x": b64url_encode(value)}}
            warnings.append(f"{where}: an {_OKP_CURVE[vm_type]} key has 32 bytes, got {len(value)}; written as hex")
    members = _hinted(encoding, value, pem=True)
    return (vm_type, members) if members is not None else None


def _modern_key(algorithm: str, encoding: str | None, value: bytes) -> tuple[str, dict[str, Any]] | None:
    """(type, key members) as version 12 and later write them (``None``: a secp256k1 value that is no key)."""
    vm_type = _MODERN_TYPES.get(algorithm, algorithm)
    if vm_type == _SECP256K1_2019:
        jwk = _secp256k1_jwk(value)
        return (vm_type, {"publicKeyJwk": jwk}) if jwk is not None else None
    if vm_type in _MULTICODEC:
        return vm_type, {"publicKeyMultibase": multibase_encode(_MULTICODEC[vm_type] + value)}
    if vm_type == "Multikey":
        return vm_type, {"publicKeyMultibase": multibase_encode(value)}
    return vm_type, _hinted(encoding, value, pem=False) or {}


def _modern_context(methods: list[dict[str, Any]]) -> list[Any]:
    """Version 12+'s ``@context``: the suites of the types present, then inline terms for the members no suite
    defines."""
    types = {vm["type"] for vm in methods}
    has = {member: any(member in vm for vm in methods)
           for member in ("publicKeyHex", "publicKeyJwk", "publicKeyBase58", "publicKeyBase64")}
    context: list[Any] = [_DID_V1, _RECOVERY_2020]
    if _SECP256K1_2019 in types or has["publicKeyBase58"]:
        context.append(_SECURITY_V2)
    for vm_type, suite in ((_ED25519_2020, "https://w3id.org/security/suites/ed25519-2020/v1"),
                           (_X25519_2020, "https://w3id.org/security/suites/x25519-2020/v1"),
                           ("Multikey", "https://w3id.org/security/multikey/v1")):
        if vm_type in types:
            context.append(suite)
    inline: dict[str, Any] = {}
    if has["publicKeyHex"]:
        inline["publicKeyHex"] = "https://w3id.org/security#publicKeyHex"
    if has["publicKeyJwk"]:
        inline["publicKeyJwk"] = {"@id": "https://w3id.org/security#publicKeyJwk", "@type": "@json"}
    if has["publicKeyBase58"] and _SECURITY_V2 not in context:
        inline["publicKeyBase58"] = "https://w3id.org/security#publicKeyBase58"
    if has["publicKeyBase64"]:
        inline["publicKeyBase64"] = "https://w3id.org/security#publicKeyBase64"
    if inline:
        context.append(inline)
    return context


def _service_endpoint(value: bytes) -> Any:
    """The endpoint of a ``did/svc`` attribute: its JSON value when the UTF-8 text is JSON, else the text
    (``UnicodeDecodeError``, a ``ValueError``, when it is not UTF-8)."""
    text = value.decode("utf-8")

    def no_constant(name: str) -> Any:  # JSON.parse knows no NaN or Infinity
        raise ValueError(name)

    try:
        return json.loads(text, parse_constant=no_constant)
    except ValueError:
        return text


def build_result(parsed: EthrDID, snap: IdentitySnapshot, chain_id: int, *,
                 key_format: str = "hex") -> DIDResolutionResult:
    """The resolution result of ``parsed`` from a registry snapshot, keys written in ``key_format`` (one of
    :data:`KEY_FORMATS`)."""
    if key_format not in KEY_FORMATS:
        raise InvalidInputError(f"unknown did:ethr key format {key_format!r}: one of {', '.join(KEY_FORMATS)}")
    legacy = key_format != "multibase"
    did = parsed.did
    metadata: dict[str, Any] = {}
    if snap.version_block is not None:
        metadata.update(version_id=str(snap.version_block), updated=_iso(snap.version_time))
    if snap.next_block is not None:
        metadata.update(next_version_id=str(snap.next_block), next_update=_iso(snap.next_time))
    resolution: dict[str, Any] = {"contentType": CONTENT_TYPE}
    if snap.deactivated:
        empty: dict[str, Any] = {"id": did, "verificationMethod": [], "authentication": [], "assertionMethod": []}
        empty["@context"] = list(_LEGACY_CONTEXT) if legacy else _modern_context([])
        return DIDResolutionResult(document=DIDDocument.model_validate(empty),
                                   metadata=DIDDocumentMetadata(deactivated=True, **metadata),
                                   resolution_metadata=resolution)

    # keyed like the registry keys them, so a revocation finds what it revokes; dicts keep first-insertion order,
    # as the reference's objects do
    methods: dict[tuple[Any, ...], dict[str, Any]] = {}
    auth: dict[tuple[Any, ...], str] = {}
    signing: dict[tuple[Any, ...], str] = {}
    agreement: dict[tuple[Any, ...], str] = {}
    services: dict[tuple[Any, ...], dict[str, Any]] = {}
    warnings: list[str] = []
    delegate_n = service_n = 0
    t = snap.evaluated_at

    def forget(key: tuple[Any, ...]) -> None:
        for section in (methods, auth, signing, agreement, services):
            section.pop(key, None)

    for ev in snap.events:
        if isinstance(ev, DelegateChanged):
            dtype = bytes32_text(ev.delegate_type)
            if dtype is None:
                continue  # not UTF-8: not a DID event, not counted (the reference skips it when decoding)
            delegate_n += 1
            key: tuple[Any, ...] = ("delegate", dtype, ev.delegate)
            if ev.valid_to < t:
                forget(key)
            elif dtype in ("veriKey", "sigAuth"):
                vm_id = f"{did}#delegate-{delegate_n}"
                methods[key] = {"id": vm_id, "type": _RECOVERY, "controller": did,
                                "blockchainAccountId": f"eip155:{chain_id}:{ev.delegate}"}
                signing[key] = vm_id
                if dtype == "sigAuth":
                    auth[key] = vm_id
        elif isinstance(ev, AttributeChanged):
            name = ev.name_text
            if name is None:
                continue
            key = ("attribute", name, ev.value)
            valid = ev.valid_to >= t
            match = _ATTRIBUTE_RE.fullmatch(name)
            section = match.group(1) if match else None
            # version 11 counts a valid attribute only when its whole name matches, a revoked one by its prefix;
            # version 12+ by the prefix always
            counted_as = section if (legacy and valid) else (
                "pub" if name.startswith("did/pub/") else "svc" if name.startswith("did/svc/") else None)
            if counted_as == "pub":
                delegate_n += 1
            elif counted_as == "svc":
                service_n += 1
            if not valid:
                forget(key)
                continue
            if match is None:
                continue
            word, purpose, encoding = match.group(2), match.group(3), match.group(4)
            where = f"attribute {name!r} (block {ev.block_number})"
            if section == "pub":
                entry = (_legacy_key(word, purpose, encoding, ev.value, key_format, warnings, where)
                         if legacy else _modern_key(word, encoding, ev.value))
                if entry is None:
                    warnings.append(f"{where}: the value is not a key of that type; left out")
                    continue
                vm_id = f"{did}#delegate-{delegate_n}"
                methods[key] = {"id": vm_id, "type": entry[0], "controller": did, **entry[1]}
                if purpose == "sigAuth":
                    auth[key] = signing[key] = vm_id
                elif purpose == "enc":
                    agreement[key] = vm_id
                else:
                    signing[key] = vm_id
            else:
                try:
                    endpoint = _service_endpoint(ev.value)
                except ValueError:
                    warnings.append(f"{where}: the endpoint is not UTF-8 text; left out")
                    continue
                services[key] = {"id": f"{did}#service-{service_n}", "type": word, "serviceEndpoint": endpoint}
        # owner changes are in snap.owner; other attributes are not part of a DID document

    controller = {"id": f"{did}#controller", "type": _RECOVERY, "controller": did,
                  "blockchainAccountId": f"eip155:{chain_id}:{snap.owner}"}
    head: list[dict[str, Any]] = [controller]
    if parsed.public_key is not None and snap.owner == parsed.address:
        key_member: dict[str, Any] = (
            {"publicKeyHex": parsed.did.rsplit(":", 1)[1][2:]} if key_format == "hex"
            else {"publicKeyJwk": PublicKey("secp256k1", parsed.public_key).jwk})
        head.append({"id": f"{did}#controllerKey", "type": _SECP256K1_2019, "controller": did, **key_member})
    refs = [vm["id"] for vm in head]
    all_methods = head + list(methods.values())
    doc: dict[str, Any] = {
        "@context": list(_LEGACY_CONTEXT) if legacy else _modern_context(all_methods),
        "id": did, "verificationMethod": all_methods,
        "authentication": refs + list(auth.values()), "assertionMethod": refs + list(signing.values()),
    }
    if services:
        doc["service"] = list(services.values())
    if agreement:
        doc["keyAgreement"] = list(agreement.values())
    if warnings:
        resolution["warnings"] = warnings
    return DIDResolutionResult(document=DIDDocument.model_validate(doc), metadata=DIDDocumentMetadata(**metadata),
                               resolution_metadata=resolution)


__all__ = ["KEY_FORMATS", "build_result"]
