// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAccreditationRegistry} from "./IAccreditationRegistry.sol";

/// @title AccreditationRegistry
/// @notice See {IAccreditationRegistry}.
/// @dev Storage layout, chosen for gas:
///  - a grant is three words (times and ids as uint40, good until the year 36812 and for 10^12 grants):
///    grantor, validity, level, depth | subject, field, previous grant of the subject | parent, the chain's top
///    grant, previous grant of the subject under the same root, creation, withdrawal. A withdrawal rewrites the last
///    word only. The credential kind is the same along a chain (a child keeps its parent's kind), so it is stored
///    once, for the top grant (the one made by the root as root).
///  - the grants of a subject form a linked list (newest first) whose head and length share the subject's word with
///    its history head; the grants of a subject under one root form a second list, so a verifier reads only the
///    chains that end at roots it trusts.
contract AccreditationRegistry is IAccreditationRegistry {
    /// @inheritdoc IAccreditationRegistry
    uint8 public constant MAX_DEPTH = 8;

    struct StoredGrant {
        // word 0
        address grantor;
        uint40 validFrom;
        uint40 validUntil;
        uint8 maxLevel;
        uint8 depth;
        // word 1
        address subject;
        bytes4 field;
        uint40 previousOfSubject;
        // word 2
        uint40 parentId;
        uint40 topId; // the grant of depth 1 this chain starts from (the grant itself at depth 1)
        uint40 previousUnderRoot;
        uint40 createdAt;
        uint40 withdrawnAt;
        uint8 withdrawReason;
    }

    struct AccountState {
        uint64 lastChange; // block of the latest change touching the account
        uint40 head; // newest grant whose subject is the account
        uint40 count; // number of such grants
    }

    struct GrantList {
        uint40 head;
        uint40 count;
    }

    uint40 internal _grantCount;
    mapping(uint256 grantId => StoredGrant) internal _grants;
    mapping(uint256 topId => bytes32 kind) internal _kinds;
    mapping(address account => AccountState) internal _accounts;
    mapping(address subject => mapping(address root => GrantList)) internal _underRoot;
    mapping(address account => Root) internal _roots;

    /// @dev Time in one overridable place, so tests can move it.
    function _time() internal view virtual returns (uint64) {
        return uint64(block.timestamp);
    }

    /// @inheritdoc IAccreditationRegistry
    function declareRoot(string calldata name, bytes2 country) external {
        if (_roots[msg.sender].declaredAt != 0) revert RootAlreadyDeclared(msg.sender);
        uint256 length = bytes(name).length;
        if (length == 0 || length > 64) revert InvalidRootName(length);
        if (!_isUpper(country[0]) || !_isUpper(country[1])) revert InvalidCountry(country);

        _roots[msg.sender] = Root(name, country, _time());
        AccountState storage state = _accounts[msg.sender];
        uint256 previous = state.lastChange;
        state.lastChange = uint64(block.number);
        emit RootDeclared(msg.sender, name, country, previous);
    }

    /// @inheritdoc IAccreditationRegistry
    function grant(address subject, Scope calldata scope, uint64 validFrom, uint64 validUntil, uint64 parentId)
        external
        returns (uint64 grantId)
    {
        if (subject == address(0)) revert ZeroSubject();
        if (subject == msg.sender) revert SelfGrant(msg.sender);
        if (scope.kind == bytes32(0)) revert ZeroKind();
        if (scope.maxLevel == 0 || scope.maxLevel > 8) revert InvalidLevel(scope.maxLevel);
        if (!_validField(scope.field)) revert InvalidField(scope.field);
        if (validFrom >= validUntil || validUntil > type(uint40).max) revert InvalidValidity(validFrom, validUntil);
        uint64 time = _time();
        (uint40 topId, uint8 depth) = _checkParent(parentId, scope, validFrom, validUntil, time);
        if (validUntil <= time) revert ValidityEnded(validUntil, time);

        // write
        uint40 id = ++_grantCount;
        address root;
        if (depth == 1) {
            topId = id;
            root = msg.sender;
            _kinds[id] = scope.kind;
        } else {
            root = _grants[topId].grantor;
        }
        AccountState memory subjectState = _accounts[subject];
        GrantList memory rootList = _underRoot[subject][root];
        _grants[id] = StoredGrant({
            grantor: msg.sender,
            validFrom: uint40(validFrom),
            validUntil: uint40(validUntil),
            maxLevel: scope.maxLevel,
            depth: depth,
            subject: subject,
            field: scope.field,
            previousOfSubject: subjectState.head,
            parentId: uint40(parentId),
            topId: topId,
            previousUnderRoot: rootList.head,
            createdAt: uint40(time),
            withdrawnAt: 0,
            withdrawReason: 0
        });
        _accounts[subject] = AccountState(uint64(block.number), id, subjectState.count + 1);
        _underRoot[subject][root] = GrantList(id, rootList.count + 1);
        AccountState storage grantorState = _accounts[msg.sender];
        uint256 grantorPrevious = grantorState.lastChange;
        grantorState.lastChange = uint64(block.number);
        grantId = id;
        emit AccreditationGranted(
            grantId,
            msg.sender,
            subject,
            parentId,
            scope,
            validFrom,
            validUntil,
            grantorPrevious,
            subjectState.lastChange
        );
    }

    /// @dev "A body can only grant what it holds": the caller's parent grant is live now and covers the new scope
    /// and validity, and none of its ancestors is withdrawn. Returns the top grant of the chain (0 for a root acting
    /// as root) and the new grant's depth.
    function _checkParent(uint64 parentId, Scope calldata scope, uint64 validFrom, uint64 validUntil, uint64 time)
        internal
        view
        returns (uint40 topId, uint8 depth)
    {
        if (parentId == 0) {
            if (_roots[msg.sender].declaredAt == 0) revert NotRoot(msg.sender);
            return (0, 1);
        }
        StoredGrant storage parent = _grants[parentId];
        address holder = parent.subject;
        if (holder == address(0)) revert UnknownGrant(parentId); // every grant has a subject
        if (holder != msg.sender) revert ParentNotHeld(parentId, holder, msg.sender);
        if (parent.withdrawnAt != 0) revert ParentWithdrawn(parentId, parentId, parent.withdrawnAt);
        if (time < parent.validFrom || time >= parent.validUntil) {
            revert ParentNotLive(parentId, parent.validFrom, parent.validUntil, time);
        }
        topId = parent.topId;
        bytes32 parentKind = _kinds[topId];
        if (scope.kind != parentKind) revert ParentKindDiffers(parentId, parentKind, scope.kind);
        if (scope.maxLevel > parent.maxLevel) revert LevelAboveParent(parentId, parent.maxLevel, scope.maxLevel);
        if (!_covers(parent.field, scope.field)) revert FieldNotCovered(parentId, parent.field, scope.field);
        if (validFrom < parent.validFrom || validUntil > parent.validUntil) {
            revert ValidityOutsideParent(parentId, parent.validFrom, parent.validUntil, validFrom, validUntil);
        }
        if (parent.depth >= MAX_DEPTH) revert ChainTooDeep(parentId, MAX_DEPTH);
        depth = parent.depth + 1;

        // the ancestors' validity nests inside the parent's, so only their withdrawal remains to be checked
        for (uint256 id = parent.parentId; id != 0;) {
            StoredGrant storage ancestor = _grants[id];
            if (ancestor.withdrawnAt != 0) revert ParentWithdrawn(parentId, uint64(id), ancestor.withdrawnAt);
            id = ancestor.parentId;
        }
    }

    /// @inheritdoc IAccreditationRegistry
    function withdraw(uint64 grantId, uint8 reason) external {
        StoredGrant storage record = _grants[grantId];
        address grantor = record.grantor;
        if (grantor == address(0)) revert UnknownGrant(grantId); // every grant has a grantor
        if (grantor != msg.sender) revert NotGrantor(grantId, grantor, msg.sender);
        if (record.withdrawnAt != 0) revert AlreadyWithdrawn(grantId, record.withdrawnAt);

        address subject = record.subject;
        record.withdrawnAt = uint40(_time());
        record.withdrawReason = reason;
        AccountState storage grantorState = _accounts[grantor];
        AccountState storage subjectState = _accounts[subject];
        uint256 grantorPrevious = grantorState.lastChange;
        uint256 subjectPrevious = subjectState.lastChange;
        grantorState.lastChange = uint64(block.number);
        subjectState.lastChange = uint64(block.number);
        emit AccreditationWithdrawn(grantId, grantor, subject, reason, grantorPrevious, subjectPrevious);
    }

    /// @inheritdoc IAccreditationRegistry
    function getGrant(uint64 grantId) external view returns (Grant memory) {
        if (grantId == 0 || grantId > _grantCount) revert UnknownGrant(grantId);
        return _load(grantId);
    }

    /// @inheritdoc IAccreditationRegistry
    function grantCount() external view returns (uint64) {
        return _grantCount;
    }

    /// @inheritdoc IAccreditationRegistry
    function grantsOf(address subject) external view returns (uint64[] memory ids) {
        AccountState memory state = _accounts[subject];
        ids = new uint64[](state.count);
        uint256 id = state.head;
        for (uint256 k = state.count; k != 0;) {
            unchecked {
                --k;
            }
            ids[k] = uint64(id);
            id = _grants[id].previousOfSubject;
        }
    }

    /// @inheritdoc IAccreditationRegistry
    function isRoot(address account) external view returns (bool) {
        return _roots[account].declaredAt != 0;
    }

    /// @inheritdoc IAccreditationRegistry
    function rootOf(address account) external view returns (Root memory) {
        return _roots[account];
    }

    /// @inheritdoc IAccreditationRegistry
    function lastChange(address account) external view returns (uint256) {
        return _accounts[account].lastChange;
    }

    /// @inheritdoc IAccreditationRegistry
    function chainsOf(address subject, address[] calldata roots)
        external
        view
        returns (Grant[] memory chains, uint256 subjectGrants)
    {
        subjectGrants = _accounts[subject].count;
        // first pass: how many entries (each grant brings its depth: itself and its ancestors)
        uint256 total;
        uint256 lists = roots.length == 0 ? 1 : roots.length;
        for (uint256 r; r < lists; ++r) {
            (uint256 id, bool all) = _listHead(subject, roots, r);
            while (id != 0) {
                StoredGrant storage g = _grants[id];
                total += g.depth;
                id = all ? g.previousOfSubject : g.previousUnderRoot;
            }
        }
        chains = new Grant[](total);
        uint256 n;
        for (uint256 r; r < lists; ++r) {
            (uint256 id, bool all) = _listHead(subject, roots, r);
            while (id != 0) {
                StoredGrant storage g = _grants[id];
                uint256 next = all ? g.previousOfSubject : g.previousUnderRoot;
                for (uint256 a = id; a != 0; a = _grants[a].parentId) {
                    chains[n++] = _load(a);
                }
                id = next;
            }
        }
    }

    function _listHead(address subject, address[] calldata roots, uint256 r) internal view returns (uint256, bool) {
        if (roots.length == 0) return (_accounts[subject].head, true);
        return (_underRoot[subject][roots[r]].head, false);
    }

    /// @inheritdoc IAccreditationRegistry
    function fieldCovers(bytes4 outer, bytes4 inner) external pure returns (bool) {
        return _covers(outer, inner);
    }

    function _load(uint256 id) internal view returns (Grant memory) {
        StoredGrant storage g = _grants[id];
        return Grant({
            id: uint64(id),
            grantor: g.grantor,
            subject: g.subject,
            scope: Scope(_kinds[g.topId], g.maxLevel, g.field),
            validFrom: g.validFrom,
            validUntil: g.validUntil,
            createdAt: g.createdAt,
            withdrawnAt: g.withdrawnAt,
            withdrawReason: g.withdrawReason,
            parentId: g.parentId,
            depth: g.depth
        });
    }

    /// @dev `outer` is empty (every field) or its non-zero leading bytes are the leading bytes of `inner`.
    function _covers(bytes4 outer, bytes4 inner) internal pure returns (bool) {
        uint32 o = uint32(outer);
        if (o == 0) return true;
        // compare the bytes of `inner` up to the last non-zero byte of `outer`
        uint32 mask;
        if (o & 0x000000FF != 0) mask = 0xFFFFFFFF;
        else if (o & 0x0000FF00 != 0) mask = 0xFFFFFF00;
        else if (o & 0x00FF0000 != 0) mask = 0xFFFF0000;
        else mask = 0xFF000000;
        return uint32(inner) & mask == o;
    }

    /// @dev Zero (every field), or 2 to 4 ASCII digits followed by zero bytes.
    function _validField(bytes4 field) internal pure returns (bool) {
        if (field == bytes4(0)) return true;
        uint256 digits;
        for (uint256 i; i < 4; ++i) {
            bytes1 b = field[i];
            if (b == 0) break;
            if (b < "0" || b > "9") return false;
            ++digits;
        }
        for (uint256 i = digits; i < 4; ++i) {
            if (field[i] != 0) return false;
        }
        return digits >= 2;
    }

    function _isUpper(bytes1 b) internal pure returns (bool) {
        return b >= "A" && b <= "Z";
    }
}
