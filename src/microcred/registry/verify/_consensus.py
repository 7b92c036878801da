"""Agreement across several RPC endpoints of one chain: who is left out, how many must agree, and the answer.

The rule: endpoints that cannot be reached (or serve another chain) are named and left out; every endpoint that
answered must give the same answer, and at least ``quorum`` of them must have answered. Any disagreement is
"could not check" naming each endpoint and what it said — one lying or lagging node is never believed.
"""

from __future__ import annotations

from typing import TypeVar
from collections.abc import Callable, Hashable, Mapping, Sequence

from datetime import datetime, timezone

from microcred.chain import BlockNotFoundError, RPCUnavailableError
from microcred.errors import InvalidInputError, NetworkError

__all__ = ["EndpointsDisagreeError", "NoQuorumError", "agree", "agreed_block_time", "default_quorum",
           "require_quorum"]

T = TypeVar("T", bound=Hashable)


class EndpointsDisagreeError(NetworkError):
    """Endpoints of one chain gave different answers: none of them can be believed alone."""

    exit_code = 2


class NoQuorumError(NetworkError):
    """Fewer endpoints answered than the quorum asks for."""

    exit_code = 2


def default_quorum(given: int) -> int:
    """How many endpoints must answer when the verifier did not say: at least 2 where 2 or more are given."""
    return 2 if given >= 2 else 1


def require_quorum(quorum: int | None, given: int) -> int:
    if quorum is None:
        return default_quorum(given)
    if isinstance(quorum, bool) or not isinstance(quorum, int) or quorum < 1:
        raise InvalidInputError(f"--quorum must be a whole number of endpoints, at least 1, not {quorum!r}")
    if given and quorum > given:
        raise InvalidInputError(f"--quorum {quorum} asks for more endpoints than the {given} given (--rpc)")
    return quorum


def _left_out_text(left_out: Mapping[str, str]) -> str:
    return "; ".join(f"{name} left out: {why}" for name, why in left_out.items())


def agree(answers: Mapping[str, T], *, quorum: int, left_out: Mapping[str, str] | None = None,
          what: str = "the answer", show: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None) -> T:
    """The one answer every endpoint of ``answers`` gave, when at least ``quorum`` answered.

    ``left_out``: endpoint → why it gave no answer (named in the error). ``show``: endpoint → how to print its
    answer (default ``str``), or a callable giving that mapping, asked only on a disagreement. Raises
    :class:`NoQuorumError` or :class:`EndpointsDisagreeError`.
    """
    left_out = left_out or {}
    if len(answers) < quorum:
        asked = len(answers) + len(left_out)
        tail = f" ({_left_out_text(left_out)})" if left_out else ""
        raise NoQuorumError(f"{what} needs {quorum} endpoint(s) that answer, and {len(answers)} of {asked} did{tail}")
    values = list(answers.values())
    if all(v == values[0] for v in values[1:]):
        return values[0]
    shown = show() if callable(show) else (show or {})
    said = "; ".join(f"{name} says {shown.get(name, str(value))}" for name, value in answers.items())
    raise EndpointsDisagreeError(f"the RPC endpoints disagree about {what} ({said})")


def agreed_block_time(headers: Mapping[str, Callable[[int], tuple[str, int]]], number: int, *, quorum: int,
                      left_out: Mapping[str, str] | None = None) -> datetime:
    """The time of block ``number`` as a quorum of endpoints agrees on it, hash and time (``--at block:N``).

    ``headers``: endpoint → a look-up of ``(block hash, unix time)`` by number (:func:`microcred.chain.block_header`);
    ``left_out``: endpoints already known to be unusable, and why. An endpoint that cannot be reached is left out.
    Raises :class:`~microcred.errors.InvalidInputError` when no endpoint has such a block, and
    :class:`~microcred.errors.NetworkError` when no quorum answers alike (one endpoint cannot pass off a block of
    its own making as the chain's)."""
    answers: dict[str, tuple[str, int]] = {}
    out = dict(left_out or {})
    missing: list[str] = []
    for name, header in headers.items():
        try:
            answers[name] = header(number)
        except BlockNotFoundError as exc:
            missing.append(str(exc))
        except RPCUnavailableError as exc:
            out[name] = f"unreachable ({exc})"
    if missing and not answers:
        raise InvalidInputError(missing[0])
    try:
        _hash, stamp = agree(answers, quorum=quorum, left_out=out, what=f"block {number}",
                             show=lambda: {n: f"hash {h[:12]}… at {t}" for n, (h, t) in answers.items()})
    except (NoQuorumError, EndpointsDisagreeError) as exc:
        raise NetworkError(f"could not check block {number}: {exc}") from None
    return datetime.fromtimestamp(stamp, timezone.utc)


def partition(names: Sequence[str], problems: Mapping[str, str | None]) -> tuple[list[str], dict[str, str]]:
    """(usable endpoints, endpoint → why it is left out)."""
    usable = [n for n in names if not problems.get(n)]
    return usable, {n: str(problems[n]) for n in names if problems.get(n)}
