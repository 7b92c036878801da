"""Fixtures of the Europass tests (defined in tests/support/elm.py, which the tests also import helpers from)."""

from tests.support.elm import shapes_all, shapes_full  # noqa: F401
