"""`--rpc` given several times: verify and history ask each endpoint and refuse to believe one that disagrees; an
unreachable endpoint is named and left out, a quorum decides, and an endpoint of another chain is could-not-check."""

from __future__ import annotations

import json


from tests.support.cli import exit_code as run
from tests.support.cli import issue_on_anvil
from microcred.registry import LocalNode
from tests.support.chain import free_port
from tests.support.paths import EXAMPLES




def test_endpoints_that_disagree_are_an_error(anvil_node, home, tmp_path, capsys):
    node, _ = anvil_node
    url = node.url
    base, files = issue_on_anvil(node, home, tmp_path)
    from microcred.chain._connect import connect

    capsys.readouterr()
    # the same endpoint twice agrees with itself
    assert run(*base, "--json", "verify", files[0], "--rpc", url, "--rpc", url) == 0
    # a second node with the same chain id but another history (a lying or forked node)
    other_home = tmp_path / "other"
    liar = LocalNode(other_home, port=free_port())
    liar.start()
    try:
        connect("local", home=other_home, rpc_urls=(liar.url,))  # same contracts at the same addresses, no history
        capsys.readouterr()
        code = run(*base, "--json", "verify", files[0], "--rpc", url, "--rpc", liar.url)
        line = json.loads(capsys.readouterr().out.strip().splitlines()[0])
        assert code == 2 and line["valid"] is False
        assert any(c["result"] == "error" and "disagree" in c["detail"] for c in line["checks"])
        from microcred.registry.issuance._issuer import IssuerStore

        issuer_account = IssuerStore(home).load("x").account
        code = run(*base, "history", issuer_account, "--rpc", url, "--rpc", liar.url)
        assert code == 2 and "disagree" in capsys.readouterr().err
        # as of a block, the block itself is put to both first: the other node's block 1 is not this chain's
        code = run(*base, "history", issuer_account, "--at", "block:1", "--rpc", url, "--rpc", liar.url)
        err = capsys.readouterr().err
        assert code == 2 and "could not check block 1" in err and "disagree" in err, err
    finally:
        liar.stop()


def checks(line: dict) -> dict[str, str]:
    return {c["name"]: c["result"] for c in line["checks"]}


def detail(line: dict, name: str) -> str:
    return next(c["detail"] for c in line["checks"] if c["name"] == name)


def test_an_unreachable_endpoint_is_left_out_and_named(anvil_node, home, tmp_path, capsys):
    node, _ = anvil_node
    base, files = issue_on_anvil(node, home, tmp_path)
    dead = f"http://127.0.0.1:{free_port()}"
    capsys.readouterr()
    # two given, one down: the default quorum (2) is not met; the file's own checks still run
    code = run(*base, "--json", "verify", files[0], "--rpc", node.url, "--rpc", dead)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[0])
    got = checks(line)
    assert code == 2 and got["signature"] == "pass" and got["format"] == "pass" and got["validity"] == "pass"
    assert got["anchor"] == "error" and dead in detail(line, "anchor") and "disagree" not in detail(line, "anchor")
    assert line["sources"]["left_out"][0]["endpoint"] == dead
    # --quorum 1: the one that answers is enough, and the output says it was the one source trusted
    code = run(*base, "verify", files[0], "--rpc", node.url, "--rpc", dead, "--quorum", "1")
    out = capsys.readouterr().out
    assert code == 0 and "VALID" in out
    assert f"one source trusted: {node.url} at block" in out and f"left out: {dead}" in out
    # three given, one down: the two that answer agree
    code = run(*base, "--json", "verify", files[0], "--rpc", node.url, "--rpc", dead, "--rpc", node.url)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[0])
    assert code == 0 and line["valid"] and len(line["sources"]["trusted"]) == 2
    # history: same policy
    from microcred.registry.issuance._issuer import IssuerStore

    account = IssuerStore(home).load("x").account
    assert run(*base, "history", account, "--rpc", node.url, "--rpc", dead) == 2
    assert dead in capsys.readouterr().err
    assert run(*base, "--json", "history", account, "--rpc", node.url, "--rpc", dead, "--quorum", "1") == 0
    captured = capsys.readouterr()
    assert any(json.loads(row)["kind"] == "anchored" for row in captured.out.strip().splitlines())
    assert f"left out: {dead}" in captured.err
    # a quorum larger than the endpoints given is misuse
    assert run(*base, "verify", files[0], "--rpc", node.url, "--quorum", "2") == 2


def test_an_endpoint_of_another_chain_is_could_not_check(anvil_node, home, tmp_path, capsys):
    """A credential of the in-process chain, checked against anvil: exit 2 (could not check), never INVALID."""
    from microcred.chain._connect import connect
    from microcred.cli._app import _MEMORY

    node, _ = anvil_node
    connect("local", home=home, rpc_urls=(node.url,))  # this home knows the node's contracts
    node_home = home
    mem = _MEMORY.setdefault("memory", connect("memory"))
    mbase = ["--home", str(home), "--network", "memory"]
    for args in (("key", "new", "sig"), ("key", "new", "acct", "--type", "secp256k1"),
                 ("issuer", "init", "m", "--legal-name", "M", "--country", "FR", "--key", "sig", "--account-key",
                  "acct", "--chain", mem.caip2, "--registry", mem.address_of("CredentialRegistry")),
                 ("issue", "--issuer", "m", "--template", str(EXAMPLES / "course-template.json"), "--learners",
                  str(EXAMPLES / "learners.csv"), "--out", str(tmp_path / "m")),
                 ("anchor", str(tmp_path / "m"), "--issuer", "m")):
        assert run(*mbase, *args) == 0, args
    f = str(sorted(p for p in (tmp_path / "m").glob("*.json") if not p.name.startswith("."))[0])
    capsys.readouterr()
    # from a home that knows the node's contracts, and from an empty one (no registry known there yet)
    for verifier_home in (node_home, tmp_path / "verifier-home"):
        code = run("--home", str(verifier_home), "--network", node.url, "--json", "verify", f)
        line = json.loads(capsys.readouterr().out.strip().splitlines()[0])
        assert code == 2 and "fail" not in checks(line).values(), line
        assert checks(line)["signature"] == "pass" and checks(line)["anchor"] == "error"
        assert detail(line, "anchor").startswith("could not check") and node.url in detail(line, "anchor")
        if verifier_home == node_home:
            assert "serves chain eip155:31337" in detail(line, "anchor") and mem.caip2 in detail(line, "anchor")
