"""Chains for tests: the in-process EVM and a real anvil node started (and stopped) by the fixture."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest
from eth_account import Account

from microcred.registry import LocalNode, connect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def anvil_node(tmp_path_factory: pytest.TempPathFactory):
    """One anvil node for the whole session, in its own home directory."""
    home = tmp_path_factory.mktemp("anvil-home")
    explicit = os.environ.get("MICROCRED_ANVIL")  # as the CLI honours it; else node_modules
    node = LocalNode(home, port=free_port(), anvil=Path(explicit) if explicit else None)
    node.start()
    yield node, home
    node.stop()


def make_chain(kind: str, request: pytest.FixtureRequest):
    if kind == "memory":
        return connect("memory")
    node, home = request.getfixturevalue("anvil_node")
    return connect("local", home=home, rpc_urls=(node.url,))


@pytest.fixture(params=["memory", "anvil"])
def chain(request: pytest.FixtureRequest):
    """A connected chain of each kind, the registry deployed."""
    return make_chain(request.param, request)


@pytest.fixture
def funded_account(chain):
    """A fresh issuer account with test ether."""
    account = Account.create()
    chain.fund(account.address)
    return account
