// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ERC-1056 lightweight identity registry (the `EthereumDIDRegistry` of did:ethr)
/// @notice Every Ethereum address is an identity, owned by itself until its owner names another owner. The owner
/// adds delegates (addresses allowed to act for the identity for some purpose, until a time) and attributes (named
/// byte strings, published only as events, valid until a time). Each change emits an event carrying
/// `previousChange`, the block of the identity's previous change; `changed(identity)` is the latest, so a reader walks
/// an identity's whole history with one log query per changed block and never scans the chain.
/// Every state-changing function has a `…Signed` variant for meta-transactions: anyone may submit it with the
/// owner's signature over `keccak256(0x19 0x00 registry nonce(owner) identity "<functionName>" args…)`
/// (EIP-191 version 0, arguments tightly packed), which spends the owner's `nonce`.
/// @dev The function and event signatures are those of the registry deployed on public networks
/// (0xdca7ef03e98e0dc2b855be647c39abe984fcf21b, uport-project/ethr-did-registry 4278342e), so clients work with both.
/// Example: `registry.addDelegate(me, "veriKey", key, 86400)`; `registry.setAttribute(me, "did/svc/HubService",
/// bytes("https://hub.example"), 31536000)`; `registry.changeOwner(me, address(0))` deactivates `me` for good.
interface IEthereumDIDRegistry {
    /// @notice The owner of `identity` became `owner` (`address(0)`: the identity is deactivated).
    /// @param previousChange block of the identity's previous change (0 if none)
    event DIDOwnerChanged(address indexed identity, address owner, uint256 previousChange);

    /// @notice `delegate` is a delegate of `identity` for `delegateType` until `validTo` (unix time, exclusive);
    /// a revocation emits `validTo` = the block time of the revocation.
    /// @param previousChange block of the identity's previous change (0 if none)
    event DIDDelegateChanged(
        address indexed identity, bytes32 delegateType, address delegate, uint256 validTo, uint256 previousChange
    );

    /// @notice Attribute `name` = `value` of `identity` holds until `validTo` (unix time); 0 means revoked.
    /// @param previousChange block of the identity's previous change (0 if none)
    event DIDAttributeChanged(
        address indexed identity, bytes32 name, bytes value, uint256 validTo, uint256 previousChange
    );

    /// @notice `actor` is not the owner of `identity` (the caller, or the signer of a meta-transaction).
    error NotOwner(address identity, address actor);
    /// @notice `identity` was deactivated (its owner set to `address(0)`): nothing about it can change any more.
    error IdentityDeactivated(address identity);
    /// @notice A meta-transaction signature is malformed (bad `v`, high `s`, or no signer can be recovered).
    error BadSignature();
    /// @notice `validity` seconds from now overflow a unix time.
    error ValidityTooLong(uint256 validity);

    /// @notice The owner of `identity` as stored: `address(0)` when it was never changed (it owns itself).
    function owners(address identity) external view returns (address);

    /// @notice Unix time until which `delegate` is a delegate of `identity` for the type whose keccak256 is
    /// `delegateTypeHash` (0 if never added).
    function delegates(address identity, bytes32 delegateTypeHash, address delegate) external view returns (uint256);

    /// @notice Block number of the latest change of `identity` (0 if none): the head of its history.
    function changed(address identity) external view returns (uint256);

    /// @notice Meta-transaction nonce of `signer`, the owner whose signature a `…Signed` call carries.
    function nonce(address signer) external view returns (uint256);

    /// @notice The current owner of `identity`: itself by default, `address(0)` once deactivated.
    function identityOwner(address identity) external view returns (address);

    /// @notice Whether `delegate` is, now, a delegate of `identity` for `delegateType`.
    /// @param delegateType e.g. `"veriKey"` or `"sigAuth"` right-padded to 32 bytes
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool);

    /// @notice Make `newOwner` the owner of `identity`; `address(0)` deactivates it, finally. Only its owner may.
    function changeOwner(address identity, address newOwner) external;

    /// @notice {changeOwner} with the owner's signature over
    /// `keccak256(0x19 0x00 registry nonce(owner) identity "changeOwner" newOwner)`.
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external;

    /// @notice Make `delegate` a delegate of `identity` for `delegateType` during `validity` seconds from now.
    /// @param delegateType purpose, e.g. `"veriKey"` (signs for the identity) or `"sigAuth"` (also authenticates)
    /// @param validity seconds from this block's time
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external;

    /// @notice {addDelegate} with the owner's signature over
    /// `keccak256(0x19 0x00 registry nonce(owner) identity "addDelegate" delegateType delegate validity)`.
    function addDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) external;

    /// @notice End, now, the delegation of `delegate` for `delegateType` of `identity`.
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external;

    /// @notice {revokeDelegate} with the owner's signature over
    /// `keccak256(0x19 0x00 registry nonce(owner) identity "revokeDelegate" delegateType delegate)`.
    function revokeDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate
    ) external;

    /// @notice Publish attribute `name` = `value` of `identity`, valid `validity` seconds from now (event only).
    /// @param name e.g. `"did/pub/Ed25519/veriKey/base58"` or `"did/svc/HubService"` right-padded to 32 bytes
    /// @param value raw bytes (a public key, a URL in UTF-8 …)
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external;

    /// @notice {setAttribute} with the owner's signature over
    /// `keccak256(0x19 0x00 registry nonce(owner) identity "setAttribute" name value validity)`.
    function setAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) external;

    /// @notice Revoke attribute `name` = `value` of `identity` (emits it with `validTo` 0).
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external;

    /// @notice {revokeAttribute} with the owner's signature over
    /// `keccak256(0x19 0x00 registry nonce(owner) identity "revokeAttribute" name value)`.
    function revokeAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value
    ) external;
}
