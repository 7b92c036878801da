"""Addresses as the chain takes them: checked once, checksummed, and typed as web3 types them."""

from __future__ import annotations

from typing import Any

from eth_typing import ChecksumAddress
from eth_utils import is_address, to_checksum_address

from microcred.errors import InvalidInputError

__all__ = ["checked_address"]


def checked_address(value: Any, what: str) -> ChecksumAddress:
    """``value`` checksummed; :class:`InvalidInputError` naming ``what`` when it is not a 0x-prefixed 20-byte
    address (a mixed-case one must carry a valid checksum)."""
    if not isinstance(value, str) or not is_address(value):
        raise InvalidInputError(f"{what} must be a 0x-prefixed 20-byte address, not {value!r}")
    return to_checksum_address(value)
