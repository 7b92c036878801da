"""Issue 15, item 7: `issue`, `anchor`, `revoke` and `issuer bind` killed with SIGKILL at 20 random points each,
some of them between "transaction sent" and "confirmed", then run again to completion.

Each command runs as a real CLI process (forked by :mod:`tests.cli.fault_driver`, which imported everything once)
that sends itself SIGKILL at a random *tick*: before or after one of its JSON-RPC requests or atomic file writes,
drawn from the ticks a clean run of the same command makes. In about half the rounds of the chain commands the node
stops mining just before one chosen transaction is sent (automine off), so the process dies with the transaction in
the mempool; then the transaction is mined while nobody waits, still pending when the command runs again, or
dropped from the node. After every rerun: nothing lost (every credential issued once, anchored, every revocation
applied, the binding present), nothing doubled (no index used twice, no root anchored twice, every transaction of
the issuer's account a distinct, successful one: its nonce counts exactly the events it caused), journals complete.

The seed is printed in every failure; MICROCRED_FAULT_SEED=N replays another.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from web3 import Web3

from microcred.did import Keystore
from tests.support.chain import free_port
from tests.support.cli import exit_code as run
from tests.support.paths import EXAMPLES, ROOT

pytestmark = pytest.mark.anvil

SEED = int(os.environ.get("MICROCRED_FAULT_SEED", "20261202"))
ROUNDS = 20
PASSPHRASE = "fault test"
TEMPLATE = EXAMPLES / "course-template.json"


@dataclass
class Run:
    rc: int
    ticks: list[str]
    out: str
    err: str

    def describe(self) -> str:
        return f"exit {self.rc}; stderr: {self.err.strip()[-800:]!r}; last ticks: {self.ticks[-6:]}"


class Driver:
    """The fork server, and the node it talks to."""

    def __init__(self, work: Path, url: str) -> None:
        self.work = work
        self.url = url
        self.w3 = Web3(Web3.HTTPProvider(url))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
               "MICROCRED_PASSPHRASE": PASSPHRASE}
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.cli.fault_driver"], cwd=ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert self.proc.stdout is not None and self.proc.stdout.readline().strip() == "ready"
        self.count = 0

    def run(self, argv: list[str], *, kill_at: int | None = None, slow_send: int | None = None,
            mine_when_waiting: bool = False) -> Run:
        self.count += 1
        files = {k: self.work / f"run{self.count}.{k}" for k in ("out", "err", "ticks")}
        request = {"argv": argv, **{k: str(v) for k, v in files.items()}, "kill_at": kill_at,
                   "slow_send": slow_send, "mine_when_waiting": mine_when_waiting, "rpc": self.url}
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        answer = json.loads(self.proc.stdout.readline())
        texts = {k: v.read_text() if v.exists() else "" for k, v in files.items()}
        return Run(answer["rc"], texts["ticks"].splitlines(), texts["out"], texts["err"])

    def rpc(self, method: str, *params: Any) -> Any:
        response = self.w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        assert "error" not in response, (method, response)
        return response.get("result")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


@dataclass
class World:
    driver: Driver
    home: Path
    base: list[str]
    account: str
    registry: str
    did: str
    tmp: Path
    courses: int = 0
    notes: list[str] = field(default_factory=list)

    def learners(self, n: int) -> Path:
        """A fresh learner list of ``n`` rows (a new course, so a new batch)."""
        self.courses += 1
        path = self.tmp / f"learners-{self.courses}.csv"
        with path.open("w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["name", "email", "completion_date"])
            for i in range(n):
                writer.writerow([f"Learner {self.courses}-{i}", f"l{self.courses}-{i}@example.org", "2026-02-27"])
        return path

    def issue_args(self, learners: Path, out: Path) -> list[str]:
        return [*self.base, "issue", "--issuer", "x", "--template", str(TEMPLATE), "--learners", str(learners),
                "--out", str(out), "--cryptosuite", "eddsa-jcs-2022"]

    def nonce(self) -> int:
        return int(self.driver.w3.eth.get_transaction_count(Web3.to_checksum_address(self.account)))

    def tx_journal_settled(self) -> bool:
        """The issuer's transaction journal (status changes, bindings) has nothing left between sent and confirmed."""
        from microcred.chain import TxJournal
        from microcred.registry.issuance import IssuerStore

        path = IssuerStore(self.home).journal_dir("x") / f"tx-journal-{self.account.lower()}.json"
        return path.is_file() and TxJournal(path).unfinished() == []

    def pool_empty(self) -> bool:
        status = self.driver.rpc("txpool_status")
        return int(status["pending"], 16) == 0 and int(status["queued"], 16) == 0


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One anvil node of this module, one issuer on it (keys with a cheap KDF: unlocking is not under test), and
    the fork server."""
    from microcred.chain._connect import connect
    from microcred.chain._node import LocalNode

    tmp = tmp_path_factory.mktemp("faults")
    node = LocalNode(tmp / "node-home", port=free_port())
    node.start()
    home = tmp / "home"
    keys = Keystore(home / "keys", scrypt_n=2**4)
    keys.create("sig", "ed25519", PASSPHRASE)
    account = keys.create("acct", "secp256k1", PASSPHRASE).eth_address
    assert account is not None
    chain = connect("local", home=home, rpc_urls=(node.url,))
    registry = chain.address_of("CredentialRegistry")
    (home / "node").mkdir(parents=True, exist_ok=True)
    (home / "node" / "node.json").write_text(json.dumps({"port": node.port}))
    base = ["--home", str(home), "--network", "local"]
    os.environ["MICROCRED_PASSPHRASE"] = PASSPHRASE
    assert run(*base, "issuer", "init", "x", "--legal-name", "X", "--country", "FR", "--key", "sig",
               "--account-key", "acct", "--chain", chain.caip2, "--registry", registry) == 0
    chain.fund(account, 10**21)
    from microcred.registry.issuance import IssuerStore

    did = IssuerStore(home).load("x").did
    work = tmp / "runs"
    work.mkdir()
    driver = Driver(work, node.url)
    try:
        yield World(driver, home, base, account, registry, did, tmp)
    finally:
        driver.close()
        node.stop()


def _credentials(out: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.json")) if not p.name.startswith(".")]


def _files(out: Path) -> list[Path]:
    docs = sorted((json.loads(p.read_text())["credentialStatus"]["statusIndex"], p)
                  for p in out.glob("*.json") if not p.name.startswith("."))
    return [p for _, p in docs]


def _leftovers(*dirs: Path) -> list[str]:
    return [p.name for d in dirs for p in d.glob(".*.tmp")]


class Kills:
    """Where to kill a command: a random tick of a clean run, or (mempool) just after one of its sends."""

    def __init__(self, name: str, calibration: Run) -> None:
        self.rng = random.Random(f"{SEED}-{name}")
        self.ticks = calibration.ticks
        self.sends = [i for i, t in enumerate(self.ticks) if t == "before eth_sendRawTransaction"]
        assert self.ticks, f"seed {SEED}: the clean run of {name} made no ticks"

    def draw(self, *, mempool: bool) -> dict[str, Any]:
        if mempool and self.sends and self.rng.random() < 0.5:
            s = self.rng.randrange(len(self.sends))
            after = self.rng.randrange(5)  # 0: the send itself returned; then the receipt polls
            return {"slow_send": s, "kill_at": self.sends[s] + 1 + after,
                    "outcome": self.rng.choice(["mined", "pending", "dropped"])}
        k = self.rng.randrange(len(self.ticks))
        return {"kill_at": k, "at": self.ticks[k]}


def _killed_then_rerun(world: World, argv: list[str], kills: Kills, label: str, *, mempool: bool = True) -> str:
    """One round: a run killed where ``kills`` says, the node's mempool dealt with, a rerun; returns the round's
    description for failure messages."""
    driver = world.driver
    plan = kills.draw(mempool=mempool)
    where = f"seed {SEED}, {label}, kill {plan}"
    try:
        killed = driver.run(argv, kill_at=plan["kill_at"], slow_send=plan.get("slow_send"))
        assert killed.rc == -9, f"{where}: the run was not killed ({killed.describe()})"
        outcome = plan.get("outcome")
        if outcome is not None:
            assert not world.pool_empty(), f"{where}: killed after the send, but no transaction waits in the mempool"
        if outcome == "mined":
            driver.rpc("evm_setAutomine", True)  # mined while nobody waits for it
        elif outcome == "dropped":
            for tx in driver.rpc("txpool_content")["pending"].get(world.account.lower(), {}).values():
                driver.rpc("anvil_dropTransaction", tx["hash"])
            driver.rpc("evm_setAutomine", True)
        again = driver.run(argv, mine_when_waiting=outcome == "pending")
    finally:
        driver.rpc("evm_setAutomine", True)  # whatever the rerun left in the mempool is mined now, and counted
    assert again.rc == 0, f"{where}: the rerun failed: {again.describe()}; killed run: {killed.describe()}"
    assert world.pool_empty(), f"{where}: transactions left in the mempool"
    return where


def test_issue_killed_at_20_random_points_issues_each_learner_once(world: World) -> None:
    driver = world.driver
    indexes: list[int] = []

    def check(out: Path, learners: Path, where: str) -> None:
        from microcred.registry.issuance import learner_name

        docs = _credentials(out)
        names = sorted(row["name"] for row in csv.DictReader(learners.open()))
        assert sorted(str(learner_name(d)) for d in docs) == names, f"{where}: one credential a learner"
        mine = [d["credentialStatus"]["statusIndex"] for d in docs]
        assert len({d["id"] for d in docs}) == len(docs), f"{where}: a credential id used twice"
        assert not set(mine) & set(indexes), f"{where}: a status index used twice"
        indexes.extend(mine)
        assert sorted(indexes) == list(range(min(indexes), min(indexes) + len(indexes))), \
            f"{where}: indexes lost between batches: {sorted(indexes)}"
        (journal,) = [json.loads(p.read_text()) for p in out.glob(".microcred-batch-*.journal")]
        assert journal["complete"] is True, f"{where}: journal not complete"
        assert _leftovers(out) == [], f"{where}: temporary files left"

    learners = world.learners(3)
    out = world.tmp / "issue-0"
    clean = driver.run(world.issue_args(learners, out))
    assert clean.rc == 0, clean.describe()
    check(out, learners, "clean run")
    kills = Kills("issue", clean)
    for r in range(1, ROUNDS + 1):
        learners, out = world.learners(3), world.tmp / f"issue-{r}"
        where = _killed_then_rerun(world, world.issue_args(learners, out), kills, f"issue round {r}",
                                   mempool=False)
        check(out, learners, where)
    from microcred.registry.issuance import IssuerStore

    state = json.loads(IssuerStore(world.home).state_path("x").read_text())
    assert state["nextIndex"] == max(indexes) + 1, f"seed {SEED}: the allocator skipped or reused indexes"


def _reader(world: World):
    from microcred.registry import RegistryClient

    return RegistryClient(world.driver.w3, world.registry)


def _events(world: World, kind: str, since: int = 0) -> list[Any]:
    """Every event of ``kind`` the registry logged for the issuer from block ``since`` on, in one log query."""
    reader = _reader(world)
    topic = "0x" + bytes.fromhex(world.account[2:].lower()).rjust(32, b"\0").hex()
    logs = world.driver.w3.eth.get_logs({"address": reader.address, "fromBlock": since, "toBlock": "latest",
                                         "topics": [None, topic]})  # type: ignore[typeddict-item]
    events = [reader.decode_log(log) for log in logs]
    return [e for e in events if e is not None and e.kind == kind]


def _issued(world: World, n: int, name: str) -> list[Path]:
    out = world.tmp / name
    clean = world.driver.run(world.issue_args(world.learners(n), out))
    assert clean.rc == 0, clean.describe()
    return _files(out)


def test_anchor_killed_at_20_random_points_anchors_each_credential_once(world: World) -> None:
    from microcred.registry.issuance import IssuerStore

    driver = world.driver
    files = _issued(world, 3 * (ROUNDS + 1), "anchor")
    journal = IssuerStore(world.home).journal_dir("x") / f"anchor-journal-{world.account.lower()}.json"
    start = world.driver.w3.eth.block_number + 1

    def argv(r: int) -> list[str]:
        return [*world.base, "anchor", *map(str, files[3 * r:3 * r + 3]), "--issuer", "x", "--batch-limit", "2"]

    def check(r: int, where: str, nonce: int, since: int) -> None:
        anchored = _events(world, "anchored", since)
        roots = [e.data["root"] for e in anchored]
        assert len(roots) == len(set(roots)) == 2, f"{where}: {len(roots)} batches, {len(set(roots))} roots, not 2"
        assert sum(e.data["count"] for e in anchored) == 3, f"{where}: counts"
        assert world.nonce() - nonce == 2, f"{where}: the account sent {world.nonce() - nonce} transactions, not 2"
        reader = _reader(world)
        for path in files[3 * r:3 * r + 3]:  # this round's (earlier rounds' files were checked in their round)
            doc = json.loads(path.read_text())
            anchors = [p for p in doc["proof"] if p.get("type") != "DataIntegrityProof"]
            assert len(anchors) == 1 and anchors[0]["merkleRoot"] in roots, f"{where}: {path.name} not anchored once"
            batch = reader.batch_of(world.account, anchors[0]["merkleRoot"])
            assert batch is not None and batch.covers(doc["credentialStatus"]["statusIndex"]), where
        entries = json.loads(journal.read_text())["entries"]
        assert all(e["stage"] == "done" for e in entries), f"{where}: journal left unfinished"
        assert _leftovers(files[0].parent, journal.parent) == [], f"{where}: temporary files left"

    nonce, since = world.nonce(), start
    clean = driver.run(argv(0))
    assert clean.rc == 0, clean.describe()
    check(0, "clean run", nonce, since)
    kills = Kills("anchor", clean)
    assert len(kills.sends) == 2, clean.ticks
    for r in range(1, ROUNDS + 1):
        nonce, since = world.nonce(), driver.w3.eth.block_number + 1
        where = _killed_then_rerun(world, argv(r), kills, f"anchor round {r}")
        check(r, where, nonce, since)
    anchored = _events(world, "anchored", start)  # the whole test at once: no root twice, every index once
    assert len({e.data["root"] for e in anchored}) == len(anchored) == 2 * (ROUNDS + 1), f"seed {SEED}: roots"
    covered = sorted(i for e in anchored for i in range(e.data["first_index"], e.data["first_index"] +
                                                           e.data["count"]))
    indexes = sorted(json.loads(p.read_text())["credentialStatus"]["statusIndex"] for p in files)
    assert covered == indexes, f"seed {SEED}: the batches do not cover each credential exactly once"


def test_revoke_killed_at_20_random_points_revokes_once(world: World) -> None:
    driver = world.driver
    files = _issued(world, ROUNDS + 1, "revoke")
    assert driver.run([*world.base, "anchor", str(files[0].parent), "--issuer", "x"]).rc == 0
    indexes = [json.loads(p.read_text())["credentialStatus"]["statusIndex"] for p in files]
    start = driver.w3.eth.block_number + 1

    def argv(r: int) -> list[str]:
        return [*world.base, "revoke", str(files[r]), "--issuer", "x", "--reason", "fraud", "--yes"]

    def check(r: int, where: str, nonce: int) -> None:
        events = _events(world, "revoked", start)
        revoked = [i for e in events for i in e.data["indexes"]]
        assert sorted(revoked) == sorted(indexes[:r + 1]), f"{where}: revoked {revoked}"
        assert world.nonce() - nonce == 1, f"{where}: the account sent {world.nonce() - nonce} transactions, not 1"
        assert world.tx_journal_settled(), f"{where}: the transaction journal was left unfinished"
        statuses = _reader(world).status_of(world.account, indexes)
        assert [s.label for s in statuses] == ["revoked"] * (r + 1) + ["active"] * (ROUNDS - r), where

    nonce = world.nonce()
    clean = driver.run(argv(0))
    assert clean.rc == 0, clean.describe()
    check(0, "clean run", nonce)
    kills = Kills("revoke", clean)
    for r in range(1, ROUNDS + 1):
        nonce = world.nonce()
        where = _killed_then_rerun(world, argv(r), kills, f"revoke round {r}")
        check(r, where, nonce)
    nonce = world.nonce()  # once more, on purpose: revoked already, so nothing is sent
    again = driver.run([*world.base, "--json", *argv(0)[len(world.base):]])
    assert again.rc == 0 and json.loads(again.out.splitlines()[-1])["already"] == indexes[:1], again.describe()
    assert world.nonce() == nonce


def test_bind_killed_at_20_random_points_binds_once(world: World) -> None:
    """Each round starts from a chain snapshot without the binding and goes back to it after the checks."""
    from microcred.did import EthrResolver, verify_binding
    from microcred.chain._connect import connect

    driver = world.driver
    chain = connect("local", home=world.home, rpc_urls=(driver.url,))
    argv = [*world.base, "issuer", "bind", "x"]

    def check(where: str, nonce: int) -> None:
        resolver = EthrResolver(chain.w3, chain.address_of("EthereumDIDRegistry"), chain.chain_id)
        assert verify_binding(resolver, world.account, world.did).bound, f"{where}: not bound"
        assert world.nonce() - nonce == 1, f"{where}: the account sent {world.nonce() - nonce} transactions, not 1"
        assert world.tx_journal_settled(), f"{where}: the transaction journal was left unfinished"

    snapshot = driver.rpc("evm_snapshot")
    nonce = world.nonce()
    clean = driver.run(argv)
    assert clean.rc == 0, clean.describe()
    check("clean run", nonce)
    assert driver.rpc("evm_revert", snapshot) is True
    kills = Kills("bind", clean)
    for r in range(1, ROUNDS + 1):
        snapshot = driver.rpc("evm_snapshot")
        nonce = world.nonce()
        where = _killed_then_rerun(world, argv, kills, f"bind round {r}")
        check(where, nonce)
        assert driver.rpc("evm_revert", snapshot) is True
