// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ICredentialRegistry} from "../../ICredentialRegistry.sol";
import {Assertions, Vm} from "../utils/Test.sol";

/// @notice Reads the `previousChange` field of the registry's events.
library RegistryLogs {
    /// @return known whether `log` is one of the registry's change events
    /// @return previous the block of the issuer's previous change that the event carries
    function previousChange(Vm.Log memory log) internal pure returns (bool known, uint256 previous) {
        if (log.topics.length == 0) return (false, 0);
        bytes32 sig = log.topics[0];
        if (sig == ICredentialRegistry.OperatorAuthorized.selector) {
            (, previous) = abi.decode(log.data, (uint64, uint256));
            return (true, previous);
        }
        if (sig == ICredentialRegistry.BatchAnchored.selector) {
            (,, previous) = abi.decode(log.data, (uint64, uint64, uint256));
            return (true, previous);
        }
        if (
            sig == ICredentialRegistry.CredentialsRevoked.selector
                || sig == ICredentialRegistry.CredentialsSuspended.selector
                || sig == ICredentialRegistry.CredentialsReinstated.selector
        ) {
            (,, previous) = abi.decode(log.data, (uint8, uint256[], uint256));
            return (true, previous);
        }
        return (false, 0);
    }
}

/// @notice Drives a {ICredentialRegistry} with random calls from seven actors (two issuers, three operators, two
/// strangers; any of them may also act as an issuer of its own) and keeps a model of what each call must do.
/// @dev Every call is predicted first (success, or the exact revert data), then made with a low-level call, so the
/// handler never reverts; disagreements are counted and the first one described, for the invariants to report.
/// The handler keeps the clock (`time`, `blockNumber`) itself and sets it before every call, so no assumption is
/// made about the runner keeping warps between calls.
contract RegistryHandler is Assertions {
    uint8 internal constant ACTIVE = 0;
    uint8 internal constant SUSPENDED = 1;
    uint8 internal constant REVOKED = 2;
    uint64 internal constant MAX64 = type(uint64).max;
    uint64 internal constant MAX_BATCH = 65_536;
    uint256 internal constant ACTORS = 7;
    uint256 internal constant ISSUERS = 2; // actors[0..1]
    uint256 internal constant OPERATORS = 3; // actors[2..4]; actors[5..6] are never authorised: strangers

    struct Range {
        address issuer;
        bytes32 root;
        ICredentialRegistry.Batch batch;
    }

    struct Revocation {
        address issuer;
        uint256 index;
    }

    ICredentialRegistry public reg;
    address[ACTORS] internal _actors;

    uint64 public time;
    uint64 public blockNumber;

    // -- the model -------------------------------------------------------------------------------------------
    mapping(address issuer => uint64) public ghostNext;
    mapping(address issuer => uint64) public ghostLastChange;
    mapping(address issuer => mapping(address operator => uint64)) public ghostOperatorUntil;
    mapping(address issuer => mapping(uint256 index => uint8)) public ghostStatus;
    /// @dev indexes skipped by an anchorAhead and not anchored since
    mapping(address issuer => mapping(uint256 index => bool)) public ghostReserved;
    /// @dev successful anchors per issuer: each may move the next free index by at most 2 * MAX_BATCH_SIZE
    mapping(address issuer => uint256) public anchorsOf;
    /// @dev every stretch of indexes an anchorAhead skipped (start, length), reserved or since filled
    mapping(address issuer => uint64[2][]) internal _gaps;
    mapping(address issuer => mapping(bytes32 root => bool)) internal _rootUsed;
    mapping(address issuer => uint256[]) internal _rangeIdsOf;
    mapping(address issuer => uint256[]) internal _touched;
    mapping(address issuer => mapping(uint256 index => bool)) internal _isTouched;
    Range[] internal _ranges;
    Revocation[] internal _revocations;

    // -- what happened ---------------------------------------------------------------------------------------
    uint256 public calls;
    uint256 public unauthorisedCalls; // by an actor that was neither the issuer nor a live operator
    uint256 public unauthorisedSuccesses; // ... that did not revert: must stay 0
    uint256 public wrongRefusals; // ... that reverted with anything but UnauthorizedAccount(issuer, actor): 0
    uint256 public mismatches; // calls whose outcome differs from the model: must stay 0
    string public firstMismatch;
    mapping(bytes4 action => uint256) public successesOf;
    mapping(bytes4 error => uint256) public refusalsWith;
    uint256 public liveOperatorSuccesses;
    uint256 public filledReserved; // successful anchors below the next free index (on reserved indexes)
    uint256 public expiredOperatorRefusals;

    constructor(ICredentialRegistry registry) {
        reg = registry;
        _actors = [
            address(0x1001), // issuers
            address(0x1002),
            address(0x2001), // operators
            address(0x2002),
            address(0x2003),
            address(0x3001), // strangers
            address(0x3002)
        ];
        time = 1_800_000_000;
        blockNumber = 100;
    }

    // == actions (the invariant runner's targets) ==============================================================

    /// @notice Someone anchors a batch, directly for itself or through anchorFor for an issuer; now and then ahead
    /// of the next free index (anchorAhead, anchorAheadFor), leaving indexes reserved that later batches fill.
    function anchorBatch(uint256 actorSeed, uint256 issuerSeed, uint256 rootSeed, uint256 firstSeed, uint256 countSeed)
        external
    {
        _sync();
        (address actor, address issuer, bool direct) = _pick(actorSeed, issuerSeed);
        bytes32 root = rootSeed % 16 == 0 ? bytes32(0) : keccak256(abi.encode("root", rootSeed % 24));
        bool ahead = (rootSeed >> 8) % 3 == 0;
        uint64 next = ghostNext[issuer];
        uint64 first;
        uint64 count = uint64(countSeed % 41); // 0 sometimes: an empty batch
        if (firstSeed % 64 == 0) {
            // the short-lived operator's attack: all of the index space, or the top of it, in one call
            first = (firstSeed >> 8) % 2 == 0 ? next : MAX64 - uint64((firstSeed >> 16) % 3);
            count = (countSeed >> 8) % 2 == 0 ? MAX64 - first : MAX_BATCH + 1 + uint64((countSeed >> 16) % 3);
            if (count == 0) count = 1;
        } else if (firstSeed % 4 == 1 && _gaps[issuer].length > 0) {
            // in or around a stretch skipped earlier: a fill of reserved indexes (all or part), or an overlap
            uint64[2] memory gap = _gaps[issuer][(firstSeed >> 8) % _gaps[issuer].length];
            first = gap[0] + uint64((firstSeed >> 16) % 2) * uint64((firstSeed >> 24) % gap[1]);
            count = countSeed % 3 == 0 ? gap[0] + gap[1] - first + uint64((countSeed >> 8) % 2) : 1 + uint64((countSeed >> 8) % (gap[0] + gap[1] - first));
        } else if (firstSeed % 8 == 3 && next > 0) {
            first = uint64((firstSeed >> 8) % next); // below the next free index: reserved (fill) or anchored (overlap)
        } else {
            uint256 raw = uint256(next) + (firstSeed >> 8) % 6; // next - 2 .. next + 3: overlaps, adjacent, gaps
            first = raw < 2 ? 0 : uint64(raw - 2);
        }
        uint256 end = uint256(first) + count;

        bool authorised = _live(issuer, actor);
        bytes memory expected;
        if (!authorised) expected = _err(ICredentialRegistry.UnauthorizedAccount.selector, issuer, actor);
        else if (root == bytes32(0)) expected = abi.encodeWithSelector(ICredentialRegistry.ZeroRoot.selector);
        else if (count == 0) expected = abi.encodeWithSelector(ICredentialRegistry.EmptyBatch.selector);
        else if (count > MAX_BATCH || end > MAX64) {
            expected = abi.encodeWithSelector(ICredentialRegistry.RangeTooLarge.selector, first, count);
        } else if (first > next && (!ahead || first - next > MAX_BATCH)) {
            expected = abi.encodeWithSelector(ICredentialRegistry.RangeNotContiguous.selector, issuer, first, next);
        } else if (_rootUsed[issuer][root]) {
            expected = abi.encodeWithSelector(ICredentialRegistry.RootAlreadyAnchored.selector, issuer, root);
        } else if (first < next) {
            uint256 top = end < next ? end : next;
            for (uint256 i = first; i < top; ++i) {
                if (!ghostReserved[issuer][i]) {
                    expected = abi.encodeWithSelector(ICredentialRegistry.RangeOverlaps.selector, issuer, first, next);
                    break;
                }
            }
        }

        bytes memory data;
        if (ahead) {
            data = direct
                ? abi.encodeCall(ICredentialRegistry.anchorAhead, (root, first, count))
                : abi.encodeCall(ICredentialRegistry.anchorAheadFor, (issuer, root, first, count));
        } else {
            data = direct
                ? abi.encodeCall(ICredentialRegistry.anchor, (root, first, count))
                : abi.encodeCall(ICredentialRegistry.anchorFor, (issuer, root, first, count));
        }
        bytes4 action = ahead ? ICredentialRegistry.anchorAhead.selector : ICredentialRegistry.anchor.selector;
        if (_call(action, actor, issuer, authorised, data, expected)) {
            _rootUsed[issuer][root] = true;
            _rangeIdsOf[issuer].push(_ranges.length);
            _ranges.push(Range(issuer, root, ICredentialRegistry.Batch(first, count, time, blockNumber)));
            for (uint256 i = first; i < end && i < next; ++i) ghostReserved[issuer][i] = false;
            for (uint256 i = next; i < first; ++i) ghostReserved[issuer][i] = true;
            if (first > next) _gaps[issuer].push([next, first - next]);
            ghostNext[issuer] = end > next ? uint64(end) : next;
            ghostLastChange[issuer] = blockNumber;
            ++anchorsOf[issuer];
            if (first < next) ++filledReserved;
        }
    }

    function revokeSome(uint256 actorSeed, uint256 issuerSeed, uint256 indexSeed, uint8 reason) external {
        _changeStatus(REVOKED, actorSeed, issuerSeed, indexSeed, reason);
    }

    function suspendSome(uint256 actorSeed, uint256 issuerSeed, uint256 indexSeed, uint8 reason) external {
        _changeStatus(SUSPENDED, actorSeed, issuerSeed, indexSeed, reason);
    }

    function reinstateSome(uint256 actorSeed, uint256 issuerSeed, uint256 indexSeed, uint8 reason) external {
        _changeStatus(ACTIVE, actorSeed, issuerSeed, indexSeed, reason);
    }

    /// @notice An issuer (mostly a main one) authorises, extends, lets lapse or withdraws an operator (never a
    /// stranger); now and then it names itself.
    function authorize(uint256 issuerSeed, uint256 operatorSeed, uint256 untilSeed) external {
        _sync();
        address issuer = issuerSeed % 4 != 0 ? _actors[issuerSeed % ISSUERS] : _actors[(issuerSeed >> 8) % ACTORS];
        address operator = operatorSeed % 8 != 0
            ? _actors[ISSUERS + operatorSeed % OPERATORS]
            : _actors[(operatorSeed >> 8) % (ISSUERS + OPERATORS)];
        uint64 until;
        uint256 mode = untilSeed % 4;
        if (mode == 1) until = time - uint64((untilSeed >> 8) % 100); // already lapsed, or lapsing exactly now
        else if (mode >= 2) until = time + 1 + uint64((untilSeed >> 8) % 2 days);
        // mode 0: withdrawn

        bytes memory expected =
            issuer == operator ? abi.encodeWithSelector(ICredentialRegistry.SelfOperator.selector, issuer) : bytes("");
        bytes memory data = abi.encodeCall(ICredentialRegistry.authorizeOperator, (operator, until));
        if (_call(ICredentialRegistry.authorizeOperator.selector, issuer, issuer, true, data, expected)) {
            ghostOperatorUntil[issuer][operator] = until;
            ghostLastChange[issuer] = blockNumber;
        }
    }

    /// @notice Time and blocks pass; operators' authorisations lapse.
    function passTime(uint256 secondsSeed, uint256 blocksSeed) external {
        time += uint64(secondsSeed % 1 days);
        blockNumber += 1 + uint64(blocksSeed % 20);
        _sync();
    }

    // == views for the invariants ==============================================================================

    function actors() external view returns (address[ACTORS] memory) {
        return _actors;
    }

    function rangeCount() external view returns (uint256) {
        return _ranges.length;
    }

    function rangeAt(uint256 k) external view returns (Range memory) {
        return _ranges[k];
    }

    function rangeIdsOf(address issuer) external view returns (uint256[] memory) {
        return _rangeIdsOf[issuer];
    }

    function revocationCount() external view returns (uint256) {
        return _revocations.length;
    }

    function revocationAt(uint256 k) external view returns (Revocation memory) {
        return _revocations[k];
    }

    function touchedOf(address issuer) external view returns (uint256[] memory) {
        return _touched[issuer];
    }

    // == internals =============================================================================================

    function _sync() internal {
        vm.warp(time);
        vm.roll(blockNumber);
    }

    function _live(address issuer, address actor) internal view returns (bool) {
        return actor == issuer || ghostOperatorUntil[issuer][actor] > time;
    }

    /// @dev The caller, and the issuer it acts for: for itself by a direct call now and then, otherwise through a
    /// For variant, mostly for one of the two main issuers.
    function _pick(uint256 actorSeed, uint256 issuerSeed)
        internal
        view
        returns (address actor, address issuer, bool direct)
    {
        actor = _actors[actorSeed % ACTORS];
        if ((actorSeed >> 8) % 3 == 0) return (actor, actor, true);
        issuer = issuerSeed % 5 != 0 ? _actors[issuerSeed % ISSUERS] : _actors[(issuerSeed >> 8) % ACTORS];
    }

    /// @dev 1..5 indexes (now and then none): mostly inside the issuer's anchored batches (often one whose status
    /// was changed before), sometimes just below its next free index (reserved ones among them) or at or after it.
    function _pickIndexes(address issuer, uint256 seed) internal view returns (uint256[] memory indexes) {
        indexes = new uint256[](seed % 32 == 0 ? 0 : 1 + (seed >> 8) % 5);
        uint256[] storage ids = _rangeIdsOf[issuer];
        for (uint256 j; j < indexes.length; ++j) {
            uint256 q = uint256(keccak256(abi.encode(seed, j)));
            uint256[] storage touched = _touched[issuer];
            if (touched.length != 0 && q % 8 < 3) {
                indexes[j] = touched[(q >> 8) % touched.length]; // revisit: suspended, revoked, reinstated ones
            } else if (ids.length != 0 && q % 8 != 7) {
                ICredentialRegistry.Batch storage b = _ranges[ids[(q >> 8) % ids.length]].batch;
                indexes[j] = b.firstIndex + (q >> 72) % b.count;
            } else if (q % 2 == 0 && ghostNext[issuer] > 0) {
                indexes[j] = (q >> 8) % ghostNext[issuer]; // anywhere below: anchored or reserved
            } else {
                indexes[j] = ghostNext[issuer] + (q >> 8) % 3;
            }
        }
    }

    function _changeStatus(uint8 target, uint256 actorSeed, uint256 issuerSeed, uint256 indexSeed, uint8 reason)
        internal
    {
        _sync();
        (address actor, address issuer, bool direct) = _pick(actorSeed, issuerSeed);
        uint256[] memory indexes = _pickIndexes(issuer, indexSeed);

        bool authorised = _live(issuer, actor);
        bytes memory expected;
        if (!authorised) expected = _err(ICredentialRegistry.UnauthorizedAccount.selector, issuer, actor);
        else if (indexes.length == 0) expected = abi.encodeWithSelector(ICredentialRegistry.NoIndexes.selector);
        else expected = _predict(issuer, indexes, target);

        bytes4 action;
        bytes memory data;
        if (target == REVOKED) {
            action = ICredentialRegistry.revoke.selector;
            data = direct
                ? abi.encodeCall(ICredentialRegistry.revoke, (indexes, reason))
                : abi.encodeCall(ICredentialRegistry.revokeFor, (issuer, indexes, reason));
        } else if (target == SUSPENDED) {
            action = ICredentialRegistry.suspend.selector;
            data = direct
                ? abi.encodeCall(ICredentialRegistry.suspend, (indexes, reason))
                : abi.encodeCall(ICredentialRegistry.suspendFor, (issuer, indexes, reason));
        } else {
            action = ICredentialRegistry.reinstate.selector;
            data = direct
                ? abi.encodeCall(ICredentialRegistry.reinstate, (indexes, reason))
                : abi.encodeCall(ICredentialRegistry.reinstateFor, (issuer, indexes, reason));
        }
        if (_call(action, actor, issuer, authorised, data, expected)) {
            for (uint256 j; j < indexes.length; ++j) {
                uint256 index = indexes[j];
                ghostStatus[issuer][index] = target;
                if (!_isTouched[issuer][index]) {
                    _isTouched[issuer][index] = true;
                    _touched[issuer].push(index);
                }
                if (target == REVOKED) _revocations.push(Revocation(issuer, index));
            }
            ghostLastChange[issuer] = blockNumber;
        }
    }

    /// @dev The model of one bulk change by an authorised caller: empty if every index, taken in order and seeing
    /// the earlier ones' changes, may move to `target`; else the error of the first refused index.
    function _predict(address issuer, uint256[] memory indexes, uint8 target) internal view returns (bytes memory) {
        uint8[] memory seen = new uint8[](indexes.length);
        for (uint256 j; j < indexes.length; ++j) {
            uint256 index = indexes[j];
            if (index >= ghostNext[issuer] || ghostReserved[issuer][index]) {
                return _err(ICredentialRegistry.IndexNotAnchored.selector, issuer, index);
            }
            uint8 current = ghostStatus[issuer][index];
            for (uint256 i; i < j; ++i) {
                if (indexes[i] == index) current = seen[i];
            }
            if (current == REVOKED) return _err(ICredentialRegistry.CredentialIsRevoked.selector, issuer, index);
            if (target == SUSPENDED && current == SUSPENDED) {
                return _err(ICredentialRegistry.CredentialIsSuspended.selector, issuer, index);
            }
            if (target == ACTIVE && current != SUSPENDED) {
                return _err(ICredentialRegistry.CredentialNotSuspended.selector, issuer, index);
            }
            seen[j] = target;
        }
        return "";
    }

    function _err(bytes4 selector, address issuer, address account) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, issuer, account);
    }

    function _err(bytes4 selector, address issuer, uint256 index) internal pure returns (bytes memory) {
        return abi.encodeWithSelector(selector, issuer, index);
    }

    /// @dev Makes the call as `actor`, compares it with the model (`expected` empty: must succeed) and, when it
    /// succeeded, checks that it emitted exactly one event for `issuer`, linked to the issuer's previous change.
    /// @return ok whether the call succeeded as the model said it would (the model is then to be updated)
    function _call(
        bytes4 action,
        address actor,
        address issuer,
        bool authorised,
        bytes memory data,
        bytes memory expected
    ) internal returns (bool ok) {
        ++calls;
        vm.recordLogs();
        vm.prank(actor);
        (bool success, bytes memory returned) = address(reg).call(data);
        Vm.Log[] memory logs = vm.getRecordedLogs();

        if (!authorised) {
            ++unauthorisedCalls;
            if (success) ++unauthorisedSuccesses;
            else if (keccak256(returned) != keccak256(expected)) ++wrongRefusals;
            else if (ghostOperatorUntil[issuer][actor] != 0) ++expiredOperatorRefusals;
        }
        if (success) {
            ++successesOf[action];
            if (actor != issuer) ++liveOperatorSuccesses;
        } else if (returned.length >= 4) {
            ++refusalsWith[bytes4(returned)];
        }

        if (expected.length == 0 && !success) {
            _mismatch(action, actor, issuer, string.concat("refused, expected success: 0x", toHexBytes(returned)));
        } else if (expected.length != 0 && success) {
            _mismatch(action, actor, issuer, string.concat("succeeded, expected 0x", toHexBytes(expected)));
        } else if (expected.length != 0 && keccak256(returned) != keccak256(expected)) {
            _mismatch(
                action, actor, issuer, string.concat("reverted 0x", toHexBytes(returned), ", expected 0x", toHexBytes(expected))
            );
        } else if (success) {
            _checkEvent(action, actor, issuer, logs);
        }
        return success && expected.length == 0;
    }

    function _checkEvent(bytes4 action, address actor, address issuer, Vm.Log[] memory logs) internal {
        uint256 found;
        for (uint256 k; k < logs.length; ++k) {
            if (logs[k].emitter != address(reg)) continue;
            (bool known, uint256 previous) = RegistryLogs.previousChange(logs[k]);
            if (!known || logs[k].topics[1] != bytes32(uint256(uint160(issuer)))) {
                _mismatch(action, actor, issuer, "an event of the wrong kind or for another issuer");
            } else if (previous != ghostLastChange[issuer]) {
                _mismatch(action, actor, issuer, string.concat("event previousChange ", toString(previous)));
            }
            ++found;
        }
        if (found != 1) _mismatch(action, actor, issuer, string.concat(toString(found), " events emitted"));
    }

    function _mismatch(bytes4 action, address actor, address issuer, string memory what) internal {
        if (mismatches++ == 0) {
            firstMismatch = string.concat(
                "call ",
                toString(calls),
                " action ",
                toHex(uint32(action), 4),
                " by ",
                toHex(uint160(actor), 20),
                " for ",
                toHex(uint160(issuer), 20),
                ": ",
                what
            );
        }
    }
}
