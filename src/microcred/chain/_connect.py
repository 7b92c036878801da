"""The three kinds of chain: ``memory`` (in-process EVM), ``local`` (anvil) and any EVM network by RPC URL.

:func:`connect` is the one place that builds a provider; it is called by the CLI (and tests), never deep inside
the library. It checks the chain id against what is recorded for the network, finds the deployed contracts
(recorded per chain id in ``<home>/deployments.json`` and in the file shipped with the package) and, on the dev
chains only, deploys them on first use.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_utils import to_checksum_address
from web3 import Web3

from microcred.contracts import CONTRACT_NAMES, load_artifact
from microcred._files import write_json_atomic
from microcred.errors import ConfigError, InvalidInputError
from microcred.chain._errors import NoContractError, WrongChainError
from microcred.chain._node import DEFAULT_PORT, LOCAL_CHAIN_ID, LocalNode
from microcred.chain._rpc import rpc_guard
from microcred.chain._tx import Receipt, TxSender

__all__ = ["Chain", "connect", "deploy_contracts", "known_networks", "DEV_KEY"]

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

    def sender(self, account: LocalAccount, **kwargs: Any) -> TxSender:
        kwargs.setdefault("confirmations", self.confirmations)
        return TxSender(self.w3, account, chain_id=self.chain_id, endpoint=self.endpoint, **kwargs)

    def fund(self, address: str, wei: int = 10**19) -> Receipt | None:
        """Send test ether from the dev account (dev chains only); no-op when the account already has enough."""
        if self.dev_account is None:
            raise ConfigError(f"{self.name} is not a dev chain: fund {address} yourself")
        address = to_checksum_address(address)
        with rpc_guard("reading a balance", endpoint=self.endpoint):
            if self.w3.eth.get_balance(address) >= wei // 2:
                return None
        return self.sender(self.dev_account, confirmations=0).transfer(address, wei, what="funding an account")


def deploy_contracts(w3: Web3, sender: TxSender, names: tuple[str, ...] = CONTRACT_NAMES) -> dict[str, tuple[str, int]]:
    """Deploy each shipped contract of ``names``; returns name → (address, gas used)."""
    out: dict[str, tuple[str, int]] = {}
    for name in names:
        try:
            art = load_artifact(name)
        except Exception:  # noqa: BLE001 - a contract not built in this version is skipped
            continue
        factory = w3.eth.contract(abi=art["abi"], bytecode=art["bytecode"])
        receipt = sender.send(factory.constructor(), abi=art["abi"], what=f"deploying {name}")
        with rpc_guard(f"deploying {name}", endpoint=sender.endpoint):
            address = w3.eth.get_transaction_receipt(receipt.tx_hash)["contractAddress"]
        out[name] = (to_checksum_address(address), receipt.gas_used)
    return out


def _memory_chain() -> Chain:
    from eth_tester import EthereumTester, PyEVMBackend
    from web3.providers.eth_tester import EthereumTesterProvider

    backend = PyEVMBackend()
    tester = EthereumTester(backend)
    dev = Account.from_key(backend.account_keys[0].to_hex() if hasattr(backend.account_keys[0], "to_hex")
                           else bytes(backend.account_keys[0]))
    w3 = Web3(EthereumTesterProvider(tester))
    chain_id = int(w3.eth.chain_id)
    chain = Chain("memory", w3, chain_id, "the in-process EVM", dev_account=dev)
    chain.addresses = {n: a for n, (a, _) in deploy_contracts(w3, chain.sender(dev)).items()}
    return chain


def _http_web3(url: str, timeout: float = 15.0) -> Web3:
    from web3 import HTTPProvider

    provider = HTTPProvider(url, request_kwargs={"timeout": timeout}, cache_allowed_requests=True)
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


def _addresses_for(home: Path | None, chain_id: int) -> dict[str, str]:
    merged: dict[str, str] = {}
    merged.update({k: to_checksum_address(v) for k, v in _shipped()["deployments"].get(str(chain_id), {}).items()})
    merged.update({k: to_checksum_address(v) for k, v in _recorded(home).get(str(chain_id), {}).items()})
    return merged


def connect(network: str, *, home: Path | None = None, rpc_urls: tuple[str, ...] = (),
            deploy_if_missing: bool = True, confirmations: int = 0) -> Chain:
    """Connect to ``network``: ``memory``, ``local``, a known name (with ``rpc_urls``) or an ``http(s)://`` URL."""
    if network == "memory":
        return _memory_chain()
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
    chain.addresses = _addresses_for(home, chain_id)
    if is_dev:
        _ensure_dev_deployment(chain, deploy_if_missing)
    return chain


def _ensure_dev_deployment(chain: Chain, deploy_if_missing: bool) -> None:
    """On a dev chain, (re)deploy what is missing: a node started afresh has none of the recorded code."""
    missing = []
    for name in CONTRACT_NAMES:
        try:
            load_artifact(name)
        except Exception:  # noqa: BLE001
            continue
        address = chain.addresses.get(name)
        if address:
            with rpc_guard("checking deployed contracts", endpoint=chain.endpoint):
                if chain.w3.eth.get_code(address):
                    continue
        missing.append(name)
    if not missing:
        return
    if not deploy_if_missing:
        raise NoContractError(f"{', '.join(missing)} not deployed on {chain.name}: run `microcred deploy`")
    deployed = deploy_contracts(chain.w3, chain.sender(chain.dev_account, confirmations=0), tuple(missing))
    chain.addresses.update({n: a for n, (a, _) in deployed.items()})
    if chain.home is not None:
        record_deployment(chain.home, chain.chain_id, {n: a for n, (a, _) in deployed.items()})
