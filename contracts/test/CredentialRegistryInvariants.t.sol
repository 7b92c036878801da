// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CredentialRegistry} from "../CredentialRegistry.sol";
import {ICredentialRegistry} from "../ICredentialRegistry.sol";
import {RegistryHandler} from "./handlers/RegistryHandler.sol";
import {Test} from "./utils/Test.sol";

/// @notice Invariants of {CredentialRegistry} under random calls of {RegistryHandler}: anchors, revocations,
/// suspensions, reinstatements and authorisations by issuers, live and expired operators and strangers, with time
/// passing. The handler predicts every call; these functions compare its model with the registry after each call.
contract CredentialRegistryInvariantsTest is Test {
    uint8 internal constant REVOKED = 2;

    CredentialRegistry internal reg;
    RegistryHandler internal handler;

    function setUp() public {
        reg = new CredentialRegistry();
        handler = new RegistryHandler(reg);
        vm.label(address(reg), "CredentialRegistry");
        vm.label(address(handler), "RegistryHandler");

        bytes4[] memory selectors = new bytes4[](6);
        selectors[0] = RegistryHandler.anchorBatch.selector;
        selectors[1] = RegistryHandler.revokeSome.selector;
        selectors[2] = RegistryHandler.suspendSome.selector;
        selectors[3] = RegistryHandler.reinstateSome.selector;
        selectors[4] = RegistryHandler.authorize.selector;
        selectors[5] = RegistryHandler.passTime.selector;
        targetContract(address(handler));
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    /// @notice (1) A revoked index never becomes active or suspended again.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_revokedStaysRevoked() public view {
        uint256 n = handler.revocationCount();
        for (uint256 k; k < n; ++k) {
            RegistryHandler.Revocation memory r = handler.revocationAt(k);
            uint256[] memory one = new uint256[](1);
            one[0] = r.index;
            assertEq(reg.statusOf(r.issuer, one)[0], REVOKED, string.concat("revoked index ", toString(r.index)));
        }
    }

    /// @notice (2) Only the issuer or a live operator changes an issuer's state: every call by anyone else
    /// reverted with UnauthorizedAccount(issuer, caller), and the registry holds exactly the state the authorised
    /// calls produced (next index, history head, operators, every status ever set), for every account.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_onlyIssuerOrLiveOperatorChangesState() public view {
        assertEq(handler.unauthorisedSuccesses(), 0, "calls by unauthorised accounts that succeeded");
        assertEq(handler.wrongRefusals(), 0, "unauthorised calls refused with another error");
        address[7] memory accounts = handler.actors();
        for (uint256 a; a < accounts.length; ++a) {
            address issuer = accounts[a];
            (uint64 nextIndex, uint64 lastChange) = reg.issuerState(issuer);
            assertEq(nextIndex, handler.ghostNext(issuer), "nextIndex");
            assertEq(lastChange, handler.ghostLastChange(issuer), "lastChange");
            for (uint256 b; b < accounts.length; ++b) {
                assertEq(
                    reg.operatorUntil(issuer, accounts[b]),
                    handler.ghostOperatorUntil(issuer, accounts[b]),
                    "operatorUntil"
                );
            }
            uint256[] memory touched = handler.touchedOf(issuer);
            uint8[] memory statuses = reg.statusOf(issuer, touched);
            for (uint256 k; k < touched.length; ++k) {
                assertEq(statuses[k], handler.ghostStatus(issuer, touched[k]), "status");
            }
        }
    }

    /// @notice (3) An anchored root's batch record never changes.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_batchRecordsNeverChange() public view {
        uint256 n = handler.rangeCount();
        for (uint256 k; k < n; ++k) {
            RegistryHandler.Range memory r = handler.rangeAt(k);
            ICredentialRegistry.Batch memory b = reg.batchOf(r.issuer, r.root);
            assertEq(b.firstIndex, r.batch.firstIndex, "firstIndex");
            assertEq(b.count, r.batch.count, "count");
            assertEq(b.anchoredAt, r.batch.anchoredAt, "anchoredAt");
            assertEq(b.blockNumber, r.batch.blockNumber, "blockNumber");
        }
    }

    /// @notice (4) An issuer's anchored ranges never overlap, and all lie below its next free index.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_rangesNeverOverlap() public view {
        address[7] memory accounts = handler.actors();
        for (uint256 a; a < accounts.length; ++a) {
            address issuer = accounts[a];
            uint256[] memory ids = handler.rangeIdsOf(issuer);
            (uint64 nextIndex,) = reg.issuerState(issuer);
            for (uint256 i; i < ids.length; ++i) {
                ICredentialRegistry.Batch memory x = reg.batchOf(issuer, handler.rangeAt(ids[i]).root);
                assertTrue(x.count != 0, "an anchored range is recorded");
                assertTrue(uint256(x.firstIndex) + x.count <= nextIndex, "range below the next free index");
                for (uint256 j = i + 1; j < ids.length; ++j) {
                    ICredentialRegistry.Batch memory y = reg.batchOf(issuer, handler.rangeAt(ids[j]).root);
                    bool disjoint =
                        uint256(x.firstIndex) + x.count <= y.firstIndex || uint256(y.firstIndex) + y.count <= x.firstIndex;
                    assertTrue(disjoint, string.concat("ranges ", toString(i), " and ", toString(j), " overlap"));
                }
            }
        }
    }

    /// @notice (5) No single call exhausts an issuer's index space: each successful anchor moves the next free index
    /// by at most 2 * MAX_BATCH_SIZE (a batch of at most MAX_BATCH_SIZE, skipping at most as many), and every batch
    /// covers at most MAX_BATCH_SIZE indexes, whoever called (the handler tries `anchor(root, 0, 2^64 - 1)` too).
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_noCallExhaustsTheIndexSpace() public view {
        uint64 bound_ = reg.MAX_BATCH_SIZE();
        address[7] memory accounts = handler.actors();
        for (uint256 a; a < accounts.length; ++a) {
            (uint64 nextIndex,) = reg.issuerState(accounts[a]);
            assertTrue(
                nextIndex <= handler.anchorsOf(accounts[a]) * 2 * uint256(bound_), "next free index grew too fast"
            );
        }
        uint256 n = handler.rangeCount();
        for (uint256 k; k < n; ++k) {
            RegistryHandler.Range memory r = handler.rangeAt(k);
            assertTrue(reg.batchOf(r.issuer, r.root).count <= bound_, "a batch larger than MAX_BATCH_SIZE");
        }
    }

    /// @notice (6) Only anchored indexes carry a status: every index whose status was ever changed lies inside one of
    /// its issuer's batches (a reserved index, skipped by anchorAhead, never changed).
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_onlyAnchoredIndexesChangeStatus() public view {
        address[7] memory accounts = handler.actors();
        for (uint256 a; a < accounts.length; ++a) {
            address issuer = accounts[a];
            uint256[] memory touched = handler.touchedOf(issuer);
            uint256[] memory ids = handler.rangeIdsOf(issuer);
            for (uint256 k; k < touched.length; ++k) {
                bool inside;
                for (uint256 i; i < ids.length && !inside; ++i) {
                    ICredentialRegistry.Batch memory b = handler.rangeAt(ids[i]).batch;
                    inside = touched[k] >= b.firstIndex && touched[k] < uint256(b.firstIndex) + b.count;
                }
                assertTrue(inside, string.concat("index ", toString(touched[k]), " changed outside every batch"));
            }
        }
    }

    /// @notice Every call did what the model predicted (success, or the exact error) and each change emitted one
    /// event linked to the issuer's previous change.
    /// hardhat-config: invariant.runs = 48
    /// hardhat-config: invariant.depth = 80
    function invariant_callsFollowTheModel() public view {
        if (handler.mismatches() != 0) fail(handler.firstMismatch());
    }

    /// @notice The handler is not vacuous: a fixed pseudo-random sequence reaches every action's success and every
    /// refusal the registry has, agreeing with the model throughout.
    function test_handlerReachesEveryOutcome() public {
        for (uint256 i; i < 1500; ++i) {
            uint256 r = uint256(keccak256(abi.encode("handler", i)));
            uint256 s = uint256(keccak256(abi.encode(r)));
            uint256 t = uint256(keccak256(abi.encode(s)));
            uint256 action = r % 8;
            if (action <= 1) handler.anchorBatch(r >> 8, s, t, s >> 128, t >> 128);
            else if (action == 2) handler.revokeSome(r >> 8, s, t, uint8(r >> 200));
            else if (action == 3) handler.suspendSome(r >> 8, s, t, uint8(r >> 200));
            else if (action == 4) handler.reinstateSome(r >> 8, s, t, uint8(r >> 200));
            else if (action == 5) handler.authorize(r >> 8, s, t);
            else handler.passTime(s % 6 hours, t);
        }
        invariant_callsFollowTheModel();
        invariant_onlyIssuerOrLiveOperatorChangesState();
        invariant_revokedStaysRevoked();
        invariant_batchRecordsNeverChange();
        invariant_rangesNeverOverlap();
        invariant_noCallExhaustsTheIndexSpace();
        invariant_onlyAnchoredIndexesChangeStatus();

        assertTrue(handler.successesOf(ICredentialRegistry.anchor.selector) > 0, "an anchor succeeded");
        assertTrue(handler.successesOf(ICredentialRegistry.anchorAhead.selector) > 0, "an anchor ahead succeeded");
        assertTrue(handler.filledReserved() > 0, "a batch filled reserved indexes");
        assertTrue(handler.successesOf(ICredentialRegistry.revoke.selector) > 0, "a revocation succeeded");
        assertTrue(handler.successesOf(ICredentialRegistry.suspend.selector) > 0, "a suspension succeeded");
        assertTrue(handler.successesOf(ICredentialRegistry.reinstate.selector) > 0, "a reinstatement succeeded");
        assertTrue(handler.successesOf(ICredentialRegistry.authorizeOperator.selector) > 0, "an authorisation");
        assertTrue(handler.liveOperatorSuccesses() > 0, "a live operator acted");
        assertTrue(handler.expiredOperatorRefusals() > 0, "an expired or withdrawn operator was refused");
        assertTrue(handler.unauthorisedCalls() > 0, "strangers called");
        bytes4[12] memory errors = [
            ICredentialRegistry.RangeNotContiguous.selector,
            ICredentialRegistry.UnauthorizedAccount.selector,
            ICredentialRegistry.ZeroRoot.selector,
            ICredentialRegistry.EmptyBatch.selector,
            ICredentialRegistry.RootAlreadyAnchored.selector,
            ICredentialRegistry.RangeOverlaps.selector,
            ICredentialRegistry.RangeTooLarge.selector,
            ICredentialRegistry.IndexNotAnchored.selector,
            ICredentialRegistry.CredentialIsRevoked.selector,
            ICredentialRegistry.CredentialIsSuspended.selector,
            ICredentialRegistry.CredentialNotSuspended.selector,
            ICredentialRegistry.NoIndexes.selector
        ];
        for (uint256 k; k < errors.length; ++k) {
            assertTrue(handler.refusalsWith(errors[k]) > 0, string.concat("refusal ", toHex(uint32(errors[k]), 4)));
        }
        assertTrue(handler.refusalsWith(ICredentialRegistry.SelfOperator.selector) > 0, "SelfOperator refusal");
    }
}
