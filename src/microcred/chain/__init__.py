"""The only door to a chain: connection (memory, local, URL) and deployments, the RPC error guard, revert decoding,
transactions, and the local anvil node. Everything above it (DIDs, the registry) takes a connected ``web3.Web3``."""

from microcred.chain._connect import (
    Chain,
    DEV_KEY,
    connect,
    deploy_contracts,
    known_networks,
)
from microcred.chain._errors import (
    ChainError,
    InsufficientFundsError,
    NoContractError,
    RPCResponseError,
    RPCUnavailableError,
    RegistryRevert,
    TransactionDroppedError,
    TransactionFailedError,
    UnknownRevertError,
    WrongChainError,
    decode_revert,
)
from microcred.chain._node import (
    DEFAULT_PORT,
    LOCAL_CHAIN_ID,
    LocalNode,
    NodeStatus,
    find_anvil,
)
from microcred.chain._rpc import (
    revert_data,
    rpc_guard,
)
from microcred.chain._tx import (
    PreparedTx,
    Receipt,
    TxSender,
)

__all__ = [
    "Chain",
    "ChainError",
    "DEFAULT_PORT",
    "DEV_KEY",
    "InsufficientFundsError",
    "LOCAL_CHAIN_ID",
    "LocalNode",
    "NoContractError",
    "NodeStatus",
    "PreparedTx",
    "RPCResponseError",
    "RPCUnavailableError",
    "Receipt",
    "RegistryRevert",
    "TransactionDroppedError",
    "TransactionFailedError",
    "TxSender",
    "UnknownRevertError",
    "WrongChainError",
    "connect",
    "decode_revert",
    "deploy_contracts",
    "find_anvil",
    "known_networks",
    "revert_data",
    "rpc_guard",
]
