"""One place that turns what web3.py and the node raise into microcred's named errors.

``rpc_guard`` wraps every call that reaches a chain: a refused connection becomes :class:`RPCUnavailableError`
(a timeout :class:`RPCTimeoutError`), an answer that is not one :class:`RPCResponseError` (an empty call result
:class:`NoResultError`), a refusal of a transaction by the node :class:`TransactionRejectedError`, and a contract
revert the named exception of the contract's ABI. Errors are told apart by their type and JSON-RPC code, never by
their text. Nothing that talks to a chain lets a raw web3 error out.
"""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator

import requests
from eth_abi.exceptions import DecodingError
from eth_utils import ValidationError as _EvmValidation
from web3 import exceptions as w3x

from microcred.chain._adapter import revert_data, rpc_error_code
from microcred.errors import MicrocredError
from microcred.chain._errors import (
    NoResultError,
    RPCResponseError,
    RPCTimeoutError,
    RPCUnavailableError,
    TransactionRejectedError,
    UnknownRevertError,
    decode_revert,
)

try:  # in-process EVM
    from eth_tester.exceptions import TransactionFailed as _TesterFailed
    from eth_tester.exceptions import ValidationError as _TesterValidation
except ImportError:  # pragma: no cover - eth-tester is a dependency
    _TesterFailed = _TesterValidation = ()

__all__ = ["rpc_guard", "revert_data", "REVERT_CODE", "REJECTED_CODES"]

_TIMEOUTS = (requests.exceptions.Timeout, w3x.RequestTimedOut, w3x.TimeExhausted, TimeoutError)
_CONNECTION_ERRORS = (requests.exceptions.ConnectionError, w3x.ProviderConnectionError, ConnectionError)
_REVERTS = (w3x.ContractCustomError, w3x.ContractLogicError, w3x.ContractPanicError, _TesterFailed)
_NO_RESULT = (w3x.BadFunctionCallOutput, w3x.InsufficientData)
_GARBAGE = (
    w3x.BadResponseFormat,
    DecodingError,
    requests.exceptions.RequestException,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
)

#: JSON-RPC code of "execution reverted" (geth, anvil, reth; EIP-1474 leaves 3 to the node)
REVERT_CODE = 3
#: JSON-RPC codes of a node refusing a transaction: EIP-1474 -32003 "transaction rejected", and -32000 "invalid
#: input", which geth uses for nonce, fee and balance refusals
REJECTED_CODES = frozenset({-32003, -32000})


@contextmanager
def rpc_guard(what: str, *, endpoint: str = "the RPC endpoint", abi: list | None = None,
              contract: str | None = None, sending: bool = False) -> Iterator[None]:
    """Map every failure of the block inside to a :class:`ChainError` naming ``what`` was being done.

    ``contract`` (a shipped contract's name) or ``abi`` decodes reverts into that contract's named errors;
    ``sending`` marks a transaction being built or sent, so a node's refusal is a :class:`TransactionRejectedError`.
    """
    decoder = contract if contract is not None else abi
    try:
        yield
    except MicrocredError:  # already named (by this guard, a nested one, or a caller's decoder)
        raise
    except _REVERTS as exc:
        if decoder is None:
            raise UnknownRevertError(f"{what}: the contract reverted") from exc
        raise decode_revert(decoder, revert_data(exc)) from exc
    except _TIMEOUTS as exc:
        raise RPCTimeoutError(f"{what}: {endpoint} did not answer in time ({type(exc).__name__})") from exc
    except _CONNECTION_ERRORS as exc:
        raise RPCUnavailableError(f"{what}: {endpoint} cannot be reached ({type(exc).__name__})") from exc
    except w3x.Web3RPCError as exc:
        code = rpc_error_code(exc)
        if code == REVERT_CODE:
            if decoder is None:
                raise UnknownRevertError(f"{what}: the contract reverted") from exc
            raise decode_revert(decoder, revert_data(exc)) from exc
        if sending and code in REJECTED_CODES:
            raise TransactionRejectedError(f"{what}: {endpoint} refused the transaction: {exc}") from exc
        raise RPCResponseError(f"{what}: {endpoint} answered with an error: {exc}") from exc
    except (_TesterValidation, _EvmValidation) as exc:
        if sending:
            raise TransactionRejectedError(f"{what}: the node refused the transaction: {exc}") from exc
        raise RPCResponseError(f"{what}: the node refused the request: {exc}") from exc
    except _NO_RESULT as exc:
        raise NoResultError(f"{what}: {endpoint} returned no result ({type(exc).__name__}: {exc})") from exc
    except _GARBAGE as exc:
        raise RPCResponseError(
            f"{what}: {endpoint} answered something that is not a valid answer ({type(exc).__name__}: {exc})"
        ) from exc
    except w3x.Web3Exception as exc:
        raise RPCResponseError(f"{what}: {endpoint} failed ({type(exc).__name__}: {exc})") from exc
