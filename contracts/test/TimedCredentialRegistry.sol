// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CredentialRegistry} from "../CredentialRegistry.sol";

/// @notice Test-only registry whose clock is set by the test through the overridable `_time()`, independent of
/// the block time: it shows that every time-dependent rule (operator expiry, batch time) reads that one function.
contract TimedCredentialRegistry is CredentialRegistry {
    uint64 public now_;

    function setTime(uint64 time) external {
        now_ = time;
    }

    function _time() internal view override returns (uint64) {
        return now_;
    }
}
