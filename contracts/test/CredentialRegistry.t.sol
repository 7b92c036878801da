// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CredentialRegistry} from "../CredentialRegistry.sol";
import {ICredentialRegistry} from "../ICredentialRegistry.sol";
import {CredentialRegistryHarness} from "./CredentialRegistryHarness.sol";
import {TimedCredentialRegistry} from "./TimedCredentialRegistry.sol";
import {RegistryLogs} from "./handlers/RegistryHandler.sol";
import {Test, Vm} from "./utils/Test.sol";

/// @notice Shared fixtures: accounts, index-list builders, a sorted-pair keccak256 Merkle tree, event decoding.
abstract contract RegistryTestBase is Test {
    uint8 internal constant ACTIVE = 0;
    uint8 internal constant SUSPENDED = 1;
    uint8 internal constant REVOKED = 2;
    uint64 internal constant MAX64 = type(uint64).max;
    uint64 internal constant T0 = 1_800_000_000;
    uint64 internal constant MAX_BATCH = 65_536;

    CredentialRegistry internal reg;
    address internal issuer = address(0x1551);
    address internal otherIssuer = address(0x2662);
    address internal operator = address(0x0B0B);
    address internal stranger = address(0xBAD);

    bytes32 internal constant ROOT_A = keccak256("batch A");
    bytes32 internal constant ROOT_B = keccak256("batch B");
    bytes32 internal constant ROOT_C = keccak256("batch C");

    // -- errors, encoded as the registry reverts with them ------------------------------------------------------

    function _unauthorized(address who, address account) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICredentialRegistry.UnauthorizedAccount.selector, who, account);
    }

    function _revoked(address who, uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICredentialRegistry.CredentialIsRevoked.selector, who, index);
    }

    function _suspended(address who, uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICredentialRegistry.CredentialIsSuspended.selector, who, index);
    }

    function _notSuspended(address who, uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICredentialRegistry.CredentialNotSuspended.selector, who, index);
    }

    function _notAnchored(address who, uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(ICredentialRegistry.IndexNotAnchored.selector, who, index);
    }

    // -- index lists ------------------------------------------------------------------------------------------

    function _ids(uint256 a) internal pure returns (uint256[] memory list) {
        list = new uint256[](1);
        list[0] = a;
    }

    function _ids(uint256 a, uint256 b) internal pure returns (uint256[] memory list) {
        list = new uint256[](2);
        (list[0], list[1]) = (a, b);
    }

    function _ids(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory list) {
        list = new uint256[](3);
        (list[0], list[1], list[2]) = (a, b, c);
    }

    function _range(uint256 from, uint256 to) internal pure returns (uint256[] memory list) {
        list = new uint256[](to - from);
        for (uint256 k; k < list.length; ++k) list[k] = from + k;
    }

    function _statuses(address who, uint256[] memory indexes) internal view returns (uint8[] memory) {
        return reg.statusOf(who, indexes);
    }

    function _status(address who, uint256 index) internal view returns (uint8) {
        return reg.statusOf(who, _ids(index))[0];
    }

    function _anchorAs(address who, bytes32 root, uint64 first, uint64 count) internal {
        vm.prank(who);
        reg.anchor(root, first, count);
    }

    // -- sorted-pair keccak256 Merkle tree (an odd node is carried up unchanged) --------------------------------

    function _hashPair(bytes32 a, bytes32 b) internal pure returns (bytes32) {
        return a < b ? keccak256(abi.encodePacked(a, b)) : keccak256(abi.encodePacked(b, a));
    }

    function _nextLayer(bytes32[] memory layer) internal pure returns (bytes32[] memory up) {
        up = new bytes32[]((layer.length + 1) / 2);
        for (uint256 k; k < up.length; ++k) {
            up[k] = 2 * k + 1 < layer.length ? _hashPair(layer[2 * k], layer[2 * k + 1]) : layer[2 * k];
        }
    }

    function _merkleRoot(bytes32[] memory leaves) internal pure returns (bytes32) {
        bytes32[] memory layer = leaves;
        while (layer.length > 1) layer = _nextLayer(layer);
        return layer[0];
    }

    function _merkleProof(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32[] memory proof) {
        bytes32[] memory path = new bytes32[](64);
        uint256 length;
        bytes32[] memory layer = leaves;
        while (layer.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < layer.length) path[length++] = layer[sibling];
            layer = _nextLayer(layer);
            index >>= 1;
        }
        proof = new bytes32[](length);
        for (uint256 k; k < length; ++k) proof[k] = path[k];
    }

    function _leaves(uint256 n, uint256 salt) internal pure returns (bytes32[] memory leaves) {
        leaves = new bytes32[](n);
        for (uint256 k; k < n; ++k) leaves[k] = keccak256(abi.encode("credential", salt, k));
    }
}

/// @notice Unit and fuzz tests of {CredentialRegistry}.
contract CredentialRegistryTest is RegistryTestBase {
    CredentialRegistryHarness internal harness;

    function setUp() public {
        harness = new CredentialRegistryHarness();
        reg = harness;
        vm.warp(T0);
        vm.roll(100);
        vm.label(address(reg), "CredentialRegistry");
        vm.label(issuer, "issuer");
        vm.label(otherIssuer, "otherIssuer");
        vm.label(operator, "operator");
        vm.label(stranger, "stranger");
    }

    // == operators ===============================================================================================

    function test_operatorIsLiveUntilValidUntilAndExpiredExactlyThen() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 100);
        assertEq(reg.operatorUntil(issuer, operator), T0 + 100, "operatorUntil");

        vm.prank(operator);
        reg.suspendFor(issuer, _ids(1), 7);
        vm.warp(T0 + 99); // last second of the authorisation
        vm.prank(operator);
        reg.anchorFor(issuer, ROOT_B, 10, 5);
        assertEq(reg.batchOf(issuer, ROOT_B).count, 5, "anchored by the operator for the issuer");

        vm.warp(T0 + 100); // `validUntil` is exclusive
        vm.prank(operator);
        vm.expectRevert(_unauthorized(issuer, operator));
        reg.revokeFor(issuer, _ids(2), 1);
        vm.prank(operator);
        vm.expectRevert(_unauthorized(issuer, operator));
        reg.anchorFor(issuer, ROOT_C, 15, 1);
        assertEq(_status(issuer, 2), ACTIVE, "unchanged by the expired operator");
    }

    function test_operatorWithdrawnWithZero() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 days);
        vm.prank(operator);
        reg.suspendFor(issuer, _ids(3), 1);

        vm.prank(issuer);
        reg.authorizeOperator(operator, 0);
        assertEq(reg.operatorUntil(issuer, operator), 0, "withdrawn");
        vm.prank(operator);
        vm.expectRevert(_unauthorized(issuer, operator));
        reg.reinstateFor(issuer, _ids(3), 1);
        assertEq(_status(issuer, 3), SUSPENDED, "still suspended");
    }

    function test_operatorAuthorisedInThePastIsNotLive() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 - 1);
        vm.prank(operator);
        vm.expectRevert(_unauthorized(issuer, operator));
        reg.revokeFor(issuer, _ids(0), 1);
    }

    function test_selfOperatorRefused() public {
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.SelfOperator.selector, issuer));
        reg.authorizeOperator(issuer, T0 + 1 days);
        (, uint64 lastChange) = reg.issuerState(issuer);
        assertEq(lastChange, 0, "a refused authorisation leaves no history");
    }

    function test_authorizeOperatorEmitsAndMovesTheHead() public {
        vm.roll(150);
        vm.expectEmit(true, true, false, true, address(reg));
        emit ICredentialRegistry.OperatorAuthorized(issuer, operator, T0 + 5, 0);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 5);
        (uint64 nextIndex, uint64 lastChange) = reg.issuerState(issuer);
        assertEq(nextIndex, 0, "authorising anchors nothing");
        assertEq(lastChange, 150, "head moved to the authorising block");
    }

    function test_operatorOfOneIssuerCannotActForAnother() public {
        _anchorAs(otherIssuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 days);
        vm.prank(operator);
        vm.expectRevert(_unauthorized(otherIssuer, operator));
        reg.revokeFor(otherIssuer, _ids(1), 1);
    }

    function test_operatorCannotAuthoriseOthersForItsIssuer() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 days);
        // the operator's own authorisation names it as issuer, never the issuer it serves
        vm.prank(operator);
        reg.authorizeOperator(stranger, T0 + 1 days);
        assertEq(reg.operatorUntil(issuer, stranger), 0, "nothing granted for the issuer");
        assertEq(reg.operatorUntil(operator, stranger), T0 + 1 days, "granted for the operator itself");
        vm.prank(stranger);
        vm.expectRevert(_unauthorized(issuer, stranger));
        reg.revokeFor(issuer, _ids(1), 1);
    }

    function test_liveOperatorMayUseEveryForVariant() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 days);

        vm.startPrank(operator);
        reg.anchorFor(issuer, ROOT_B, 10, 10);
        reg.suspendFor(issuer, _ids(1, 12), 3);
        reg.reinstateFor(issuer, _ids(12), 4);
        reg.revokeFor(issuer, _ids(1, 2), 5);
        vm.stopPrank();

        uint8[] memory s = _statuses(issuer, _ids(1, 2, 12));
        assertEq(s[0], REVOKED, "1 revoked after suspension");
        assertEq(s[1], REVOKED, "2 revoked");
        assertEq(s[2], ACTIVE, "12 reinstated");
        (uint64 nextIndex,) = reg.issuerState(issuer);
        assertEq(nextIndex, 20, "the operator's batch counts for the issuer");
        (uint64 opNext, uint64 opLast) = reg.issuerState(operator);
        assertEq(opNext + opLast, 0, "the operator's own state is untouched");
    }

    function test_strangerIsRefusedEveryForVariant() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.suspendFor(issuer, _ids(4), 1); // the issuer itself may use the For variants
        bytes memory refused = _unauthorized(issuer, stranger);

        vm.startPrank(stranger);
        vm.expectRevert(refused);
        reg.anchorFor(issuer, ROOT_B, 10, 1);
        vm.expectRevert(refused);
        reg.revokeFor(issuer, _ids(1), 1);
        vm.expectRevert(refused);
        reg.suspendFor(issuer, _ids(1), 1);
        vm.expectRevert(refused);
        reg.reinstateFor(issuer, _ids(4), 1);
        vm.stopPrank();

        assertEq(_status(issuer, 1), ACTIVE, "1 untouched");
        assertEq(_status(issuer, 4), SUSPENDED, "4 untouched");
        assertEq(reg.batchOf(issuer, ROOT_B).count, 0, "nothing anchored");
    }

    function test_authorisationIsCheckedBeforeAnythingElse() public {
        // a stranger learns nothing about the issuer's state: every For call is refused with the same error
        vm.startPrank(stranger);
        vm.expectRevert(_unauthorized(issuer, stranger));
        reg.anchorFor(issuer, bytes32(0), 0, 0);
        vm.expectRevert(_unauthorized(issuer, stranger));
        reg.revokeFor(issuer, new uint256[](0), 1);
        vm.stopPrank();
    }

    // == anchoring ===============================================================================================

    function test_anchorRefusesZeroRoot() public {
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.ZeroRoot.selector));
        reg.anchor(bytes32(0), 0, 10);
    }

    function test_anchorRefusesEmptyBatch() public {
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.EmptyBatch.selector));
        reg.anchor(ROOT_A, 0, 0);
    }

    function test_anchorRefusesAlreadyAnchoredRoot() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RootAlreadyAnchored.selector, issuer, ROOT_A));
        reg.anchor(ROOT_A, 10, 10); // a free range, yet the root is taken
    }

    function test_anchorRefusesOverlappingRange() public {
        _anchorAs(issuer, ROOT_A, 0, 150); // next free index 150
        vm.startPrank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, uint64(149), 150));
        reg.anchor(ROOT_B, 149, 10);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, uint64(0), 150));
        reg.anchor(ROOT_B, 0, 10); // entirely below
        reg.anchor(ROOT_B, 150, 1); // exactly adjacent
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeNotContiguous.selector, issuer, uint64(153), 151));
        reg.anchor(ROOT_C, 153, 1); // anchor never skips indexes (anchorAhead does)
        vm.stopPrank();
        assertEq(reg.batchOf(issuer, ROOT_B).firstIndex, 150, "adjacent range anchored");
    }

    function test_anchorRefusesRangeTooLarge() public {
        harness.setNextIndex(issuer, MAX64 - 5); // near the top of the index space (no real calls get there)
        vm.startPrank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, MAX64 - 5, uint64(6)));
        reg.anchor(ROOT_A, MAX64 - 5, 6);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, MAX64, MAX64));
        reg.anchor(ROOT_A, MAX64, MAX64);
        reg.anchor(ROOT_A, MAX64 - 5, 5); // ends exactly at 2^64 - 1
        vm.stopPrank();
        (uint64 nextIndex,) = reg.issuerState(issuer);
        assertEq(nextIndex, MAX64, "index space used up");
        vm.prank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, MAX64, uint64(1)));
        reg.anchor(ROOT_B, MAX64, 1);
    }

    // == batch size bound and any-order anchoring ================================================================

    /// @dev One call cannot use up the index space: `anchor(root, 0, 2^64 - 1)` (the short-lived operator's attack)
    /// is refused, a batch of exactly MAX_BATCH_SIZE is accepted, and the operator's power ends with its
    /// authorisation.
    function test_batchSizeIsBounded() public {
        assertEq(reg.MAX_BATCH_SIZE(), MAX_BATCH, "MAX_BATCH_SIZE");
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 hours);
        vm.startPrank(operator);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, uint64(0), MAX64));
        reg.anchorFor(issuer, ROOT_A, 0, MAX64);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, uint64(0), MAX_BATCH + 1));
        reg.anchorFor(issuer, ROOT_A, 0, MAX_BATCH + 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, uint64(5), MAX_BATCH + 1));
        reg.anchorAheadFor(issuer, ROOT_A, 5, MAX_BATCH + 1);
        reg.anchorFor(issuer, ROOT_A, 0, MAX_BATCH);
        vm.stopPrank();
        (uint64 nextIndex,) = reg.issuerState(issuer);
        assertEq(nextIndex, MAX_BATCH, "one whole batch");
        vm.warp(T0 + 1 hours);
        vm.prank(operator);
        vm.expectRevert(_unauthorized(issuer, operator));
        reg.anchorFor(issuer, ROOT_B, MAX_BATCH, 1);
        _anchorAs(issuer, ROOT_B, MAX_BATCH, 1); // the issuer carries on
    }

    /// @dev anchorAhead skips at most MAX_BATCH_SIZE indexes: the gap is refused beyond, accepted at the bound.
    function test_anchorAheadSkipIsBounded() public {
        vm.startPrank(issuer);
        vm.expectRevert(
            abi.encodeWithSelector(ICredentialRegistry.RangeNotContiguous.selector, issuer, MAX_BATCH + 1, uint64(0))
        );
        reg.anchorAhead(ROOT_A, MAX_BATCH + 1, 1);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeNotContiguous.selector, issuer, MAX64 - 1, 0));
        reg.anchorAhead(ROOT_A, MAX64 - 1, 1);
        reg.anchorAhead(ROOT_A, MAX_BATCH, 1);
        vm.stopPrank();
        (uint64 nextIndex,) = reg.issuerState(issuer);
        assertEq(nextIndex, MAX_BATCH + 1, "next free index after the skip and the batch");
        assertEq(_status(issuer, 0), ACTIVE, "a reserved index reads active (not anchored, like before)");
        vm.prank(issuer);
        vm.expectRevert(_notAnchored(issuer, MAX_BATCH - 1));
        reg.revoke(_ids(MAX_BATCH - 1), 1);
    }

    /// @dev Course A holds 0-2, course B 3-5: B anchored first, then A; both anchored exactly, nothing stranded.
    function test_anchorBBeforeA() public {
        vm.expectEmit(true, true, false, true, address(reg));
        emit ICredentialRegistry.BatchAnchored(issuer, ROOT_B, 3, 3, 0);
        vm.prank(issuer);
        reg.anchorAhead(ROOT_B, 3, 3);
        (uint64 nextIndex,) = reg.issuerState(issuer);
        assertEq(nextIndex, 6, "next free index after B");
        vm.startPrank(issuer);
        vm.expectRevert(_notAnchored(issuer, 1));
        reg.revoke(_ids(4, 1), 1); // 0-2 are reserved, not anchored: only anchored indexes change status
        reg.revoke(_ids(4), 1);
        reg.anchor(ROOT_A, 0, 3);
        reg.suspend(_ids(1), 1);
        vm.stopPrank();
        (nextIndex,) = reg.issuerState(issuer);
        assertEq(nextIndex, 6, "filling reserved indexes leaves the next free index");
        assertEq(reg.batchOf(issuer, ROOT_A).firstIndex, 0, "A's range");
        assertEq(reg.batchOf(issuer, ROOT_A).count, 3, "A's count");
        uint8[] memory s = _statuses(issuer, _range(0, 6));
        assertEq(s[1], SUSPENDED, "A's index 1");
        assertEq(s[4], REVOKED, "B's index 4");
        assertEq(uint256(s[0]) + s[2] + s[3] + s[5], 0, "the others active");
    }

    /// @dev A batch inside reserved indexes may take any part of them; touching an anchored index is an overlap
    /// (reserved indexes always lie below an anchored batch, so a batch never reaches from them past the next free
    /// index); the skipped indexes of several ahead-batches are all fillable, and then every index changes status.
    function test_reservedIndexesAreFilledInAnyOrder() public {
        vm.startPrank(issuer);
        reg.anchorAhead(ROOT_C, 300, 10); // reserves 0-299 (words 0, 1 and part of 2)
        reg.anchor(ROOT_B, 100, 50); // the middle of the reserved ones
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, uint64(140), 310));
        reg.anchor(ROOT_A, 140, 20); // reaches into B
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, uint64(295), 310));
        reg.anchor(ROOT_A, 295, 20); // reaches into C
        reg.anchor(ROOT_A, 0, 100);
        reg.anchor(keccak256("D"), 150, 150); // the rest, across a word boundary
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, uint64(0), 310));
        reg.anchor(keccak256("E"), 0, 1); // nothing reserved is left
        reg.anchorAhead(keccak256("F"), 320, 5); // reserves 310-319
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, uint64(315), 325));
        reg.anchor(keccak256("G"), 315, 20); // past the reserved ones into F
        reg.anchor(keccak256("G"), 315, 5);
        reg.anchor(keccak256("H"), 310, 5);
        reg.revoke(_range(0, 325), 1); // every index anchored now
        vm.expectRevert(_notAnchored(issuer, 325));
        reg.revoke(_ids(325), 1);
        vm.stopPrank();
        uint8[] memory s = _statuses(issuer, _range(0, 325));
        for (uint256 k; k < s.length; ++k) assertEq(s[k], REVOKED, "revoked");
    }

    /// @dev The views never show the internal reserved code: statusOf and statusWords read reserved indexes as 0
    /// and leave the fields of anchored ones as they are.
    function test_viewsHideReservedIndexes() public {
        vm.startPrank(issuer);
        reg.anchor(ROOT_A, 0, 2);
        reg.revoke(_ids(0), 1);
        reg.suspend(_ids(1), 1);
        reg.anchorAhead(ROOT_B, 200, 1); // reserves 2-199
        vm.stopPrank();
        uint256[] memory words = reg.statusWords(issuer, _ids(0, 1));
        assertEq(words[0], uint256(REVOKED) | (uint256(SUSPENDED) << 2), "word 0: index 0 revoked, 1 suspended");
        assertEq(words[1], 0, "word 1: all reserved, read 0");
        assertEq(_status(issuer, 150), ACTIVE, "reserved index reads 0");
    }

    function test_anchorStoresTheBatchRecordAndMovesTheIssuer() public {
        vm.warp(T0 + 1234);
        vm.roll(321);
        vm.expectEmit(true, true, false, true, address(reg));
        emit ICredentialRegistry.BatchAnchored(issuer, ROOT_A, 0, 100, 0);
        _anchorAs(issuer, ROOT_A, 0, 100);

        ICredentialRegistry.Batch memory b = reg.batchOf(issuer, ROOT_A);
        assertEq(b.firstIndex, 0, "firstIndex");
        assertEq(b.count, 100, "count");
        assertEq(b.anchoredAt, T0 + 1234, "anchoredAt is the block time");
        assertEq(b.blockNumber, 321, "blockNumber");
        (uint64 nextIndex, uint64 lastChange) = reg.issuerState(issuer);
        assertEq(nextIndex, 100, "nextIndex = firstIndex + count");
        assertEq(lastChange, 321, "lastChange");

        vm.roll(400);
        vm.expectEmit(true, true, false, true, address(reg));
        emit ICredentialRegistry.BatchAnchored(issuer, ROOT_B, 100, 1, 321);
        _anchorAs(issuer, ROOT_B, 100, 1);

        bytes32[] memory roots = new bytes32[](3);
        (roots[0], roots[1], roots[2]) = (ROOT_A, ROOT_C, ROOT_B);
        ICredentialRegistry.Batch[] memory many = reg.batchesOf(issuer, roots);
        assertEq(many[0].count, 100, "batchesOf[0]");
        assertEq(many[1].count + many[1].firstIndex + many[1].anchoredAt + many[1].blockNumber, 0, "unknown root");
        assertEq(many[2].firstIndex, 100, "batchesOf[2]");
        assertEq(many[2].blockNumber, 400, "batchesOf[2].blockNumber");
    }

    function test_sameRootIsPerIssuer() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        _anchorAs(otherIssuer, ROOT_A, 0, 3);
        assertEq(reg.batchOf(issuer, ROOT_A).count, 10, "issuer's record kept");
        assertEq(reg.batchOf(otherIssuer, ROOT_A).count, 3, "other issuer's own record");
        assertEq(reg.batchOf(stranger, ROOT_A).count, 0, "nobody else's");
    }

    function test_verificationStateReadsEverythingInOneCall() public {
        vm.roll(200);
        _anchorAs(issuer, ROOT_A, 0, 300);
        vm.roll(210);
        vm.prank(issuer);
        reg.revoke(_ids(129), 2);
        bytes32[] memory roots = new bytes32[](2);
        (roots[0], roots[1]) = (ROOT_A, ROOT_B);
        (ICredentialRegistry.Batch[] memory batches, uint8[] memory statuses, uint64 lastChange) =
            reg.verificationState(issuer, roots, _ids(128, 129, 130));
        assertEq(batches[0].count, 300, "batch A");
        assertEq(batches[1].count, 0, "batch B unknown");
        assertEq(statuses[1], REVOKED, "129 revoked");
        assertEq(statuses[0] + statuses[2], 0, "neighbours active");
        assertEq(lastChange, 210, "head");
    }

    // == status transitions ======================================================================================

    function test_suspendThenReinstate() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        reg.suspend(_ids(5), 3);
        assertEq(_status(issuer, 5), SUSPENDED, "suspended");
        reg.reinstate(_ids(5), 4);
        assertEq(_status(issuer, 5), ACTIVE, "reinstated");
        reg.suspend(_ids(5), 3); // reversible any number of times
        assertEq(_status(issuer, 5), SUSPENDED, "suspended again");
        vm.stopPrank();
    }

    function test_revokeActive() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.revoke(_ids(0, 9), 1);
        uint8[] memory s = _statuses(issuer, _ids(0, 9, 5));
        assertEq(s[0], REVOKED, "0");
        assertEq(s[1], REVOKED, "9");
        assertEq(s[2], ACTIVE, "5 untouched");
    }

    function test_revokeSuspended() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        reg.suspend(_ids(6), 3);
        reg.revoke(_ids(6), 2);
        vm.stopPrank();
        assertEq(_status(issuer, 6), REVOKED, "revoked from suspended");
    }

    function test_revokedIsFinal() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        reg.revoke(_ids(7), 2);
        vm.expectRevert(_revoked(issuer, 7));
        reg.revoke(_ids(7), 2);
        vm.expectRevert(_revoked(issuer, 7));
        reg.suspend(_ids(7), 3);
        vm.expectRevert(_revoked(issuer, 7));
        reg.reinstate(_ids(7), 4);
        vm.expectRevert(_revoked(issuer, 7));
        reg.reinstateFor(issuer, _ids(7), 4);
        vm.stopPrank();
        assertEq(_status(issuer, 7), REVOKED, "still revoked");
    }

    function test_suspendTwiceRefused() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        reg.suspend(_ids(2), 3);
        vm.expectRevert(_suspended(issuer, 2));
        reg.suspend(_ids(2), 3);
        vm.stopPrank();
    }

    function test_reinstateActiveRefused() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        vm.expectRevert(_notSuspended(issuer, 2));
        reg.reinstate(_ids(2), 4);
    }

    function test_indexNotAnchoredRefused() public {
        vm.prank(issuer);
        vm.expectRevert(_notAnchored(issuer, 0));
        reg.revoke(_ids(0), 1); // nothing anchored yet

        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        vm.expectRevert(_notAnchored(issuer, 10));
        reg.suspend(_ids(10), 1); // first index after the batch
        vm.expectRevert(_notAnchored(issuer, type(uint256).max));
        reg.revoke(_ids(1, type(uint256).max), 1);
        vm.stopPrank();
        assertEq(_status(issuer, 1), ACTIVE, "the whole call was undone");
    }

    /// @dev Batches are contiguous, so no index below the next free one is left outside every batch: a gap is
    /// refused at anchoring, and an index at or above the next free one cannot change status.
    function test_noGapBetweenBatches() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        vm.expectRevert(abi.encodeWithSelector(ICredentialRegistry.RangeNotContiguous.selector, issuer, uint64(20), 10));
        reg.anchor(ROOT_B, 20, 10);
        vm.expectRevert(_notAnchored(issuer, 15));
        reg.revoke(_ids(15), 1);
        vm.stopPrank();
    }

    function test_noIndexesRefused() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        uint256[] memory none = new uint256[](0);
        bytes memory err = abi.encodeWithSelector(ICredentialRegistry.NoIndexes.selector);
        vm.startPrank(issuer);
        vm.expectRevert(err);
        reg.revoke(none, 1);
        vm.expectRevert(err);
        reg.suspend(none, 1);
        vm.expectRevert(err);
        reg.reinstate(none, 1);
        vm.stopPrank();
    }

    function test_failingIndexUndoesTheWholeCall() public {
        _anchorAs(issuer, ROOT_A, 0, 300);
        vm.startPrank(issuer);
        reg.suspend(_ids(200), 1);
        vm.roll(105);
        vm.expectRevert(_suspended(issuer, 200));
        reg.suspend(_ids(3, 130, 200), 1); // two changes in other words, then a refusal
        vm.stopPrank();
        uint8[] memory s = _statuses(issuer, _ids(3, 130, 200));
        assertEq(s[0] + s[1], 0, "earlier indexes of the refused call unchanged");
        (, uint64 lastChange) = reg.issuerState(issuer);
        assertEq(lastChange, 100, "head unchanged by the refused call");
    }

    function test_repeatedIndexInOneCallIsSeenChanged() public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.startPrank(issuer);
        vm.expectRevert(_suspended(issuer, 4));
        reg.suspend(_ids(4, 4), 1);
        vm.expectRevert(_revoked(issuer, 4));
        reg.revoke(_ids(4, 5, 4), 1);
        reg.suspend(_ids(4), 1);
        vm.expectRevert(_notSuspended(issuer, 4));
        reg.reinstate(_ids(4, 4), 1);
        vm.stopPrank();
        assertEq(_status(issuer, 4), SUSPENDED, "4 as before the refused calls");
    }

    function test_bulkChangeAcrossWordBoundaries() public {
        _anchorAs(issuer, ROOT_A, 0, 520);
        // unordered, leaving and re-entering words: 127|128 and 255|256 and 383|384 are word boundaries
        uint256[] memory revoked = new uint256[](9);
        (revoked[0], revoked[1], revoked[2], revoked[3], revoked[4]) = (127, 128, 0, 255, 256);
        (revoked[5], revoked[6], revoked[7], revoked[8]) = (129, 383, 384, 1);
        uint256[] memory suspended = _range(120, 136); // 120..135, crossing 127|128
        for (uint256 k; k < suspended.length; ++k) {
            if (suspended[k] == 127) suspended[k] = 511; // 127..129 are revoked above
            if (suspended[k] == 128) suspended[k] = 510;
            if (suspended[k] == 129) suspended[k] = 509;
        }
        vm.startPrank(issuer);
        reg.revoke(revoked, 2);
        reg.suspend(suspended, 3);
        vm.stopPrank();

        uint8[] memory expected = new uint8[](520);
        for (uint256 k; k < revoked.length; ++k) expected[revoked[k]] = REVOKED;
        for (uint256 k; k < suspended.length; ++k) expected[suspended[k]] = SUSPENDED;

        uint8[] memory got = _statuses(issuer, _range(0, 520));
        for (uint256 i; i < 520; ++i) assertEq(got[i], expected[i], string.concat("status of ", toString(i)));

        // index i at bits 2 (i % 128) of word i / 128
        uint256[] memory words = reg.statusWords(issuer, _range(0, 5));
        for (uint256 i; i < 520; ++i) {
            assertEq((words[i / 128] >> (2 * (i % 128))) & 3, expected[i], string.concat("word bits of ", toString(i)));
        }
        assertEq(words[0] >> 254, REVOKED, "127 is the top two bits of word 0");
        assertEq(words[1] & 3, REVOKED, "128 is the bottom two bits of word 1");
    }

    function test_statusWordsOfUnknownIssuerAreZero() public view {
        uint256[] memory words = reg.statusWords(stranger, _ids(0, 1, 1 << 200));
        assertEq(words[0] | words[1] | words[2], 0, "all zero");
    }

    function test_statusEventsCarryReasonIndexesAndPreviousChange() public {
        vm.roll(110);
        _anchorAs(issuer, ROOT_A, 0, 10);
        uint256[] memory list = _ids(3, 1);

        vm.roll(120);
        vm.expectEmit(true, false, false, true, address(reg));
        emit ICredentialRegistry.CredentialsSuspended(issuer, 9, list, 110);
        vm.prank(issuer);
        reg.suspend(list, 9);

        vm.roll(130);
        vm.expectEmit(true, false, false, true, address(reg));
        emit ICredentialRegistry.CredentialsReinstated(issuer, 8, list, 120);
        vm.prank(issuer);
        reg.reinstate(list, 8);

        vm.roll(140);
        vm.expectEmit(true, false, false, true, address(reg));
        emit ICredentialRegistry.CredentialsRevoked(issuer, 7, list, 130);
        vm.prank(issuer);
        reg.revoke(list, 7);
    }

    // == history ================================================================================================

    function test_historyIsALinkedListOfChangedBlocks() public {
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 30 days);
        vm.recordLogs();

        uint256[6] memory blocks = [uint256(1000), 1010, 1025, 1026, 1100, 1200];
        for (uint256 step; step < blocks.length; ++step) {
            vm.roll(blocks[step]);
            // interleave another issuer's changes: they must never enter this issuer's chain
            vm.prank(otherIssuer);
            if (step == 0) reg.anchor(ROOT_A, 0, 10);
            else reg.revoke(_ids(step), 1);

            if (step == 0) _anchorAs(issuer, ROOT_A, 0, 10);
            else if (step == 1) _suspendAs(operator, 4);
            else if (step == 2) _reinstateAs(issuer, 4);
            else if (step == 3) {
                vm.prank(issuer);
                reg.authorizeOperator(stranger, T0 + 1);
            } else if (step == 4) {
                vm.prank(operator);
                reg.anchorFor(issuer, ROOT_B, 10, 10);
            } else {
                vm.prank(operator);
                reg.revokeFor(issuer, _ids(4, 15), 2);
            }
        }

        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 expectedPrevious = 100; // the authorisation in block 100, before recording
        uint256 seen;
        for (uint256 k; k < logs.length; ++k) {
            if (logs[k].emitter != address(reg) || logs[k].topics[1] != bytes32(uint256(uint160(issuer)))) continue;
            (bool known, uint256 previous) = RegistryLogs.previousChange(logs[k]);
            assertTrue(known, "an event of the registry");
            assertEq(previous, expectedPrevious, string.concat("previousChange of change ", toString(seen)));
            expectedPrevious = blocks[seen++];
        }
        assertEq(seen, blocks.length, "one event per change of the issuer");
        (, uint64 head) = reg.issuerState(issuer);
        assertEq(head, 1200, "head is the latest change");
    }

    function test_twoChangesInOneBlockLinkTheSecondToThatBlock() public {
        vm.roll(500);
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.roll(600);
        vm.recordLogs();
        _suspendAs(issuer, 1);
        _suspendAs(issuer, 2);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        (, uint256 first) = RegistryLogs.previousChange(logs[0]);
        (, uint256 second) = RegistryLogs.previousChange(logs[1]);
        assertEq(first, 500, "first change of the block links to the earlier block");
        assertEq(second, 600, "second change links to its own block (the reader reads that block once)");
    }

    function _suspendAs(address who, uint256 index) internal {
        vm.prank(who);
        if (who == issuer) reg.suspend(_ids(index), 1);
        else reg.suspendFor(issuer, _ids(index), 1);
    }

    function _reinstateAs(address who, uint256 index) internal {
        vm.prank(who);
        reg.reinstateFor(issuer, _ids(index), 1);
    }

    // == inclusion ==============================================================================================

    function test_verifyInclusionForMembersOnly() public {
        bytes32[] memory leaves = _leaves(5, 1); // odd: the fifth leaf is carried up a level
        bytes32 root = _merkleRoot(leaves);
        _anchorAs(issuer, root, 0, 5);

        for (uint256 k; k < leaves.length; ++k) {
            assertTrue(
                reg.verifyInclusion(issuer, root, leaves[k], _merkleProof(leaves, k)),
                string.concat("member ", toString(k))
            );
        }
        bytes32 outsider = keccak256("not a member");
        assertFalse(reg.verifyInclusion(issuer, root, outsider, _merkleProof(leaves, 0)), "non-member");
        assertFalse(reg.verifyInclusion(issuer, root, leaves[0], _merkleProof(leaves, 1)), "wrong proof");
        assertFalse(reg.verifyInclusion(issuer, root, leaves[0], new bytes32[](0)), "empty proof");
        // a proof that is right for the tree, against a root the issuer did not anchor
        assertFalse(reg.verifyInclusion(otherIssuer, root, leaves[2], _merkleProof(leaves, 2)), "other issuer");
        _anchorAs(otherIssuer, keccak256("other root"), 0, 5);
        assertFalse(
            reg.verifyInclusion(otherIssuer, keccak256("other root"), leaves[2], _merkleProof(leaves, 2)),
            "root of another tree"
        );
    }

    function test_verifyInclusionSingleLeafBatch() public {
        bytes32 leaf = keccak256("only credential");
        _anchorAs(issuer, leaf, 0, 1);
        assertTrue(reg.verifyInclusion(issuer, leaf, leaf, new bytes32[](0)), "the root is the leaf");
        assertFalse(reg.verifyInclusion(issuer, leaf, keccak256("x"), new bytes32[](0)), "another leaf");
    }

    // == isolation ==============================================================================================

    function test_otherAccountsNeverTouchAnIssuersState() public {
        vm.roll(111);
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.suspend(_ids(2), 1);
        uint256[] memory before = reg.statusWords(issuer, _ids(0));

        vm.roll(222);
        vm.startPrank(otherIssuer);
        reg.anchor(ROOT_A, 0, 10); // the same root and indexes, in its own space
        reg.revoke(_ids(1, 2, 3), 2);
        reg.authorizeOperator(operator, T0 + 1 days);
        vm.stopPrank();
        vm.prank(operator); // another issuer's operator, acting for that issuer only
        reg.suspendFor(otherIssuer, _ids(5), 1);

        assertEq(reg.statusWords(issuer, _ids(0)), before, "issuer's status words");
        (uint64 nextIndex, uint64 lastChange) = reg.issuerState(issuer);
        assertEq(nextIndex, 10, "issuer's next index");
        assertEq(lastChange, 111, "issuer's head");
        assertEq(reg.batchOf(issuer, ROOT_A).blockNumber, 111, "issuer's batch record");
        assertEq(reg.operatorUntil(issuer, operator), 0, "issuer's operators");
    }

    // == fuzz ==================================================================================================

    /// @dev Anchoring succeeds iff the range is non-empty, at most MAX_BATCH_SIZE long, starts at the next free index
    /// (or, ahead, at most MAX_BATCH_SIZE above it) and ends within 64 bits; otherwise it reverts with exactly the
    /// first failing rule's error.
    function testFuzz_anchorSucceedsIffRangeIsFreeAndFits(uint64 next, uint64 first, uint64 count) public {
        _checkAnchorRange(next, first, count);
    }

    /// @dev The same rule near its edges: `first` within 2 of the next free index, the end within 2 of 2^64 - 1.
    function testFuzz_anchorRangeEdges(uint64 next, uint8 firstDelta, uint8 endDelta) public {
        next = uint64(bound(next, 0, MAX64 - 1));
        uint256 first = uint256(next) + (firstDelta % 5); // next - 2 .. next + 2, once shifted down by 2
        if (firstDelta & 0x80 != 0) endDelta = uint8(bound(endDelta, 0, 4)); // also near the batch-size bound
        if (firstDelta & 0x80 != 0) {
            first = first < 2 ? 0 : first - 2;
            if (first > MAX64) first = MAX64;
            _checkAnchorRange(next, uint64(first), uint64(MAX_BATCH - 2 + endDelta));
            return;
        }
        first = first < 2 ? 0 : first - 2;
        if (first > MAX64) first = MAX64;
        uint256 end = uint256(MAX64) - 2 + (endDelta % 5); // 2^64 - 3 .. 2^64 + 1
        uint256 count = end > first ? end - first : 0;
        if (count > MAX64) count = MAX64;
        _checkAnchorRange(next, uint64(first), uint64(count));
    }

    function _checkAnchorRange(uint64 next, uint64 first, uint64 count) internal {
        _checkAnchorRange(next, first, count, false);
        _checkAnchorRange(next, first, count, true);
    }

    /// @dev With `ahead`, a start above the next free index is accepted up to MAX_BATCH_SIZE above it. Below the next
    /// free index every index is anchored here (the harness moved it), so a lower start always overlaps.
    function _checkAnchorRange(uint64 next, uint64 first, uint64 count, bool ahead) internal {
        address who = ahead ? address(0xF00E) : address(0xF00D);
        harness.setNextIndex(who, next);
        bool fits = uint256(first) + count <= MAX64 && count <= MAX_BATCH;
        bool reachable = first == next || (ahead && first > next && first - next <= MAX_BATCH);
        bool ok = count > 0 && reachable && fits;

        bytes memory expected;
        if (count == 0) expected = abi.encodeWithSelector(ICredentialRegistry.EmptyBatch.selector);
        else if (!fits) expected = abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, first, count);
        else if (first > next && !reachable) {
            expected = abi.encodeWithSelector(ICredentialRegistry.RangeNotContiguous.selector, who, first, next);
        } else if (first < next) {
            expected = abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, who, first, next);
        }

        vm.prank(who);
        (bool success, bytes memory returned) = address(reg).call(
            ahead ? abi.encodeCall(reg.anchorAhead, (ROOT_B, first, count)) : abi.encodeCall(reg.anchor, (ROOT_B, first, count))
        );
        assertEq(success, ok, "anchor succeeded");
        (uint64 nextIndex,) = reg.issuerState(who);
        if (ok) {
            assertEq(nextIndex, uint256(first) + count, "next index after the batch");
            assertEq(reg.batchOf(who, ROOT_B).firstIndex, first, "batch first index");
        } else {
            assertEq(returned, expected, "revert data");
            assertEq(nextIndex, next, "next index unchanged");
        }
    }

    /// @dev A random sequence of bulk changes, by the issuer and by its operator, follows an in-memory model: each
    /// call succeeds iff the model accepts every index in order, reverts with the model's error otherwise, and
    /// afterwards statusOf and statusWords equal the model for every index.
    function testFuzz_transitionsFollowTheModel(uint256 seed) public {
        uint256 size = 300; // words 0..2, crossing two boundaries
        _anchorAs(issuer, ROOT_A, 0, uint64(size));
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 days);
        uint8[] memory model = new uint8[](size);

        for (uint256 step; step < 24; ++step) {
            uint256 r = uint256(keccak256(abi.encode(seed, step)));
            uint8 target = uint8(r % 3); // 0 reinstate, 1 suspend, 2 revoke
            uint256[] memory indexes = new uint256[](1 + (r >> 8) % 6);
            for (uint256 j; j < indexes.length; ++j) {
                uint256 q = uint256(keccak256(abi.encode(r, j)));
                // mostly a few hot indexes around the 127|128 boundary, so sequences revisit them
                indexes[j] = q % 4 == 0 ? (q >> 8) % (size + 3) : 124 + (q >> 8) % 8;
            }
            (uint8[] memory after_, bytes memory expected) = _apply(model, indexes, target);

            address actor = (r >> 16) % 2 == 0 ? issuer : operator;
            bytes memory data = actor == issuer
                ? (target == REVOKED
                        ? abi.encodeCall(reg.revoke, (indexes, 1))
                        : target == SUSPENDED
                            ? abi.encodeCall(reg.suspend, (indexes, 1))
                            : abi.encodeCall(reg.reinstate, (indexes, 1)))
                : (target == REVOKED
                        ? abi.encodeCall(reg.revokeFor, (issuer, indexes, 1))
                        : target == SUSPENDED
                            ? abi.encodeCall(reg.suspendFor, (issuer, indexes, 1))
                            : abi.encodeCall(reg.reinstateFor, (issuer, indexes, 1)));
            vm.prank(actor);
            (bool success, bytes memory returned) = address(reg).call(data);
            assertEq(success, expected.length == 0, string.concat("call accepted, step ", toString(step)));
            if (success) model = after_;
            else assertEq(returned, expected, string.concat("revert data, step ", toString(step)));
        }

        uint8[] memory got = _statuses(issuer, _range(0, size));
        uint256[] memory words = reg.statusWords(issuer, _range(0, 3));
        for (uint256 i; i < size; ++i) {
            assertEq(got[i], model[i], string.concat("statusOf ", toString(i)));
            assertEq((words[i >> 7] >> ((i & 127) << 1)) & 3, model[i], string.concat("word bits ", toString(i)));
        }
    }

    /// @dev The model of one bulk change: the statuses after it, or the error of the first index it refuses.
    function _apply(uint8[] memory model, uint256[] memory indexes, uint8 target)
        internal
        view
        returns (uint8[] memory next, bytes memory err)
    {
        next = new uint8[](model.length);
        for (uint256 i; i < model.length; ++i) next[i] = model[i];
        for (uint256 j; j < indexes.length; ++j) {
            uint256 index = indexes[j];
            if (index >= model.length) return (next, _notAnchored(issuer, index));
            uint8 current = next[index];
            if (current == REVOKED) return (next, _revoked(issuer, index));
            if (target == SUSPENDED && current == SUSPENDED) return (next, _suspended(issuer, index));
            if (target == ACTIVE && current != SUSPENDED) return (next, _notSuspended(issuer, index));
            next[index] = target;
        }
    }

    /// @dev An operator may act exactly while `now < validUntil`.
    function testFuzz_operatorLiveIffBeforeValidUntil(uint64 validUntil, uint64 time) public {
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, validUntil);
        vm.warp(time);
        vm.prank(operator);
        (bool success, bytes memory returned) =
            address(reg).call(abi.encodeCall(reg.suspendFor, (issuer, _ids(1), 1)));
        assertEq(success, validUntil > time, "operator accepted");
        if (!success) assertEq(returned, _unauthorized(issuer, operator), "revert data");
    }

    /// @dev Any account other than the issuer and its live operator is refused every For variant.
    function testFuzz_strangerRefused(address someone, uint8 which, uint64 index) public {
        vm.assume(someone != issuer && someone != operator && someone != address(vm));
        _anchorAs(issuer, ROOT_A, 0, 10);
        vm.prank(issuer);
        reg.authorizeOperator(operator, T0 + 1 days);
        vm.prank(issuer);
        reg.suspend(_ids(9), 1);
        uint256[] memory list = _ids(bound(index, 0, 9));
        bytes memory data;
        if (which % 4 == 0) data = abi.encodeCall(reg.anchorFor, (issuer, ROOT_B, 10, 5));
        else if (which % 4 == 1) data = abi.encodeCall(reg.revokeFor, (issuer, list, 1));
        else if (which % 4 == 2) data = abi.encodeCall(reg.suspendFor, (issuer, list, 1));
        else data = abi.encodeCall(reg.reinstateFor, (issuer, _ids(9), 1));
        uint256[] memory before = reg.statusWords(issuer, _ids(0));
        vm.prank(someone);
        (bool success, bytes memory returned) = address(reg).call(data);
        assertFalse(success, "a stranger's call succeeded");
        assertEq(returned, _unauthorized(issuer, someone), "revert data");
        assertEq(reg.statusWords(issuer, _ids(0)), before, "status untouched");
    }

    /// @dev Every leaf of a random tree (1..40 leaves) is proven, and a leaf outside it is not.
    function testFuzz_inclusionProofs(uint8 n, uint256 salt) public {
        n = uint8(bound(n, 1, 40));
        bytes32[] memory leaves = _leaves(n, salt);
        bytes32 root = _merkleRoot(leaves);
        _anchorAs(issuer, root, 0, n);
        for (uint256 k; k < n; ++k) {
            bytes32[] memory proof = _merkleProof(leaves, k);
            assertTrue(reg.verifyInclusion(issuer, root, leaves[k], proof), string.concat("member ", toString(k)));
            assertFalse(reg.verifyInclusion(otherIssuer, root, leaves[k], proof), "not anchored by that issuer");
        }
        assertFalse(
            reg.verifyInclusion(issuer, root, keccak256(abi.encode(salt)), _merkleProof(leaves, 0)), "outsider"
        );
    }
}

/// @notice The clock is the overridable `_time()`: operator expiry and batch time follow it, not the block time.
contract TimedCredentialRegistryTest is RegistryTestBase {
    TimedCredentialRegistry internal timed;

    function setUp() public {
        timed = new TimedCredentialRegistry();
        reg = timed;
        vm.warp(T0); // block time far ahead of the registry's clock
        timed.setTime(1000);
    }

    function test_batchTimeAndOperatorExpiryFollowTime() public {
        vm.prank(issuer);
        reg.authorizeOperator(operator, 2000);
        vm.prank(operator);
        reg.anchorFor(issuer, ROOT_A, 0, 10); // live: 1000 < 2000, although block time is T0
        assertEq(reg.batchOf(issuer, ROOT_A).anchoredAt, 1000, "anchoredAt from _time()");

        timed.setTime(2000);
        vm.prank(operator);
        vm.expectRevert(_unauthorized(issuer, operator));
        reg.anchorFor(issuer, ROOT_B, 10, 10);
    }
}
