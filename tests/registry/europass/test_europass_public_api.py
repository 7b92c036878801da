"""The public face of microcred.registry.europass: every name in __all__ exists, every public name is in it."""

from __future__ import annotations

import inspect

import microcred.registry.europass as europass


def test_every_listed_name_exists_and_every_public_name_is_listed() -> None:
    assert __import__("microcred.registry.europass._vocab", fromlist=["x"])  # the vocabulary stays private
    for name in europass.__all__:
        assert hasattr(europass, name), name
    public = {n for n, obj in vars(europass).items() if not n.startswith("_") and not inspect.ismodule(obj)}
    assert public == set(europass.__all__)
    assert list(europass.__all__) == sorted(europass.__all__)


def test_errors_are_microcred_errors_named_for_what_went_wrong() -> None:
    from microcred.errors import InvalidInputError

    for error in (europass.NotAnEdcError, europass.SealFormatError):
        assert issubclass(error, InvalidInputError) and issubclass(error, ValueError)
