"""Which registries a verifier believes, per chain and contract kind — never the ones a credential names.

:class:`TrustedRegistries` answers, for a chain and a kind (``CredentialRegistry``, ``EthereumDIDRegistry``,
``AccreditationRegistry``), the set of addresses to believe, from three sources:

``configured``
    addresses the verifier named itself (its trust file, ``--registry ADDRESS``, its own ``deployments.json``);
``shipped``
    the deployments shipped with the package for public networks (``microcred/deployments.json``);
``deterministic``
    the CREATE2 addresses of the shipped contracts (:func:`deterministic_addresses`), where their code is.

A chain where none of them has code is a :class:`NoTrustedRegistryError` (exit 2: nothing could be checked), whose
message says what to do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address
from web3 import Web3

from microcred.chain._deterministic import deterministic_addresses
from microcred.chain._errors import ChainError
from microcred.chain._reader import has_code
from microcred.contracts import CONTRACT_NAMES
from microcred.errors import ConfigError, InvalidInputError

__all__ = ["ANY_CHAIN", "NoTrustedRegistryError", "REGISTRY_KINDS", "TrustedRegistries", "UntrustedRegistryError"]

#: the kinds of registry a verifier reads
REGISTRY_KINDS: tuple[str, ...] = CONTRACT_NAMES
#: key of ``configured`` for addresses believed on every chain
ANY_CHAIN = "*"

#: the order sources are preferred in when one address must be chosen
_ORDER = ("configured", "shipped", "deterministic")


class NoTrustedRegistryError(ChainError, ConfigError):
    """No registry the verifier believes has code on this chain: nothing it says can be checked."""

    exit_code = 2


class UntrustedRegistryError(ChainError):
    """A credential names a registry the verifier does not believe."""

    exit_code = 1


def _shipped_deployments() -> dict[str, dict[str, str]]:
    data = json.loads(resources.files("microcred").joinpath("deployments.json").read_text(encoding="utf-8"))
    return data.get("deployments", {})


def _checked(address: Any, where: str) -> str:
    if not isinstance(address, str) or not is_address(address):
        raise InvalidInputError(f"{where}: {address!r} is not a 0x-prefixed 20-byte address")
    return to_checksum_address(address)


class TrustedRegistries:
    """The registries a verifier believes.

    :param configured: the verifier's own addresses: chain id (or :data:`ANY_CHAIN`) → kind → addresses
        (one address or several)
    :param shipped: believe the package's deployments for public networks
    :param deterministic: believe the deterministic CREATE2 addresses where their code is
    """

    def __init__(self, configured: Mapping[int | str, Mapping[str, str | Iterable[str]]] | None = None, *,
                 shipped: bool = True, deterministic: bool = True) -> None:
        self._configured: dict[str, dict[str, list[str]]] = {}
        for chain_key, kinds in (configured or {}).items():
            key = ANY_CHAIN if chain_key == ANY_CHAIN else str(int(chain_key))
            for kind, addresses in kinds.items():
                if kind not in REGISTRY_KINDS:
                    raise InvalidInputError(f"unknown registry kind {kind!r}: use one of {', '.join(REGISTRY_KINDS)}")
                values = [addresses] if isinstance(addresses, str) else list(addresses)
                target = self._configured.setdefault(key, {}).setdefault(kind, [])
                for a in values:
                    checked = _checked(a, f"the {kind} configured for chain {key}")
                    if checked not in target:
                        target.append(checked)
        self.shipped = shipped
        self.deterministic = deterministic
        self._code: dict[tuple[int, str], bool] = {}

    @classmethod
    def for_home(cls, home: Path | None, configured: Mapping[int | str, Mapping[str, str | Iterable[str]]] | None
                 = None, **kwargs: Any) -> TrustedRegistries:
        """Believe also what ``<home>/deployments.json`` records (the verifier's own deployments)."""
        merged: dict[int | str, dict[str, list[str]]] = {}
        recorded: dict[str, dict[str, str]] = {}
        if home is not None:
            path = Path(home) / "deployments.json"
            try:
                recorded = json.loads(path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                recorded = {}
            except ValueError as exc:
                raise ConfigError(f"{path} is not valid JSON ({exc})") from None
        for source in (recorded, configured or {}):
            for chain_key, kinds in source.items():
                for kind, addresses in kinds.items():
                    values = [addresses] if isinstance(addresses, str) else list(addresses)
                    merged.setdefault(chain_key, {}).setdefault(kind, []).extend(values)
        return cls(merged, **kwargs)

    # -- answers ------------------------------------------------------------------------------------------------
    def sources(self, chain_id: int, kind: str) -> dict[str, str]:
        """Every address believed for ``kind`` on ``chain_id`` before looking at the chain, with its source
        (``configured``, ``shipped``, ``deterministic``), in order of preference."""
        if kind not in REGISTRY_KINDS:
            raise InvalidInputError(f"unknown registry kind {kind!r}: use one of {', '.join(REGISTRY_KINDS)}")
        out: dict[str, str] = {}
        for key in (str(chain_id), ANY_CHAIN):
            for address in self._configured.get(key, {}).get(kind, []):
                out.setdefault(address, "configured")
        if self.shipped:
            shipped = _shipped_deployments().get(str(chain_id), {}).get(kind)
            if shipped:
                out.setdefault(to_checksum_address(shipped), "shipped")
        if self.deterministic:
            out.setdefault(deterministic_addresses()[kind], "deterministic")
        return out

    def addresses(self, w3: Web3, chain_id: int, kind: str, *, endpoint: str = "the RPC endpoint"
                  ) -> frozenset[str]:
        """The addresses of ``kind`` to believe on the chain ``w3`` serves (``chain_id``): configured and shipped
        ones, and the deterministic one where its code is. :class:`NoTrustedRegistryError` when none has code."""
        candidates = self.sources(chain_id, kind)
        present = self._with_code(w3, chain_id, list(candidates), endpoint)
        believed = frozenset(a for a, source in candidates.items() if source != "deterministic" or a in present)
        if not any(a in present for a in believed):
            raise NoTrustedRegistryError(
                f"no {kind} this verifier trusts has code on chain {chain_id} (looked at "
                f"{', '.join(f'{a} ({s})' for a, s in candidates.items()) or 'nothing'}): deploy the registries "
                f"there (`microcred deploy`) or name the one you trust (`--registry ADDRESS`)")
        return frozenset(a for a in believed if a in present)

    def primary(self, w3: Web3, chain_id: int, kind: str, *, endpoint: str = "the RPC endpoint") -> str:
        """The one address of ``kind`` to read when nothing else names one: configured, else shipped, else the
        deterministic address (each only where its code is)."""
        believed = self.addresses(w3, chain_id, kind, endpoint=endpoint)
        ranked = sorted(self.sources(chain_id, kind).items(), key=lambda item: _ORDER.index(item[1]))
        return next(a for a, _ in ranked if a in believed)

    def is_trusted(self, w3: Web3, chain_id: int, kind: str, address: str, *, endpoint: str = "the RPC endpoint"
                   ) -> bool:
        """Whether ``address`` is a ``kind`` this verifier believes on that chain (:class:`NoTrustedRegistryError`
        when it believes none there)."""
        if not isinstance(address, str) or not is_address(address):
            return False
        return to_checksum_address(address) in self.addresses(w3, chain_id, kind, endpoint=endpoint)

    def require(self, w3: Web3, chain_id: int, kind: str, address: str, *, endpoint: str = "the RPC endpoint"
                ) -> str:
        """``address`` checksummed when it is trusted, else :class:`UntrustedRegistryError` naming it."""
        if not self.is_trusted(w3, chain_id, kind, address, endpoint=endpoint):
            trusted = sorted(self.addresses(w3, chain_id, kind, endpoint=endpoint))
            raise UntrustedRegistryError(
                f"the {kind} {address} on chain {chain_id} is not one this verifier trusts (trusted: "
                f"{', '.join(trusted)}); add it to your trust file or --registry if you mean to believe it")
        return to_checksum_address(address)

    # -- the chain ----------------------------------------------------------------------------------------------
    def _with_code(self, w3: Web3, chain_id: int, addresses: list[str], endpoint: str) -> set[str]:
        unknown = [a for a in addresses if (chain_id, a) not in self._code]
        if unknown:
            present = has_code(w3, unknown, what=f"looking for the registries of chain {chain_id}", endpoint=endpoint)
            for a, code in zip(unknown, present):
                self._code[(chain_id, a)] = code
        return {a for a in addresses if self._code[(chain_id, a)]}

    def __repr__(self) -> str:
        return (f"TrustedRegistries(configured={self._configured!r}, shipped={self.shipped}, "
                f"deterministic={self.deterministic})")
