"""Compiled contracts (ABI and bytecode), committed so the Python side runs without Node.

``make contracts`` rewrites the JSON files from a fresh Hardhat compile; a test fails when they differ.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_artifact", "event_signatures", "CONTRACT_NAMES"]

CONTRACT_NAMES = ("CredentialRegistry", "EthereumDIDRegistry", "AccreditationRegistry")


@cache
def load_artifact(name: str) -> dict[str, Any]:
    """The artifact of contract ``name``: ``{"abi": [...], "bytecode": "0x…", "deployedBytecode": "0x…"}``."""
    try:
        text = resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    except FileNotFoundError:
        from microcred.errors import NotFoundError

        raise NotFoundError(f"no compiled contract named {name!r} is shipped with microcred") from None
    return json.loads(text)


def _abi_type(item: dict[str, Any]) -> str:
    """The canonical type of an ABI parameter as event signatures spell it (tuples as ``(t1,t2)``)."""
    kind = str(item["type"])
    if kind.startswith("tuple"):
        return "(" + ",".join(_abi_type(c) for c in item.get("components", [])) + ")" + kind[len("tuple"):]
    return kind


def event_signatures(abi: list[dict[str, Any]]) -> dict[str, str]:
    """Event name → its canonical signature (``BatchAnchored(address,bytes32,uint64,uint64,uint64)``), whose
    keccak hash is the event's first topic."""
    return {e["name"]: f"{e['name']}({','.join(_abi_type(i) for i in e['inputs'])})" for e in abi
            if e["type"] == "event"}
