"""microcred.did's public face: every name in __all__ exists, and every public class of the private modules that
callers need is exported."""

from __future__ import annotations

import inspect

import microcred.did as did
from microcred.did import _errors


def test_every_name_in_all_exists() -> None:
    assert len(did.__all__) == len(set(did.__all__))
    for name in did.__all__:
        assert hasattr(did, name), name


def test_every_error_is_exported() -> None:
    errors = {n for n, o in vars(_errors).items() if inspect.isclass(o) and o.__module__ == _errors.__name__}
    assert errors <= set(did.__all__)


def test_public_names_are_documented() -> None:
    for name in did.__all__:
        obj = getattr(did, name)
        if inspect.isclass(obj) or inspect.isfunction(obj):
            assert inspect.getdoc(obj), f"{name} has no docstring"
