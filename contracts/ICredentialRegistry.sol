// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Credential registry: anchored batches and packed revocation status of micro-credentials
/// @notice An issuer is an Ethereum account. It anchors Merkle roots of signed credentials, each covering a
/// contiguous range of its status indexes, and changes the status of anchored indexes: active (default),
/// suspended (reversible) or revoked (final). Operators it authorises may act for it until a time.
/// Batches may be anchored in any order: a batch anchored ahead of the next free index (`anchorAhead`) keeps the
/// indexes it skips *reserved*, and a later batch anchors them (`anchor` with a range inside the reserved ones).
/// Only anchored indexes change status; a batch covers at most `MAX_BATCH_SIZE` indexes and skips at most as many,
/// so no single call can use up an issuer's index space.
/// Every change emits a past-tense event carrying the block of the issuer's previous change, so a reader walks an
/// issuer's whole history with one log query per changed block, starting from `issuerState(issuer).lastChange`.
/// @dev Example: `registry.anchor(root, 0, 500)` then `registry.revoke([17, 42], 1)`; an operator calls
/// `anchorFor(issuer, …)` and `revokeFor(issuer, …)`.
interface ICredentialRegistry {
    /// @notice A batch record: the status indexes `[firstIndex, firstIndex + count)` under one Merkle root.
    struct Batch {
        uint64 firstIndex;
        uint64 count;
        uint64 anchoredAt; // block time
        uint64 blockNumber;
    }

    /// @notice Status codes stored in two bits per credential.
    /// 0 = active, 1 = suspended, 2 = revoked.

    /// @notice `issuer` allowed `operator` to act for it until `validUntil` (0 = withdrawn).
    event OperatorAuthorized(
        address indexed issuer, address indexed operator, uint64 validUntil, uint256 previousChange
    );

    /// @notice `issuer` anchored `root` covering status indexes `[firstIndex, firstIndex + count)`.
    event BatchAnchored(
        address indexed issuer, bytes32 indexed root, uint64 firstIndex, uint64 count, uint256 previousChange
    );

    /// @notice The credentials at `indexes` of `issuer` were revoked, finally, for `reason`.
    event CredentialsRevoked(address indexed issuer, uint8 reason, uint256[] indexes, uint256 previousChange);

    /// @notice The credentials at `indexes` of `issuer` were suspended for `reason`.
    event CredentialsSuspended(address indexed issuer, uint8 reason, uint256[] indexes, uint256 previousChange);

    /// @notice The suspended credentials at `indexes` of `issuer` were reinstated for `reason`.
    event CredentialsReinstated(address indexed issuer, uint8 reason, uint256[] indexes, uint256 previousChange);

    /// @notice `account` may not act for `issuer` (not the issuer, nor an operator whose authorisation is live).
    error UnauthorizedAccount(address issuer, address account);
    /// @notice A zero Merkle root was given.
    error ZeroRoot();
    /// @notice A batch must cover at least one index.
    error EmptyBatch();
    /// @notice `root` is already anchored by `issuer`.
    error RootAlreadyAnchored(address issuer, bytes32 root);
    /// @notice The range starting at `firstIndex` overlaps indexes already anchored by `issuer` (below
    /// `nextFreeIndex`, only indexes skipped by an `anchorAhead` and not anchored since are free).
    error RangeOverlaps(address issuer, uint64 firstIndex, uint64 nextFreeIndex);
    /// @notice The range starting at `firstIndex` would skip indexes after `nextFreeIndex`, the issuer's next free
    /// index: `anchor` never skips (`anchorAhead` does, at most `MAX_BATCH_SIZE` indexes).
    error RangeNotContiguous(address issuer, uint64 firstIndex, uint64 nextFreeIndex);
    /// @notice The range `[firstIndex, firstIndex + count)` covers more than `MAX_BATCH_SIZE` indexes or does not fit
    /// in 64 bits.
    error RangeTooLarge(uint64 firstIndex, uint64 count);
    /// @notice `index` of `issuer` is not covered by an anchored batch.
    error IndexNotAnchored(address issuer, uint256 index);
    /// @notice The credential at `index` of `issuer` is revoked; revocation is final.
    error CredentialIsRevoked(address issuer, uint256 index);
    /// @notice The credential at `index` of `issuer` is already suspended.
    error CredentialIsSuspended(address issuer, uint256 index);
    /// @notice The credential at `index` of `issuer` is not suspended, so it cannot be reinstated.
    error CredentialNotSuspended(address issuer, uint256 index);
    /// @notice A status change named no index.
    error NoIndexes();
    /// @notice An issuer cannot name itself as its operator.
    error SelfOperator(address issuer);

    /// @notice Allow `operator` to anchor and change status for the caller until `validUntil` (unix time);
    /// `validUntil` 0 withdraws the authorisation.
    /// @param operator the account that may act for the caller
    /// @param validUntil unix time until which the authorisation holds (exclusive)
    function authorizeOperator(address operator, uint64 validUntil) external;

    /// @notice The largest `count` of a batch, and the most indexes one `anchorAhead` may skip (65,536).
    function MAX_BATCH_SIZE() external view returns (uint64);

    /// @notice Anchor, as the issuer (the caller), the Merkle `root` of a batch of its credentials with status
    /// indexes `[firstIndex, firstIndex + count)`. Example: `anchor(0xab…, 1000, 500)`.
    /// @param root sorted-pair keccak256 Merkle root of the batch's leaves; not zero, not anchored before
    /// @param firstIndex first status index of the batch: the issuer's next free index, or an index reserved by an
    /// earlier `anchorAhead` (every index of the range below the next free one must be reserved, none anchored)
    /// @param count number of status indexes in the batch; 1 to `MAX_BATCH_SIZE`
    function anchor(bytes32 root, uint64 firstIndex, uint64 count) external;

    /// @notice {anchor} for `issuer`, by the issuer or an operator whose authorisation is live.
    function anchorFor(address issuer, bytes32 root, uint64 firstIndex, uint64 count) external;

    /// @notice Anchor a batch that starts above the issuer's next free index: the indexes skipped,
    /// `[nextFreeIndex, firstIndex)`, stay reserved (not anchored, no status change) until a later `anchor` covers
    /// them, so batches are anchored in any order. Example: batch A holds 0–2, batch B 3–5; `anchorAhead(rootB, 3, 3)`
    /// then `anchor(rootA, 0, 3)`. With `firstIndex` equal to the next free index it is {anchor}.
    /// @param firstIndex at most `MAX_BATCH_SIZE` above the next free index
    function anchorAhead(bytes32 root, uint64 firstIndex, uint64 count) external;

    /// @notice {anchorAhead} for `issuer`, by the issuer or a live operator.
    function anchorAheadFor(address issuer, bytes32 root, uint64 firstIndex, uint64 count) external;

    /// @notice Revoke, finally, the caller's credentials at `indexes` for `reason`.
    /// Example: `revoke([17, 42], 2)`.
    /// @param indexes anchored status indexes, none already revoked
    /// @param reason reason code (documented by the client; e.g. 1 issued in error, 2 fraud)
    function revoke(uint256[] calldata indexes, uint8 reason) external;

    /// @notice Suspend the caller's active credentials at `indexes` for `reason`.
    /// @param indexes anchored status indexes, each active
    /// @param reason reason code
    function suspend(uint256[] calldata indexes, uint8 reason) external;

    /// @notice Reinstate the caller's suspended credentials at `indexes` for `reason`.
    /// @param indexes anchored status indexes, each suspended
    /// @param reason reason code
    function reinstate(uint256[] calldata indexes, uint8 reason) external;

    /// @notice {revoke} for `issuer`, by the issuer or a live operator.
    function revokeFor(address issuer, uint256[] calldata indexes, uint8 reason) external;

    /// @notice {suspend} for `issuer`, by the issuer or a live operator.
    function suspendFor(address issuer, uint256[] calldata indexes, uint8 reason) external;

    /// @notice {reinstate} for `issuer`, by the issuer or a live operator.
    function reinstateFor(address issuer, uint256[] calldata indexes, uint8 reason) external;

    /// @notice The status (0 active, 1 suspended, 2 revoked) of each of `indexes` of `issuer`; an index not
    /// anchored (reserved or unused) reads 0.
    function statusOf(address issuer, uint256[] calldata indexes) external view returns (uint8[] memory);

    /// @notice Status words of `issuer`: word `w` holds indexes `[128 w, 128 w + 128)`, two bits each, index `i`
    /// at bits `2 (i % 128)`; an index not anchored reads 0. Reading a whole word does not reveal which credential
    /// a verifier checks.
    function statusWords(address issuer, uint256[] calldata wordIndexes) external view returns (uint256[] memory);

    /// @notice The batch record of `root` anchored by `issuer` (all zero when not anchored).
    function batchOf(address issuer, bytes32 root) external view returns (Batch memory);

    /// @notice The batch records of several roots of `issuer`, in one call.
    function batchesOf(address issuer, bytes32[] calldata roots) external view returns (Batch[] memory);

    /// @notice Everything a verifier reads of `issuer` for many credentials, in one call: the batch record of each
    /// of `roots`, the status of each of `indexes`, and the head of the issuer's history.
    function verificationState(address issuer, bytes32[] calldata roots, uint256[] calldata indexes)
        external
        view
        returns (Batch[] memory batches, uint8[] memory statuses, uint64 lastChange);

    /// @notice The issuer's next free status index (every index from it up is unused) and the block of its latest
    /// change (the head of its history).
    function issuerState(address issuer) external view returns (uint64 nextIndex, uint64 lastChange);

    /// @notice Unix time until which `operator` may act for `issuer` (0 if never authorised or withdrawn).
    function operatorUntil(address issuer, address operator) external view returns (uint64);

    /// @notice Whether `leaf` is in a batch that `issuer` anchored under `root`, by a sorted-pair keccak256 proof.
    function verifyInclusion(address issuer, bytes32 root, bytes32 leaf, bytes32[] calldata proof)
        external
        view
        returns (bool);
}
