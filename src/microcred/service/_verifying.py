"""The service's verifier: the CLI's, built from the same configuration, rebuilt after a short time-to-live so a
chain endpoint that was down is asked again, and used by one request at a time per process."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

__all__ = ["ServiceConfig", "VerifierCache"]


@dataclass
class ServiceConfig:
    """How the service verifies and what it accepts.

    ``app``: the CLI's :class:`~microcred.cli._app.AppContext` (network, ``--rpc`` endpoints, home);
    ``trust``: the trust list file (adds the accreditation check); ``max_body``: the largest request body, in bytes;
    ``timeout``: seconds a verification may take before the request is answered 503; ``cache_ttl``: seconds a
    verifier (its chain connections) is reused."""

    app: Any
    trust: Path | None = None
    max_body: int = 2 * 1024 * 1024
    timeout: float = 20.0
    cache_ttl: float = 30.0
    #: builds a verifier from (app, trust); the CLI's ``build_verifier`` unless a test gives its own
    build: Callable[[Any, Path | None], Any] | None = None
    clock: Callable[[], float] = field(default=time.monotonic)
    #: ``--issuer NAME``: also serve that issuer's Profile (/issuer) and status lists (/status/revocation|suspension)
    issuer: str | None = None
    #: seconds a status list is kept before it is read from the chain again
    status_ttl: float = 300.0
    #: ``--public-url``: the URL the service is reached at (the OID4VCI Credential Issuer Identifier)
    public_url: str | None = None


class VerifierCache:
    """One verifier per process, rebuilt when older than ``config.cache_ttl``."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._verifier: Any = None
        self._built_at = 0.0

    def _current(self) -> Any:
        now = self.config.clock()
        if self._verifier is None or now - self._built_at > self.config.cache_ttl:
            build = self.config.build
            if build is None:
                from microcred.cli._verify import build_verifier as build
            self._verifier = build(self.config.app, self.config.trust)
            self._built_at = now
        return self._verifier

    def verify(self, name: str | None, doc: dict[str, Any]):
        """The :class:`~microcred.registry.verify.Verification` of one credential."""
        with self._lock:
            return self._current().verify([(name, doc)])[0]
