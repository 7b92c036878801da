"""The chain client against both the in-process EVM and a real anvil node."""

from __future__ import annotations

import os

import pytest
from eth_account import Account

from microcred.errors import InvalidInputError
from microcred.registry import MerkleTree, Status, leaf_hash, reason_code
from microcred.chain import _errors as E
from microcred.registry.ledger import registry_client


def _root(n: int) -> bytes:
    return MerkleTree([leaf_hash(os.urandom(32)) for _ in range(n)]).root


def test_anchor_records_batch_and_head(chain, funded_account):
    reg = registry_client(chain, funded_account)
    root = _root(5)
    receipt = reg.anchor(root, 0, 5)
    batch = reg.batch_of(funded_account.address, root)
    assert batch is not None and (batch.first_index, batch.count) == (0, 5)
    assert batch.block_number == receipt.block_number
    assert reg.issuer_state(funded_account.address) == (5, receipt.block_number)
    assert reg.batch_of(funded_account.address, _root(3)) is None


def test_anchor_refusals_are_named_before_gas_is_spent(chain, funded_account):
    reg = registry_client(chain, funded_account)
    root = _root(4)
    reg.anchor(root, 0, 10)
    balance = chain.w3.eth.get_balance(funded_account.address)
    with pytest.raises(E.RootAlreadyAnchoredError) as exc:
        reg.anchor(root, 10, 1)
    assert funded_account.address in str(exc.value) and "0x" + root.hex() in str(exc.value)
    with pytest.raises(E.RangeOverlapsError, match="next free index is 10"):
        reg.anchor(_root(2), 9, 2)
    with pytest.raises(E.ZeroRootError):
        reg.anchor(bytes(32), 10, 1)
    with pytest.raises(E.EmptyBatchError):
        reg.anchor(_root(2), 10, 0)
    with pytest.raises(E.RangeNotContiguousError, match="next batch starts at 10"):
        reg.anchor(_root(2), 12, 5)
    assert chain.w3.eth.get_balance(funded_account.address) == balance


def test_status_transitions_and_bulk_read(chain, funded_account):
    reg = registry_client(chain, funded_account)
    issuer = funded_account.address
    reg.anchor(_root(8), 0, 300)
    reg.revoke([1, 2, 200], "fraud")
    reg.suspend([3, 127, 128], reason_code("under-investigation"))
    reg.reinstate([127], 8)
    statuses = reg.status_of(issuer, list(range(0, 300)))
    expected = [Status.ACTIVE] * 300
    for i in (1, 2, 200):
        expected[i] = Status.REVOKED
    for i in (3, 128):
        expected[i] = Status.SUSPENDED
    assert statuses == expected
    words = reg.status_words(issuer, [0, 1])
    assert (words[0] >> 2) & 3 == 2 and (words[0] >> 6) & 3 == 1 and (words[1] >> 0) & 3 == 1
    with pytest.raises(E.CredentialIsRevokedError, match="index 2 "):
        reg.reinstate([2], 0)
    with pytest.raises(E.CredentialIsSuspendedError):
        reg.suspend([3], 0)
    with pytest.raises(E.CredentialNotSuspendedError):
        reg.reinstate([4], 0)
    with pytest.raises(E.IndexNotAnchoredError, match="index 300 "):
        reg.revoke([300], 1)
    # a revoked credential stays revoked whatever else happens
    reg.revoke([3], 1)
    assert reg.status_of(issuer, [3]) == [Status.REVOKED]


def test_others_cannot_touch_an_issuers_state(chain, funded_account):
    reg = registry_client(chain, funded_account)
    reg.anchor(_root(2), 0, 10)
    stranger = Account.create()
    chain.fund(stranger.address)
    theirs = registry_client(chain, stranger)
    with pytest.raises(E.UnauthorizedAccountError) as exc:
        theirs.revoke([1], 1, issuer=funded_account.address)
    assert stranger.address in str(exc.value) and funded_account.address in str(exc.value)
    # their own revocations land in their own (empty) space, never the issuer's
    with pytest.raises(E.IndexNotAnchoredError):
        theirs.revoke([1], 1)
    assert reg.status_of(funded_account.address, [1]) == [Status.ACTIVE]


def test_operator_acts_until_its_time(chain, funded_account):
    reg = registry_client(chain, funded_account)
    issuer = funded_account.address
    operator = Account.create()
    chain.fund(operator.address)
    now = chain.w3.eth.get_block("latest")["timestamp"]
    reg.authorize_operator(operator.address, now + 3600)
    assert reg.operator_until(issuer, operator.address) == now + 3600
    op = registry_client(chain, operator)
    op.anchor(_root(3), 0, 3, issuer=issuer)
    op.revoke([0], 1, issuer=issuer)
    assert reg.status_of(issuer, [0]) == [Status.REVOKED]
    reg.authorize_operator(operator.address, 0)
    with pytest.raises(E.UnauthorizedAccountError):
        op.suspend([1], 1, issuer=issuer)
    with pytest.raises(E.SelfOperatorError):
        reg.authorize_operator(issuer, now + 10)


def test_history_walks_linked_events(chain, funded_account):
    reg = registry_client(chain, funded_account)
    issuer = funded_account.address
    r1, r2 = _root(2), _root(3)
    reg.anchor(r1, 0, 2)
    # unrelated activity from another issuer in between
    other = Account.create()
    chain.fund(other.address)
    registry_client(chain, other).anchor(_root(2), 0, 2)
    reg.anchor(r2, 2, 3)
    reg.suspend([1], 5)
    reg.reinstate([1], 8)
    reg.revoke([4], "issued-in-error")
    history = reg.history(issuer)
    assert [e.kind for e in history] == ["anchored", "anchored", "suspended", "reinstated", "revoked"]
    assert history[0].data["root"] == "0x" + r1.hex() and history[1].data["first_index"] == 2
    assert history[-1].data == {"indexes": [4], "reason": 1, "reason_label": "issued-in-error"}
    assert all(e.issuer == issuer and e.time for e in history)
    # each event links to the block of the one before it
    for before, after in zip(history, history[1:]):
        assert after.previous_change == before.block_number
    # as of an earlier block, later changes are not there
    assert [e.kind for e in reg.history(issuer, block=history[2].block_number)] == ["anchored", "anchored",
                                                                                     "suspended"]


def test_inclusion_proof_checks_on_chain(chain, funded_account):
    reg = registry_client(chain, funded_account)
    leaves = [leaf_hash(os.urandom(32)) for _ in range(7)]
    tree = MerkleTree(leaves)
    reg.anchor(tree.root, 0, 7)
    for i, leaf in enumerate(leaves):
        assert reg.verify_inclusion(funded_account.address, tree.root, leaf, tree.proof(i))
    assert not reg.verify_inclusion(funded_account.address, tree.root, leaf_hash(os.urandom(32)), tree.proof(0))
    # a root anchored by this issuer is not one of another's
    assert not reg.verify_inclusion(Account.create().address, tree.root, leaves[0], tree.proof(0))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda r: r.anchor("0x1234", 0, 1), "32 bytes"),
        (lambda r: r.anchor(os.urandom(32), -1, 1), "whole number"),
        (lambda r: r.revoke([], 1), "at least one"),
        (lambda r: r.revoke([1], "no-such-reason"), "unknown reason"),
        (lambda r: r.revoke([1], 300), "0 to 255"),
        (lambda r: r.status_of("not-an-address", [1]), "address"),
        (lambda r: r.revoke(["7"], 1), "whole number"),
    ],
)
def test_bad_input_gets_named_errors(chain, funded_account, call, message):
    with pytest.raises(InvalidInputError, match=message):
        call(registry_client(chain, funded_account))


def test_read_only_client_refuses_writes(chain):
    with pytest.raises(InvalidInputError, match="no signer"):
        registry_client(chain).anchor(os.urandom(32), 0, 1)


def test_verification_state_reads_everything_in_one_call(chain, funded_account):
    reg = registry_client(chain, funded_account)
    root = _root(3)
    receipt = reg.anchor(root, 0, 3)
    reg.revoke([2], 1)
    batches, statuses, head = reg.verification_state(funded_account.address, [root, _root(2)], [0, 2])
    assert batches[0].covers(2) and not batches[0].covers(3) and batches[1] is None
    assert statuses == [Status.ACTIVE, Status.REVOKED]
    assert head > receipt.block_number
