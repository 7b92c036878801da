"""`--rpc` given several times: verify and history ask each endpoint and refuse to believe one that disagrees."""

from __future__ import annotations

import json

import pytest

from microcred.cli import main
from microcred.registry import LocalNode
from tests.chain_fixtures import free_port
from tests.cli.test_status_export_cli import EXAMPLES


def run(*args: str) -> int:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return exc.value.code or 0


def test_endpoints_that_disagree_are_an_error(anvil_node, home, tmp_path, capsys):
    node, _ = anvil_node
    base = ["--home", str(home), "--network", "local"]
    url = node.url
    assert run(*base, "--json", "key", "new", "sig") == 0
    assert run(*base, "key", "new", "acct", "--type", "secp256k1") == 0
    from microcred.chain._connect import connect

    chain = connect("local", home=home, rpc_urls=(url,))
    assert run(*base, "issuer", "init", "x", "--legal-name", "X", "--country", "FR", "--key", "sig", "--account-key",
               "acct", "--chain", chain.caip2, "--registry", chain.address_of("CredentialRegistry")) == 0
    # the issuer's commands talk to the node of this test through the home's node record
    (home / "node").mkdir(exist_ok=True)
    (home / "node" / "node.json").write_text(json.dumps({"port": node.port}))
    out = tmp_path / "out"
    assert run(*base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
               "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out)) == 0
    assert run(*base, "issuer", "bind", "x") == 0
    assert run(*base, "anchor", str(out), "--issuer", "x") == 0
    files = sorted(str(p) for p in out.glob("*.json") if not p.name.startswith("."))
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
    finally:
        liar.stop()
