"""``wallet check``: every credential of the wallet verified again (as ``verify`` would), each verdict kept as its
status as last checked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from microcred.registry.verify import Verification
from microcred.wallet._store import Wallet, WalletEntry

__all__ = ["check_wallet"]


def check_wallet(wallet: Wallet, verifier: Any, *, ids: Iterable[str] = (),
                 at: datetime | None = None) -> list[tuple[WalletEntry, Verification]]:
    """Verify the credentials of ``wallet`` (those ``ids`` name, else all) with ``verifier`` (a
    :class:`~microcred.registry.verify.Verifier`), record each verdict, and return them in wallet order."""
    wanted = [wallet.get(i) for i in ids] if ids else wallet.entries()
    if not wanted:
        return []
    verdicts = verifier.verify([(e.id, e.credential) for e in wanted], at=at)
    wallet.record_checks({e.id: v for e, v in zip(wanted, verdicts)})
    return list(zip(wanted, verdicts))
