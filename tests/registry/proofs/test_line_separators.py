"""Text with U+0085, U+2028, U+2029, U+001C-U+001E and other control characters signs and verifies in every
cryptosuite and with every engine, and its canonical form splits into quads at "\\n" only (issue: str.splitlines
broke literals there, so microcred's signatures disagreed with other verifiers')."""

from __future__ import annotations

import pytest

from microcred.did import KeyPair
from microcred.registry.credential._jsonld import ENGINES, canonize_rdfc
from microcred.registry.proofs import SUITES, add_proof, did_key_lookup, verify_proofs

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
AWKWARD = "NEL\u0085LS\u2028PS\u2029FS\u001cGS\u001dRS\u001eVT\u000bFF\u000cNUL\u0000DEL\u007fBS\u0008CR\rLF\nTAB\t end"


def _credential() -> dict:
    return {"@context": [V2, EXAMPLES], "type": ["VerifiableCredential"], "issuer": "did:example:issuer",
            "validFrom": "2026-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:learner", "name": AWKWARD, "note": "\u2028"}}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_canonical_form_keeps_the_literal_on_one_line(engine: str) -> None:
    text = canonize_rdfc(_credential(), engine=engine)  # type: ignore[arg-type]
    lines = text.split("\n")[:-1]
    assert all(line.endswith(" .") for line in lines)
    (name,) = [line for line in lines if "schema.org/name" in line]
    assert "NEL\u0085LS\u2028PS\u2029FS" in name  # raw: not line breaks in N-Quads
    assert "FS\\u001CGS\\u001DRS\\u001EVT\\u000BFF\\fNUL\\u0000DEL\\u007FBS\\bCR\\rLF\\nTAB\\t end" in name
    assert text.count("\n") == len(lines)


def test_both_engines_agree_byte_for_byte() -> None:
    assert canonize_rdfc(_credential(), engine="oxigraph") == canonize_rdfc(_credential(), engine="pyld")


def _suite_keys() -> list[tuple[str, str]]:
    return [(name, key_type) for name, suite in SUITES.items() for key_type in sorted(suite.key_types)]


@pytest.mark.parametrize("suite, key_type", _suite_keys())
def test_sign_and_verify_in_every_suite(suite: str, key_type: str) -> None:
    key = KeyPair.generate(key_type)
    signed = add_proof(_credential(), key, verification_method=f"{key.did}#{key.public_key_multibase}",
                       cryptosuite=suite)
    for engine in ENGINES if SUITES[suite].transformation == "rdfc" else ENGINES[:1]:
        assert verify_proofs(signed, did_key_lookup, engine=engine).verified, engine  # type: ignore[arg-type]
    for change in ("\u2028", "\u2029", "\u0085", "\n"):
        tampered = {**signed, "credentialSubject": {**signed["credentialSubject"],
                                                    "name": AWKWARD.replace(change, " ", 1)}}
        assert not verify_proofs(tampered, did_key_lookup).verified, repr(change)
