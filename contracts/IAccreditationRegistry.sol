// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Accreditation registry: a chain of trust from root accreditation bodies down to issuers
/// @notice Any account may declare itself a *root* accreditation body; being a root means nothing until a verifier's
/// own trust list names it. A root grants accreditation to accreditation bodies, which grant to issuers (any depth up
/// to {MAX_DEPTH}). A grant has a scope — a credential kind, a maximum EQF level and an ISCED-F 2013 field of study —
/// and a validity period. A body can only grant what it holds: a grant made by a non-root names the grantor's own
/// grant as its parent, which must be live and cover the new grant's scope and validity. A grantor withdraws its
/// grants; the record stays, with the time of withdrawal, so "was this issuer accredited on date T?" stays answerable
/// from the current state, without an archive node.
/// Every change emits a past-tense event carrying, for each account it touches (grantor and subject), the block of
/// that account's previous change; `lastChange(account)` is the latest, so a reader walks an account's whole history
/// with one log query per changed block.
/// @dev Example: the root calls `declareRoot("Akkreditierungsrat", "DE")` then
/// `grant(agency, Scope(keccak256("MicroCredential"), 7, "06"), from, until, 0)` → 1; the agency calls
/// `grant(university, Scope(keccak256("MicroCredential"), 6, "0613"), from, until, 1)`. A verifier calls
/// `chainsOf(university, [root])` once and checks the returned chain at the credential's anchoring time.
interface IAccreditationRegistry {
    /// @notice What a grant allows its subject to issue, or to grant further.
    /// @param kind keccak256 of the credential kind's name, e.g. `keccak256("MicroCredential")`; never zero
    /// @param maxLevel highest EQF level covered, 1 to 8
    /// @param field ISCED-F 2013 field code, ASCII digits left-aligned (`"06"`, `"061"`, `"0613"`); a shorter code
    /// covers the longer codes it begins; `bytes4(0)` covers every field
    struct Scope {
        bytes32 kind;
        uint8 maxLevel;
        bytes4 field;
    }

    /// @notice A grant of accreditation, as recorded (withdrawn grants are kept).
    /// @param id the grant's number, from 1
    /// @param parentId the grantor's own grant this one derives from; 0 when the grantor acted as a root
    /// @param createdAt block time of the grant
    /// @param withdrawnAt block time of the withdrawal, 0 while not withdrawn
    /// @param withdrawReason reason code of the withdrawal (documented by the client), 0 while not withdrawn
    /// @param depth 1 for a grant made by a root as root, the parent's depth + 1 otherwise
    struct Grant {
        uint64 id;
        address grantor;
        address subject;
        Scope scope;
        uint64 validFrom;
        uint64 validUntil;
        uint64 createdAt;
        uint64 withdrawnAt;
        uint8 withdrawReason;
        uint64 parentId;
        uint8 depth;
    }

    /// @notice A declared root accreditation body.
    /// @param country ISO 3166-1 alpha-2 code, upper case ASCII
    /// @param declaredAt block time of the declaration, 0 for an account that is not a root
    struct Root {
        string name;
        bytes2 country;
        uint64 declaredAt;
    }

    /// @notice `root` declared itself a root accreditation body named `name` in `country`.
    /// @param previousChange block of the root's previous change (0 if none)
    event RootDeclared(address indexed root, string name, bytes2 country, uint256 previousChange);

    /// @notice `grantor` accredited `subject` for `scope` from `validFrom` until `validUntil` (unix times,
    /// the end exclusive), deriving from its own grant `parentId` (0: acting as a root).
    /// @param grantorPreviousChange block of the grantor's previous change (0 if none)
    /// @param subjectPreviousChange block of the subject's previous change (0 if none)
    event AccreditationGranted(
        uint64 indexed grantId,
        address indexed grantor,
        address indexed subject,
        uint64 parentId,
        Scope scope,
        uint64 validFrom,
        uint64 validUntil,
        uint256 grantorPreviousChange,
        uint256 subjectPreviousChange
    );

    /// @notice `grantor` withdrew grant `grantId` of `subject` for `reason`; the record stays, with its time.
    /// @param grantorPreviousChange block of the grantor's previous change (0 if none)
    /// @param subjectPreviousChange block of the subject's previous change (0 if none)
    event AccreditationWithdrawn(
        uint64 indexed grantId,
        address indexed grantor,
        address indexed subject,
        uint8 reason,
        uint256 grantorPreviousChange,
        uint256 subjectPreviousChange
    );

    /// @notice `account` is already a root; a declaration is made once.
    error RootAlreadyDeclared(address account);
    /// @notice A root's name must be 1 to 64 bytes long, not `length`.
    error InvalidRootName(uint256 length);
    /// @notice `country` is not two upper-case ASCII letters (ISO 3166-1 alpha-2).
    error InvalidCountry(bytes2 country);
    /// @notice `account` granted as a root (no parent grant) without being a declared root.
    error NotRoot(address account);
    /// @notice A grant needs a subject.
    error ZeroSubject();
    /// @notice `account` cannot accredit itself.
    error SelfGrant(address account);
    /// @notice A scope needs a credential kind.
    error ZeroKind();
    /// @notice An EQF level is 1 to 8, not `level`.
    error InvalidLevel(uint8 level);
    /// @notice `field` is not an ISCED-F code of 2 to 4 ASCII digits, left-aligned, or zero for every field.
    error InvalidField(bytes4 field);
    /// @notice A validity period must start before it ends and end before 2^40 (`validFrom` < `validUntil`).
    error InvalidValidity(uint64 validFrom, uint64 validUntil);
    /// @notice The validity period ends at `validUntil`, not after the time of the grant, `time`.
    error ValidityEnded(uint64 validUntil, uint64 time);
    /// @notice No grant numbered `grantId` exists.
    error UnknownGrant(uint64 grantId);
    /// @notice Grant `parentId` is held by `holder`, not by the grantor `account`: a body only grants what it holds.
    error ParentNotHeld(uint64 parentId, address holder, address account);
    /// @notice Grant `parentId` is not live at `time` (valid from `validFrom` until `validUntil`).
    error ParentNotLive(uint64 parentId, uint64 validFrom, uint64 validUntil, uint64 time);
    /// @notice Grant `withdrawnId`, `parentId` itself or one of its ancestors, was withdrawn at `withdrawnAt`.
    error ParentWithdrawn(uint64 parentId, uint64 withdrawnId, uint64 withdrawnAt);
    /// @notice The scope's kind `kind` is not the kind `parentKind` of grant `parentId`.
    error ParentKindDiffers(uint64 parentId, bytes32 parentKind, bytes32 kind);
    /// @notice EQF level `maxLevel` is above the level `parentMaxLevel` of grant `parentId`.
    error LevelAboveParent(uint64 parentId, uint8 parentMaxLevel, uint8 maxLevel);
    /// @notice Field `field` is not covered by the field `parentField` of grant `parentId`.
    error FieldNotCovered(uint64 parentId, bytes4 parentField, bytes4 field);
    /// @notice The period [`validFrom`, `validUntil`) is not inside [`parentFrom`, `parentUntil`) of grant `parentId`.
    error ValidityOutsideParent(
        uint64 parentId, uint64 parentFrom, uint64 parentUntil, uint64 validFrom, uint64 validUntil
    );
    /// @notice Grant `parentId` is at the deepest level allowed, `maxDepth`: it cannot be granted further.
    error ChainTooDeep(uint64 parentId, uint8 maxDepth);
    /// @notice `account` is not `grantor`, who alone may withdraw grant `grantId`.
    error NotGrantor(uint64 grantId, address grantor, address account);
    /// @notice Grant `grantId` was already withdrawn at `withdrawnAt`.
    error AlreadyWithdrawn(uint64 grantId, uint64 withdrawnAt);

    /// @notice Declare the caller a root accreditation body. Example: `declareRoot("Akkreditierungsrat", "DE")`.
    /// @param name the body's name, 1 to 64 bytes of UTF-8
    /// @param country ISO 3166-1 alpha-2 code, e.g. `"DE"`
    function declareRoot(string calldata name, bytes2 country) external;

    /// @notice Accredit `subject` for `scope` during [`validFrom`, `validUntil`). A root acting as root passes
    /// `parentId` 0; any other grantor names its own grant, live now, whose scope and validity cover the new ones
    /// and whose ancestors are not withdrawn.
    /// Example: `grant(university, Scope(keccak256("MicroCredential"), 6, "06"), 1767225600, 1798761600, 1)`.
    /// @param subject the accredited account (a body or an issuer), not the caller
    /// @param scope kind, maximum EQF level and field of study
    /// @param validFrom unix time from which the grant holds
    /// @param validUntil unix time until which it holds (exclusive); after now
    /// @param parentId the caller's own grant this one derives from, or 0 for a root acting as root
    /// @return grantId the new grant's number
    function grant(address subject, Scope calldata scope, uint64 validFrom, uint64 validUntil, uint64 parentId)
        external
        returns (uint64 grantId);

    /// @notice Withdraw, finally, the caller's grant `grantId` for `reason`; the record keeps the time.
    /// @param grantId a grant the caller made, not yet withdrawn
    /// @param reason reason code (documented by the client; e.g. 1 issued in error, 2 quality review failed)
    function withdraw(uint64 grantId, uint8 reason) external;

    /// @notice The deepest chain allowed: a grant at this depth cannot be granted further.
    function MAX_DEPTH() external view returns (uint8);

    /// @notice The record of grant `grantId`; reverts with {UnknownGrant} when there is none.
    function getGrant(uint64 grantId) external view returns (Grant memory);

    /// @notice The number of grants ever made (grant ids run from 1 to this).
    function grantCount() external view returns (uint64);

    /// @notice The ids of every grant whose subject is `subject`, oldest first (withdrawn ones included).
    function grantsOf(address subject) external view returns (uint64[] memory);

    /// @notice Whether `account` declared itself a root.
    function isRoot(address account) external view returns (bool);

    /// @notice The declaration of root `account` (`declaredAt` 0 when it is not a root).
    function rootOf(address account) external view returns (Root memory);

    /// @notice Block of the latest change touching `account` (0 if none): the head of its history.
    function lastChange(address account) external view returns (uint256);

    /// @notice Everything a verifier needs about `subject`, in one call: each grant of `subject` whose chain ends at
    /// one of `roots` (every grant when `roots` is empty), newest first, each followed by its ancestors up to the
    /// root — the parent, the grandparent, …, the grant made by the root as root. Ancestors shared by several grants
    /// appear once per grant. Filtering by roots keeps the answer small however many grants untrusted self-declared
    /// roots heap on a subject.
    /// @param subject the issuer (or body) to check
    /// @param roots the root accounts the verifier trusts; empty for all
    /// @return chains the flattened chains
    /// @return subjectGrants the number of grants of `subject` under any root (to tell "none" from "none trusted")
    function chainsOf(address subject, address[] calldata roots)
        external
        view
        returns (Grant[] memory chains, uint256 subjectGrants);

    /// @notice Whether ISCED-F code `outer` covers code `inner`: `outer` is empty or a prefix of `inner`.
    /// Example: `fieldCovers("06", "0613")` is true, `fieldCovers("0613", "06")` false.
    function fieldCovers(bytes4 outer, bytes4 inner) external pure returns (bool);
}
