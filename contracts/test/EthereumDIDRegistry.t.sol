// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EthereumDIDRegistry} from "../EthereumDIDRegistry.sol";
import {IEthereumDIDRegistry} from "../IEthereumDIDRegistry.sol";
import {Test, Vm} from "./utils/Test.sol";

/// @dev Calls the registry from another address than the test contract (a relayer of meta-transactions).
contract Relayer {
    function changeOwnerSigned(IEthereumDIDRegistry reg, address id, uint8 v, bytes32 r, bytes32 s, address o)
        external
    {
        reg.changeOwnerSigned(id, v, r, s, o);
    }
}

contract EthereumDIDRegistryTest is Test {
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    EthereumDIDRegistry internal reg;
    uint256 internal constant ALICE_KEY = 0xA11CE;
    uint256 internal constant BOB_KEY = 0xB0B;
    uint256 internal constant MALLORY_KEY = 0xBAD;
    address internal alice;
    address internal bob;
    address internal mallory;
    bytes32 internal constant VERI_KEY = "veriKey";
    bytes32 internal constant SIG_AUTH = "sigAuth";
    bytes32 internal constant SVC = "did/svc/HubService";

    function setUp() public {
        reg = new EthereumDIDRegistry();
        alice = vm.addr(ALICE_KEY);
        bob = vm.addr(BOB_KEY);
        mallory = vm.addr(MALLORY_KEY);
        vm.warp(1_800_000_000);
        vm.roll(100);
    }

    // -- small assertion kit --------------------------------------------------------------------------------------

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

    /// @dev Asserts that `call` (low-level, on the registry, from this contract) reverts with exactly `expected`.
    function _reverts(bytes memory call, bytes memory expected, string memory what) internal {
        (bool ok, bytes memory err) = address(reg).call(call);
        if (ok) revert(string.concat(what, ": did not revert"));
        if (keccak256(err) != keccak256(expected)) revert(string.concat(what, ": reverted with another error"));
    }

    /// @dev Asserts that `call` reverts with the custom error `selector`, whatever its arguments.
    function _revertsWith(bytes memory call, bytes4 selector, string memory what) internal {
        (bool ok, bytes memory err) = address(reg).call(call);
        if (ok) revert(string.concat(what, ": did not revert"));
        if (err.length < 4 || bytes4(err) != selector) revert(string.concat(what, ": reverted with another error"));
    }

    function _digest(address owner, bytes memory packedCall) internal view returns (bytes32) {
        return keccak256(abi.encodePacked(bytes1(0x19), bytes1(0), address(reg), reg.nonce(owner), packedCall));
    }

    // -- ownership ------------------------------------------------------------------------------------------------

    function test_identityOwnsItselfByDefault() public view {
        _eq(reg.identityOwner(alice), alice, "identityOwner");
        _eq(reg.owners(alice), address(0), "owners");
        _eq(reg.changed(alice), 0, "changed");
    }

    function test_changeOwner() public {
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDOwnerChanged(alice, bob, 0);
        vm.prank(alice);
        reg.changeOwner(alice, bob);
        _eq(reg.identityOwner(alice), bob, "identityOwner after change");
        _eq(reg.owners(alice), bob, "owners after change");
        _eq(reg.changed(alice), 100, "changed after change");

        // the new owner acts, the old one no longer can
        vm.prank(alice);
        _reverts(
            abi.encodeCall(reg.changeOwner, (alice, alice)),
            abi.encodeWithSelector(IEthereumDIDRegistry.NotOwner.selector, alice, alice),
            "the former owner"
        );
        vm.prank(bob);
        reg.changeOwner(alice, mallory);
        _eq(reg.identityOwner(alice), mallory, "identityOwner after second change");
    }

    function test_changeOwnerRefusesNonOwner() public {
        vm.prank(mallory);
        (bool ok, bytes memory err) = address(reg).call(abi.encodeCall(reg.changeOwner, (alice, mallory)));
        _true(!ok, "mallory changed alice's owner");
        _true(
            keccak256(err)
                == keccak256(abi.encodeWithSelector(IEthereumDIDRegistry.NotOwner.selector, alice, mallory)),
            "NotOwner(alice, mallory) expected"
        );
        _eq(reg.identityOwner(alice), alice, "owner unchanged");
    }

    function test_deactivationIsFinal() public {
        vm.prank(alice);
        reg.changeOwner(alice, address(0));
        _eq(reg.identityOwner(alice), address(0), "deactivated owner");
        bytes memory deactivated = abi.encodeWithSelector(IEthereumDIDRegistry.IdentityDeactivated.selector, alice);
        vm.prank(alice);
        (bool ok, bytes memory err) = address(reg).call(abi.encodeCall(reg.changeOwner, (alice, alice)));
        _true(!ok && keccak256(err) == keccak256(deactivated), "reactivation refused");
        vm.prank(alice);
        (ok, err) = address(reg).call(abi.encodeCall(reg.setAttribute, (alice, SVC, bytes("x"), 10)));
        _true(!ok && keccak256(err) == keccak256(deactivated), "attribute refused");
        // a signature that recovers to nobody must not pass for the zero owner
        (ok, err) = address(reg).call(
            abi.encodeCall(reg.changeOwnerSigned, (alice, 27, bytes32(uint256(1)), bytes32(uint256(1)), bob))
        );
        _true(!ok && keccak256(err) == keccak256(deactivated), "signed change refused");
    }

    // -- delegates ------------------------------------------------------------------------------------------------

    function test_addDelegateWithValidity() public {
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDDelegateChanged(alice, VERI_KEY, bob, 1_800_000_000 + 3600, 0);
        vm.prank(alice);
        reg.addDelegate(alice, VERI_KEY, bob, 3600);
        _true(reg.validDelegate(alice, VERI_KEY, bob), "bob is a veriKey delegate");
        _true(!reg.validDelegate(alice, SIG_AUTH, bob), "bob is not a sigAuth delegate");
        _eq(reg.delegates(alice, keccak256(abi.encodePacked(VERI_KEY)), bob), 1_800_003_600, "delegates getter");
        vm.warp(1_800_003_599);
        _true(reg.validDelegate(alice, VERI_KEY, bob), "still valid one second before expiry");
        vm.warp(1_800_003_600);
        _true(!reg.validDelegate(alice, VERI_KEY, bob), "expired at validTo");
    }

    function test_revokeDelegate() public {
        vm.prank(alice);
        reg.addDelegate(alice, SIG_AUTH, bob, 1 days);
        vm.roll(101);
        vm.warp(1_800_000_100);
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDDelegateChanged(alice, SIG_AUTH, bob, 1_800_000_100, 100);
        vm.prank(alice);
        reg.revokeDelegate(alice, SIG_AUTH, bob);
        _true(!reg.validDelegate(alice, SIG_AUTH, bob), "revoked delegate invalid at once");
        _eq(reg.changed(alice), 101, "changed");
    }

    function test_delegateChangesNeedTheOwner() public {
        _reverts(
            abi.encodeCall(reg.addDelegate, (alice, VERI_KEY, mallory, 1 days)),
            abi.encodeWithSelector(IEthereumDIDRegistry.NotOwner.selector, alice, address(this)),
            "addDelegate by a stranger"
        );
        vm.prank(alice);
        reg.addDelegate(alice, VERI_KEY, bob, 1 days);
        // a delegate is not an owner
        vm.prank(bob);
        (bool ok,) = address(reg).call(abi.encodeCall(reg.revokeDelegate, (alice, VERI_KEY, bob)));
        _true(!ok, "a delegate revoked itself");
    }

    function test_validityOverflowRefused() public {
        vm.prank(alice);
        (bool ok, bytes memory err) =
            address(reg).call(abi.encodeCall(reg.addDelegate, (alice, VERI_KEY, bob, type(uint256).max)));
        _true(
            !ok
                && keccak256(err)
                    == keccak256(
                        abi.encodeWithSelector(IEthereumDIDRegistry.ValidityTooLong.selector, type(uint256).max)
                    ),
            "ValidityTooLong expected"
        );
    }

    // -- attributes -----------------------------------------------------------------------------------------------

    function test_setAndRevokeAttribute() public {
        bytes memory url = bytes("https://hub.example");
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDAttributeChanged(alice, SVC, url, 1_800_000_000 + 86400, 0);
        vm.prank(alice);
        reg.setAttribute(alice, SVC, url, 86400);
        _eq(reg.changed(alice), 100, "changed after set");

        vm.roll(150);
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDAttributeChanged(alice, SVC, url, 0, 100);
        vm.prank(alice);
        reg.revokeAttribute(alice, SVC, url);
        _eq(reg.changed(alice), 150, "changed after revoke");

        _reverts(
            abi.encodeCall(reg.setAttribute, (alice, SVC, url, 1)),
            abi.encodeWithSelector(IEthereumDIDRegistry.NotOwner.selector, alice, address(this)),
            "setAttribute by a stranger"
        );
    }

    // -- linked history -------------------------------------------------------------------------------------------

    function test_changedLinksEveryEventToThePreviousChange() public {
        vm.recordLogs();
        vm.prank(alice);
        reg.setAttribute(alice, SVC, bytes("a"), 10); // block 100, previous 0
        vm.prank(alice);
        reg.addDelegate(alice, VERI_KEY, bob, 10); // block 100 again: previous 100 (same block)
        vm.roll(120);
        vm.prank(alice);
        reg.revokeDelegate(alice, VERI_KEY, bob); // block 120, previous 100
        vm.roll(130);
        vm.prank(alice);
        reg.changeOwner(alice, bob); // block 130, previous 120
        vm.roll(140);
        vm.prank(bob);
        reg.revokeAttribute(alice, SVC, bytes("a")); // block 140, previous 130
        // another identity's change does not touch alice's chain
        vm.prank(mallory);
        reg.setAttribute(mallory, SVC, bytes("m"), 10);

        Vm.Log[] memory logs = vm.getRecordedLogs();
        _eq(logs.length, 6, "number of events");
        uint256[5] memory expected = [uint256(0), 100, 100, 120, 130];
        for (uint256 i = 0; i < 5; i++) {
            _eq(uint256(logs[i].topics[1]), uint256(uint160(alice)), "indexed identity");
            _eq(_previousChange(logs[i]), expected[i], string.concat("previousChange of event ", _str(i)));
        }
        _eq(_previousChange(logs[5]), 0, "mallory's first change");
        _eq(reg.changed(alice), 140, "alice's head");
        _eq(reg.changed(mallory), 140, "mallory's head");
    }

    /// @dev `previousChange` is the last word of the data of each of the three events.
    function _previousChange(Vm.Log memory log) internal pure returns (uint256 value) {
        bytes32 t = log.topics[0];
        if (t == IEthereumDIDRegistry.DIDOwnerChanged.selector) {
            (, value) = abi.decode(log.data, (address, uint256));
        } else if (t == IEthereumDIDRegistry.DIDDelegateChanged.selector) {
            (,,, value) = abi.decode(log.data, (bytes32, address, uint256, uint256));
        } else {
            (,,, value) = abi.decode(log.data, (bytes32, bytes, uint256, uint256));
        }
    }

    // -- meta-transactions ----------------------------------------------------------------------------------------

    function test_changeOwnerSignedByTheOwner() public {
        bytes32 digest = _digest(alice, abi.encodePacked(alice, "changeOwner", bob));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ALICE_KEY, digest);
        Relayer relayer = new Relayer();
        relayer.changeOwnerSigned(reg, alice, v, r, s, bob);
        _eq(reg.identityOwner(alice), bob, "owner after signed change");
        _eq(reg.nonce(alice), 1, "alice's nonce spent");
    }

    function test_signedByAnotherKeyRefused() public {
        bytes32 digest = _digest(alice, abi.encodePacked(alice, "changeOwner", mallory));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(MALLORY_KEY, digest);
        _reverts(
            abi.encodeCall(reg.changeOwnerSigned, (alice, v, r, s, mallory)),
            abi.encodeWithSelector(IEthereumDIDRegistry.NotOwner.selector, alice, mallory),
            "mallory's signature"
        );
        _eq(reg.identityOwner(alice), alice, "owner unchanged");
        _eq(reg.nonce(alice), 0, "nonce unchanged");
    }

    function test_replayedSignatureRefused() public {
        bytes32 name = SVC;
        bytes memory value = bytes("https://hub.example");
        bytes32 digest = _digest(alice, abi.encodePacked(alice, "setAttribute", name, value, uint256(60)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ALICE_KEY, digest);
        bytes memory call = abi.encodeCall(reg.setAttributeSigned, (alice, v, r, s, name, value, 60));
        (bool ok,) = address(reg).call(call);
        _true(ok, "first use accepted");
        _eq(reg.nonce(alice), 1, "nonce spent");
        // the same bytes again: the digest now has nonce 1, so the signature recovers to some stranger
        _revertsWith(call, IEthereumDIDRegistry.NotOwner.selector, "replay");
    }

    function test_signatureForAnotherRegistryRefused() public {
        EthereumDIDRegistry other = new EthereumDIDRegistry();
        bytes32 digest = keccak256(
            abi.encodePacked(bytes1(0x19), bytes1(0), address(other), uint256(0), alice, "changeOwner", bob)
        );
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ALICE_KEY, digest);
        _revertsWith(
            abi.encodeCall(reg.changeOwnerSigned, (alice, v, r, s, bob)),
            IEthereumDIDRegistry.NotOwner.selector,
            "signature for another registry"
        );
    }

    function test_malformedSignaturesRefused() public {
        bytes32 digest = _digest(alice, abi.encodePacked(alice, "changeOwner", bob));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(ALICE_KEY, digest);
        bytes memory bad = abi.encodeWithSelector(IEthereumDIDRegistry.BadSignature.selector);
        _reverts(abi.encodeCall(reg.changeOwnerSigned, (alice, v - 27, r, s, bob)), bad, "v of 0/1");
        // the high-s twin of a valid signature
        uint8 twinV = v == 27 ? 28 : 27;
        bytes32 twinS = bytes32(SECP256K1_N - uint256(s));
        _reverts(abi.encodeCall(reg.changeOwnerSigned, (alice, twinV, r, twinS, bob)), bad, "high s");
        _reverts(abi.encodeCall(reg.changeOwnerSigned, (alice, 27, bytes32(0), s, bob)), bad, "r = 0");
        (bool ok,) = address(reg).call(abi.encodeCall(reg.changeOwnerSigned, (alice, v, r, s, bob)));
        _true(ok, "the genuine signature still works");
    }

    function test_delegateAndAttributeSignedVariants() public {
        // the owner is bob now: his key signs for alice's identity and his nonce is spent
        vm.prank(alice);
        reg.changeOwner(alice, bob);

        bytes32 digest = _digest(bob, abi.encodePacked(alice, "addDelegate", SIG_AUTH, mallory, uint256(600)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(BOB_KEY, digest);
        reg.addDelegateSigned(alice, v, r, s, SIG_AUTH, mallory, 600);
        _true(reg.validDelegate(alice, SIG_AUTH, mallory), "delegate added by signature");

        digest = _digest(bob, abi.encodePacked(alice, "revokeDelegate", SIG_AUTH, mallory));
        (v, r, s) = vm.sign(BOB_KEY, digest);
        reg.revokeDelegateSigned(alice, v, r, s, SIG_AUTH, mallory);
        _true(!reg.validDelegate(alice, SIG_AUTH, mallory), "delegate revoked by signature");

        bytes memory value = hex"c642b35757cc36906fa75fa0338bf33e5210c5bce4769324801fd64276d69d07";
        bytes32 name = "did/pub/Ed25519/veriKey";
        digest = _digest(bob, abi.encodePacked(alice, "setAttribute", name, value, uint256(600)));
        (v, r, s) = vm.sign(BOB_KEY, digest);
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDAttributeChanged(alice, name, value, 1_800_000_600, 100);
        reg.setAttributeSigned(alice, v, r, s, name, value, 600);

        digest = _digest(bob, abi.encodePacked(alice, "revokeAttribute", name, value));
        (v, r, s) = vm.sign(BOB_KEY, digest);
        vm.expectEmit(true, false, false, true, address(reg));
        emit IEthereumDIDRegistry.DIDAttributeChanged(alice, name, value, 0, 100);
        reg.revokeAttributeSigned(alice, v, r, s, name, value);

        _eq(reg.nonce(bob), 4, "bob's nonce");
        _eq(reg.nonce(alice), 0, "alice's nonce");
        // alice's own key no longer signs for her identity (even over the digest the registry expects)
        digest = _digest(bob, abi.encodePacked(alice, "changeOwner", alice));
        (v, r, s) = vm.sign(ALICE_KEY, digest);
        _reverts(
            abi.encodeCall(reg.changeOwnerSigned, (alice, v, r, s, alice)),
            abi.encodeWithSelector(IEthereumDIDRegistry.NotOwner.selector, alice, alice),
            "the former owner's signature"
        );
    }
}
