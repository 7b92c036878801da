"""Compiled contracts (ABI and bytecode), committed so the Python side runs without Node.

``make contracts`` rewrites the JSON files from a fresh Hardhat compile; a test fails when they differ.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

__all__ = ["load_artifact", "CONTRACT_NAMES"]

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
