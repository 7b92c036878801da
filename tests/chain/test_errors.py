"""Every custom error of the ABI has a named Python exception, and decoding gives its arguments."""

from __future__ import annotations

from eth_abi import encode
from eth_utils import keccak

from microcred.contracts import load_artifact
from microcred.errors import MicrocredError
from microcred.chain import _errors as E


def test_every_abi_error_has_a_named_exception():
    abi = load_artifact("CredentialRegistry")["abi"]
    names = {item["name"] for item in abi if item["type"] == "error"}
    assert names, "the ABI declares custom errors"
    assert names == set(E.REVERT_CLASSES), f"unmapped: {names - set(E.REVERT_CLASSES)}"
    for name in names:
        cls = E.REVERT_CLASSES[name]
        assert issubclass(cls, MicrocredError) and cls.__name__ == name + "Error"


def test_decode_carries_arguments_into_the_message():
    abi = load_artifact("CredentialRegistry")["abi"]
    issuer = "0x" + "ab" * 20
    data = keccak(text="CredentialIsRevoked(address,uint256)")[:4] + encode(["address", "uint256"], [issuer, 42])
    err = E.decode_revert(abi, data)
    assert isinstance(err, E.CredentialIsRevokedError)
    assert err.args_by_name["index"] == 42 and "index 42" in str(err) and "0xABaB" in str(err)


def test_unknown_and_malformed_reverts_are_named_too():
    abi = load_artifact("CredentialRegistry")["abi"]
    assert isinstance(E.decode_revert(abi, b""), E.UnknownRevertError)
    assert isinstance(E.decode_revert(abi, b"\x01\x02\x03\x04"), E.UnknownRevertError)
    reason = bytes.fromhex("08c379a0") + encode(["string"], ["nope"])
    assert "nope" in str(E.decode_revert(abi, reason))
    truncated = keccak(text="CredentialIsRevoked(address,uint256)")[:4] + b"\x00" * 5
    assert "malformed" in str(E.decode_revert(abi, truncated))
    assert isinstance(E.decode_revert(abi, "0xzz"), E.UnknownRevertError)
