"""Fixtures of the Europass tests (defined in elm_support, which the tests also import helpers from)."""

from tests.registry.europass.elm_support import shapes_all, shapes_full  # noqa: F401
