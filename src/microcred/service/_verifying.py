"""The service's verifier: the CLI's, built from the same configuration, rebuilt after a short time-to-live so a
chain endpoint that was down is asked again; its chain reads go through a per-process cache with a shorter one.

The requests a process receives while it is verifying are verified together, in one call, when it is free again
(:class:`Batcher`): the verifier reads the chain once per issuer for the whole batch, and a request waits for at
most one batch before its own. Each credential's verdict is its own: batching changes how often the chain is asked,
never an answer."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from microcred.service._chaincache import ChainReadCache

__all__ = ["Batcher", "ServiceConfig", "VerifierCache"]


@dataclass
class ServiceConfig:
    """How the service verifies and what it accepts.

    ``app``: the CLI's :class:`~microcred.cli._app.AppContext` (network, ``--rpc`` endpoints, home);
    ``trust``: the trust list file (adds the accreditation check); ``max_body``: the largest request body, in bytes;
    ``timeout``: seconds a verification may take before the request is answered 503; ``cache_ttl``: seconds a
    verifier (its chain connections) is reused; ``chain_ttl``: seconds a chain answer is reused (0: never);
    ``max_batch``: the most credentials verified in one call."""

    app: Any
    trust: Path | None = None
    max_body: int = 2 * 1024 * 1024
    timeout: float = 20.0
    cache_ttl: float = 30.0
    chain_ttl: float = 5.0
    max_batch: int = 64
    #: builds a verifier from (app, trust); the CLI's ``build_verifier`` unless a test gives its own
    build: Callable[[Any, Path | None], Any] | None = None
    clock: Callable[[], float] = field(default=time.monotonic)
    #: ``--issuer NAME``: also serve that issuer's did:web document, Profile (/issuer) and status lists
    issuer: str | None = None
    #: seconds a status list is kept before it is read from the chain again
    status_ttl: float = 300.0
    #: ``--public-url``: the URL the service is reached at (the OID4VCI Credential Issuer Identifier)
    public_url: str | None = None


def _default_build(app: Any, trust: Path | None) -> Any:
    from microcred.cli._verify import build_verifier

    return build_verifier(app, trust)


class VerifierCache:
    """One verifier per process, rebuilt when older than ``config.cache_ttl``; one call at a time. The chain-read
    caches (one per endpoint) outlive the rebuilds."""

    def __init__(self, config: ServiceConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._verifier: Any = None
        self._built_at = 0.0
        self.chain_caches: dict[str, ChainReadCache] = {}

    def _current(self) -> Any:
        now = self.config.clock()
        if self._verifier is None or now - self._built_at > self.config.cache_ttl:
            self._verifier = (self.config.build or _default_build)(self.config.app, self.config.trust)
            self._built_at = now
            if self.config.build is None:
                self._cache_reads(self._verifier)
        return self._verifier

    def _cache_reads(self, verifier: Any) -> None:
        """Route each endpoint's registry reads through this process's cache of that endpoint, and build each
        registry client once per verifier (not once per read)."""
        from microcred.errors import MicrocredError

        try:
            endpoints = verifier.endpoints
        except MicrocredError:  # the verifier says so again to each credential
            return
        for ep in endpoints:
            if ep.ledger is None:
                continue
            registry_for = getattr(ep.ledger, "registry_for", None)
            if callable(registry_for):
                clients: dict[str, Any] = {}
                ep.ledger.registry_for = lambda address, _f=registry_for, _c=clients: (
                    _c[address] if address in _c else _c.setdefault(address, _f(address)))
            cache = self.chain_caches.get(ep.name)
            if cache is None:
                cache = self.chain_caches[ep.name] = ChainReadCache(ep.ledger, ttl=self.config.chain_ttl,
                                                                    clock=self.config.clock)
            cache.inner = ep.ledger
            ep.ledger = cache

    def verify_many(self, items: list[tuple[str | None, dict[str, Any]]]) -> list[Any]:
        """The :class:`~microcred.registry.verify.Verification` of each ``(name, credential)``, in order."""
        with self._lock:
            return self._current().verify(items)

    def verify(self, name: str | None, doc: dict[str, Any]) -> Any:
        """The :class:`~microcred.registry.verify.Verification` of one credential."""
        return self.verify_many([(name, doc)])[0]


class Batcher:
    """Verifies the credentials of concurrent requests together: while one batch is verified (in a thread, so the
    process keeps reading requests), the next ones queue; then they are verified in one call, oldest first, at most
    ``config.max_batch`` at a time. When a batch fails as a whole, each of its credentials is verified alone, so
    one credential's failure is never another's."""

    def __init__(self, cache: VerifierCache) -> None:
        self.cache = cache
        self._queue: list[tuple[str | None, dict[str, Any], asyncio.Future[Any]]] = []
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def verify(self, name: str | None, doc: dict[str, Any]) -> Any:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (a test client's): nothing of the old one is pending
            self._loop, self._queue, self._task = loop, [], None
        future: asyncio.Future[Any] = loop.create_future()
        self._queue.append((name, doc, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        from starlette.concurrency import run_in_threadpool

        while self._queue:
            size = max(1, self.cache.config.max_batch)
            batch, self._queue = self._queue[:size], self._queue[size:]
            batch = [b for b in batch if not b[2].done()]  # a request that timed out is not verified
            if not batch:
                continue
            try:
                results = await run_in_threadpool(self.cache.verify_many, [(n, d) for n, d, _ in batch])
            except Exception as exc:
                if len(batch) == 1:
                    _settle(batch[0][2], exc=exc)
                    continue
                for name, doc, future in batch:
                    try:
                        _settle(future, await run_in_threadpool(self.cache.verify, name, doc))
                    except Exception as alone:
                        _settle(future, exc=alone)
                continue
            for (_, _, future), result in zip(batch, results):
                _settle(future, result)
            for _, _, future in batch[len(results):]:  # a verifier that answered fewer than it was asked
                _settle(future, exc=RuntimeError("the verifier gave no verdict for this credential"))


def _settle(future: asyncio.Future[Any], result: Any = None, *, exc: BaseException | None = None) -> None:
    if future.done():
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
