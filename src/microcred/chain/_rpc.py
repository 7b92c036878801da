"""One place that turns what web3.py and the node raise into microcred's named errors.

``rpc_guard`` wraps every call that reaches a chain: a refused connection or a timeout becomes
:class:`RPCUnavailableError`, an answer that is not one becomes :class:`RPCResponseError`, and a contract revert is
decoded into the named exception of the contract's ABI. Nothing that talks to a chain lets a raw web3 error out.
"""

from __future__ import annotations

import ast
import re
from contextlib import contextmanager
from typing import Iterator

import requests
from eth_abi.exceptions import DecodingError
from web3 import exceptions as w3x

from microcred.chain._errors import (
    ChainError,
    InsufficientFundsError,
    RPCResponseError,
    RPCUnavailableError,
    UnknownRevertError,
    decode_revert,
)

try:  # in-process EVM
    from eth_tester.exceptions import TransactionFailed as _TesterFailed
    from eth_tester.exceptions import ValidationError as _TesterValidation
except ImportError:  # pragma: no cover - eth-tester is a dependency
    _TesterFailed = _TesterValidation = ()  # type: ignore[assignment]
from eth_utils import ValidationError as _EvmValidation

_CONNECTION_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    w3x.ProviderConnectionError,
    w3x.RequestTimedOut,
    ConnectionError,
    TimeoutError,
)


def revert_data(exc: BaseException) -> bytes | None:
    """The raw revert bytes carried by a web3 / eth-tester / node exception, if any."""
    data = getattr(exc, "data", None)
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return None
    if isinstance(data, dict) and isinstance(data.get("data"), str):
        return revert_data(type("E", (), {"data": data["data"]})())
    text = str(exc)
    match = re.search(r"execution reverted: (b['\"].*['\"])\s*$", text, re.S)
    if match:  # eth-tester: "execution reverted: b'\x88...'"
        try:
            value = ast.literal_eval(match.group(1))
            return value if isinstance(value, bytes) else None
        except (ValueError, SyntaxError):
            return None
    match = re.search(r"0x[0-9a-fA-F]{8,}", text)
    if match and "revert" in text.lower():
        return bytes.fromhex(match.group(0)[2:])
    return None


@contextmanager
def rpc_guard(what: str, *, endpoint: str = "the RPC endpoint", abi: list | None = None) -> Iterator[None]:
    """Map every failure of the block inside to a :class:`ChainError` naming ``what`` was being done."""
    try:
        yield
    except ChainError:
        raise
    except (w3x.ContractCustomError, w3x.ContractLogicError, w3x.ContractPanicError, _TesterFailed) as exc:
        if abi is None:
            raise UnknownRevertError(f"{what}: the contract reverted ({exc})") from exc
        raise decode_revert(abi, revert_data(exc)) from exc
    except _CONNECTION_ERRORS as exc:
        raise RPCUnavailableError(f"{what}: {endpoint} cannot be reached ({type(exc).__name__})") from exc
    except w3x.Web3RPCError as exc:
        message = str(exc)
        if "insufficient funds" in message.lower():
            raise InsufficientFundsError(f"{what}: the sending account cannot pay for gas ({message})") from exc
        if abi is not None and "revert" in message.lower() and revert_data(exc):
            raise decode_revert(abi, revert_data(exc)) from exc
        raise RPCResponseError(f"{what}: {endpoint} answered with an error: {message}") from exc
    except (_TesterValidation, _EvmValidation) as exc:
        message = str(exc)
        if any(w in message.lower() for w in ("insufficient", "balance", "cannot afford")):
            raise InsufficientFundsError(f"{what}: the sending account cannot pay for gas ({message})") from exc
        raise RPCResponseError(f"{what}: the node refused the request: {message}") from exc
    except (
        w3x.BadFunctionCallOutput,
        w3x.BadResponseFormat,
        w3x.InsufficientData,
        DecodingError,
        ValueError,
        TypeError,
        KeyError,
        AttributeError,
        requests.exceptions.RequestException,
    ) as exc:
        raise RPCResponseError(
            f"{what}: {endpoint} answered something that is not a valid answer ({type(exc).__name__}: {exc})"
        ) from exc
