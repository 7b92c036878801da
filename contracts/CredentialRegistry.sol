// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICredentialRegistry} from "./ICredentialRegistry.sol";

/// @title CredentialRegistry
/// @notice See {ICredentialRegistry}.
/// @dev Storage layout, chosen for gas:
///  - one word per issuer: next free index and the block of its latest change (the history head);
///  - one word per batch: `(issuer, root) → (firstIndex, count, time, block)`;
///  - status: two bits per credential, 128 credentials per storage word. The fourth code, 3, marks an index
///    *reserved*: skipped by an `anchorAhead`, below the next free index but not anchored. So "is this index
///    anchored?" costs nothing more than reading its status (`index < nextIndex` and code != 3), and the views
///    report a reserved index as 0, like any index not anchored.
contract CredentialRegistry is ICredentialRegistry {
    uint8 internal constant ACTIVE = 0;
    uint8 internal constant SUSPENDED = 1;
    uint8 internal constant REVOKED = 2;
    uint8 internal constant RESERVED = 3;

    /// @inheritdoc ICredentialRegistry
    uint64 public constant MAX_BATCH_SIZE = 65_536;

    /// @dev The low bit of every two-bit field of a status word.
    uint256 internal constant LOW_BITS = 0x5555555555555555555555555555555555555555555555555555555555555555;

    struct IssuerState {
        uint64 nextIndex;
        uint64 lastChange;
    }

    mapping(address issuer => IssuerState) internal _issuers;
    mapping(address issuer => mapping(bytes32 root => Batch)) internal _batches;
    mapping(address issuer => mapping(uint256 word => uint256)) internal _status;
    mapping(address issuer => mapping(address operator => uint64 validUntil)) internal _operators;

    /// @dev Time in one overridable place, so tests can move it.
    function _time() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }

    function _authorize(address issuer) internal view {
        if (msg.sender != issuer && _operators[issuer][msg.sender] <= _time()) {
            revert UnauthorizedAccount(issuer, msg.sender);
        }
    }

    /// @inheritdoc ICredentialRegistry
    function authorizeOperator(address operator, uint64 validUntil) external {
        if (operator == msg.sender) revert SelfOperator(msg.sender);
        IssuerState storage state = _issuers[msg.sender];
        uint256 previous = state.lastChange;
        _operators[msg.sender][operator] = validUntil;
        state.lastChange = uint64(block.number);
        emit OperatorAuthorized(msg.sender, operator, validUntil, previous);
    }

    /// @inheritdoc ICredentialRegistry
    function anchor(bytes32 root, uint64 firstIndex, uint64 count) external {
        _anchor(msg.sender, root, firstIndex, count, false);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorFor(address issuer, bytes32 root, uint64 firstIndex, uint64 count) external {
        _authorize(issuer);
        _anchor(issuer, root, firstIndex, count, false);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorAhead(bytes32 root, uint64 firstIndex, uint64 count) external {
        _anchor(msg.sender, root, firstIndex, count, true);
    }

    /// @inheritdoc ICredentialRegistry
    function anchorAheadFor(address issuer, bytes32 root, uint64 firstIndex, uint64 count) external {
        _authorize(issuer);
        _anchor(issuer, root, firstIndex, count, true);
    }

    /// @inheritdoc ICredentialRegistry
    function revoke(uint256[] calldata indexes, uint8 reason) external {
        _change(msg.sender, indexes, REVOKED, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function suspend(uint256[] calldata indexes, uint8 reason) external {
        _change(msg.sender, indexes, SUSPENDED, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function reinstate(uint256[] calldata indexes, uint8 reason) external {
        _change(msg.sender, indexes, ACTIVE, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function revokeFor(address issuer, uint256[] calldata indexes, uint8 reason) external {
        _authorize(issuer);
        _change(issuer, indexes, REVOKED, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function suspendFor(address issuer, uint256[] calldata indexes, uint8 reason) external {
        _authorize(issuer);
        _change(issuer, indexes, SUSPENDED, reason);
    }

    /// @inheritdoc ICredentialRegistry
    function reinstateFor(address issuer, uint256[] calldata indexes, uint8 reason) external {
        _authorize(issuer);
        _change(issuer, indexes, ACTIVE, reason);
    }

    /// @dev Check, write, emit. Invariant: below `nextIndex` every index is either in exactly one batch or
    /// reserved (code 3); from `nextIndex` up every status field is 0 and no batch covers it. A batch at the next free
    /// index extends it; one above it (`ahead`) first reserves the skipped indexes; one below it must lie on reserved
    /// indexes only (which it turns into anchored, active ones), possibly reaching past the next free index.
    function _anchor(address issuer, bytes32 root, uint64 firstIndex, uint64 count, bool ahead) internal {
        if (root == bytes32(0)) revert ZeroRoot();
        if (count == 0) revert EmptyBatch();
        if (count > MAX_BATCH_SIZE) revert RangeTooLarge(firstIndex, count);
        IssuerState memory state = _issuers[issuer];
        uint64 next = state.nextIndex;
        uint256 end = uint256(firstIndex) + count;
        if (end > type(uint64).max) revert RangeTooLarge(firstIndex, count);
        if (firstIndex > next && (!ahead || firstIndex - next > MAX_BATCH_SIZE)) {
            revert RangeNotContiguous(issuer, firstIndex, next);
        }
        if (_batches[issuer][root].count != 0) revert RootAlreadyAnchored(issuer, root);

        if (firstIndex < next) _claimReserved(issuer, firstIndex, end < next ? end : next, next);
        else if (firstIndex > next) _reserve(issuer, next, firstIndex);
        _batches[issuer][root] = Batch(firstIndex, count, _time(), uint64(block.number));
        _issuers[issuer] = IssuerState(end > next ? uint64(end) : next, uint64(block.number));
        emit BatchAnchored(issuer, root, firstIndex, count, state.lastChange);
    }

    /// @dev The status fields `[lo, hi)` of one word (0 <= lo < hi <= 128), as a bit mask.
    function _fieldMask(uint256 lo, uint256 hi) internal pure returns (uint256) {
        uint256 upper = hi == 128 ? type(uint256).max : (uint256(1) << (hi << 1)) - 1;
        return upper & ~((uint256(1) << (lo << 1)) - 1);
    }

    /// @dev Turn the reserved indexes `[from, to)` into anchored, active ones; any of them not reserved (anchored
    /// already) is an overlap.
    function _claimReserved(address issuer, uint64 from, uint256 to, uint64 next) internal {
        mapping(uint256 => uint256) storage words = _status[issuer];
        uint256 last = (to - 1) >> 7;
        for (uint256 w = from >> 7; w <= last; ++w) {
            uint256 lo = w == from >> 7 ? from & 127 : 0;
            uint256 hi = w == last ? ((to - 1) & 127) + 1 : 128;
            uint256 mask = _fieldMask(lo, hi);
            uint256 word = words[w];
            if (word & mask != mask) revert RangeOverlaps(issuer, from, next);
            words[w] = word & ~mask;
        }
    }

    /// @dev Mark the unused indexes `[from, to)` reserved (their fields are 0, being at or above the next free index).
    function _reserve(address issuer, uint256 from, uint256 to) internal {
        mapping(uint256 => uint256) storage words = _status[issuer];
        uint256 last = (to - 1) >> 7;
        for (uint256 w = from >> 7; w <= last; ++w) {
            uint256 lo = w == from >> 7 ? from & 127 : 0;
            uint256 hi = w == last ? ((to - 1) & 127) + 1 : 128;
            words[w] |= _fieldMask(lo, hi);
        }
    }

    /// @dev A status word as the views show it: reserved fields (code 3) read 0, like any index not anchored.
    function _visible(uint256 word) internal pure returns (uint256) {
        uint256 reserved = (word >> 1) & word & LOW_BITS;
        return word & ~(reserved | (reserved << 1));
    }

    /// @dev Check, write, emit. Consecutive indexes in one word cost one storage read and one write.
    function _change(address issuer, uint256[] calldata indexes, uint8 target, uint8 reason) internal {
        uint256 n = indexes.length;
        if (n == 0) revert NoIndexes();
        IssuerState storage stateRef = _issuers[issuer];
        IssuerState memory state = stateRef;
        mapping(uint256 => uint256) storage words = _status[issuer];

        uint256 wordIndex = type(uint256).max;
        uint256 word;
        for (uint256 k; k < n;) {
            uint256 index = indexes[k];
            if (index >= state.nextIndex) revert IndexNotAnchored(issuer, index);
            uint256 w = index >> 7;
            if (w != wordIndex) {
                if (wordIndex != type(uint256).max) words[wordIndex] = word;
                wordIndex = w;
                word = words[w];
            }
            uint256 shift = (index & 127) << 1;
            uint256 current = (word >> shift) & 3;
            if (current >= REVOKED) {
                if (current == RESERVED) revert IndexNotAnchored(issuer, index);
                revert CredentialIsRevoked(issuer, index);
            }
            if (target == SUSPENDED) {
                if (current == SUSPENDED) revert CredentialIsSuspended(issuer, index);
            } else if (target == ACTIVE) {
                if (current != SUSPENDED) revert CredentialNotSuspended(issuer, index);
            }
            word = (word & ~(uint256(3) << shift)) | (uint256(target) << shift);
            unchecked {
                ++k;
            }
        }
        words[wordIndex] = word;
        stateRef.lastChange = uint64(block.number);
        if (target == REVOKED) emit CredentialsRevoked(issuer, reason, indexes, state.lastChange);
        else if (target == SUSPENDED) emit CredentialsSuspended(issuer, reason, indexes, state.lastChange);
        else emit CredentialsReinstated(issuer, reason, indexes, state.lastChange);
    }

    /// @inheritdoc ICredentialRegistry
    function statusOf(address issuer, uint256[] calldata indexes) external view returns (uint8[] memory) {
        return _statusOf(issuer, indexes);
    }

    function _statusOf(address issuer, uint256[] calldata indexes) internal view returns (uint8[] memory result) {
        mapping(uint256 => uint256) storage words = _status[issuer];
        result = new uint8[](indexes.length);
        for (uint256 k; k < indexes.length; ++k) {
            uint256 index = indexes[k];
            uint8 code = uint8((words[index >> 7] >> ((index & 127) << 1)) & 3);
            result[k] = code == RESERVED ? ACTIVE : code;
        }
    }

    /// @inheritdoc ICredentialRegistry
    function statusWords(address issuer, uint256[] calldata wordIndexes)
        external
        view
        returns (uint256[] memory result)
    {
        mapping(uint256 => uint256) storage words = _status[issuer];
        result = new uint256[](wordIndexes.length);
        for (uint256 k; k < wordIndexes.length; ++k) {
            result[k] = _visible(words[wordIndexes[k]]);
        }
    }

    /// @inheritdoc ICredentialRegistry
    function batchOf(address issuer, bytes32 root) external view returns (Batch memory) {
        return _batches[issuer][root];
    }

    /// @inheritdoc ICredentialRegistry
    function batchesOf(address issuer, bytes32[] calldata roots) external view returns (Batch[] memory) {
        return _batchesOf(issuer, roots);
    }

    function _batchesOf(address issuer, bytes32[] calldata roots) internal view returns (Batch[] memory result) {
        result = new Batch[](roots.length);
        for (uint256 k; k < roots.length; ++k) {
            result[k] = _batches[issuer][roots[k]];
        }
    }

    /// @inheritdoc ICredentialRegistry
    function verificationState(address issuer, bytes32[] calldata roots, uint256[] calldata indexes)
        external
        view
        returns (Batch[] memory batches, uint8[] memory statuses, uint64 lastChange)
    {
        batches = _batchesOf(issuer, roots);
        statuses = _statusOf(issuer, indexes);
        lastChange = _issuers[issuer].lastChange;
    }

    /// @inheritdoc ICredentialRegistry
    function issuerState(address issuer) external view returns (uint64 nextIndex, uint64 lastChange) {
        IssuerState storage stateRef = _issuers[issuer];
        IssuerState memory state = stateRef;
        return (state.nextIndex, state.lastChange);
    }

    /// @inheritdoc ICredentialRegistry
    function operatorUntil(address issuer, address operator) external view returns (uint64) {
        return _operators[issuer][operator];
    }

    /// @inheritdoc ICredentialRegistry
    function verifyInclusion(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool)
    {
        if (_batches[issuer][root].count == 0) return false;
        bytes32 node = leaf;
        for (uint256 k; k < proof.length; ++k) {
            bytes32 sibling = proof[k];
            node = node < sibling
                ? keccak256(abi.encodePacked(node, sibling))
                : keccak256(abi.encodePacked(sibling, node));
        }
        return node == root;
    }
}
