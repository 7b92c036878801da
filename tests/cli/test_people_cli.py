"""Issue 15, item 5: people's names and spreadsheets — readable file names, CSV delimiters found and reported,
revocation that names the learners (with a dry run and a confirmation), an idempotent bind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.cli import run
from microcred.registry.issuance import detect_delimiter, load_learners
from tests.support.paths import EXAMPLES

PEOPLE = ["Zoë Ørsted", "Łukasz Wróbel", "Jürgen Weiß", "Ægir Þórsson"]


@pytest.fixture(scope="module")
def own_node(tmp_path_factory):
    """An anvil node of this module alone: the session's shared node is left to the tests that expect to be the
    first to deploy on it."""
    from microcred.chain._node import LocalNode
    from tests.support.chain import free_port

    node = LocalNode(tmp_path_factory.mktemp("own-node"), port=free_port())
    node.start()
    yield node, None
    node.stop()




def _csv(path: Path, delimiter: str) -> Path:
    rows = [["name", "email", "completion_date"]] + [
        [name, f"p{i}@example.org", "2026-02-27"] for i, name in enumerate(PEOPLE)]
    path.write_text("\n".join(delimiter.join(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_learner_csv_may_be_comma_semicolon_or_tab_separated(tmp_path, delimiter):
    path = _csv(tmp_path / "learners.csv", delimiter)
    assert detect_delimiter(path.read_text()) == delimiter
    assert [learner.name for learner in load_learners(path)] == PEOPLE


def test_a_header_no_delimiter_explains_is_refused_with_its_problems(tmp_path):
    path = tmp_path / "learners.csv"
    path.write_text("Name|Completion\nAda|2026-01-01\n")
    with pytest.raises(Exception, match="the header has no 'name' column"):
        load_learners(path)


def _local_issuer(own_node, home: Path, capsys):
    from microcred.chain._connect import connect

    node, _ = own_node
    base = ["--home", str(home), "--network", "local"]
    assert run(capsys, *base, "key", "new", "sig")[0] == 0
    assert run(capsys, *base, "key", "new", "acct", "--type", "secp256k1")[0] == 0
    chain = connect("local", home=home, rpc_urls=(node.url,))
    assert run(capsys, *base, "issuer", "init", "x", "--legal-name", "X", "--country", "FR", "--key", "sig",
               "--account-key", "acct", "--chain", chain.caip2, "--registry",
               chain.address_of("CredentialRegistry"))[0] == 0
    (home / "node").mkdir(exist_ok=True)
    (home / "node" / "node.json").write_text(json.dumps({"port": node.port}))
    return base, chain


def test_names_csv_revocation_and_bind_as_an_issuer_sees_them(own_node, home, tmp_path, capsys):
    base, chain = _local_issuer(own_node, home, capsys)
    out = tmp_path / "out"
    learners = _csv(tmp_path / "learners.csv", ";")
    code, _, err = run(capsys, *base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
                       "--learners", str(learners), "--out", str(out))
    assert code == 0, err
    assert "(semicolon-separated)" in err
    names = sorted(p.name for p in out.glob("*.json") if not p.name.startswith("."))
    assert names == ["000000-zoe-orsted.json", "000001-lukasz-wrobel.json", "000002-jurgen-weiss.json",
                     "000003-aegir-thorsson.json"]

    # bind twice: the second sends nothing and says where the binding is
    code, first, _ = run(capsys, *base, "--json", "issuer", "bind", "x")
    assert code == 0
    block = json.loads(first)["block"]
    height = chain.w3.eth.block_number
    code, again, _ = run(capsys, *base, "--json", "issuer", "bind", "x")
    assert code == 0 and json.loads(again) == {**json.loads(first), "already": True}
    code, text, _ = run(capsys, *base, "issuer", "bind", "x")
    assert "already bound to account" in text and f"in block {block}" in text
    assert chain.w3.eth.block_number == height, "a second bind sent a transaction"

    assert run(capsys, *base, "anchor", str(out), "--issuer", "x")[0] == 0
    # a dry run by bare index names the learners from the issuer's own records, and sends nothing
    height = chain.w3.eth.block_number
    code, text, _ = run(capsys, *base, "revoke", "1", "3", "--issuer", "x", "--reason", "fraud", "--dry-run")
    assert code == 0
    assert "would revoke 2 credential(s) of x" in text
    assert "1: Łukasz Wróbel" in text and "3: Ægir Þórsson" in text and "nothing was sent" in text
    code, text, _ = run(capsys, *base, "--json", "suspend", str(out / names[0]), "--issuer", "x", "--reason", "3",
                        "--dry-run")
    plan = json.loads(text)
    assert plan["dryRun"] is True and plan["credentials"][0]["learner"] == "Zoë Ørsted"
    assert chain.w3.eth.block_number == height, "a dry run sent a transaction"

    # in a script (no terminal): the plan is printed, then the change is made
    code, text, err = run(capsys, *base, "--json", "revoke", "1", "--issuer", "x", "--reason", "fraud", "--yes")
    assert code == 0 and json.loads(text)["status"] == "revoked" and "Łukasz Wróbel" in err


def test_in_a_terminal_a_revocation_waits_for_yes(own_node, home, tmp_path, capsys, monkeypatch):
    base, chain = _local_issuer(own_node, home, capsys)
    out = tmp_path / "out"
    assert run(capsys, *base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
               "--learners", str(_csv(tmp_path / "l.csv", ",")), "--out", str(out))[0] == 0
    assert run(capsys, *base, "anchor", str(out), "--issuer", "x")[0] == 0

    class Terminal:
        def __init__(self, answer: str) -> None:
            self.answer = answer

        def isatty(self) -> bool:
            return True

        def readline(self) -> str:
            return self.answer

        def read(self, *_: object) -> str:
            return self.answer

    import click

    height = chain.w3.eth.block_number
    monkeypatch.setattr("sys.stdin", Terminal("n\n"))
    monkeypatch.setattr(click, "confirm", lambda *a, **k: False)
    code, _, err = run(capsys, *base, "revoke", "0", "--issuer", "x", "--reason", "fraud")
    assert code == 1 and "not confirmed" in err and "0: Zoë Ørsted" in err
    assert chain.w3.eth.block_number == height
    monkeypatch.setattr(click, "confirm", lambda *a, **k: True)
    code, text, _ = run(capsys, *base, "revoke", "0", "--issuer", "x", "--reason", "fraud")
    assert code == 0 and "revoked 1 credential(s) [0]" in text
