// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IEthereumDIDRegistry} from "./IEthereumDIDRegistry.sol";

/// @title EthereumDIDRegistry
/// @notice See {IEthereumDIDRegistry}: ERC-1056, with the ABI of the registry deployed on public networks.
/// @dev Differences from the 2018 contract, none visible in the ABI:
///  - custom errors instead of bare `require`s;
///  - one storage word per identity holds its owner, the block of its latest change and whether it is deactivated,
///    so a change reads and writes one word instead of two;
///  - setting the owner to `address(0)` deactivates the identity for good (the 2018 contract silently gave it back
///    to itself), as the did:ethr method specification requires; `identityOwner` then answers `address(0)`;
///  - a meta-transaction signature must have `v` 27/28 and a low `s`, and must recover to a non-zero address.
contract EthereumDIDRegistry is IEthereumDIDRegistry {
    /// @dev Half the order of secp256k1: signatures with a higher `s` are the malleable twin of a low one.
    uint256 internal constant HALF_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    struct Identity {
        address owner; // address(0): the identity owns itself (or is deactivated)
        uint64 changed; // block of the latest change
        bool deactivated;
    }

    mapping(address identity => Identity) internal _identities;

    /// @inheritdoc IEthereumDIDRegistry
    mapping(address identity => mapping(bytes32 delegateTypeHash => mapping(address delegate => uint256 validTo)))
        public delegates;

    /// @inheritdoc IEthereumDIDRegistry
    mapping(address signer => uint256) public nonce;

    /// @dev Time in one overridable place, so tests can move it.
    function _time() internal view virtual returns (uint256) {
        return block.timestamp;
    }

    // -- reads ----------------------------------------------------------------------------------------------------

    /// @inheritdoc IEthereumDIDRegistry
    function owners(address identity) external view returns (address) {
        return _identities[identity].owner;
    }

    /// @inheritdoc IEthereumDIDRegistry
    function changed(address identity) external view returns (uint256) {
        return _identities[identity].changed;
    }

    /// @inheritdoc IEthereumDIDRegistry
    function identityOwner(address identity) public view returns (address) {
        Identity storage id = _identities[identity];
        if (id.deactivated) return address(0);
        address owner = id.owner;
        return owner == address(0) ? identity : owner;
    }

    /// @inheritdoc IEthereumDIDRegistry
    function validDelegate(address identity, bytes32 delegateType, address delegate) external view returns (bool) {
        return delegates[identity][keccak256(abi.encodePacked(delegateType))][delegate] > _time();
    }

    // -- owner ----------------------------------------------------------------------------------------------------

    /// @inheritdoc IEthereumDIDRegistry
    function changeOwner(address identity, address newOwner) external {
        _changeOwner(identity, msg.sender, newOwner);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function changeOwnerSigned(address identity, uint8 sigV, bytes32 sigR, bytes32 sigS, address newOwner) external {
        address owner = _activeOwner(identity);
        bytes32 digest = keccak256(
            abi.encodePacked(bytes1(0x19), bytes1(0), address(this), nonce[owner], identity, "changeOwner", newOwner)
        );
        _changeOwner(identity, _signer(identity, owner, digest, sigV, sigR, sigS), newOwner);
    }

    function _changeOwner(address identity, address actor, address newOwner) internal {
        Identity storage id = _checkOwner(identity, actor);
        uint256 previous = id.changed;
        id.owner = newOwner;
        if (newOwner == address(0)) id.deactivated = true;
        id.changed = uint64(block.number);
        emit DIDOwnerChanged(identity, newOwner, previous);
    }

    // -- delegates ------------------------------------------------------------------------------------------------

    /// @inheritdoc IEthereumDIDRegistry
    function addDelegate(address identity, bytes32 delegateType, address delegate, uint256 validity) external {
        _addDelegate(identity, msg.sender, delegateType, delegate, validity);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function addDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate,
        uint256 validity
    ) external {
        address owner = _activeOwner(identity);
        bytes32 digest = keccak256(
            abi.encodePacked(
                bytes1(0x19),
                bytes1(0),
                address(this),
                nonce[owner],
                identity,
                "addDelegate",
                delegateType,
                delegate,
                validity
            )
        );
        _addDelegate(identity, _signer(identity, owner, digest, sigV, sigR, sigS), delegateType, delegate, validity);
    }

    function _addDelegate(address identity, address actor, bytes32 delegateType, address delegate, uint256 validity)
        internal
    {
        Identity storage id = _checkOwner(identity, actor);
        uint256 validTo = _until(validity);
        delegates[identity][keccak256(abi.encodePacked(delegateType))][delegate] = validTo;
        uint256 previous = id.changed;
        id.changed = uint64(block.number);
        emit DIDDelegateChanged(identity, delegateType, delegate, validTo, previous);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeDelegate(address identity, bytes32 delegateType, address delegate) external {
        _revokeDelegate(identity, msg.sender, delegateType, delegate);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeDelegateSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 delegateType,
        address delegate
    ) external {
        address owner = _activeOwner(identity);
        bytes32 digest = keccak256(
            abi.encodePacked(
                bytes1(0x19), bytes1(0), address(this), nonce[owner], identity, "revokeDelegate", delegateType, delegate
            )
        );
        _revokeDelegate(identity, _signer(identity, owner, digest, sigV, sigR, sigS), delegateType, delegate);
    }

    function _revokeDelegate(address identity, address actor, bytes32 delegateType, address delegate) internal {
        Identity storage id = _checkOwner(identity, actor);
        uint256 now_ = _time();
        delegates[identity][keccak256(abi.encodePacked(delegateType))][delegate] = now_;
        uint256 previous = id.changed;
        id.changed = uint64(block.number);
        emit DIDDelegateChanged(identity, delegateType, delegate, now_, previous);
    }

    // -- attributes -----------------------------------------------------------------------------------------------

    /// @inheritdoc IEthereumDIDRegistry
    function setAttribute(address identity, bytes32 name, bytes calldata value, uint256 validity) external {
        _setAttribute(identity, msg.sender, name, value, validity);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function setAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value,
        uint256 validity
    ) external {
        address owner = _activeOwner(identity);
        bytes32 digest = keccak256(
            abi.encodePacked(
                bytes1(0x19), bytes1(0), address(this), nonce[owner], identity, "setAttribute", name, value, validity
            )
        );
        _setAttribute(identity, _signer(identity, owner, digest, sigV, sigR, sigS), name, value, validity);
    }

    function _setAttribute(address identity, address actor, bytes32 name, bytes calldata value, uint256 validity)
        internal
    {
        Identity storage id = _checkOwner(identity, actor);
        uint256 validTo = _until(validity);
        uint256 previous = id.changed;
        id.changed = uint64(block.number);
        emit DIDAttributeChanged(identity, name, value, validTo, previous);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeAttribute(address identity, bytes32 name, bytes calldata value) external {
        _revokeAttribute(identity, msg.sender, name, value);
    }

    /// @inheritdoc IEthereumDIDRegistry
    function revokeAttributeSigned(
        address identity,
        uint8 sigV,
        bytes32 sigR,
        bytes32 sigS,
        bytes32 name,
        bytes calldata value
    ) external {
        address owner = _activeOwner(identity);
        bytes32 digest = keccak256(
            abi.encodePacked(
                bytes1(0x19), bytes1(0), address(this), nonce[owner], identity, "revokeAttribute", name, value
            )
        );
        _revokeAttribute(identity, _signer(identity, owner, digest, sigV, sigR, sigS), name, value);
    }

    function _revokeAttribute(address identity, address actor, bytes32 name, bytes calldata value) internal {
        Identity storage id = _checkOwner(identity, actor);
        uint256 previous = id.changed;
        id.changed = uint64(block.number);
        emit DIDAttributeChanged(identity, name, value, 0, previous);
    }

    // -- checks ---------------------------------------------------------------------------------------------------

    /// @dev The owner of a live identity; reverts for a deactivated one.
    function _activeOwner(address identity) internal view returns (address) {
        Identity storage id = _identities[identity];
        if (id.deactivated) revert IdentityDeactivated(identity);
        address owner = id.owner;
        return owner == address(0) ? identity : owner;
    }

    /// @dev The identity's record, once `actor` is known to be its owner.
    function _checkOwner(address identity, address actor) internal view returns (Identity storage id) {
        id = _identities[identity];
        if (id.deactivated) revert IdentityDeactivated(identity);
        address owner = id.owner;
        if (actor != (owner == address(0) ? identity : owner)) revert NotOwner(identity, actor);
    }

    /// @dev The signer of a meta-transaction, once it is known to be `owner`; spends the owner's nonce.
    function _signer(address identity, address owner, bytes32 digest, uint8 v, bytes32 r, bytes32 s)
        internal
        returns (address signer)
    {
        if ((v != 27 && v != 28) || uint256(s) > HALF_ORDER) revert BadSignature();
        signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert BadSignature();
        if (signer != owner) revert NotOwner(identity, signer);
        unchecked {
            ++nonce[signer];
        }
    }

    /// @dev `validity` seconds from now, refusing an overflow.
    function _until(uint256 validity) internal view returns (uint256) {
        uint256 now_ = _time();
        if (validity > type(uint256).max - now_) revert ValidityTooLong(validity);
        return now_ + validity;
    }
}
