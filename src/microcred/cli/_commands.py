"""Imports every command module so that each registers itself on the group."""

import importlib

_MODULES = [
    "_node",
    "_deploy",
    "_key",
    "_did",
    "_ethr",
    "_issuer",
    "_bind",
    "_issue",
    "_anchor",
    "_europass",
    "_status",
    "_statusexport",
    "_verify",
    "_wallet",
    "_present",
    "_bake",
    "_pdf",
    "_history",
    "_accredit",
    "_audit",
    "_demo",
    "_serve",
    "_offer",
    "_receive",
]

for _name in _MODULES:
    try:
        importlib.import_module(f"microcred.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command module not written yet
        if exc.name != f"microcred.cli.{_name}":
            raise
