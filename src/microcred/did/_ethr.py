"""did:ethr: DIDs whose documents live in an ERC-1056 registry (``EthereumDIDRegistry``) on an EVM chain.

Resolution follows the did:ethr method specification (decentralized-identity/ethr-did-resolver,
``doc/did-method-spec.md``)::

    resolver = EthrResolver(w3, registry_address, chain_id=11155111)
    result = resolver.resolve("did:ethr:sepolia:0xb9c5714089478a327f09197987f16f9e5d936e8a")
    result = resolver.resolve(did, at=datetime(2026, 5, 1, tzinfo=timezone.utc))  # as it was then
    result = resolver.resolve(did, block=12090175)                                 # versionId
    Resolver(methods={"ethr": resolver})                                            # plugs into microcred's resolver

**DIDs.** ``did:ethr:[<network>:]<id>`` where ``<network>`` is a name of :data:`ETHR_NETWORKS` (or one given to the
resolver) or a hex chain id (``0xaa36a7``), absent for mainnet; ``<id>`` is an address (``0x`` + 40 hex) or a
compressed secp256k1 public key (``0x02``/``0x03`` + 64 hex) standing for its address.

**History.** The registry links each identity's events: ``changed(identity)`` is the block of its latest change and
every event carries ``previousChange``. The resolver reads ``changed`` (one ``eth_call``), then asks for the logs of
exactly that block (one ``eth_getLogs`` with the registry's address and the identity's topic), follows the
``previousChange`` of those events to the next block, and so on: K changed blocks cost 1 + K requests and no block
without a change is ever scanned. Block times come from the logs when the node includes ``blockTimestamp`` (anvil,
recent geth/reth); otherwise from block headers, fetched only where needed and cached by block hash. Latest
resolution therefore costs at most K + 2 requests: ``changed``, K log queries, and the header of the latest change
for ``updated``. Historical resolution adds the headers it needs (the block asked for, the version and next-version
blocks; for a time, a bisection over the changed blocks that tries the latest first).

**Document.** As the reference resolver writes it (:mod:`microcred.did._ethr_document`): by default as
ethr-did-resolver 11 does (``Ed25519VerificationKey2018`` + ``publicKeyHex`` …), with ``key_format="jwk"`` or
``"multibase"`` (ethr-did-resolver 12+) as options. ``#controller`` (``EcdsaSecp256k1RecoveryMethod2020``,
``blockchainAccountId`` = ``eip155:<chainId>:<owner>``) in ``authentication`` and ``assertionMethod``, with
``#controllerKey`` beside it when the DID is a public key still controlled by its own address; ``veriKey`` /
``sigAuth`` delegates and ``did/pub/<algorithm>/<purpose>[/<encoding>]`` attributes as ``#delegate-<n>``;
``did/svc/<type>`` attributes as ``#service-<n>`` (``n`` counts the events that touch that section, revocations
included, so ids are stable). A delegate or attribute is in the document while its ``validTo`` is greater than or
equal to the time of resolution (the specification's rule and the reference's comparison), so a delegate revoked in
block B (``validTo`` = B's time) is still listed when resolving at B and gone after. Owner ``0x0`` deactivates the
DID for good: an empty document and ``deactivated: true``.

**Writing.** :class:`EthrDIDController` signs registry transactions locally with an eth-account account (a keystore
key, a KMS signer) and sends them through the injected ``Web3``; :func:`meta_transaction_digest` is what an owner
signs for the ``…Signed`` functions, so a relayer can pay the gas.

Nothing here builds a provider or reads the environment: the ``Web3`` and the registry address are injected.
"""

from __future__ import annotations

from microcred.did._ethr_controller import (
    EthrDIDController,
    decode_registry_revert,
    meta_transaction_digest,
)
from microcred.did._ethr_events import (
    AttributeChanged,
    CONTENT_TYPE,
    DelegateChanged,
    ETHR_NETWORKS,
    ETHR_REGISTRIES,
    EthrBadSignatureError,
    EthrDID,
    EthrHistoryTooLongError,
    EthrIdentityDeactivatedError,
    EthrNotOwnerError,
    EthrRegistryNotFoundError,
    EthrRegistryRevert,
    EthrTransactionError,
    EthrValidityTooLongError,
    InvalidResolutionOptionsError,
    OwnerChanged,
    REGISTRY_ERRORS,
    RegistryEvent,
    UnsupportedNetworkError,
    bytes32,
    bytes32_text,
    ethr_did,
    parse_ethr_did,
)
from microcred.did._ethr_resolver import (
    KEY_FORMATS,
    EthrNetworks,
    EthrResolver,
    IdentitySnapshot,
    build_result,
)

__all__ = [
    "AttributeChanged",
    "CONTENT_TYPE",
    "DelegateChanged",
    "ETHR_NETWORKS",
    "ETHR_REGISTRIES",
    "EthrBadSignatureError",
    "EthrDID",
    "EthrDIDController",
    "EthrHistoryTooLongError",
    "EthrIdentityDeactivatedError",
    "EthrNetworks",
    "EthrNotOwnerError",
    "EthrRegistryNotFoundError",
    "EthrRegistryRevert",
    "EthrResolver",
    "EthrTransactionError",
    "EthrValidityTooLongError",
    "IdentitySnapshot",
    "InvalidResolutionOptionsError",
    "KEY_FORMATS",
    "OwnerChanged",
    "REGISTRY_ERRORS",
    "RegistryEvent",
    "UnsupportedNetworkError",
    "bytes32",
    "bytes32_text",
    "build_result",
    "decode_registry_revert",
    "ethr_did",
    "meta_transaction_digest",
    "parse_ethr_did",
]
