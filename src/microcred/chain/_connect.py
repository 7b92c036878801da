"""The three kinds of chain: ``memory`` (in-process EVM), ``local`` (anvil) and any EVM network by RPC URL.

:func:`connect` is the one place that builds a provider; it is called by the CLI (and tests), never deep inside
the library. It checks the chain id against what is recorded for the network, finds the deployed contracts
(recorded per chain id in ``<home>/deployments.json`` and in the file shipped with the package) and, on the dev
chains only, deploys them on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from collections.abc import Mapping
from typing import Any

from eth_account import Account
from eth_account.signers.base import BaseAccount
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3

from microcred.contracts import CONTRACT_NAMES
from microcred._files import write_json_atomic
from microcred.errors import ConfigError, InvalidInputError
from microcred.chain._deterministic import deploy_deterministic, deterministic_addresses, install_factory
from microcred.chain._errors import NoContractError, ReadOnlyError, WrongChainError
from microcred.chain._node import DEFAULT_PORT, LOCAL_CHAIN_ID, LocalNode
from microcred.chain._reader import has_code
from microcred.chain._rpc import rpc_guard
from microcred.chain._tx import Receipt, TxSender

__all__ = ["Chain", "connect", "deploy_contracts", "known_networks", "record_deployment", "DEV_KEY"]

#: First prefunded account of anvil's (and Hardhat's) public test mnemonic. Only ever used on dev chains.
DEV_KEY = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"


def _shipped() -> dict[str, Any]:
    return json.loads(resources.files("microcred").joinpath("deployments.json").read_text(encoding="utf-8"))


def known_networks() -> dict[str, int]:
    """Network name → chain id for the names ``--network`` accepts besides memory, local and URLs."""
    return {name: int(v["chainId"]) for name, v in _shipped()["networks"].items()}


@dataclass
class Chain:
    """A connected chain: its Web3, id, contract addresses and (on dev chains) a funded dev account."""

    name: str
    w3: Web3
    chain_id: int
    endpoint: str
    addresses: dict[str, str] = field(default_factory=dict)
    home: Path | None = None
    dev_account: LocalAccount | None = None
    confirmations: int = 0
    #: a read-only connection never deploys, sends or records anything (what verifiers and auditors use)
    read_only: bool = False

    @property
    def caip2(self) -> str:
        return f"eip155:{self.chain_id}"

    @property
    def is_dev(self) -> bool:
        return self.dev_account is not None

    def address_of(self, contract: str) -> str:
        try:
            return self.addresses[contract]
        except KeyError:
            raise ConfigError(
                f"no {contract} is recorded for chain {self.chain_id} ({self.name}): run `microcred deploy`"
            ) from None

    def as_read_only(self) -> Chain:
        """The same connection, read-only."""
        return replace(self, read_only=True, addresses=dict(self.addresses))

    def _writable(self, doing: str) -> None:
        if self.read_only:
            raise ReadOnlyError(f"{doing}: this connection to chain {self.chain_id} ({self.name}) is read-only: it "
                                "sends no transaction")

    def sender(self, account: BaseAccount, **kwargs: Any) -> TxSender:
        """The transaction sender of ``account`` on this chain (refused on a read-only connection)."""
        self._writable("sending a transaction")
        kwargs.setdefault("confirmations", self.confirmations)
        return TxSender(self.w3, account, chain_id=self.chain_id, endpoint=self.endpoint, **kwargs)

    def fund(self, address: str, wei: int = 10**19) -> Receipt | None:
        """Send test ether from the dev account (dev chains only); no-op when the account already has enough."""
        self._writable(f"funding {address}")
        if self.dev_account is None:
            raise ConfigError(f"{self.name} is not a dev chain: fund {address} yourself")
        address = to_checksum_address(address)
        with rpc_guard("reading a balance", endpoint=self.endpoint):
            if self.w3.eth.get_balance(address) >= wei // 2:
                return None
        return self.sender(self.dev_account, confirmations=0).transfer(address, wei, what="funding an account")


def deploy_contracts(w3: Web3, sender: TxSender, names: tuple[str, ...] = CONTRACT_NAMES) -> dict[str, tuple[str, int]]:
    """Deploy each shipped contract of ``names`` through the CREATE2 factory, at its deterministic address (see
    :func:`deterministic_addresses`); returns name → (address, gas used, 0 where it was already there)."""
    return deploy_deterministic(w3, sender, names)


def _memory_chain(*, read_only: bool = False) -> Chain:
    """A fresh in-process EVM: the CREATE2 factory installed and the contracts deployed at their deterministic
    addresses, as on anvil (read-only: nothing installed nor deployed)."""
    from eth_tester import EthereumTester, PyEVMBackend
    from web3.providers.eth_tester import EthereumTesterProvider

    backend = PyEVMBackend()
    tester = EthereumTester(backend)
    dev = Account.from_key(backend.account_keys[0].to_hex() if hasattr(backend.account_keys[0], "to_hex")
                           else bytes(backend.account_keys[0]))
    w3 = Web3(EthereumTesterProvider(tester))
    chain_id = int(w3.eth.chain_id)
    chain = Chain("memory", w3, chain_id, "the in-process EVM", dev_account=dev)
    if not read_only:
        sender = chain.sender(dev)
        install_factory(w3, sender)
        deploy_contracts(w3, sender)
    chain.addresses = _present(chain, deterministic_addresses())
    chain.read_only = read_only
    return chain


def _http_web3(url: str, timeout: float = 15.0) -> Web3:
    from web3 import HTTPProvider

    # cache only what never changes (the chain id, asked before every call by web3's validation): caching block
    # requests makes web3 ask the node whether each block is final, two more requests per block read
    provider = HTTPProvider(url, request_kwargs={"timeout": timeout}, cache_allowed_requests=True,
                            cacheable_requests={"eth_chainId", "net_version", "web3_clientVersion"})
    return Web3(provider)


def _recorded(home: Path | None) -> dict[str, dict[str, str]]:
    if home is None:
        return {}
    try:
        return json.loads((home / "deployments.json").read_text())
    except FileNotFoundError:
        return {}
    except ValueError as exc:
        raise ConfigError(f"{home / 'deployments.json'} is not valid JSON ({exc})") from None


def record_deployment(home: Path, chain_id: int, addresses: dict[str, str]) -> None:
    data = _recorded(home)
    data.setdefault(str(chain_id), {}).update(addresses)
    write_json_atomic(home / "deployments.json", data, sort_keys=True)


def _present(chain: Chain, addresses: Mapping[str, str]) -> dict[str, str]:
    """The entries of ``addresses`` with contract code on ``chain``."""
    items = list(addresses.items())
    present = has_code(chain.w3, [address for _, address in items], what="checking deployed contracts",
                       endpoint=chain.endpoint)
    return {name: address for (name, address), code in zip(items, present) if code}


def connect(network: str, *, home: Path | None = None, rpc_urls: tuple[str, ...] = (),
            deploy_if_missing: bool = True, confirmations: int = 0, read_only: bool = False) -> Chain:
    """Connect to ``network``: ``memory``, ``local``, a known name (with ``rpc_urls``) or an ``http(s)://`` URL.

    The contracts' addresses come from ``<home>/deployments.json``, the file shipped with the package, and the
    deterministic CREATE2 addresses where their code is. On a dev chain (anvil's 31337), the contracts missing are
    deployed at their deterministic addresses unless ``deploy_if_missing`` is false.

    ``read_only``: never deploys, never sends a transaction, never writes a file, whatever the network; the
    :class:`Chain` refuses :meth:`Chain.sender` and :meth:`Chain.fund`.
    """
    if network == "memory":
        return _memory_chain(read_only=read_only)
    names = known_networks()
    expected: int | None = None
    if network == "local":
        node = LocalNode(home) if home is not None else None
        url = rpc_urls[0] if rpc_urls else (node.url if node else f"http://127.0.0.1:{DEFAULT_PORT}")
        expected = LOCAL_CHAIN_ID
    elif network.startswith(("http://", "https://")):
        url = network
    elif network in names:
        if not rpc_urls:
            raise ConfigError(f"network {network!r} needs an RPC URL: give --rpc URL (or MICROCRED_RPC_URL)")
        url = rpc_urls[0]
        expected = names[network]
    else:
        raise InvalidInputError(
            f"unknown network {network!r}: use memory, local, an http(s):// RPC URL or one of {', '.join(names)}"
        )
    w3 = _http_web3(url)
    with rpc_guard("connecting", endpoint=url):
        chain_id = int(w3.eth.chain_id)
    if network == "local" and chain_id != LOCAL_CHAIN_ID:
        raise WrongChainError(f"{url} serves chain {chain_id}, not the local chain {LOCAL_CHAIN_ID}")
    if expected is not None and chain_id != expected:
        raise WrongChainError(f"{url} serves chain {chain_id}, but {network} is chain {expected}")
    is_dev = chain_id == LOCAL_CHAIN_ID
    chain = Chain(network, w3, chain_id, url, home=home, confirmations=confirmations,
                  dev_account=Account.from_key(DEV_KEY) if is_dev else None)
    chain.addresses = _addresses_for(chain)
    if is_dev and not read_only:
        _ensure_dev_deployment(chain, deploy_if_missing)
    chain.read_only = read_only
    return chain


def _addresses_for(chain: Chain) -> dict[str, str]:
    """Per contract: the home's record, else the shipped one, else the deterministic address; each only where
    code is (a dev node started afresh has none of what was recorded)."""
    recorded = {k: to_checksum_address(v) for k, v in _recorded(chain.home).get(str(chain.chain_id), {}).items()}
    shipped = {k: to_checksum_address(v)
               for k, v in _shipped()["deployments"].get(str(chain.chain_id), {}).items()}
    candidates: dict[str, list[str]] = {}
    for source in (recorded, shipped, deterministic_addresses()):
        for name, address in source.items():
            candidates.setdefault(name, [])
            if address not in candidates[name]:
                candidates[name].append(address)
    unique = sorted({a for options in candidates.values() for a in options})
    with_code = set(_present(chain, {a: a for a in unique}))
    out: dict[str, str] = {}
    for name, options in candidates.items():
        for option in options:
            if option in with_code:
                out[name] = option
                break
    return out


def _ensure_dev_deployment(chain: Chain, deploy_if_missing: bool) -> None:
    """On a dev chain, deploy what is missing at its deterministic address (nothing is recorded: the address is
    the same in every home)."""
    if chain.dev_account is None:
        raise ConfigError(f"{chain.name} is not a dev chain: microcred deploys nothing there by itself")
    missing = tuple(name for name in CONTRACT_NAMES if name not in chain.addresses)
    if not missing:
        return
    if not deploy_if_missing:
        raise NoContractError(f"{', '.join(missing)} not deployed on {chain.name}: run `microcred deploy`")
    sender = chain.sender(chain.dev_account, confirmations=0)
    install_factory(chain.w3, sender)
    deployed = deploy_contracts(chain.w3, sender, missing)
    chain.addresses.update({n: a for n, (a, _) in deployed.items()})
