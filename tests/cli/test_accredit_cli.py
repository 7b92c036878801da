"""Accreditation bodies on the command line: a root accredits an issuer, shows it, withdraws it."""

from __future__ import annotations

import json

import pytest

from microcred.cli import main


def run(capsys, *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    captured = capsys.readouterr()
    run.err = captured.err
    return exc.value.code or 0, captured.out


def test_root_accredits_shows_and_withdraws(capsys, home):
    base = ["--home", str(home), "--network", "memory"]
    assert run(capsys, *base, "key", "new", "body", "--type", "secp256k1")[0] == 0
    code, out = run(capsys, *base, "--json", "key", "new", "uni", "--type", "secp256k1")
    uni = json.loads(out)["ethAddress"]
    assert run(capsys, *base, "accreditation", "declare-root", "--key", "body", "--name", "Agency",
               "--country", "fr")[0] == 0
    code, out = run(capsys, *base, "--json", "accredit", uni, "--key", "body", "--max-level", "6", "--field", "06",
                    "--from", "2026-01-01", "--until", "2030-01-01")
    assert code == 0
    grant_id = json.loads(out)["grantId"]
    code, out = run(capsys, *base, "accreditation", "show", uni)
    assert code == 0 and "EQF ≤ 6" in out and "in force" in out
    assert run(capsys, *base, "accreditation", "withdraw", str(grant_id), "--key", "body")[0] == 0
    assert "withdrawn" in run(capsys, *base, "accreditation", "show", uni)[1]
    # a body that is neither root nor holder of a parent grant is refused, with a named error
    assert run(capsys, *base, "key", "new", "nobody", "--type", "secp256k1")[0] == 0
    code, _ = run(capsys, *base, "accredit", uni, "--key", "nobody", "--max-level", "6", "--from", "2026-01-01",
                  "--until", "2030-01-01")
    assert code == 2 and "error:" in run.err and "Traceback" not in run.err
