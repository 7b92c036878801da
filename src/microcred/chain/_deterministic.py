"""Deterministic deployment: the shipped contracts through the CREATE2 factory, with fixed salts, so the same
contracts have the same addresses on every chain and in every home.

The factory is the widely deployed "deterministic deployment proxy" at :data:`CREATE2_FACTORY`: calling it with
``salt (32 bytes) || init code`` creates the contract with CREATE2 and returns its address,
``keccak256(0xff || factory || salt || keccak256(init code))[12:]``. anvil has it from genesis and most public
networks have it; where it is missing (the in-process EVM), :func:`install_factory` installs it with its well-known
presigned deployment transaction (no chain id, so valid on every chain), after funding its one-time deployer.
"""

from __future__ import annotations

import functools

from eth_typing import ChecksumAddress
from eth_utils import keccak, to_checksum_address
from web3 import Web3

from microcred.chain._errors import NoContractError, TransactionFailedError
from microcred.chain._rpc import rpc_guard
from microcred.chain._tx import TxSender
from microcred.contracts import CONTRACT_NAMES, load_artifact

__all__ = [
    "CREATE2_FACTORY",
    "FACTORY_DEPLOYER",
    "SALTS",
    "create2_address",
    "deploy_deterministic",
    "deterministic_addresses",
    "factory_installed",
    "install_factory",
]

#: the CREATE2 factory ("deterministic deployment proxy", Arachnid/deterministic-deployment-proxy)
CREATE2_FACTORY = to_checksum_address("0x4e59b44847b379578588920cA78FbF26c0B4956C")
#: the one-time account that signed the factory's deployment (nonce 0 of this account creates the factory)
FACTORY_DEPLOYER = to_checksum_address("0x3fAB184622Dc19b6109349B94811493BF2a45362")
#: the factory's presigned deployment transaction (pre-EIP-155: gas price 100 gwei, gas 100,000)
FACTORY_DEPLOYMENT_TX = bytes.fromhex(
    "f8a58085174876e800830186a08080b853604580600e600039806000f350fe7fffffffffffffffffffffffffffffffffffff"
    "ffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3"
    "1ba02222222222222222222222222222222222222222222222222222222222222222a0222222222222222222222222222222"
    "2222222222222222222222222222222222"
)
#: what the deployer must hold to pay for that transaction: 100 gwei × 100,000 gas
FACTORY_DEPLOYMENT_COST = 100 * 10**9 * 100_000
#: the factory's runtime code
FACTORY_RUNTIME = bytes.fromhex(
    "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f5801515603957"
    "8182fd5b8082525050506014600cf3"
)

#: the fixed salt of each shipped contract
SALTS: dict[str, bytes] = {name: keccak(text=f"microcred/{name}/v1") for name in CONTRACT_NAMES}


def _init_code(name: str) -> bytes:
    code = load_artifact(name)["bytecode"]
    return bytes.fromhex(code[2:] if code.startswith("0x") else code)


def create2_address(init_code: bytes, salt: bytes, factory: str = CREATE2_FACTORY) -> ChecksumAddress:
    """The address CREATE2 gives ``init_code`` with ``salt`` from ``factory``."""
    if len(salt) != 32:
        raise ValueError("a CREATE2 salt is 32 bytes")
    digest = keccak(b"\xff" + bytes.fromhex(factory[2:]) + salt + keccak(init_code))
    return to_checksum_address(digest[12:])


def deterministic_addresses(names: tuple[str, ...] = CONTRACT_NAMES) -> dict[str, ChecksumAddress]:
    """Contract name → the address the shipped contract has on every chain when deployed through the factory."""
    return dict(_deterministic(tuple(names)))


@functools.cache
def _deterministic(names: tuple[str, ...]) -> tuple[tuple[str, ChecksumAddress], ...]:
    return tuple((name, create2_address(_init_code(name), SALTS[name])) for name in names)


def factory_installed(w3: Web3, *, endpoint: str = "the RPC endpoint") -> bool:
    with rpc_guard("looking for the CREATE2 factory", endpoint=endpoint):
        return bytes(w3.eth.get_code(CREATE2_FACTORY)) == FACTORY_RUNTIME


def install_factory(w3: Web3, funder: TxSender) -> bool:
    """Install the CREATE2 factory where it is missing: ``funder`` pays its deployer's gas, then the presigned
    transaction is sent. Returns whether it had to be installed."""
    endpoint = funder.endpoint
    if factory_installed(w3, endpoint=endpoint):
        return False
    with rpc_guard("installing the CREATE2 factory", endpoint=endpoint):
        balance = int(w3.eth.get_balance(FACTORY_DEPLOYER))
        used = int(w3.eth.get_transaction_count(FACTORY_DEPLOYER))
    if used:
        raise NoContractError(
            f"the CREATE2 factory is missing at {CREATE2_FACTORY} and its deployer {FACTORY_DEPLOYER} has already "
            "sent a transaction on this chain: it cannot be installed here")
    if balance < FACTORY_DEPLOYMENT_COST:
        funder.transfer(FACTORY_DEPLOYER, FACTORY_DEPLOYMENT_COST - balance,
                        what="funding the CREATE2 factory's deployer")
    with rpc_guard("installing the CREATE2 factory", endpoint=endpoint, sending=True):
        tx_hash = w3.eth.send_raw_transaction(FACTORY_DEPLOYMENT_TX)
    funder.wait("0x" + bytes(tx_hash).hex(), what="installing the CREATE2 factory")
    if not factory_installed(w3, endpoint=endpoint):
        raise TransactionFailedError(f"installing the CREATE2 factory: no factory code at {CREATE2_FACTORY} after "
                                     "its deployment")
    return True


def deploy_deterministic(w3: Web3, sender: TxSender, names: tuple[str, ...] = CONTRACT_NAMES,
                         ) -> dict[str, tuple[str, int]]:
    """Deploy each contract of ``names`` through the factory at its deterministic address (skipped when its code is
    already there); returns name → (address, gas used; 0 when it was there). The factory must be installed
    (:func:`install_factory`)."""
    if not factory_installed(w3, endpoint=sender.endpoint):
        raise NoContractError(
            f"no CREATE2 factory at {CREATE2_FACTORY} on this chain: microcred deploys its registries through it")
    out: dict[str, tuple[str, int]] = {}
    for name, address in deterministic_addresses(names).items():
        what = f"deploying {name} to {address}"
        with rpc_guard(what, endpoint=sender.endpoint):
            present = bool(w3.eth.get_code(address))
        if present:
            out[name] = (address, 0)
            continue
        receipt = sender.send_tx({"to": CREATE2_FACTORY, "data": SALTS[name] + _init_code(name)}, contract=name,
                                 what=what)
        with rpc_guard(what, endpoint=sender.endpoint):
            if not w3.eth.get_code(address):
                raise TransactionFailedError(f"{what}: the factory's transaction {receipt.tx_hash} left no code there")
        out[name] = (address, receipt.gas_used)
    return out
