// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title A minimal test kit for Hardhat's Solidity test runner (EDR)
/// @notice The cheatcodes this project's tests use, assertions that revert with the values that differed, a `bound`
/// helper for fuzz inputs, and the target lists the invariant runner reads (`targetContracts()`,
/// `targetSelectors()`, `targetSenders()`), written for this project from the runner's documented interface.

/// @dev The standard cheatcode interface, only the functions used here.
interface Vm {
    struct Log {
        bytes32[] topics;
        bytes data;
        address emitter;
    }

    function addr(uint256 privateKey) external pure returns (address);
    function sign(uint256 privateKey, bytes32 digest) external pure returns (uint8 v, bytes32 r, bytes32 s);
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function assume(bool condition) external pure;
    function label(address account, string calldata name) external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert() external;
    function expectEmit(bool topic1, bool topic2, bool topic3, bool data, address emitter) external;
    function recordLogs() external;
    function getRecordedLogs() external returns (Log[] memory);
}

/// @dev The address the runner serves cheatcodes at: `address(uint160(uint256(keccak256("hevm cheat code"))))`.
address constant VM_ADDRESS = 0x7109709ECfa91a80626fF3989D68f67F5b1DD12D;

/// @notice Assertions and helpers shared by every test contract and handler of the project.
abstract contract Assertions {
    Vm internal constant vm = Vm(VM_ADDRESS);

    // -- assertions: each reverts with what was compared, what was found and what was expected ------------------

    function fail(string memory what) internal pure {
        revert(string.concat("assertion failed: ", what));
    }

    function assertTrue(bool ok, string memory what) internal pure {
        if (!ok) fail(what);
    }

    function assertFalse(bool ok, string memory what) internal pure {
        if (ok) fail(string.concat(what, " (expected false)"));
    }

    function assertEq(uint256 got, uint256 expected, string memory what) internal pure {
        if (got != expected) fail(string.concat(what, ": got ", toString(got), ", expected ", toString(expected)));
    }

    function assertEq(address got, address expected, string memory what) internal pure {
        if (got != expected) {
            fail(string.concat(what, ": got ", toHex(uint160(got), 20), ", expected ", toHex(uint160(expected), 20)));
        }
    }

    function assertEq(bytes32 got, bytes32 expected, string memory what) internal pure {
        if (got != expected) {
            fail(string.concat(what, ": got ", toHex(uint256(got), 32), ", expected ", toHex(uint256(expected), 32)));
        }
    }

    function assertEq(bool got, bool expected, string memory what) internal pure {
        if (got != expected) fail(string.concat(what, ": got ", got ? "true" : "false"));
    }

    function assertEq(bytes memory got, bytes memory expected, string memory what) internal pure {
        if (keccak256(got) != keccak256(expected)) {
            fail(string.concat(what, ": got 0x", toHexBytes(got), ", expected 0x", toHexBytes(expected)));
        }
    }

    function assertEq(uint256[] memory got, uint256[] memory expected, string memory what) internal pure {
        assertEq(got.length, expected.length, string.concat(what, " (length)"));
        for (uint256 k; k < got.length; ++k) {
            assertEq(got[k], expected[k], string.concat(what, "[", toString(k), "]"));
        }
    }

    function assertLt(uint256 a, uint256 b, string memory what) internal pure {
        if (a >= b) fail(string.concat(what, ": ", toString(a), " is not below ", toString(b)));
    }

    // -- fuzz input helper --------------------------------------------------------------------------------------

    /// @dev Maps `x` into `[lo, hi]`: a value already inside is kept (so the runner's boundary values survive), any
    /// other is folded in by its remainder.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (x >= lo && x <= hi) return x;
        uint256 size = hi - lo + 1; // hi - lo < type(uint256).max here, since x lies outside [lo, hi]
        return lo + (x % size);
    }

    // -- formatting ---------------------------------------------------------------------------------------------

    function toString(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        uint256 digits;
        for (uint256 t = v; t != 0; t /= 10) ++digits;
        bytes memory out = new bytes(digits);
        for (; v != 0; v /= 10) out[--digits] = bytes1(uint8(48 + (v % 10)));
        return string(out);
    }

    function toHex(uint256 v, uint256 byteCount) internal pure returns (string memory) {
        bytes memory out = new bytes(2 + 2 * byteCount);
        out[0] = "0";
        out[1] = "x";
        for (uint256 k = out.length; k > 2; v >>= 4) out[--k] = _nibble(v & 15);
        return string(out);
    }

    /// @dev `data` as hex digits, without a 0x prefix.
    function toHexBytes(bytes memory data) internal pure returns (string memory) {
        bytes memory out = new bytes(2 * data.length);
        for (uint256 k; k < data.length; ++k) {
            out[2 * k] = _nibble(uint8(data[k]) >> 4);
            out[2 * k + 1] = _nibble(uint8(data[k]) & 15);
        }
        return string(out);
    }

    function _nibble(uint256 n) private pure returns (bytes1) {
        return bytes1(uint8(n < 10 ? 48 + n : 87 + n));
    }
}

/// @notice Base of every test contract: assertions plus the lists the invariant runner reads after `setUp()`.
/// @dev The runner calls `targetContracts()`, `targetSelectors()` and `targetSenders()` (among other optional
/// getters); an empty list means "no restriction". Register entries with the internal `target*` functions in
/// `setUp()`.
abstract contract Test is Assertions {
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    address[] private _targetContracts;
    address[] private _targetSenders;
    FuzzSelector[] private _targetSelectors;

    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    function targetSender(address sender) internal {
        _targetSenders.push(sender);
    }

    function targetSelector(FuzzSelector memory selection) internal {
        _targetSelectors.push(selection);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }
}
