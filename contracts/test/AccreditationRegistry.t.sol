// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AccreditationRegistry} from "../AccreditationRegistry.sol";
import {IAccreditationRegistry} from "../IAccreditationRegistry.sol";
import {Test, Vm} from "./utils/Test.sol";

contract AccreditationRegistryTest is Test {

    bytes32 internal constant MICRO = keccak256("MicroCredential");
    bytes32 internal constant DEGREE = keccak256("Degree");
    uint64 internal constant T0 = 1_800_000_000;
    uint64 internal constant YEAR = 365 days;

    AccreditationRegistry internal reg;
    address internal root = address(0x100);
    address internal otherRoot = address(0x101);
    address internal agency = address(0x200);
    address internal university = address(0x300);
    address internal stranger = address(0xBAD);

    function setUp() public {
        reg = new AccreditationRegistry();
        vm.warp(T0);
        vm.roll(100);
        vm.prank(root);
        reg.declareRoot("Akkreditierungsrat", "DE");
        vm.prank(otherRoot);
        reg.declareRoot("Commission des titres", "FR");
    }

    // -- small kit ------------------------------------------------------------------------------------------------

    function _eq(uint256 a, uint256 b, string memory what) internal pure {
        if (a != b) revert(string.concat(what, ": got ", _str(a), ", expected ", _str(b)));
    }

    function _eq(address a, address b, string memory what) internal pure {
        if (a != b) revert(string.concat(what, ": wrong address"));
    }

    function _true(bool ok, string memory what) internal pure {
        if (!ok) revert(what);
    }

    function _str(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory out;
        while (v != 0) {
            out = abi.encodePacked(bytes1(uint8(48 + (v % 10))), out);
            v /= 10;
        }
        return string(out);
    }

    function _scope(bytes32 kind, uint8 level, bytes4 field)
        internal
        pure
        returns (IAccreditationRegistry.Scope memory)
    {
        return IAccreditationRegistry.Scope(kind, level, field);
    }

    /// @dev root → agency (MicroCredential ≤ 7, field 06, [T0, T0 + 2y)) → university (≤ 6, 0613, [T0, T0 + 1y)).
    function _chain() internal returns (uint64 agencyGrant, uint64 universityGrant) {
        vm.prank(root);
        agencyGrant = reg.grant(agency, _scope(MICRO, 7, "06"), T0, T0 + 2 * YEAR, 0);
        vm.prank(agency);
        universityGrant = reg.grant(university, _scope(MICRO, 6, "0613"), T0, T0 + YEAR, agencyGrant);
    }

    // -- roots ----------------------------------------------------------------------------------------------------

    function test_declareRootRecordsAndRefusesTwice() public {
        _true(reg.isRoot(root), "root declared");
        _true(!reg.isRoot(agency), "agency is no root");
        IAccreditationRegistry.Root memory info = reg.rootOf(root);
        _true(keccak256(bytes(info.name)) == keccak256("Akkreditierungsrat"), "root name");
        _true(info.country == "DE", "root country");
        _eq(info.declaredAt, T0, "declaredAt");
        _eq(reg.lastChange(root), 100, "root history head");

        vm.prank(root);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.RootAlreadyDeclared.selector, root));
        reg.declareRoot("Again", "DE");
    }

    function test_declareRootValidatesNameAndCountry() public {
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidRootName.selector, 0));
        reg.declareRoot("", "DE");
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidCountry.selector, bytes2("de")));
        reg.declareRoot("Agency", "de");
        bytes memory longName = new bytes(65);
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidRootName.selector, 65));
        reg.declareRoot(string(longName), "DE");
    }

    function test_rootDeclaredEvent() public {
        vm.roll(150);
        vm.expectEmit(true, false, false, true, address(reg));
        emit IAccreditationRegistry.RootDeclared(agency, "Agency", "AT", 0);
        vm.prank(agency);
        reg.declareRoot("Agency", "AT");
    }

    // -- granting -------------------------------------------------------------------------------------------------

    function test_chainOfTwoGrants() public {
        (uint64 a, uint64 u) = _chain();
        _eq(a, 1, "first id");
        _eq(u, 2, "second id");
        _eq(reg.grantCount(), 2, "grantCount");
        IAccreditationRegistry.Grant memory g = reg.getGrant(u);
        _eq(g.grantor, agency, "grantor");
        _eq(g.subject, university, "subject");
        _true(g.scope.kind == MICRO && g.scope.maxLevel == 6 && g.scope.field == bytes4("0613"), "scope");
        _eq(g.validFrom, T0, "validFrom");
        _eq(g.validUntil, T0 + YEAR, "validUntil");
        _eq(g.createdAt, T0, "createdAt");
        _eq(g.withdrawnAt, 0, "withdrawnAt");
        _eq(g.parentId, a, "parent");
        _eq(g.depth, 2, "depth");
        _eq(reg.getGrant(a).depth, 1, "root grant depth");

        uint64[] memory ids = reg.grantsOf(university);
        _eq(ids.length, 1, "grants of the university");
        _eq(ids[0], u, "the university's grant");
    }

    function test_nonRootCannotGrantAsRoot() public {
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.NotRoot.selector, agency));
        reg.grant(university, _scope(MICRO, 6, ""), T0, T0 + YEAR, 0);
    }

    function test_grantInputsAreValidated() public {
        vm.startPrank(root);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ZeroSubject.selector));
        reg.grant(address(0), _scope(MICRO, 6, ""), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.SelfGrant.selector, root));
        reg.grant(root, _scope(MICRO, 6, ""), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ZeroKind.selector));
        reg.grant(agency, _scope(bytes32(0), 6, ""), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidLevel.selector, 0));
        reg.grant(agency, _scope(MICRO, 0, ""), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidLevel.selector, 9));
        reg.grant(agency, _scope(MICRO, 9, ""), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidField.selector, bytes4("6")));
        reg.grant(agency, _scope(MICRO, 6, "6"), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidField.selector, bytes4("06a")));
        reg.grant(agency, _scope(MICRO, 6, "06a"), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidField.selector, bytes4(hex"30360031")));
        reg.grant(agency, _scope(MICRO, 6, bytes4(hex"30360031")), T0, T0 + YEAR, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.InvalidValidity.selector, T0, T0));
        reg.grant(agency, _scope(MICRO, 6, ""), T0, T0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(IAccreditationRegistry.InvalidValidity.selector, T0, uint64(type(uint40).max) + 1)
        );
        reg.grant(agency, _scope(MICRO, 6, ""), T0, uint64(type(uint40).max) + 1, 0);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ValidityEnded.selector, T0, T0));
        reg.grant(agency, _scope(MICRO, 6, ""), T0 - 10, T0, 0);
        vm.stopPrank();
    }

    function test_scopeNarrowingIsEnforced() public {
        vm.prank(root);
        uint64 a = reg.grant(agency, _scope(MICRO, 7, "06"), T0, T0 + 2 * YEAR, 0);
        vm.startPrank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ParentKindDiffers.selector, a, MICRO, DEGREE));
        reg.grant(university, _scope(DEGREE, 6, "06"), T0, T0 + YEAR, a);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.LevelAboveParent.selector, a, 7, 8));
        reg.grant(university, _scope(MICRO, 8, "06"), T0, T0 + YEAR, a);
        vm.expectRevert(
            abi.encodeWithSelector(IAccreditationRegistry.FieldNotCovered.selector, a, bytes4("06"), bytes4("0712"))
        );
        reg.grant(university, _scope(MICRO, 6, "0712"), T0, T0 + YEAR, a);
        vm.expectRevert(
            abi.encodeWithSelector(IAccreditationRegistry.FieldNotCovered.selector, a, bytes4("06"), bytes4(0))
        );
        reg.grant(university, _scope(MICRO, 6, ""), T0, T0 + YEAR, a);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccreditationRegistry.ValidityOutsideParent.selector, a, T0, T0 + 2 * YEAR, T0 - 1, T0 + YEAR
            )
        );
        reg.grant(university, _scope(MICRO, 6, "06"), T0 - 1, T0 + YEAR, a);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccreditationRegistry.ValidityOutsideParent.selector, a, T0, T0 + 2 * YEAR, T0, T0 + 2 * YEAR + 1
            )
        );
        reg.grant(university, _scope(MICRO, 6, "06"), T0, T0 + 2 * YEAR + 1, a);
        // the same scope, or a narrower one, is fine
        reg.grant(university, _scope(MICRO, 7, "06"), T0, T0 + 2 * YEAR, a);
        reg.grant(university, _scope(MICRO, 1, "0613"), T0 + 10, T0 + 20, a);
        vm.stopPrank();
    }

    function test_onlyTheHolderGrantsFromAGrant() public {
        (uint64 a,) = _chain();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ParentNotHeld.selector, a, agency, stranger));
        reg.grant(university, _scope(MICRO, 6, "06"), T0, T0 + YEAR, a);
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.UnknownGrant.selector, 99));
        reg.grant(university, _scope(MICRO, 6, "06"), T0, T0 + YEAR, 99);
    }

    function test_expiredOrNotYetValidParentRefused() public {
        vm.prank(root);
        uint64 a = reg.grant(agency, _scope(MICRO, 7, "06"), T0 + 100, T0 + 200, 0);
        vm.prank(agency);
        vm.expectRevert(
            abi.encodeWithSelector(IAccreditationRegistry.ParentNotLive.selector, a, T0 + 100, T0 + 200, T0)
        );
        reg.grant(university, _scope(MICRO, 6, "06"), T0 + 100, T0 + 200, a);
        vm.warp(T0 + 200);
        vm.prank(agency);
        vm.expectRevert(
            abi.encodeWithSelector(IAccreditationRegistry.ParentNotLive.selector, a, T0 + 100, T0 + 200, T0 + 200)
        );
        reg.grant(university, _scope(MICRO, 6, "06"), T0 + 100, T0 + 200, a);
        vm.warp(T0 + 150); // live: fine
        vm.prank(agency);
        reg.grant(university, _scope(MICRO, 6, "06"), T0 + 100, T0 + 200, a);
    }

    function test_withdrawnParentOrAncestorRefused() public {
        (uint64 a, uint64 u) = _chain();
        address school = address(0x400);
        // the university (a body here) grants on, then its agency's grant is withdrawn
        vm.prank(university);
        reg.grant(school, _scope(MICRO, 5, "0613"), T0, T0 + YEAR, u);
        vm.warp(T0 + 50);
        vm.prank(root);
        reg.withdraw(a, 2);
        vm.prank(university);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ParentWithdrawn.selector, u, a, T0 + 50));
        reg.grant(school, _scope(MICRO, 5, "0613"), T0, T0 + YEAR, u);
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ParentWithdrawn.selector, a, a, T0 + 50));
        reg.grant(school, _scope(MICRO, 5, "0613"), T0, T0 + YEAR, a);
    }

    function test_depthIsCapped() public {
        vm.prank(root);
        uint64 parent = reg.grant(address(1000), _scope(MICRO, 8, ""), T0, T0 + YEAR, 0);
        for (uint160 i = 1; i < 8; ++i) {
            vm.prank(address(1000 + i - 1));
            parent = reg.grant(address(1000 + i), _scope(MICRO, 8, ""), T0, T0 + YEAR, parent);
        }
        _eq(reg.getGrant(parent).depth, 8, "depth of the eighth link");
        vm.prank(address(1007));
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.ChainTooDeep.selector, parent, 8));
        reg.grant(address(2000), _scope(MICRO, 8, ""), T0, T0 + YEAR, parent);
        (IAccreditationRegistry.Grant[] memory chains,) = reg.chainsOf(address(1007), new address[](0));
        _eq(chains.length, 8, "a chain of eight");
        _eq(chains[7].grantor, root, "ends at the root");
    }

    // -- withdrawal -----------------------------------------------------------------------------------------------

    function test_withdrawKeepsTheRecord() public {
        (, uint64 u) = _chain();
        vm.warp(T0 + 1000);
        vm.roll(140);
        vm.expectEmit(true, true, true, true, address(reg));
        emit IAccreditationRegistry.AccreditationWithdrawn(u, agency, university, 3, 100, 100);
        vm.prank(agency);
        reg.withdraw(u, 3);
        IAccreditationRegistry.Grant memory g = reg.getGrant(u);
        _eq(g.withdrawnAt, T0 + 1000, "withdrawnAt");
        _eq(g.withdrawReason, 3, "reason");
        _eq(g.createdAt, T0, "createdAt kept");
        _eq(g.validUntil, T0 + YEAR, "validity kept");
        _eq(reg.grantsOf(university).length, 1, "still listed");
        vm.prank(agency);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.AlreadyWithdrawn.selector, u, T0 + 1000));
        reg.withdraw(u, 1);
    }

    function test_strangerCannotWithdraw() public {
        (uint64 a, uint64 u) = _chain();
        vm.prank(stranger);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.NotGrantor.selector, u, agency, stranger));
        reg.withdraw(u, 1);
        // neither the subject nor the root above the grantor
        vm.prank(university);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.NotGrantor.selector, u, agency, university));
        reg.withdraw(u, 1);
        vm.prank(root);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.NotGrantor.selector, u, agency, root));
        reg.withdraw(u, 1);
        vm.prank(root);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.UnknownGrant.selector, 7));
        reg.withdraw(7, 1);
        vm.prank(root);
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.UnknownGrant.selector, 0));
        reg.withdraw(0, 1);
        _eq(reg.getGrant(u).withdrawnAt, 0, "untouched");
        _eq(reg.getGrant(a).withdrawnAt, 0, "untouched");
    }

    function test_getGrantOfUnknownIdReverts() public {
        vm.expectRevert(abi.encodeWithSelector(IAccreditationRegistry.UnknownGrant.selector, 1));
        reg.getGrant(1);
    }

    // -- events and linked history --------------------------------------------------------------------------------

    function test_grantedEventCarriesBothLinks() public {
        vm.roll(110);
        vm.expectEmit(true, true, true, true, address(reg));
        emit IAccreditationRegistry.AccreditationGranted(
            1, root, agency, 0, _scope(MICRO, 7, "06"), T0, T0 + 2 * YEAR, 100, 0
        );
        vm.prank(root);
        reg.grant(agency, _scope(MICRO, 7, "06"), T0, T0 + 2 * YEAR, 0);
        vm.roll(120);
        vm.expectEmit(true, true, true, true, address(reg));
        emit IAccreditationRegistry.AccreditationGranted(
            2, agency, university, 1, _scope(MICRO, 6, "0613"), T0, T0 + YEAR, 110, 0
        );
        vm.prank(agency);
        reg.grant(university, _scope(MICRO, 6, "0613"), T0, T0 + YEAR, 1);
    }

    function test_historyLinksEveryAccountItTouches() public {
        vm.recordLogs();
        vm.roll(110);
        vm.prank(root);
        reg.grant(agency, _scope(MICRO, 7, "06"), T0, T0 + 2 * YEAR, 0); // 1: root 100→110, agency 0→110
        vm.roll(120);
        vm.prank(agency);
        reg.grant(university, _scope(MICRO, 6, "0613"), T0, T0 + YEAR, 1); // 2: agency 110→120, univ 0→120
        vm.prank(agency);
        reg.grant(stranger, _scope(MICRO, 6, "0613"), T0, T0 + YEAR, 1); // 3: agency 120→120 (same block)
        vm.roll(130);
        vm.prank(agency);
        reg.withdraw(2, 1); // agency 120→130, univ 120→130
        vm.roll(140);
        vm.prank(otherRoot);
        reg.grant(university, _scope(MICRO, 4, ""), T0, T0 + YEAR, 0); // 4: otherRoot 100→140, univ 130→140

        Vm.Log[] memory logs = vm.getRecordedLogs();
        _eq(logs.length, 5, "number of events");
        uint256[2][5] memory expected = [[uint256(100), 0], [uint256(110), 0], [uint256(120), 0],
            [uint256(120), 120], [uint256(100), 130]];
        for (uint256 i; i < 5; ++i) {
            (uint256 g, uint256 s) = _links(logs[i]);
            _eq(g, expected[i][0], string.concat("grantor's previousChange of event ", _str(i)));
            _eq(s, expected[i][1], string.concat("subject's previousChange of event ", _str(i)));
        }
        _eq(reg.lastChange(root), 110, "root's head");
        _eq(reg.lastChange(agency), 130, "agency's head");
        _eq(reg.lastChange(university), 140, "university's head");
        _eq(reg.lastChange(otherRoot), 140, "other root's head");
        _eq(reg.lastChange(stranger), 120, "stranger's head");
    }

    /// @dev The two `previousChange` values are the last two words of both grant events' data.
    function _links(Vm.Log memory log) internal pure returns (uint256 grantor, uint256 subject) {
        bytes memory data = log.data;
        uint256 n = data.length;
        assembly {
            grantor := mload(add(data, sub(n, 32)))
            subject := mload(add(data, n))
        }
    }

    // -- the verifier's view --------------------------------------------------------------------------------------

    function test_chainsOfFollowsEachGrantToItsRoot() public {
        (uint64 a, uint64 u) = _chain();
        vm.prank(otherRoot);
        uint64 fr = reg.grant(university, _scope(MICRO, 5, "04"), T0, T0 + YEAR, 0);

        address[] memory trusted = new address[](1);
        trusted[0] = root;
        (IAccreditationRegistry.Grant[] memory chains, uint256 count) = reg.chainsOf(university, trusted);
        _eq(count, 2, "the university holds two grants");
        _eq(chains.length, 2, "one chain of two");
        _eq(chains[0].id, u, "the university's grant first");
        _eq(chains[1].id, a, "then its parent");

        trusted[0] = otherRoot;
        (chains,) = reg.chainsOf(university, trusted);
        _eq(chains.length, 1, "the French chain");
        _eq(chains[0].id, fr, "the French grant");

        (chains,) = reg.chainsOf(university, new address[](0));
        _eq(chains.length, 3, "all chains");
        _eq(chains[0].id, fr, "newest first");
        _eq(chains[1].id, u, "then the older one");
        _eq(chains[2].id, a, "and its parent");

        trusted[0] = stranger;
        (chains, count) = reg.chainsOf(university, trusted);
        _eq(chains.length, 0, "nothing under an unknown root");
        _eq(count, 2, "yet the grants are counted");
    }

    function test_grantsHeapedByAnUntrustedRootDoNotReachTheVerifier() public {
        _chain();
        vm.prank(stranger);
        reg.declareRoot("Diploma mill", "XX");
        for (uint256 i; i < 30; ++i) {
            vm.prank(stranger);
            reg.grant(university, _scope(MICRO, 8, ""), T0, T0 + YEAR, 0);
        }
        address[] memory trusted = new address[](2);
        trusted[0] = root;
        trusted[1] = otherRoot;
        (IAccreditationRegistry.Grant[] memory chains, uint256 count) = reg.chainsOf(university, trusted);
        _eq(count, 31, "all grants counted");
        _eq(chains.length, 2, "only the trusted chain is returned");
        _eq(reg.grantsOf(university).length, 31, "the auditor still sees every grant");
        _eq(reg.grantsOf(university)[0], 2, "oldest first");
    }

    // -- fuzz -----------------------------------------------------------------------------------------------------

    /// @dev `fieldCovers` agrees with a plain byte-prefix definition.
    function testFuzz_fieldCoversIsPrefix(bytes4 outer, bytes4 inner) public view {
        uint256 len;
        while (len < 4 && outer[len] != 0) ++len;
        for (uint256 i = len; i < 4; ++i) vm.assume(outer[i] == 0); // a well-formed code is zero-padded
        bool prefix = true;
        for (uint256 i; i < len; ++i) {
            if (outer[i] != inner[i]) prefix = false;
        }
        _true(reg.fieldCovers(outer, inner) == prefix, "fieldCovers differs from the prefix rule");
    }

    /// @dev Any grant under a parent succeeds exactly when its scope and validity narrow the parent's.
    function testFuzz_grantUnderParentNarrowsOrIsRefused(
        uint8 level,
        uint8 fieldChoice,
        uint32 fromOffset,
        uint32 untilOffset,
        bool otherKind
    ) public {
        vm.prank(root);
        uint64 a = reg.grant(agency, _scope(MICRO, 6, "061"), T0 - 1000, T0 + 100_000, 0);
        bytes4[6] memory fields =
            [bytes4(0), bytes4("06"), bytes4("061"), bytes4("0613"), bytes4("0623"), bytes4("07")];
        bytes4 field = fields[fieldChoice % 6];
        level = uint8(bound(level, 1, 8));
        uint64 validFrom = T0 - 2000 + uint64(fromOffset % 10_000);
        uint64 validUntil = validFrom + 1 + uint64(untilOffset % 200_000);
        bytes32 kind = otherKind ? DEGREE : MICRO;

        bool narrows = kind == MICRO && level <= 6 && (field == bytes4("061") || field == bytes4("0613"))
            && validFrom >= T0 - 1000 && validUntil <= T0 + 100_000 && validUntil > T0;
        vm.prank(agency);
        (bool ok,) = address(reg).call(
            abi.encodeCall(reg.grant, (university, _scope(kind, level, field), validFrom, validUntil, a))
        );
        _true(ok == narrows, ok ? "a widening grant was accepted" : "a narrowing grant was refused");
        if (ok) {
            IAccreditationRegistry.Grant memory g = reg.getGrant(a + 1);
            IAccreditationRegistry.Grant memory p = reg.getGrant(a);
            _true(g.scope.maxLevel <= p.scope.maxLevel, "level narrows");
            _true(reg.fieldCovers(p.scope.field, g.scope.field), "field narrows");
            _true(g.validFrom >= p.validFrom && g.validUntil <= p.validUntil, "validity narrows");
        }
    }
}
