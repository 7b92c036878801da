"""The issuer timeline, status replay and audit report, against both the in-process EVM and a real anvil node.

An issuer anchors three batches over three calendar months, revokes, suspends and reinstates with reasons and
authorises an operator; the report built from ``reg.history(account)`` must count exactly what those actions imply.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from eth_utils import to_checksum_address

from microcred.errors import InvalidInputError
from microcred.registry import LocalNode, Status
from microcred.registry.audit import (
    REPORT_FORMAT,
    AuditRegistries,
    AuditReport,
    IssuerIdentity,
    StatusReplay,
    TimelineEntry,
    bound_dids,
    count_events,
    format_indexes,
    from_registry_events,
    identify_issuer,
    iso_date,
    merge_timelines,
    status_at,
    statuses_at,
)
from tests.support.browser import parse_html
from tests.support.chain import free_port
from tests.support.audit import GENERATED_AT, Scenario, build_report, run_scenario


@pytest.fixture(scope="module")
def anvil_node(tmp_path_factory: pytest.TempPathFactory):
    """This module's own anvil node: the scenario moves chain time months ahead, which no other test should see."""
    home = tmp_path_factory.mktemp("anvil-audit-home")
    node = LocalNode(home, port=free_port())
    node.start()
    yield node, home
    node.stop()


# -- driving the chain ---------------------------------------------------------------------------------------------


@pytest.fixture
def scenario(chain, funded_account) -> Scenario:
    return run_scenario(chain, funded_account)


# -- the report from the chain -------------------------------------------------------------------------------------
def test_report_counts_what_the_issuer_did(chain, scenario):
    report = build_report(chain, scenario)
    counts = {f.name: f.value for f in report.counts}
    assert counts == {
        "credentials_issued": 35, "batches": 3, "revoked": 4, "suspended": 4, "reinstated": 1,
        "currently_revoked": 4, "currently_suspended": 2, "operator_authorizations": 1,
        "did_changes": 0, "accreditation_changes": 0,
    }
    assert report.rate("revocation_rate") == pytest.approx(4 / 35)
    assert report.rate("suspension_rate") == pytest.approx(2 / 35)
    assert [(m.month, m.issued, m.revoked, m.suspended, m.reinstated) for m in report.by_month] == [
        (scenario.months[0], 15, 2, 0, 0),
        (scenario.months[1], 0, 1, 2, 0),
        (scenario.months[2], 20, 1, 2, 1),
    ]
    assert [(r.code, r.label, r.revoked, r.suspended, r.reinstated) for r in report.by_reason] == [
        (1, "issued-in-error", 1, 0, 0),
        (2, "fraud", 3, 0, 0),
        (5, "under-investigation", 0, 4, 0),
        (8, "investigation-closed", 0, 0, 1),
    ]
    # every claim points at the transactions it was counted from
    r = scenario.receipts
    by_name = {f.name: {e.tx_hash for e in f.evidence} for f in report.counts}
    assert by_name["credentials_issued"] == {r["anchor1"].tx_hash, r["anchor2"].tx_hash, r["anchor3"].tx_hash}
    assert by_name["currently_revoked"] == {r["revoke_fraud"].tx_hash, r["revoke_error"].tx_hash,
                                            r["revoke_suspended"].tx_hash}
    assert by_name["currently_suspended"] == {r["suspend_new"].tx_hash}
    fraud = next(row for row in report.by_reason if row.code == 2)
    assert {(e.tx_hash, e.block) for e in fraud.evidence} == {
        (r["revoke_fraud"].tx_hash, r["revoke_fraud"].block_number),
        (r["revoke_suspended"].tx_hash, r["revoke_suspended"].block_number)}


def test_timeline_has_every_change_in_chain_order(chain, scenario):
    timeline = from_registry_events(scenario.reg.history(scenario.issuer))
    r = scenario.receipts
    order = ["anchor1", "anchor2", "revoke_fraud", "operator", "suspend", "revoke_error", "reinstate",
             "revoke_suspended", "anchor3", "suspend_new"]
    assert [(e.tx_hash, e.block) for e in timeline] == [(r[n].tx_hash, r[n].block_number) for n in order]
    assert [e.kind for e in timeline] == ["anchored", "anchored", "revoked", "operator-authorized", "suspended",
                                          "revoked", "reinstated", "revoked", "anchored", "suspended"]
    assert all(e.source == "credentials" and e.time and e.details["issuer"] == scenario.issuer for e in timeline)
    first, fraud, op = timeline[0], timeline[2], timeline[3]
    assert first.details["first_index"] == 0 and first.details["count"] == 10 and first.details["last_index"] == 9
    assert first.summary.startswith("Anchored a batch of 10 credentials (indexes 0–9) with Merkle root 0x")
    assert fraud.summary == "Revoked 2 credentials (indexes 1–2) for reason 2 (fraud)."
    assert fraud.details["indexes"] == [1, 2] and fraud.details["reason_label"] == "fraud"
    assert op.details["operator"] == scenario.operator and scenario.operator in op.summary
    assert timeline[-1].summary == "Suspended 2 credentials (indexes 6, 20) for reason 5 (under-investigation)."
    # each change links to the one before it
    assert all(b.details["previous_change"] == a.block for a, b in zip(timeline, timeline[1:], strict=False))


def test_status_at_follows_each_change(chain, scenario):
    events = scenario.reg.history(scenario.issuer)
    at = {e.tx_hash: e for e in events}
    ev = {name: at[rc.tx_hash] for name, rc in scenario.receipts.items()}

    def check(index, name, before, after):
        e = ev[name]
        assert status_at(events, index, e.time - 1)[0] == before, (index, name, "before")
        status, last = status_at(events, index, e.time)
        assert (status, last) == (after, e), (index, name, "after")

    check(3, "anchor1", "unknown", "active")
    check(3, "suspend", "active", "suspended")
    check(3, "reinstate", "suspended", "active")
    check(4, "suspend", "active", "suspended")
    check(4, "revoke_suspended", "suspended", "revoked")
    check(1, "revoke_fraud", "active", "revoked")
    check(12, "anchor2", "unknown", "active")
    check(20, "anchor3", "unknown", "active")
    check(20, "suspend_new", "active", "suspended")
    assert status_at(events, 3, ev["anchor1"].time - 10**6) == ("unknown", None)
    assert status_at(events, 35, ev["suspend_new"].time + 10**6) == ("unknown", None)
    # a time given as an aware datetime is the same instant
    when = datetime.fromtimestamp(ev["suspend"].time, timezone.utc)
    assert status_at(events, 4, when) == ("suspended", ev["suspend"])
    assert status_at(events, 4, when - timedelta(seconds=1))[0] == "active"


def test_statuses_at_agree_with_the_contract_at_every_block(chain, scenario):
    """The replay of the history equals what the contract itself answered as of each change's block."""
    events = scenario.reg.history(scenario.issuer)
    indexes = list(range(40))
    for e in events:
        replayed = statuses_at(events, indexes, e.time)
        on_chain = scenario.reg.status_of(scenario.issuer, indexes, block=e.block_number)
        for i, status in zip(indexes, on_chain, strict=True):
            got = replayed[i][0]
            # the contract reads "active" (0) for an index never anchored; the replay knows better
            assert got == (status.label if got != "unknown" else "unknown"), (i, e.kind, e.block_number)
            if got == "unknown":
                assert status is Status.ACTIVE


def test_json_round_trips_with_evidence(chain, scenario):
    report = build_report(chain, scenario)
    text = report.to_json()
    again = AuditReport.from_json(text)
    assert again == report and again.to_json() == text
    data = json.loads(text)
    assert data["format"] == REPORT_FORMAT and data["issuer"] == scenario.issuer and data["chain"] == chain.caip2
    assert data["generated_at"] == "2030-01-15T09:30:00Z"
    assert data["counts"]["credentials_issued"]["value"] == 35
    assert data["rates"]["revocation_rate"]["value"] == pytest.approx(4 / 35)
    known = {(e["tx_hash"], e["block"], e["log_index"]) for e in data["timeline"]}
    claims = [f["evidence"] for f in data["counts"].values() if f["value"]] + \
             [row["evidence"] for row in data["by_reason"] + data["by_month"]]
    assert all(claim for claim in claims)
    for claim in claims:
        for ev in claim:
            assert (ev["tx_hash"], ev["block"], ev["log_index"]) in known
    assert {e["tx_hash"] for e in data["timeline"]} == {rc.tx_hash for rc in scenario.receipts.values()}


def test_html_links_every_transaction(chain, scenario):
    report = build_report(chain, scenario)
    page = report.to_html()
    doc = parse_html(page)
    rows = doc.find_all("tr", cls="event")
    assert len(rows) == len(report.timeline) == len(scenario.receipts)
    anchors = {n.attrs["id"] for n in doc.find_all(id=True)}
    for row, entry in zip(rows, report.timeline, strict=True):
        assert row.attrs["data-tx"] == entry.tx_hash
        link = row.find("a", cls="tx")
        assert link.attrs["href"] == f"#tx-{entry.tx_hash}" and link.text() == entry.tx_hash
        assert link.attrs["href"][1:] in anchors  # the anchor exists, with the hash written out
        block = row.find("a", cls="block")
        assert block.text() == str(entry.block) and block.attrs["href"][1:] in anchors
    for rc in scenario.receipts.values():
        assert rc.tx_hash in page
        # the signature hashes the report gives to re-check with are those of the real logs
        for log in rc.logs:
            assert "0x" + bytes(log["topics"][0]).hex() in page
    assert "eth_getTransactionReceipt" in page and scenario.issuer in page and chain.caip2 in page
    # self-contained: no script, no fetched resource, no URL at all
    assert "<script" not in page and "<link" not in page and " src=" not in page and "http" not in page


def test_html_links_an_explorer_when_given(chain, scenario):
    report = build_report(chain, scenario, explorer_tx_url="https://explorer.example/tx/{tx}",
                          explorer_block_url="https://explorer.example/block/{block}")
    doc = parse_html(report.to_html())
    for row, entry in zip(doc.find_all("tr", cls="event"), report.timeline, strict=True):
        assert row.find("a", cls="tx").attrs["href"] == f"https://explorer.example/tx/{entry.tx_hash}"
        assert row.find("a", cls="block").attrs["href"] == f"https://explorer.example/block/{entry.block}"


# -- without a chain -----------------------------------------------------------------------------------------------
def _tx(n: int) -> str:
    return "0x" + f"{n:064x}"


def _entry(block: int, log: int, source: str = "credentials", kind: str = "anchored", time: int | None = None,
           summary: str = "something happened", **details) -> TimelineEntry:
    return TimelineEntry(time=1_800_000_000 + block * 60 if time is None else time, block=block,
                         tx_hash=_tx(block * 100 + log), log_index=log, source=source, kind=kind, summary=summary,
                         details=details)


ISSUER = "0x" + "11" * 20
REGISTRY = "0x" + "22" * 20


def _credentials() -> list[TimelineEntry]:
    return [
        _entry(10, 0, kind="anchored", first_index=0, count=4, issuer=ISSUER),
        _entry(12, 1, kind="suspended", indexes=[1, 2], reason=5, reason_label="under-investigation"),
        _entry(13, 0, kind="revoked", indexes=[2], reason=2, reason_label="fraud"),
        _entry(14, 0, kind="reinstated", indexes=[1], reason=8, reason_label="investigation-closed"),
    ]


def test_merge_orders_sources_and_refuses_conflicts():
    did = [_entry(11, 3, source="did", kind="delegate-added", summary="Added a veriKey delegate.",
                  identity=ISSUER, delegate_type="veriKey", delegate="0x" + "33" * 20, valid_to=2_000_000_000)]
    acc = [_entry(9, 0, source="accreditation", kind="accreditation-granted", summary="Accredited.",
                  body="0x" + "44" * 20, scope="MicroCredential")]
    creds = _credentials()
    merged = merge_timelines(creds, did, acc, creds[:1])  # the same entry twice appears once
    assert [(e.block, e.source) for e in merged] == [(9, "accreditation"), (10, "credentials"), (11, "did"),
                                                     (12, "credentials"), (13, "credentials"), (14, "credentials")]
    clash = TimelineEntry(**{**creds[0].__dict__, "summary": "another story"})
    with pytest.raises(InvalidInputError, match="claim log 0 of block 10"):
        merge_timelines(creds, [clash])
    report = AuditReport.build(ISSUER, merged, "eip155:11155111", REGISTRY, GENERATED_AT)
    assert report.count("did_changes") == 1 and report.count("accreditation_changes") == 1
    assert report.count("currently_revoked") == 1 and report.count("currently_suspended") == 0
    assert [e.source for e in report.timeline] == [e.source for e in merged]
    assert "Added a veriKey delegate." in report.to_html()
    assert AuditReport.from_json(report.to_json()) == report


def test_replay_refuses_an_inconsistent_history():
    creds = _credentials()
    bad = creds + [_entry(15, 0, kind="suspended", indexes=[2], reason=5)]  # 2 was revoked at block 13
    with pytest.raises(InvalidInputError, match="credential 2 is suspended in block 15 after its revocation"):
        StatusReplay(bad)
    with pytest.raises(InvalidInputError, match="reinstated in block 15 without being suspended"):
        StatusReplay(creds + [_entry(15, 0, kind="reinstated", indexes=[3], reason=8)])
    with pytest.raises(InvalidInputError, match="naive"):
        status_at(creds, 1, datetime(2030, 1, 1))
    undated = [TimelineEntry(**{**e.__dict__, "time": None}) for e in creds]
    with pytest.raises(InvalidInputError, match="no time"):
        status_at(undated, 1, 1_900_000_000)
    assert StatusReplay(undated).status(1)[0] == "active"  # replaying everything needs no time


def test_replay_of_many_events_and_indexes():
    """10,000 events naming 100,000 indexes, then 100,000 lookups, replayed in memory (its speed is measured by
    bench/bench_audit.py, not here)."""
    events = []
    for b in range(100):
        events.append(_entry(1 + b * 100, 0, kind="anchored", first_index=b * 1000, count=1000))
        for k in range(99):
            events.append(_entry(2 + b * 100 + k, 0, kind="revoked", indexes=list(range(b * 1000 + k * 10,
                                                                                       b * 1000 + k * 10 + 10)),
                                 reason=1))
    result = statuses_at(events, range(100_000), 10**10)
    assert sum(1 for s, _ in result.values() if s == "revoked") == 100 * 99 * 10


def test_report_refuses_bad_input():
    creds = _credentials()
    build = AuditReport.build
    with pytest.raises(InvalidInputError, match="issuer account"):
        build("nobody", creds, "eip155:1", REGISTRY, GENERATED_AT)
    with pytest.raises(InvalidInputError, match="CAIP-2"):
        build(ISSUER, creds, "mainnet", REGISTRY, GENERATED_AT)
    with pytest.raises(InvalidInputError, match="time zone"):
        build(ISSUER, creds, "eip155:1", REGISTRY, datetime(2030, 1, 1))
    with pytest.raises(InvalidInputError, match="explorer URL"):
        build(ISSUER, creds, "eip155:1", REGISTRY, GENERATED_AT, "javascript:alert({tx})")
    with pytest.raises(InvalidInputError, match="placeholder"):
        build(ISSUER, creds, "eip155:1", REGISTRY, GENERATED_AT, "https://x.example/{tx}/{chain}")
    with pytest.raises(InvalidInputError, match="mixes issuers"):
        build("0x" + "55" * 20, creds, "eip155:1", REGISTRY, GENERATED_AT)
    with pytest.raises(InvalidInputError, match="from_registry_events"):
        build(ISSUER, [object()], "eip155:1", REGISTRY, GENERATED_AT)
    with pytest.raises(InvalidInputError, match="not a microcred-audit-report/1"):
        AuditReport.from_json('{"format": "something else"}')
    with pytest.raises(InvalidInputError, match="tx_hash"):
        TimelineEntry(time=1, block=1, tx_hash="0xABC", log_index=0, source="did", kind="x", summary="")


def test_every_string_is_escaped_in_html():
    hostile = '<script>alert("x")</script>'
    entries = _credentials() + [_entry(20, 0, source="did", kind='owner"changed', summary=hostile)]
    html = AuditReport.build(ISSUER, entries, "eip155:1", REGISTRY, GENERATED_AT).to_html()
    assert "<script" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert 'owner&quot;changed' in html


def test_empty_timeline_still_makes_a_report():
    report = AuditReport.build(ISSUER, [], "eip155:1", REGISTRY, GENERATED_AT)
    assert report.count("credentials_issued") == 0 and report.rate("revocation_rate") is None
    page = report.to_html()
    assert "no change of this issuer is on the chain" in page and "n/a" in page
    assert AuditReport.from_json(report.to_json()) == report


def test_month_axis_has_every_month_between_first_and_last():
    jan = int(datetime(2030, 1, 10, tzinfo=timezone.utc).timestamp())
    apr = int(datetime(2030, 4, 10, tzinfo=timezone.utc).timestamp())
    entries = [_entry(1, 0, kind="anchored", time=jan, first_index=0, count=3),
               _entry(2, 0, kind="revoked", time=apr, indexes=[0], reason=1)]
    report = AuditReport.build(ISSUER, entries, "eip155:1", REGISTRY, GENERATED_AT)
    assert [(m.month, m.issued, m.revoked) for m in report.by_month] == [
        ("2030-01", 3, 0), ("2030-02", 0, 0), ("2030-03", 0, 0), ("2030-04", 0, 1)]
    doc = parse_html(report.to_html())
    assert [g.attrs["data-month"] for g in doc.find_all("g", cls="month")] == ["2030-01", "2030-02", "2030-03",
                                                                                "2030-04"]


@pytest.mark.parametrize("values, text", [
    ([0, 1, 2, 7, 9, 10], "0–2, 7, 9–10"),
    ([5], "5"),
    ([3, 1, 2, 2], "1–3"),
    (list(range(0, 40, 2)), "0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, … (8 more)"),
])
def test_format_indexes(values, text):
    assert format_indexes(values) == text


# -- who the issuer is, how events are counted, which registry proves what ----------------------------------------
def _credential(did: str, account: str = ISSUER, legal: str = "Hochschule Beispiel") -> dict:
    return {"issuer": {"id": did, "legalName": legal, "name": "HS B"},
            "credentialStatus": {"type": "MicrocredRegistryEntry2026", "issuerAccount": account}}


def test_identity_prefers_the_chain_and_checked_credentials_over_the_home():
    bound = {"did:key:zBound"}
    check = bound.__contains__
    profile = {"did": "did:web:profile.example", "legal_name": "From The Profile"}
    signed = {"Hochschule Beispiel"}.__contains__

    def signature_check(credential) -> bool:
        return signed(credential["issuer"]["legalName"])

    ident = identify_issuer(ISSUER, candidates=["did:key:zUnbound", "did:key:zBound"], binding_check=check,
                            credentials=[_credential("did:key:zOther", legal="Forged"),
                                         _credential("did:key:zBound", legal="Altered after signing"),
                                         _credential("did:key:zBound")],
                            signature_check=signature_check, profile=profile)
    assert (ident.did, ident.legal_name) == ("did:key:zBound", "Hochschule Beispiel")
    assert ident.sources == {"account": "chain", "did": "chain binding", "legal_name": "credential"}
    # without a way to check their proofs, credentials name nobody
    ident = identify_issuer(ISSUER, binding_check=check, credentials=[_credential("did:key:zBound")])
    assert (ident.did, ident.legal_name) == (None, None)
    # a credential of another account, or with a DID the chain does not bind, names nobody
    ident = identify_issuer(ISSUER, binding_check=check, profile=None, signature_check=signature_check,
                            credentials=[_credential("did:key:zBound", account="0x" + "99" * 20),
                                         _credential("did:key:zUnbound")])
    assert (ident.did, ident.legal_name) == (None, None)
    # the account's own did:ethr needs no binding
    own = f"did:ethr:0x1:{ISSUER}"
    assert identify_issuer(ISSUER, credentials=[_credential(own)],
                           signature_check=signature_check).sources["did"] == "credential"
    # the home's profile fills only what the chain and the credentials leave empty
    ident = identify_issuer(ISSUER, profile=profile)
    assert (ident.did, ident.legal_name) == ("did:web:profile.example", "From The Profile")
    assert ident.sources == {"account": "chain", "did": "issuer profile", "legal_name": "issuer profile"}
    ident = identify_issuer(ISSUER, candidates=["did:key:zBound"], binding_check=check, profile=profile)
    assert (ident.did, ident.legal_name) == ("did:key:zBound", None)  # the profile's name is of another DID


def test_bound_dids_reads_binding_statements_of_this_account_chain_and_registry():
    from microcred.did._binding import binding_statement, encode_binding

    did_registry = "0x" + "77" * 20

    def attribute(block: int, did: str, account: str = ISSUER, chain_id: int = 5, registry: str = did_registry):
        statement = binding_statement(did, f"{did}#k", account, chain_id, registry)
        return _entry(block, 0, source="did", kind="attribute-changed", name="microcred/binding",
                      value="0x" + encode_binding(statement, b"\1" * 64).hex())

    timeline = [attribute(1, "did:key:zOld"), attribute(2, "did:key:zNew"),
                attribute(3, "did:key:zElsewhere", chain_id=6), attribute(4, "did:key:zOtherReg", registry=REGISTRY),
                attribute(5, "did:key:zNotMine", account="0x" + "88" * 20),
                _entry(6, 0, source="did", kind="attribute-changed", name="microcred/binding", value="0x00")]
    assert bound_dids(timeline, ISSUER, 5, did_registry) == ["did:key:zNew", "did:key:zOld"]


def test_events_are_counted_once_per_log_and_each_source_has_its_registry():
    did = [_entry(11, 3, source="did", kind="delegate-added")]
    acc = [_entry(9, 0, source="accreditation", kind="accreditation-granted")]
    creds = _credentials()
    counts = count_events(creds + did + acc + creds[:2])  # the same log twice is one event
    assert counts.to_dict() == {"total": 6, "credentials": 4, "did": 1, "accreditation": 1}
    assert counts.describe() == "6 events (4 credential registry, 1 DID, 1 accreditation)"
    registries = AuditRegistries(REGISTRY, "0x" + "33" * 20, "0x" + "44" * 20)
    ident = IssuerIdentity(ISSUER, "did:key:zX", "Hochschule Beispiel", {"account": "chain", "did": "credential"})
    report = AuditReport.build(ISSUER, creds + did + acc, "eip155:1", REGISTRY, GENERATED_AT, identity=ident,
                               registries=registries)
    assert report.events == counts
    assert [report.registry_of(s) for s in ("credentials", "did", "accreditation")] == [
        to_checksum_address(REGISTRY), to_checksum_address("0x" + "33" * 20), to_checksum_address("0x" + "44" * 20)]
    again = AuditReport.from_json(report.to_json())
    assert again == report and again.issuer_name == "Hochschule Beispiel" and again.issuer_did == "did:key:zX"
    data = json.loads(report.to_json())
    assert data["events"] == counts.to_dict() and data["registries"]["did"]["contract"] == "EthereumDIDRegistry"
    page = parse_html(report.to_html())
    assert page.find(id="issuer-name").text() == "Hochschule Beispiel"
    assert page.find(id="issuer-did").text() == "did:key:zX"
    with pytest.raises(InvalidInputError, match="registries given name"):
        AuditReport.build(ISSUER, creds, "eip155:1", "0x" + "55" * 20, GENERATED_AT, registries=registries)
    with pytest.raises(InvalidInputError, match="identity given is of"):
        AuditReport.build(ISSUER, creds, "eip155:1", REGISTRY, GENERATED_AT,
                          identity=IssuerIdentity("0x" + "55" * 20))


@pytest.mark.parametrize("ts, text", [(0, "1970-01-01T00:00:00Z"), (1_800_000_000, "2027-01-15T08:00:00Z"),
                                      (2**64 - 1, "no end"), (2**256 - 1, "no end")])
def test_iso_date(ts, text):
    assert iso_date(ts) == text


def test_the_model_is_apart_from_the_rendering():
    """The model module does not import the renderer (only its to_html calls it, lazily); the renderer imports
    the model; the package exports both."""
    import ast
    import inspect

    import microcred.registry.audit as audit
    from microcred.registry.audit import _html, _report

    def imported(module) -> set[str]:
        tree = ast.parse(inspect.getsource(module))
        return {node.module for node in tree.body if isinstance(node, ast.ImportFrom) and node.module}

    assert "microcred.registry.audit._html" not in imported(_report)
    assert "microcred.registry.audit._report" in imported(_html)
    assert len(audit.__all__) == len(set(audit.__all__)) and all(hasattr(audit, n) for n in audit.__all__)
    assert {"AuditReport", "render_html", "count_events", "identify_issuer", "issuer_timeline"} <= set(audit.__all__)
    report = AuditReport.build(ISSUER, _credentials(), "eip155:1", REGISTRY, GENERATED_AT)
    assert audit.render_html(report) == report.to_html()
