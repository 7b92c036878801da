"""Trust lists and the accreditation check, on both chain kinds: every way a chain of trust holds or breaks, the
could-not-check rule, and the cost in RPC requests."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from eth_account import Account

from microcred.errors import InvalidInputError, NetworkError
from microcred.registry import RegistryClient
from microcred.registry.accreditation._client import AccreditationClient, Scope
from microcred.registry.anchoring._anchor import load_credential
from microcred.chain._connect import _http_web3
from microcred.registry.accreditation._trust import (
    AccreditationChecker,
    CredentialScope,
    TrustListError,
    credential_scope,
    load_trust_list,
    parse_trust_list,
)
from tests.support.chain import free_port
from tests.support.accreditation import (
    MICRO,
    YEAR,
    World,
    acc_client,
    anchored_credentials,
    chain_now,
    credential,
    make_world,
    pass_time,
    root_entry,
    trust_de_fr,
)
from tests.support.verify import verifier

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trust-de-fr.json"


def checker(world: World, trust=None, **kw) -> AccreditationChecker:
    return AccreditationChecker(trust or trust_de_fr(world), lambda address: AccreditationClient(
        world.chain.w3, address, endpoint=world.chain.endpoint), chain=world.chain.caip2, **kw)


def at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc)


def latest(world: World) -> datetime:
    """The chain's latest block time: after every grant made so far."""
    return at(chain_now(world.chain))


def day(ts: int) -> str:
    return at(ts).strftime("%Y-%m-%d")


@pytest.fixture
def world(chain) -> World:
    return make_world(chain)


# -- the check on chain ---------------------------------------------------------------------------------------------


def test_pass_names_the_chain(world):
    a, u = world.standard_chain()
    result, detail = checker(world)(credential(world), account=world.university.address, anchored_at=latest(world))
    assert result == "pass", detail
    grant = world.reader().grant_of(u)
    assert detail.startswith(f"accredited by Akkreditierungsrat (DE) via {world.agency.address[:6]}…")
    assert (f"for MicroCredential EQF ≤ 6, field 0613, {day(grant.valid_from)}–{day(grant.valid_until)}"
            in detail)


def test_a_credential_without_eqf_level_is_covered_by_any_level(world):
    world.standard_chain()
    check = checker(world)
    ok, detail = check(credential(world, level=None, field="0613"),
                       account=world.university.address, anchored_at=latest(world))
    assert ok == "pass", detail


def test_expired_grant_fails(world):
    _, u = world.standard_chain()
    end = world.reader().grant_of(u).valid_until
    result, detail = checker(world)(credential(world), account=world.university.address, anchored_at=at(end + 10))
    assert result == "fail"
    assert f"the issuer's grant {u} ({world.agency.address[:6]}…{world.agency.address[-4:]} → " \
           f"{world.university.address[:6]}…{world.university.address[-4:]}): expired on {day(end)}" in detail


def test_withdrawn_grant_before_and_after_anchoring(world):
    _, u = world.standard_chain()
    pass_time(world.chain, 1)
    world.client(world.agency).withdraw(u, "quality-review-failed")
    withdrawn = world.reader().grant_of(u).withdrawn_at
    check = checker(world)
    # anchored before the withdrawal: that credential stays covered
    result, detail = check(credential(world), account=world.university.address, anchored_at=at(withdrawn - 1))
    assert result == "pass", detail
    # anchored at or after it: not covered
    for when in (withdrawn, withdrawn + 86400):
        result, detail = check(credential(world), account=world.university.address, anchored_at=at(when))
        assert result == "fail"
        assert f"withdrawn on {day(withdrawn)} (quality-review-failed)" in detail


@pytest.mark.parametrize("doc, expected", [
    (dict(level=7), "out of scope: level 7 > 6"),
    (dict(field="0712 Environmental protection technology"), "out of scope: field 0712, the grant covers field "
                                                              "0613 only"),
    (dict(field="Information and data management"), "field not stated as an ISCED-F code"),
    (dict(kind="Degree"), "out of scope: kind Degree, the grant is for MicroCredential"),
])
def test_out_of_scope_fails_naming_what(world, doc, expected):
    world.standard_chain()
    result, detail = checker(world)(credential(world, **doc), account=world.university.address,
                                    anchored_at=latest(world))
    assert result == "fail" and expected in detail, detail


def test_broken_chain_a_middle_body_withdrawn(world):
    a, u = world.standard_chain()
    pass_time(world.chain, 1)
    world.client(world.root_de).withdraw(a, "quality-review-failed")
    withdrawn = world.reader().grant_of(a).withdrawn_at
    check = checker(world)
    result, detail = check(credential(world), account=world.university.address, anchored_at=at(withdrawn))
    assert result == "fail"
    assert (f"grant {a} up the chain (Akkreditierungsrat (DE) → {world.agency.address[:6]}…"
            f"{world.agency.address[-4:]}): withdrawn on {day(withdrawn)} (quality-review-failed)") in detail
    assert check(credential(world), account=world.university.address, anchored_at=at(withdrawn - 1))[0] == "pass"


def test_root_not_trusted(world):
    world.standard_chain()
    only_fr = parse_trust_list({"version": 1, "roots": [root_entry(world, world.root_fr, "FR", "CTI")]})
    result, detail = checker(world, only_fr)(credential(world), account=world.university.address,
                                             anchored_at=latest(world))
    assert result == "fail"
    assert detail.startswith("no chain to a trusted root") and "1 grant(s), none under a root this trust list" \
        in detail and "CTI (FR)" in detail
    result, detail = checker(world)(credential(world), account=world.stranger.address, anchored_at=latest(world))
    assert result == "fail" and "holds no accreditation" in detail


def test_a_self_declared_root_is_not_trusted_however_wide_its_grant(world):
    mill = Account.create()
    world.chain.fund(mill.address)
    world.client(mill).declare_root("Diploma Mill", "DE")
    world.client(mill).grant(world.university.address, Scope(MICRO, 8), world.now - 10, world.now + YEAR)
    result, detail = checker(world)(credential(world), account=world.university.address, anchored_at=latest(world))
    assert result == "fail" and "no chain to a trusted root" in detail


def test_two_countries_only_one_root_accredits_the_issuer(world):
    g = world.client(world.root_fr).grant(world.university.address, Scope(MICRO, 7, "06"), world.now - 10,
                                          world.now + YEAR)
    result, detail = checker(world)(credential(world), account=world.university.address, anchored_at=latest(world))
    assert result == "pass", detail
    assert detail.startswith("accredited by Commission des titres d'ingénieur (FR) for MicroCredential EQF ≤ 7, "
                             "field 06") and f"(grant {g}," in detail


def test_trust_list_accepts_less_than_the_grant(world):
    world.standard_chain()
    narrow = trust_de_fr(world, max_level=5, fields=["04"])
    result, detail = checker(world, narrow)(credential(world), account=world.university.address,
                                            anchored_at=latest(world))
    assert result == "fail"
    assert "out of scope for the trust list: Akkreditierungsrat (DE) is trusted for MicroCredential EQF ≤ 5, " \
           "fields 04 only (level 6 > 5)" in detail


def test_grant_made_after_anchoring_does_not_cover(world):
    _, u = world.standard_chain()
    created = world.reader().grant_of(u).created_at
    result, detail = checker(world)(credential(world), account=world.university.address,
                                    anchored_at=at(created - 3600))
    assert result == "fail" and "made at" in detail and "after" in detail


def test_not_anchored_is_skipped(world):
    result, detail = checker(world)(credential(world), account=world.university.address, anchored_at=None)
    assert result == "skipped" and "not anchored" in detail


def test_unreadable_credential_fails_naming_why(world):
    result, detail = checker(world)({"credentialSubject": {}}, account=world.university.address,
                                    anchored_at=latest(world))
    assert result == "fail" and "no credentialSubject.achievement" in detail


def test_rpc_down_raises_network_error_and_the_verifier_says_could_not_check(world, tmp_path):
    world.standard_chain()
    dead = _http_web3(f"http://127.0.0.1:{free_port()}", timeout=2)
    check = AccreditationChecker(trust_de_fr(world), lambda address: AccreditationClient(dead, address),
                                 chain=world.chain.caip2)
    with pytest.raises(NetworkError):
        check(credential(world), account=world.university.address, anchored_at=latest(world))
    # through the verifier: "error" (could not check), never "fail"
    files = anchored_credentials(world, tmp_path, 2)
    results = verifier(world.chain, accreditation_checker=check).verify([(None, load_credential(f)) for f in files])
    for v in results:
        acc = next(c for c in v.checks if c.name == "accreditation")
        assert acc.result == "error" and acc.detail.startswith("could not check"), acc
        assert v.outcome == "unknown" and not v.valid


def test_no_registry_at_the_trusted_address_is_could_not_check(world):
    entry = root_entry(world, world.root_de, "DE", "Akkreditierungsrat")
    entry["registry"] = "0x" + "12" * 20
    trust = parse_trust_list({"version": 1, "roots": [entry]})
    result, detail = checker(world, trust)(credential(world), account=world.university.address,
                                           anchored_at=latest(world))
    assert result == "error" and "no accreditation registry" in detail


def test_roots_on_another_chain_cannot_be_checked_here(world):
    entry = root_entry(world, world.root_de, "DE", "Akkreditierungsrat")
    entry["chain"] = "eip155:11155111"
    trust = parse_trust_list({"version": 1, "roots": [entry]})
    result, detail = AccreditationChecker(trust, lambda a: acc_client(world.chain))(
        credential(world), account=world.university.address, anchored_at=latest(world))
    assert result == "error" and "eip155:11155111" in detail and world.chain.caip2 in detail


def test_answers_are_cached_per_issuer_for_a_while(world):
    world.standard_chain()
    calls = []
    clock = [0.0]

    def client_for(address):
        calls.append(address)
        return AccreditationClient(world.chain.w3, address, endpoint=world.chain.endpoint)

    check = AccreditationChecker(trust_de_fr(world), client_for, chain=world.chain.caip2, cache_seconds=30,
                                 clock=lambda: clock[0])
    for level in (4, 5, 6):
        assert check(credential(world, level=level), account=world.university.address,
                     anchored_at=latest(world))[0] == "pass"
    assert len(calls) == 1
    clock[0] = 31.0
    check(credential(world), account=world.university.address, anchored_at=latest(world))
    assert len(calls) == 2


# -- end to end through the verifier --------------------------------------------------------------------------------


def test_verifier_with_the_accreditation_check(world, tmp_path):
    _, u = world.standard_chain()
    files = anchored_credentials(world, tmp_path, 3)
    v = verifier(world.chain, accreditation_checker=checker(world))
    for result in v.verify([(None, load_credential(f)) for f in files]):
        acc = next(c for c in result.checks if c.name == "accreditation")
        assert acc.result == "pass" and "Akkreditierungsrat (DE)" in acc.detail, acc
        assert result.valid
    # withdrawn after these were anchored: they stay accredited
    pass_time(world.chain, 1)
    world.client(world.agency).withdraw(u, "quality-review-failed")
    v = verifier(world.chain, accreditation_checker=checker(world))
    assert all(r.valid for r in v.verify([(None, load_credential(f)) for f in files]))
    # anything anchored from now on is not
    later = anchored_credentials(world, tmp_path / "later", 1, first=len(files))[0]
    (result,) = v.verify([(None, load_credential(later))])
    acc = next(c for c in result.checks if c.name == "accreditation")
    assert acc.result == "fail" and "withdrawn on" in acc.detail and not result.valid


def test_accreditation_costs_at_most_two_requests_per_issuer(request, tmp_path):
    """Verifying many credentials of several issuers: per issuer, one call for the credential registry and one
    for the chains of trust — nothing else."""
    from bench._util import RPCCounter
    from microcred.registry import connect

    node, home = request.getfixturevalue("anvil_node")
    chain = connect("local", home=home, rpc_urls=(node.url,))
    world = make_world(chain)
    second = Account.create()
    chain.fund(second.address)
    a, _ = world.standard_chain()
    world.client(world.agency).grant(second.address, Scope(MICRO, 6, "0613"), world.now - 10, world.now + YEAR, a)
    files = anchored_credentials(world, tmp_path, 12) + anchored_credentials(world, tmp_path, 12, issuer=second)
    trust = trust_de_fr(world)
    counter = RPCCounter(node.url)
    try:
        w3 = _http_web3(counter.url)
        assert w3.eth.chain_id  # connect first, so the count is of the reads alone
        counter.reset()
        check = AccreditationChecker(trust, lambda address: AccreditationClient(w3, address, endpoint=counter.url),
                                     chain=chain.caip2)
        v = verifier(chain, registry_for=lambda address: RegistryClient(w3, address, endpoint=counter.url),
                     accreditation_checker=check)
        results = v.verify([(None, load_credential(f)) for f in files])
        assert all(r.valid for r in results), [r.as_json() for r in results if not r.valid]
        assert all(c.result == "pass" for r in results for c in r.checks if c.name == "accreditation")
        issuers = 2
        assert counter.methods == ["eth_call"] * counter.requests
        # one verificationState call and one chainsOf call per issuer, whatever the number of credentials
        assert counter.requests == 2 * issuers, counter.methods
    finally:
        counter.close()


# -- the trust file -------------------------------------------------------------------------------------------------


def test_the_example_trust_file_names_roots_of_two_countries():
    trust = load_trust_list(EXAMPLE)
    assert trust.countries() == ["DE", "FR"]
    fr = next(r for r in trust.roots if r.country == "FR")
    assert fr.accepts.max_level == 7 and fr.accepts.fields == ("04", "06", "07")
    assert fr.account == "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" and fr.chain == "eip155:31337"
    de = next(r for r in trust.roots if r.country == "DE")
    assert de.accepts.fields == () and de.label == "Akkreditierungsrat (example) (DE)"


def _example() -> dict:
    return json.loads(EXAMPLE.read_text())


def _with(path: str, value, *, delete: bool = False) -> dict:
    data = copy.deepcopy(_example())
    target = data
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    last = keys[-1]
    if delete:
        del target[last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return data


@pytest.mark.parametrize("data, message", [
    (_with("version", 2), '"version" must be 1, not 2'),
    (_with("roots", []), '"roots" must be a non-empty list'),
    (_with("extra", 1), "unknown key(s) 'extra'"),
    (_with("roots.1.country", "France"), "roots[1] ('Hcéres (example)'): \"country\" must be an ISO 3166-1 alpha-2 "
                                         "code like \"DE\" (not 'France')"),
    (_with("roots.0.chain", "sepolia"), "roots[0] ('Akkreditierungsrat (example)'): \"chain\" must be a CAIP-2"),
    (_with("roots.0.chain", "cosmos:cosmoshub-4"), '"chain" must be an EVM chain'),
    (_with("roots.1.registry", "0x1234"), "roots[1] ('Hcéres (example)'): \"registry\" must be a 0x-prefixed "
                                          "20-byte address (the AccreditationRegistry) (not '0x1234')"),
    (_with("roots.0.account", None, delete=True), "roots[0] ('Akkreditierungsrat (example)'): \"account\" must be "
                                                   "a 0x-prefixed 20-byte address (the root body's account) "
                                                   "(missing)"),
    (_with("roots.1.accepts.maxLevel", 9), "roots[1] ('Hcéres (example)'): \"accepts.maxLevel\" must be a whole "
                                           "number from 1 to 8 (EQF), not 9"),
    (_with("roots.1.accepts.fields", ["6"]), "roots[1] ('Hcéres (example)'): \"accepts.fields\" must be a list of "
                                             "ISCED-F 2013 codes"),
    (_with("roots.0.accepts.kinds", []), "roots[0] ('Akkreditierungsrat (example)'): \"accepts.kinds\" must be a "
                                         "non-empty list"),
    (_with("roots.0.accepts.maxlevel", 8), "unknown key(s) in \"accepts\": 'maxlevel'"),
    (_with("roots.0.accept", {}), "roots[0] ('Akkreditierungsrat (example)'): unknown key(s) 'accept'"),
    (_with("roots.1.name", ""), "roots[1]: \"name\" must be the body's name"),
    (_with("roots.1", "Hcéres"), "roots[1]: each root is a JSON object, not str"),
    (_with("roots.1.account", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
     "roots[1] (Hcéres (example) (FR)) names the same root account 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 on the "
     "same chain and registry as roots[0]"),
])
def test_malformed_trust_file_messages_name_the_entry(tmp_path, data, message):
    path = tmp_path / "trust.json"
    path.write_text(json.dumps(data))
    with pytest.raises(TrustListError) as exc:
        load_trust_list(path)
    assert str(exc.value).startswith(f"{path}: ")
    assert message in str(exc.value), str(exc.value)
    assert isinstance(exc.value, InvalidInputError)


def test_missing_or_unparsable_trust_file(tmp_path):
    with pytest.raises(TrustListError, match="no such trust file"):
        load_trust_list(tmp_path / "nope.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1,\n "roots": [}')
    with pytest.raises(TrustListError, match=r"bad.json: not valid JSON \(line 2"):
        load_trust_list(bad)
    bad.write_text("[]")
    with pytest.raises(TrustListError, match="a trust list is a JSON object"):
        load_trust_list(bad)


# -- what a credential needs ----------------------------------------------------------------------------------------


def test_credential_scope_reads_kind_level_and_field():
    assert credential_scope(credential()) == CredentialScope(MICRO, 6, "0613")
    assert credential_scope(credential(level=None, field=None)) == CredentialScope(MICRO, None, None)
    assert credential_scope(credential(field="Information and data management")).field is None
    doc = credential(field="Information and data management")
    doc["credentialSubject"]["achievement"]["alignment"].append(
        {"type": ["Alignment"], "targetName": "Software and applications development and analysis",
         "targetUrl": "https://uis.unesco.org/isced-f", "targetCode": "0613", "targetFramework": "ISCED-F 2013"})
    assert credential_scope(doc).field == "0613"
    bad = credential()
    bad["credentialSubject"]["achievement"]["alignment"][0]["targetCode"] = "9"
    with pytest.raises(InvalidInputError, match="EQF level must be 1-8"):
        credential_scope(bad)
    with pytest.raises(InvalidInputError, match="no credentialSubject.achievement"):
        credential_scope({})


def test_an_injected_extractor_decides_what_a_credential_needs(world):
    world.standard_chain()
    check = checker(world, extract=lambda doc: CredentialScope(MICRO, 7, "0613"))
    result, detail = check(credential(world), account=world.university.address, anchored_at=latest(world))
    assert result == "fail" and "level 7 > 6" in detail
