"""Benchmarks. `python -m bench all` (make bench) writes every bench/*.json; `python -m bench gas` only gas.json."""
