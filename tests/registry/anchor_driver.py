"""Runs the Anchorer in its own process, for the kill tests: python -m tests.registry.anchor_driver URL HOME DIR KEY."""

from __future__ import annotations

import sys
from pathlib import Path

from eth_account import Account

from microcred.registry import connect
from microcred.registry.anchoring._anchor import Anchorer
from microcred.registry.ledger import registry_client


def main() -> None:
    url, home, directory, key, limit = sys.argv[1:6]
    chain = connect("local", home=Path(home), rpc_urls=(url,))
    account = Account.from_key(key)
    anchorer = Anchorer(registry_client(chain, account), Path(directory), chain_caip2=chain.caip2,
                        batch_limit=int(limit))
    files = sorted(Path(directory).glob("*.json"))
    files = [f for f in files if not f.name.startswith("anchor-journal")]
    anchorer.anchor(files)


if __name__ == "__main__":
    main()
