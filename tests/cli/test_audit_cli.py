"""`microcred audit` on a real anvil node, as an auditor on another machine runs it: read-only, and with an empty
home the same report as the issuer's own.

The node serves chain 31338 (not the dev chain 31337): a chain like a public test network, whose registries an
auditor who owes the issuer nothing names on the command line, since nothing about it ships with the package.
The issuer anchors and changes credentials, binds its did:key on its ERC-1056 identity and is accredited by a
body; then both homes write a report and the two JSON files must agree (apart from the generation time).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest
from eth_account import Account
from web3 import HTTPProvider, Web3

from microcred.chain._connect import DEV_KEY, deploy_contracts, record_deployment
from microcred.chain._node import find_anvil
from microcred.chain._tx import TxSender
from tests.support.cli import run
from microcred.did import KeyPair
from microcred.did._binding import publish_binding
from microcred.did._ethr import EthrDIDController
from microcred.registry import MerkleTree, RegistryClient, leaf_hash
from microcred.registry.accreditation._client import AccreditationClient, Scope
from microcred.registry.proofs import add_proof
from tests.support.browser import parse_html
from tests.support.chain import free_port

CHAIN_ID = 31338
#: anvil's second and third default accounts (funded on any chain id): the issuer and an accreditation body
ISSUER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
BODY_KEY = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a"
LEGAL_NAME = "Technische Universität Example"


@dataclass
class World:
    url: str
    w3: Web3
    issuer: str
    did: str
    addresses: dict[str, str]
    issuer_home: Path
    credential: Path


@contextlib.contextmanager
def _anvil(folder: Path, chain_id: int) -> Iterator[str]:
    port = free_port()
    log = folder / "anvil.log"
    proc = subprocess.Popen([str(find_anvil()), "--host", "127.0.0.1", "--port", str(port), "--chain-id",
                             str(chain_id), "--cache-path", str(folder / "anvil-history"), "--silent"],
                            stdout=subprocess.DEVNULL, stderr=log.open("w"))
    url = f"http://127.0.0.1:{port}"
    w3 = Web3(HTTPProvider(url, request_kwargs={"timeout": 5}))
    try:
        for _ in range(200):  # until it answers (each try waits on the connection itself, no sleep)
            if proc.poll() is not None:
                raise RuntimeError(f"anvil exited: {log.read_text()}")
            try:
                if w3.eth.chain_id == chain_id:
                    break
            except Exception:  # noqa: BLE001 - not listening yet
                subprocess.run(["true"], check=True)  # yield the core to anvil without a timed sleep
        else:
            raise RuntimeError("anvil did not start")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def anvil_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with _anvil(tmp_path_factory.mktemp("anvil-31338"), CHAIN_ID) as url:
        yield url


@pytest.fixture(scope="module")
def world(anvil_url: str, tmp_path_factory: pytest.TempPathFactory) -> World:
    w3 = Web3(HTTPProvider(anvil_url, request_kwargs={"timeout": 30}))
    deployer = Account.from_key(DEV_KEY)
    deployed = deploy_contracts(w3, TxSender(w3, deployer, chain_id=CHAIN_ID, endpoint=anvil_url, confirmations=0))
    addresses = {name: address for name, (address, _) in deployed.items()}
    issuer_home = tmp_path_factory.mktemp("issuer-home")
    record_deployment(issuer_home, CHAIN_ID, addresses)

    issuer = Account.from_key(ISSUER_KEY)
    reg = RegistryClient(w3, addresses["CredentialRegistry"], endpoint=anvil_url,
                         sender=TxSender(w3, issuer, chain_id=CHAIN_ID, endpoint=anvil_url, confirmations=0))
    roots = [MerkleTree([leaf_hash(bytes([k, i]) * 16) for i in range(4)]).root for k in range(2)]
    reg.anchor(roots[0], 0, 4)
    reg.anchor(roots[1], 4, 4)
    reg.revoke([1], "fraud")
    reg.suspend([2, 5], "under-investigation")
    reg.reinstate([2], "investigation-closed")

    key = KeyPair.generate("ed25519")
    controller = EthrDIDController(w3, addresses["EthereumDIDRegistry"], issuer, chain_id=CHAIN_ID)
    publish_binding(controller, key.did, key)

    body = Account.from_key(BODY_KEY)
    accreditation = AccreditationClient(w3, addresses["AccreditationRegistry"], endpoint=anvil_url,
                                        sender=TxSender(w3, body, chain_id=CHAIN_ID, endpoint=anvil_url,
                                                        confirmations=0))
    accreditation.declare_root("Agentur für Qualität", "DE")
    now = int(w3.eth.get_block("latest")["timestamp"])
    accreditation.grant(issuer.address, Scope(), now - 86400, now + 365 * 86400)

    credential = tmp_path_factory.mktemp("credentials") / "ada.json"
    unsigned = {
        "@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
        "issuer": {"id": key.did, "type": ["Profile"], "name": "TU Example", "legalName": LEGAL_NAME},
        "credentialStatus": {"type": "MicrocredRegistryEntry2026", "chain": f"eip155:{CHAIN_ID}",
                             "registry": addresses["CredentialRegistry"], "issuerAccount": issuer.address,
                             "statusIndex": 3},
    }
    method = f"{key.did}#{key.public_key_multibase}"
    credential.write_text(json.dumps(add_proof(unsigned, key, verification_method=method,
                                               cryptosuite="eddsa-jcs-2022")))
    return World(anvil_url, w3, issuer.address, key.did, addresses, issuer_home, credential)




def audit(capsys, world: World, home: Path, out: Path, *extra: str) -> dict:
    out.parent.mkdir(parents=True, exist_ok=True)
    code, stdout, err = run(capsys, "--home", str(home), "--network", world.url, "--json", "audit", world.issuer,
                            "--out", str(out), "--credential", str(world.credential), *extra)
    assert code == 0, err
    return json.loads(stdout)


def test_an_auditor_with_an_empty_home_gets_the_issuer_report_and_nothing_is_sent(capsys, world: World,
                                                                                   tmp_path: Path) -> None:
    head = world.w3.eth.block_number
    issuer_out = audit(capsys, world, world.issuer_home, tmp_path / "issuer" / "report.html")
    auditor_home = tmp_path / "auditor-home"
    auditor_out = audit(capsys, world, auditor_home, tmp_path / "auditor" / "report.html",
                        "--registry", world.addresses["CredentialRegistry"],
                        "--did-registry", world.addresses["EthereumDIDRegistry"],
                        "--accreditation-registry", world.addresses["AccreditationRegistry"])
    assert world.w3.eth.block_number == head  # no transaction, no deployment
    assert not auditor_home.exists() or not any(auditor_home.rglob("*"))  # nothing recorded either

    mine = json.loads(Path(issuer_out["json"]).read_text())
    theirs = json.loads(Path(auditor_out["json"]).read_text())
    assert mine.pop("generated_at") and theirs.pop("generated_at")
    assert mine == theirs
    assert issuer_out["events"] == auditor_out["events"] == mine["events"]["total"]

    # who the issuer is: from the chain's binding and the credential, never only this home
    assert (mine["issuer"], mine["issuer_did"], mine["issuer_name"]) == (world.issuer, world.did, LEGAL_NAME)
    assert mine["issuer_sources"] == {"account": "chain", "did": "chain binding", "legal_name": "credential"}


def test_the_report_counts_like_history(capsys, world: World, tmp_path: Path) -> None:
    out = audit(capsys, world, world.issuer_home, tmp_path / "report.html")
    report = json.loads(Path(out["json"]).read_text())
    code, stdout, err = run(capsys, "--home", str(world.issuer_home), "--network", world.url, "--json", "history",
                            world.issuer)
    assert code == 0, err
    rows = [json.loads(line) for line in stdout.splitlines() if line.strip()]
    by_source = {s: sum(1 for r in rows if r["source"] == s) for s in ("credentials", "did", "accreditation")}
    # 2 anchors + revoke + suspend + reinstate; the binding attribute; the grant (the issuer is its subject)
    assert by_source == {"credentials": 5, "did": 1, "accreditation": 1}
    assert report["events"] == {"total": len(rows), **by_source}
    assert out["events"] == len(rows) == len(report["timeline"])
    page = parse_html(Path(out["html"]).read_text())
    assert f"{len(rows)} events (5 credential registry, 1 DID, 1 accreditation)" in \
        page.find("section", id="timeline").find("h2").text()


def test_each_kind_of_event_is_rechecked_at_its_own_registry(capsys, world: World, tmp_path: Path) -> None:
    out = audit(capsys, world, world.issuer_home, tmp_path / "report.html")
    report = json.loads(Path(out["json"]).read_text())
    contract = {"credentials": "CredentialRegistry", "did": "EthereumDIDRegistry",
                "accreditation": "AccreditationRegistry"}
    assert report["registries"] == {s: {"contract": c, "address": world.addresses[c]} for s, c in contract.items()}
    page = parse_html(Path(out["html"]).read_text())
    rows = {row.attrs["data-source"]: row.text() for row in page.find("table", cls="registries").find_all("tr")
            if "data-source" in row.attrs}
    for source, name in contract.items():
        assert name in rows[source] and world.addresses[name] in rows[source]
    # every transaction names the registry whose log it is, and the receipt's log comes from that address
    tx_registry = {row.attrs["id"][3:]: row.find("td", cls="registry").text()
                   for row in page.find("table", cls="transactions").find_all("tr") if "id" in row.attrs}
    for entry in report["timeline"]:
        name = contract[entry["source"]]
        assert tx_registry[entry["tx_hash"]] == f"{name} {world.addresses[name]}"
        receipt = world.w3.eth.get_transaction_receipt(entry["tx_hash"])
        assert receipt["logs"][entry["log_index"] - receipt["logs"][0]["logIndex"]]["address"] == \
            world.addresses[name]
    # the signatures to compare topics with are those of each registry's events
    signatures = page.find("table", cls="signatures").text()
    assert "DIDAttributeChanged(address,bytes32,bytes,uint256,uint256)" in signatures
    assert "AccreditationGranted(" in signatures and "BatchAnchored(address,bytes32,uint64,uint64,uint256)" in \
        signatures


def test_dates_are_dates(capsys, world: World, tmp_path: Path) -> None:
    out = audit(capsys, world, world.issuer_home, tmp_path / "report.html")
    report = json.loads(Path(out["json"]).read_text())
    html = Path(out["html"]).read_text()
    page = parse_html(html)
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
    whens = [cell.text() for cell in page.find("table", cls="timeline").find_all("td", cls="when")]
    assert len(whens) == len(report["timeline"]) and all(iso.match(w) for w in whens)
    for entry in report["timeline"]:
        assert entry["date"] == datetime.fromtimestamp(entry["time"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        assert str(entry["time"]) not in page.text()  # no unix seconds shown
        for value in entry["details"].values():
            if isinstance(value, int) and value > 10**9:
                assert str(value) not in entry["summary"]
    attribute = next(e for e in report["timeline"] if e["kind"] == "attribute-changed")
    assert re.search(r"valid until \d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", attribute["summary"])


def test_a_chain_without_known_registries_needs_them_named(capsys, world: World, tmp_path: Path) -> None:
    """The registries deploy at deterministic addresses, so only a chain where nothing was deployed lacks them."""
    with _anvil(tmp_path, CHAIN_ID + 1) as bare:
        code, _, err = run(capsys, "--home", str(tmp_path / "empty"), "--network", bare, "audit", world.issuer,
                           "--out", str(tmp_path / "r.html"))
    assert code == 2
    assert f"eip155:{CHAIN_ID + 1}" in err and "--registry ADDRESS" in err
    assert not (tmp_path / "r.html").exists()


def test_a_credential_altered_after_signing_names_nobody(capsys, world: World, tmp_path: Path) -> None:
    forged = tmp_path / "forged.json"
    doc = json.loads(world.credential.read_text())
    doc["issuer"]["legalName"] = "Someone Else Entirely"
    forged.write_text(json.dumps(doc))
    out = tmp_path / "report.html"
    code, stdout, err = run(capsys, "--home", str(world.issuer_home), "--network", world.url, "--json", "audit",
                            world.issuer, "--out", str(out), "--credential", str(forged))
    assert code == 0, err
    report = json.loads(out.with_suffix(".json").read_text())
    assert report["issuer_did"] == world.did and report["issuer_name"] is None  # the DID still from the chain
    assert "Someone Else" not in out.read_text()


@pytest.mark.parametrize("out, json_name", [
    ("report.html", "report.json"),
    ("Report.HTM", "Report.json"),
    ("audit.issuer", "audit.issuer.json"),  # two reports named apart after a dot keep apart JSON files
    ("audit.empty", "audit.empty.json"),
    ("report.json", "report.json.json"),  # the JSON never overwrites the HTML
    ("report", "report.json"),
])
def test_the_json_report_is_named_after_the_whole_out_name(tmp_path, out: str, json_name: str) -> None:
    from microcred.cli._audit import json_beside

    assert json_beside(tmp_path / out) == tmp_path / json_name
