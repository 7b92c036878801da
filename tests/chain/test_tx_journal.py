"""The transaction journal: a send interrupted after journalling is finished by the next one with the same signed
bytes (never a second transaction), a transaction whose nonce went elsewhere is given up, a damaged journal stops
everything. The real kills, on anvil, are in tests/cli/test_kill_faults.py."""

from __future__ import annotations

import json

import pytest
from eth_account import Account

from microcred.chain import TxJournal, TxJournalError, connect


class Killed(Exception):
    pass


@pytest.fixture
def setup(tmp_path):
    chain = connect("memory")
    account = Account.create()
    chain.fund(account.address)
    journal = TxJournal(tmp_path / "state" / "tx-journal.json")
    return chain, chain.sender(account, journal=journal), journal


def _pay(sender, wei: int = 1):
    return sender.send_tx({"to": "0x" + "11" * 20, "value": wei, "data": b"", "gas": 21000}, what="paying")


def _killed_before_broadcast(sender, monkeypatch) -> dict:
    def kill(prepared, **_):
        raise Killed

    with monkeypatch.context() as m:
        m.setattr(sender, "broadcast", kill)
        with pytest.raises(Killed):
            _pay(sender)
    (entry,) = sender.journal.unfinished()
    return entry


def test_a_send_is_journalled_and_marked_done(setup):
    chain, sender, journal = setup
    receipt = _pay(sender)
    entries = json.loads(journal.path.read_text())["entries"]
    assert [(e["stage"], e["txHash"], e["blockNumber"]) for e in entries] == \
        [("done", receipt.tx_hash, receipt.block_number)]
    assert "rawTx" not in entries[0] and journal.unfinished() == []


def test_what_a_killed_run_journalled_is_sent_with_the_same_bytes_and_only_once(setup, monkeypatch):
    chain, sender, journal = setup
    entry = _killed_before_broadcast(sender, monkeypatch)
    nonce = chain.w3.eth.get_transaction_count(sender.address)
    assert entry["stage"] == "prepared" and entry["nonce"] == nonce
    (settled,) = journal.settle(sender)
    assert settled["stage"] == "done" and settled["txHash"] == entry["txHash"]
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce + 1
    assert journal.settle(sender) == []  # nothing left: a second settle sends nothing
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce + 1


def test_a_journalled_transaction_whose_nonce_went_to_another_is_given_up(setup, monkeypatch):
    chain, sender, journal = setup
    entry = _killed_before_broadcast(sender, monkeypatch)
    sender.journal = None
    _pay(sender, 2)  # another transaction takes the nonce
    nonce = chain.w3.eth.get_transaction_count(sender.address)
    (settled,) = journal.settle(sender)
    assert settled["stage"] == "replaced" and settled["txHash"] == entry["txHash"] and "rawTx" not in settled
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce


def test_the_next_send_finishes_the_unfinished_one_first(setup, monkeypatch):
    chain, sender, journal = setup
    entry = _killed_before_broadcast(sender, monkeypatch)
    receipt = _pay(sender, 3)
    entries = json.loads(journal.path.read_text())["entries"]
    assert [(e["txHash"], e["stage"]) for e in entries] == [(entry["txHash"], "done"), (receipt.tx_hash, "done")]


def test_the_same_call_after_a_killed_run_is_that_run_finished_not_a_second_transaction(setup, monkeypatch):
    chain, sender, journal = setup
    entry = _killed_before_broadcast(sender, monkeypatch)
    nonce = chain.w3.eth.get_transaction_count(sender.address)
    receipt = _pay(sender)  # the command run again: the same call
    assert receipt.tx_hash == entry["txHash"]
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce + 1
    assert _pay(sender).tx_hash != entry["txHash"]  # asked once more, on purpose: a new transaction
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce + 2


def test_a_damaged_journal_sends_nothing(setup):
    chain, sender, journal = setup
    journal.path.parent.mkdir(parents=True)
    journal.path.write_text("{not json")
    nonce = chain.w3.eth.get_transaction_count(sender.address)
    with pytest.raises(TxJournalError, match="is damaged"):
        _pay(sender)
    journal.path.write_text('{"entries": 3}')
    with pytest.raises(TxJournalError, match="no list of entries"):
        _pay(sender)
    assert chain.w3.eth.get_transaction_count(sender.address) == nonce
