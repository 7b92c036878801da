"""The orjson fast path of JCS (registry/credential/_jsonld.py: ``_orjson_jcs``) writes exactly what the rfc8785
package writes, or steps aside; values are drawn to hit its float detection (floats beside digits before dots and
``e`` inside strings and keys, quotes, backslashes, ``null`` in text and as a value, integers at the edge of double
precision) and its key-order check (characters beyond the BMP beside U+E000-U+FFFF)."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from microcred.errors import InvalidInputError
from microcred.registry.credential._jsonld import _orjson_jcs, canonize_jcs

_PIECES = st.sampled_from(['"', "\\", "null", "1.5", "2e", "3E", ".", "e", "0", "true", "false", ":", ",", "[",
                           "{", "\u2028", "\x7f", "\x1f", "\ue000", "\uffff", "\U0001f600", "é", " "])
_TEXT = st.one_of(st.lists(_PIECES, max_size=5).map("".join), st.text(st.characters(codec="utf-8"), max_size=5))
_NUMBERS = st.one_of(st.integers(-(2**53) + 1, 2**53 - 1), st.sampled_from([0, -1, 2**53 - 1, -(2**53) + 1, 10**15]),
                     st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([1.0, -0.0, 1e16, 1e-7, 5e-324]))
_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), _NUMBERS, _TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(_TEXT, children, max_size=4)),
    max_leaves=16)


@settings(max_examples=1000, deadline=None)
@given(value=_JSON)
def test_the_orjson_path_writes_rfc8785_or_steps_aside(value: Any) -> None:
    expected = rfc8785.dumps(value).decode("utf-8")
    fast = _orjson_jcs(value)
    assert fast is None or fast == expected
    assert canonize_jcs(value) == expected


@pytest.mark.parametrize("value", [
    {"a": 1.5}, [1e16], {"k": "x", "n": [None, 0.5]}, [True, False, -0.0], {"a": 'x\\"', "b": 2.5}, 2**53 - 1.0,
    {"\U0001f600": 1, "\ue000": 2},
])
def test_floats_and_astral_keys_step_aside(value: Any) -> None:
    assert _orjson_jcs(value) is None
    assert canonize_jcs(value) == rfc8785.dumps(value).decode("utf-8")


@pytest.mark.parametrize("value", [float("nan"), {"a": [[{"b": float("inf")}]]}, [None, float("-inf")]])
def test_nan_and_infinity_never_pass_as_null(value: Any) -> None:
    """orjson writes them as ``null``; JCS refuses them, and so does canonize_jcs."""
    assert _orjson_jcs(value) is None
    with pytest.raises(InvalidInputError):
        canonize_jcs(value)


@pytest.mark.parametrize("value", [
    {"url": "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "n": 5, "t": True, "f": False},
    {"1.5": ["2e", "null", 'quote " and 3.5'], "x": 2**53 - 1},
    {"a": "back\\slash 1.5", "b": [1, -2]},
    {"k": "x", "n": None}, [True, False, None], {"a": 'x\\" :1.5,', "b": [None]},
])
def test_json_without_floats_takes_the_orjson_path(value: Any) -> None:
    assert _orjson_jcs(value) == rfc8785.dumps(value).decode("utf-8")
