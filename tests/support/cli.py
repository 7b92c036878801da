"""Running the CLI in-process, as the tests do: ``main`` raises SystemExit with the exit code."""

from __future__ import annotations

import json

import pytest

from microcred.cli import main
from tests.support.paths import EXAMPLES


def exit_code(*args: str) -> int:
    """Run ``microcred ARGS...``; its exit code (output left to the caller's capsys)."""
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    return int(exc.value.code or 0)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``microcred ARGS...``; its exit code, standard output and standard error."""
    code = exit_code(*args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def issue_on_anvil(node, home, tmp_path) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """An issuer's credentials anchored on the session's anvil node: (global options, files)."""
    from microcred.chain._connect import connect

    base = ["--home", str(home), "--network", "local"]
    assert exit_code(*base, "--json", "key", "new", "sig") == 0
    assert exit_code(*base, "key", "new", "acct", "--type", "secp256k1") == 0
    chain = connect("local", home=home, rpc_urls=(node.url,))
    assert exit_code(*base, "issuer", "init", "x", "--legal-name", "X", "--country", "FR", "--key", "sig",
                     "--account-key", "acct", "--chain", chain.caip2, "--registry",
                     chain.address_of("CredentialRegistry")) == 0
    # the issuer's commands talk to the node of this test through the home's node record
    (home / "node").mkdir(exist_ok=True)
    (home / "node" / "node.json").write_text(json.dumps({"port": node.port}))
    out = tmp_path / "out"
    assert exit_code(*base, "issue", "--issuer", "x", "--template", str(EXAMPLES / "course-template.json"),
                     "--learners", str(EXAMPLES / "learners.csv"), "--out", str(out)) == 0
    assert exit_code(*base, "issuer", "bind", "x") == 0
    assert exit_code(*base, "anchor", str(out), "--issuer", "x") == 0
    files = sorted(str(p) for p in out.glob("*.json") if not p.name.startswith("."))
    return base, files
