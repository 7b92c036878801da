"""The model's text, IRI, address and chain-id types are checked by pydantic's own (Rust) regular expressions; they
accept exactly what the Python checks they replaced accept (``str.strip``, ``re.fullmatch``), white space of every
kind included, and a mismatch is reported in the same words."""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import example, given, settings, strategies as st
from pydantic import TypeAdapter, ValidationError

from microcred.registry.credential import _model
from microcred.registry.credential._annex import problems_from_pydantic

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
# what the patterns turn on: every white space character, IRI delimiters, a scheme's characters, beyond the BMP
ALPHABET = st.sampled_from(SPACES + list("aZ09:+.-/#?<>\"{}|\\^`_x") + ["é", "\U0001F600", "\x00", "\x7f"])
TEXTS = st.lists(ALPHABET, max_size=8).map("".join)
PREFIXED = st.tuples(st.sampled_from(["", "a:", "did:", "x1+.-:", "0x", "eip155:"]), TEXTS).map("".join)

# the Python checks the native patterns replaced
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")
ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
CAIP2 = re.compile(r"[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}")

CASES = [
    (_model.Text, lambda s: bool(s.strip())),
    (_model.Iri, lambda s: IRI.fullmatch(s) is not None),
    (_model.EthAddress, lambda s: ADDRESS.fullmatch(s) is not None),
    (_model.ChainId, lambda s: CAIP2.fullmatch(s) is not None),
]


def _accepts(kind, value: str) -> bool:
    try:
        TypeAdapter(kind).validate_python(value, strict=True)
    except ValidationError:
        return False
    return True


def test_the_white_space_class_is_str_isspace() -> None:
    space = re.compile(f"[{_model._SPACE}]")
    assert [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF and space.fullmatch(chr(c))] \
        == SPACES


@pytest.mark.parametrize("kind, python", CASES, ids=["Text", "Iri", "EthAddress", "ChainId"])
@settings(max_examples=600, deadline=None)
@given(value=PREFIXED)
@example(value="a:b\n")  # Python's $ would let a final newline pass; the patterns end the whole text
@example(value="0x" + "aB" * 20 + "\n")
@example(value="eip155:11155111")
@example(value="\x1c\x1d\x1e\x1f")  # white space to str.isspace, not to the Rust engine's \s
def test_the_native_pattern_accepts_what_the_python_check_accepts(kind, python, value: str) -> None:
    assert _accepts(kind, value) == python(value)


@pytest.mark.parametrize("kind, value, words", [
    (_model.Text, " \u3000\t", "must not be empty"),
    (_model.Iri, "learner 7", "'learner 7' is not an absolute IRI"),
    (_model.EthAddress, "0x1234", "'0x1234' is not an Ethereum address (0x and 40 hex digits)"),
    (_model.ChainId, "sepolia", "'sepolia' is not a CAIP-2 chain id"),
])
def test_a_mismatch_is_reported_in_plain_words(kind, value: str, words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(kind).validate_python(value, strict=True)
    [problem] = problems_from_pydantic(caught.value.errors(include_url=False))
    assert words in problem.message and "pattern" not in problem.message
