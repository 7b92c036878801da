"""Verification: every check passes, fails, or could not be checked."""

from microcred.registry.verify._verifier import (
    Check,
    CheckResult,
    Verification,
    Verifier,
    parse_time,
)

__all__ = [
    "Check",
    "CheckResult",
    "Verification",
    "Verifier",
    "parse_time",
]
