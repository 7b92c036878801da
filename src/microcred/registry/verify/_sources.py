"""Where chain-dependent checks get their facts: endpoints, and the registry state read from each.

A check never talks to a chain itself. The :class:`~microcred.registry.verify.Verifier` asks each
:class:`Endpoint`'s :class:`LedgerReader` once per group of credentials (one issuer on one registry) for a
:class:`LedgerState`, and the ``anchor`` and ``status`` checks read only that. A reader that checks the answer
with storage proofs (``eth_getProof`` against the block's state root) plugs in as another :class:`LedgerReader`,
without any check changing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from collections.abc import Callable, Mapping, Sequence

from microcred.chain import rpc_guard
from microcred.registry.ledger._client import Batch, RegistryClient, Status

__all__ = ["BindingFn", "Endpoint", "LedgerReader", "LedgerState", "RegistryLedger", "StatusChange"]


@dataclass(frozen=True)
class StatusChange:
    """The latest status change of one index (up to the time of the check)."""

    kind: str  # revoked | suspended | reinstated
    reason: int
    time: int | None
    block: int
    tx: str


@dataclass
class LedgerState:
    """What one source says about one issuer on one registry: the batch of each root (``None``: not anchored by
    that issuer), the status of each index now, the latest change of each index up to the time of the check
    (only read when some credential is not active or a past time is asked), and the block read (when known)."""

    batches: dict[str, Batch | None]
    statuses: dict[int, Status]
    changes: dict[int, StatusChange] = field(default_factory=dict)
    block: int | None = None
    #: how the answer was checked: "trusted" (the endpoint's word) or e.g. "storage-proof"
    assurance: str = "trusted"


class LedgerReader(Protocol):
    """Reads a :class:`LedgerState`; raises :class:`~microcred.errors.NetworkError` when it cannot."""

    def read(self, registry: str, account: str, roots: Sequence[str], indexes: Sequence[int], *,
             at: datetime | None, block: int | None = None) -> LedgerState:
        """The state at ``block`` (the head when ``None``), with the status changes up to ``at``."""
        ...


class RegistryLedger:
    """A :class:`LedgerReader` on :class:`RegistryClient`: one ``verificationState`` call for all roots and
    indexes, and, only when some index is not active or ``at`` is given, one log query for the changes.

    ``registry_for(address)`` gives a read-only client. ``pin_block``: read the head block number first and ask at
    that block, so the answer names the block it holds for (one more request). ``prove`` (a single endpoint): the
    batch records and status words come from one ``eth_getProof`` checked against the block's state root instead
    (:meth:`RegistryClient.proven_state`: the header and the proof, in one batched request for the latest block),
    so the one endpoint can lie about neither.
    """

    def __init__(self, registry_for: Callable[[str], RegistryClient], *, pin_block: bool = False,
                 prove: bool = False) -> None:
        self.registry_for = registry_for
        self.pin_block = pin_block
        self.prove = prove

    def read(self, registry: str, account: str, roots: Sequence[str], indexes: Sequence[int], *,
             at: datetime | None, block: int | None = None) -> LedgerState:
        client = self.registry_for(registry)
        pinned: int | str = "latest" if block is None else block
        if self.prove:  # one source alone: batches and status words proven against the block's state root
            proven = client.proven_state(account, list(roots), list(indexes), block=pinned)
            pinned = proven.block.number
            got, statuses = proven.batches, proven.statuses
        else:
            if self.pin_block and block is None:
                with rpc_guard("reading the head block", endpoint=client.endpoint):
                    pinned = int(client.w3.eth.block_number)
            got, statuses, _head = client.verification_state(account, list(roots), list(indexes), block=pinned)
        state = LedgerState(batches=dict(zip(roots, got)), statuses=dict(zip(indexes, statuses)),
                            block=pinned if isinstance(pinned, int) else None,
                            assurance="storage-proof" if self.prove else "trusted")
        if at is not None or any(s != Status.ACTIVE for s in statuses):
            anchored = [b.block_number for b in got if b is not None]
            if anchored:
                state.changes = _latest_changes(client.status_changes(account, min(anchored), to_block=pinned), at)
        return state


def _latest_changes(events: Sequence[Any], at: datetime | None) -> dict[int, StatusChange]:
    latest: dict[int, StatusChange] = {}
    for event in events:
        if at is not None and event.time is not None and event.time > at.timestamp():
            continue
        for index in event.data["indexes"]:
            latest[index] = StatusChange(event.kind, event.data["reason"], event.time, event.block_number,
                                         event.tx_hash)
    return latest


#: ``(account, did, at, credential registry) -> BindingResult``: whether a non-ethr DID is bound to the account for
#: that credential registry, on one endpoint
BindingFn = Callable[[str, str, datetime, "str | None"], Any]


@dataclass
class Endpoint:
    """One source of chain answers, and what the chain-dependent checks read through it.

    ``name``: how people know it (its URL); ``caip2``: the chain it serves (``None`` when it could not be asked);
    ``ledger``: the registry reader; ``binding``: the DID ↔ account binding look-up on this chain (issuer check);
    ``accreditation``: the accreditation checker on this chain (``None``: no trust list); ``problem``: why the
    endpoint cannot be used at all (unreachable, wrong chain), which leaves it out of every answer.
    """

    name: str
    caip2: str | None
    ledger: LedgerReader | None = None
    binding: BindingFn | None = None
    accreditation: Callable[..., tuple[str, str]] | None = None
    problem: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: block number -> (block hash, unix time), for ``--at block:N``; ``None``: this endpoint cannot say
    block_info: Callable[[int], tuple[str, int]] | None = None
