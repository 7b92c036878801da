"""The accreditation registry client against both the in-process EVM and a real anvil node: roots, grants, scope
narrowing, withdrawal, the one-call chain view, linked history, named errors and gas."""

from __future__ import annotations


import pytest
from eth_abi import encode
from eth_account import Account
from eth_utils import keccak
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.contracts import load_artifact
from microcred.errors import InvalidInputError, MicrocredError, NotFoundError
from microcred.registry.accreditation import _client as A
from microcred.registry.accreditation._client import AccreditationClient, Scope
from microcred.chain._errors import NoContractError
from tests.support.accreditation import MICRO, World, YEAR, acc_client, chain_now, make_world, pass_time


#: gas bars (anvil and the in-process EVM agree to a few gas); measured figures are in docs/accreditation.md
GAS_BARS = {"declare_root": 95_000, "grant_first": 200_000, "grant_depth2": 170_000, "grant_next": 135_000,
            "withdraw": 46_000}


@pytest.fixture
def world(chain) -> World:
    return make_world(chain)


# -- errors ---------------------------------------------------------------------------------------------------------


def test_every_abi_error_has_a_named_exception():
    abi = load_artifact("AccreditationRegistry")["abi"]
    names = {item["name"] for item in abi if item["type"] == "error"}
    assert names, "the ABI declares custom errors"
    assert names == set(A.REVERT_CLASSES), f"unmapped: {names - set(A.REVERT_CLASSES)}"
    for name in names:
        cls = A.REVERT_CLASSES[name]
        assert issubclass(cls, MicrocredError) and cls.__name__ == name + "Error"


def test_no_error_name_is_shared_with_the_credential_registry():
    """The generic decoder maps names of the credential registry's errors; a shared name would be misdecoded."""
    from microcred.chain import _errors as E

    assert not set(A.REVERT_CLASSES) & set(E.REVERT_CLASSES)


def test_every_error_decodes_with_its_arguments_into_its_message():
    abi = load_artifact("AccreditationRegistry")["abi"]
    samples = {"address": "0x" + "ab" * 20, "uint64": 1767225600, "uint8": 7, "uint256": 65,
               "bytes32": keccak(text=MICRO), "bytes4": b"0613", "bytes2": b"de"}
    for item in (i for i in abi if i["type"] == "error"):
        types = [i["type"] for i in item["inputs"]]
        data = keccak(text=f"{item['name']}({','.join(types)})")[:4] + encode(types, [samples[t] for t in types])
        err = A.decode_accreditation_revert(data)
        assert isinstance(err, A.REVERT_CLASSES[item["name"]]), item["name"]
        assert set(err.args_by_name) == {i["name"] for i in item["inputs"]}
        assert "{" not in str(err), str(err)
    err = A.decode_accreditation_revert(keccak(text="LevelAboveParent(uint64,uint8,uint8)")[:4]
                                        + encode(["uint64", "uint8", "uint8"], [3, 6, 7]))
    assert str(err) == "out of scope: EQF level 7 is above level 6 of grant 3"
    err = A.decode_accreditation_revert(keccak(text="FieldNotCovered(uint64,bytes4,bytes4)")[:4]
                                        + encode(["uint64", "bytes4", "bytes4"], [3, b"06\0\0", b"0712"]))
    assert "field '0712' is not covered by field '06' of grant 3" in str(err)
    err = A.decode_accreditation_revert(keccak(text="ParentNotLive(uint64,uint64,uint64,uint64)")[:4]
                                        + encode(["uint64"] * 4, [3, 1767225600, 1798761600, 1800000000]))
    assert "2026-01-01 00:00:00 UTC" in str(err) and "grant 3 is not live" in str(err)
    assert A.decode_accreditation_revert(b"\x01\x02\x03\x04") is None
    assert A.decode_accreditation_revert(keccak(text="UnknownGrant(uint64)")[:4] + b"\0") is None


def test_scope_validation_and_covering():
    with pytest.raises(InvalidInputError, match="EQF level"):
        Scope(MICRO, 9)
    with pytest.raises(InvalidInputError, match="ISCED-F"):
        Scope(MICRO, 6, "6")
    with pytest.raises(InvalidInputError, match="kind"):
        Scope("", 6)
    wide = Scope(MICRO, 7, "06")
    assert wide.covers(Scope(MICRO, 6, "0613")) and wide.covers(Scope(MICRO, 7, "06"))
    assert not wide.covers(Scope(MICRO, 8, "06"))
    assert not wide.covers(Scope(MICRO, 6, "07"))
    assert not wide.covers(Scope(MICRO, 6, ""))  # "every field" is wider than "06"
    assert not wide.covers(Scope("Degree", 6, "06"))
    assert Scope(MICRO, 8, "").covers(Scope(MICRO, 1, "0011"))
    assert wide.describe() == "MicroCredential EQF ≤ 7, field 06"
    assert Scope(MICRO, 5).describe() == "MicroCredential EQF ≤ 5, all fields"
    assert A.kind_name(A.kind_hash(MICRO)) == MICRO
    assert A.kind_name(A.kind_hash("SomethingNew")).startswith("0x")
    assert A.withdrawal_reason_code("quality-review-failed") == 2 and A.withdrawal_reason_code("7") == 7
    with pytest.raises(InvalidInputError, match="unknown withdrawal reason"):
        A.withdrawal_reason_code("bored")


_codes = st.one_of(st.just(""), st.text("0123456789", min_size=2, max_size=4))


@settings(max_examples=60, deadline=None)
@given(outer=_codes, inner=_codes)
def test_field_covering_agrees_with_the_contract(memory_client, outer, inner):
    assert A.field_covers(outer, inner) == memory_client.field_covers(outer, inner)


@pytest.fixture(scope="module")
def memory_client():
    from microcred.registry import connect

    return acc_client(connect("memory"))


# -- roots and grants -----------------------------------------------------------------------------------------------


def test_roots_grants_and_the_one_call_view(world):
    reader = world.reader()
    root = reader.root_of(world.root_de.address)
    assert root is not None and (root.name, root.country) == ("Akkreditierungsrat", "DE")
    assert reader.is_root(world.root_fr.address) and not reader.is_root(world.agency.address)
    assert reader.root_of(world.agency.address) is None

    a, u = world.standard_chain()
    fr = world.client(world.root_fr).grant(world.university.address, Scope(MICRO, 5, "04"), world.now,
                                           world.now + YEAR)
    assert (a, u, fr) == (u - 1, a + 1, u + 1) and reader.grant_count() == fr
    g = reader.grant_of(u)
    assert (g.grantor, g.subject, g.parent, g.depth) == (world.agency.address, world.university.address, a, 2)
    assert g.scope == Scope(MICRO, 6, "0613") and g.valid_until == world.now + YEAR and not g.withdrawn
    assert reader.grants_of(world.university.address) == [u, fr]

    # a verifier's view: only the chains under the roots it trusts, each with its ancestors
    chains = reader.chains_of(world.university.address, [world.root_de.address])
    assert chains.leaf_ids == (u,) and chains.subject_grants == 2
    assert [x.id for x in chains.path(u)] == [u, a] and chains.root_of(u) == world.root_de.address
    both = reader.chains_of(world.university.address, [world.root_de.address, world.root_fr.address])
    assert set(both.leaf_ids) == {u, fr}
    everything = reader.chains_of(world.university.address)
    assert everything.leaf_ids == (fr, u)  # newest first
    none = reader.chains_of(world.university.address, [world.stranger.address])
    assert none.leaf_ids == () and none.subject_grants == 2
    assert reader.chains_of(world.stranger.address).subject_grants == 0


def test_refusals_are_named_before_gas_is_spent(world):
    a, _ = world.standard_chain()
    agency = world.client(world.agency)
    uni, now = world.university.address, world.now
    balance = world.chain.w3.eth.get_balance(world.agency.address)
    with pytest.raises(A.NotRootError, match=world.agency.address):
        agency.grant(uni, Scope(MICRO, 6), now, now + YEAR)
    with pytest.raises(A.LevelAboveParentError, match="level 8 is above level 7 of grant"):
        agency.grant(uni, Scope(MICRO, 8, "06"), now, now + YEAR, a)
    with pytest.raises(A.FieldNotCoveredError, match="field '0712' is not covered by field '06'"):
        agency.grant(uni, Scope(MICRO, 6, "0712"), now, now + YEAR, a)
    with pytest.raises(A.ParentKindDiffersError, match="kind Degree is not the kind MicroCredential"):
        agency.grant(uni, Scope("Degree", 6, "06"), now, now + YEAR, a)
    with pytest.raises(A.ValidityOutsideParentError):
        agency.grant(uni, Scope(MICRO, 6, "06"), now, now + 3 * YEAR, a)
    with pytest.raises(A.UnknownGrantError) as exc:
        agency.grant(uni, Scope(MICRO, 6, "06"), now, now + YEAR, 999)
    assert isinstance(exc.value, NotFoundError)
    with pytest.raises(A.SelfGrantError):
        agency.grant(world.agency.address, Scope(MICRO, 6, "06"), now, now + YEAR, a)
    with pytest.raises(A.InvalidValidityError):
        agency.grant(uni, Scope(MICRO, 6, "06"), now + 10, now + 10, a)
    assert world.chain.w3.eth.get_balance(world.agency.address) == balance
    with pytest.raises(A.ParentNotHeldError, match="held by " + world.agency.address):
        world.client(world.stranger).grant(uni, Scope(MICRO, 6, "06"), now, now + YEAR, a)
    with pytest.raises(A.RootAlreadyDeclaredError):
        world.client(world.root_de).declare_root("Again", "DE")
    with pytest.raises(InvalidInputError, match="alpha-2"):
        world.client(world.stranger).declare_root("Somewhere", "Germany")


def test_expired_parent_is_refused(world):
    a = world.client(world.root_de).grant(world.agency.address, Scope(MICRO, 7, "06"), world.now - 3600,
                                          chain_now(world.chain) + 3)
    end = world.reader().grant_of(a).valid_until
    pass_time(world.chain, 4)
    with pytest.raises(A.ParentNotLiveError, match=f"grant {a} is not live"):
        world.client(world.agency).grant(world.university.address, Scope(MICRO, 6, "06"), world.now - 3600, end, a)


def test_withdrawal_keeps_the_record_and_only_the_grantor_may(world):
    a, u = world.standard_chain()
    with pytest.raises(A.NotGrantorError, match="only its grantor " + world.agency.address):
        world.client(world.university).withdraw(u, 1)
    with pytest.raises(A.NotGrantorError):
        world.client(world.root_de).withdraw(u, 1)  # not even the root above
    pass_time(world.chain, 1)  # so that the grant held for a while before its withdrawal
    receipt = world.client(world.agency).withdraw(u, "quality-review-failed")
    g = world.reader().grant_of(u)
    assert g.withdrawn and g.withdrawn_at == world.chain.w3.eth.get_block(receipt.block_number)["timestamp"]
    assert g.withdraw_reason == 2 and "withdrawn on" in g.problem_at(g.withdrawn_at)
    assert g.problem_at(g.withdrawn_at - 1) is None  # it held until then: the past stays answerable
    with pytest.raises(A.AlreadyWithdrawnError):
        world.client(world.agency).withdraw(u, 1)
    # a body whose grant was withdrawn cannot grant from it, nor can anyone below it
    world.client(world.root_de).withdraw(a, 6)
    with pytest.raises(A.ParentWithdrawnError):
        world.client(world.agency).grant(world.stranger.address, Scope(MICRO, 6, "06"), world.now,
                                         world.now + YEAR, a)


def test_read_only_client_cannot_write_and_missing_contract_is_named(world):
    with pytest.raises(InvalidInputError, match="no signer"):
        world.reader().withdraw(1, 0)
    nowhere = AccreditationClient(world.chain.w3, "0x" + "12" * 20, endpoint=world.chain.endpoint)
    with pytest.raises(NoContractError, match="no accreditation registry"):
        nowhere.chains_of(world.university.address, [world.root_de.address])
    with pytest.raises(InvalidInputError, match="address"):
        world.reader().chains_of("not-an-address")


# -- history --------------------------------------------------------------------------------------------------------


def test_history_walks_every_change_of_an_account(world):
    a, u = world.standard_chain()
    world.client(world.agency).withdraw(u, 4)
    history = world.reader().history(world.agency.address)
    assert [(e.kind, e.role) for e in history] == [("granted", "subject"), ("granted", "grantor"),
                                                   ("withdrawn", "grantor")]
    assert [e.data["grant_id"] for e in history] == [a, u, u]
    assert history[2].data["reason_label"] == "superseded"
    assert history[0].data["scope"] == Scope(MICRO, 7, "06")
    assert all(e.time for e in history)
    assert [e.previous_change for e in history[1:]] == [history[0].block_number, history[1].block_number]
    root_history = world.reader().history(world.root_de.address)
    assert [e.kind for e in root_history] == ["root-declared", "granted"]
    assert root_history[0].data == {"name": "Akkreditierungsrat", "country": "DE"}
    uni = world.reader().history(world.university.address)
    assert [(e.kind, e.role) for e in uni] == [("granted", "subject"), ("withdrawn", "subject")]
    assert world.reader().history(world.stranger.address) == []


# -- gas ------------------------------------------------------------------------------------------------------------


def _last_gas(chain) -> int:
    """Gas used by the transaction of the latest block (dev chains mine one transaction per block)."""
    (tx,) = chain.w3.eth.get_block("latest")["transactions"]
    return int(chain.w3.eth.get_transaction_receipt(tx)["gasUsed"])


def test_gas_of_declaring_granting_and_withdrawing(chain, capsys):
    root, agency, uni, other = (Account.create() for _ in range(4))
    for acct in (root, agency, uni, other):
        chain.fund(acct.address)
    now = chain_now(chain)
    r, ag = acc_client(chain, root), acc_client(chain, agency)
    figures = {"declare_root": r.declare_root("Akkreditierungsrat", "DE").gas_used}
    a = r.grant(agency.address, Scope(MICRO, 7, "06"), now, now + 2 * YEAR)  # the first grant of both accounts
    figures["grant_first"] = _last_gas(chain)
    ag.grant(uni.address, Scope(MICRO, 6, "0613"), now, now + YEAR, a)  # depth 2, the university's first
    figures["grant_depth2"] = _last_gas(chain)
    last = ag.grant(uni.address, Scope(MICRO, 5, "0612"), now, now + YEAR, a)  # the same subject again
    figures["grant_next"] = _last_gas(chain)
    figures["withdraw"] = ag.withdraw(last, 1).gas_used
    with capsys.disabled():
        print(f"\naccreditation gas on {chain.name}: {figures}")
    assert figures["declare_root"] <= GAS_BARS["declare_root"]
    for name, bar in GAS_BARS.items():
        assert figures[name] <= bar, f"{name} costs {figures[name]} gas, more than the bar of {bar}"
