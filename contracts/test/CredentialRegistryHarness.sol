// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {CredentialRegistry} from "../CredentialRegistry.sol";

/// @notice Test-only registry that can move an issuer's next free index directly, so tests reach the top of the
/// 64-bit index space, which no sequence of real calls can (a batch covers, and skips, at most MAX_BATCH_SIZE).
contract CredentialRegistryHarness is CredentialRegistry {
    function setNextIndex(address issuer, uint64 next) external {
        _issuers[issuer].nextIndex = next;
    }
}
