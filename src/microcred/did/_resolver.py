"""The DID resolver: one entry point, a registry of methods, a small LRU/TTL cache.

A method is any callable ``method(did, at=None) -> DIDResolutionResult`` (see :class:`MethodResolver`).
``key`` and ``web`` are built in; others are registered by the code that can build them (did:ethr needs a chain)::

    resolver = Resolver()                                  # key + web
    resolver.register("ethr", EthrResolver(w3, registry))  # elsewhere, with an injected Web3
    result = resolver.resolve("did:ethr:0x...", at=datetime(2026, 5, 1, tzinfo=timezone.utc))
    vm, doc = resolver.resolve_verification_method("did:key:z6Mk...#z6Mk...")

``Resolver(methods={"ethr": ...})`` registers methods at construction, beside the built-ins
(``builtins=False`` leaves them out). The cache is keyed by (DID, ``at``); errors are never cached.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Protocol

from microcred.did._didkey import DIDKeyMethod
from microcred.did._didweb import DIDWebResolver
from microcred.did._document import (
    DIDDocument,
    DIDResolutionResult,
    VerificationMethod,
    parse_did,
    parse_did_url,
)
from microcred.did._errors import (
    DIDDeactivatedError,
    InvalidDIDDocumentError,
    MalformedDIDError,
    UnsupportedMethodError,
    VerificationMethodNotFoundError,
)
from microcred.errors import InvalidInputError

_METHOD_NAME = re.compile(r"[a-z0-9]+")


class MethodResolver(Protocol):
    """What a DID method plugs into :class:`Resolver`."""

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        """Resolve ``did`` (already checked against the DID syntax and of this method) as of ``at``.

        ``at`` is a timezone-aware UTC time, or ``None`` for the latest state. Raise the errors of
        :mod:`microcred.did` (``DIDNotFoundError``, ``DIDNetworkError`` ...) rather than return a partial result.
        """
        ...  # pragma: no cover


class Resolver:
    """Resolves DIDs of every registered method, with a small cache.

    :param methods: extra methods by name (``{"ethr": fn}``); they replace built-ins of the same name
    :param builtins: register ``key`` and ``web`` (default)
    :param web: the did:web resolver to use (inject one with a test CA or another timeout)
    :param cache_size: how many results to keep (0 disables the cache)
    :param cache_ttl: seconds a result stays fresh
    :param clock: monotonic clock in seconds (injectable for tests)
    """

    def __init__(
        self,
        methods: Mapping[str, MethodResolver] | None = None,
        *,
        builtins: bool = True,
        web: DIDWebResolver | None = None,
        cache_size: int = 256,
        cache_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if cache_size < 0 or cache_ttl < 0:
            raise ValueError("cache_size and cache_ttl must not be negative")
        self._methods: dict[str, MethodResolver] = {}
        self._cacheable: dict[str, bool] = {}
        self._cache: OrderedDict[tuple[str, datetime | None], tuple[float, DIDResolutionResult]] = OrderedDict()
        self._lock = threading.Lock()
        self.cache_size = cache_size
        self.cache_ttl = cache_ttl
        self._clock = clock
        if builtins:
            # did:key is cheaper to resolve than to look up and would only push other entries out of the cache
            self.register("key", DIDKeyMethod(), cache=False)
            self.register("web", web or DIDWebResolver())
        elif web is not None:
            self.register("web", web)
        for name, fn in (methods or {}).items():
            self.register(name, fn)

    # -- registry -----------------------------------------------------------------------------------------------
    def register(self, method: str, fn: MethodResolver, *, cache: bool = True) -> None:
        """Resolve DIDs of ``method`` (e.g. ``"ethr"``) with ``fn(did, at=None)``; replaces an earlier one."""
        if not isinstance(method, str) or not _METHOD_NAME.fullmatch(method):
            raise InvalidInputError(f"invalid DID method name {method!r}: lowercase letters and digits only")
        if not callable(fn):
            raise TypeError(f"the resolver of did:{method} must be callable, got {type(fn).__name__}")
        with self._lock:
            self._methods[method] = fn
            self._cacheable[method] = cache
            for key in [k for k in self._cache if k[0].startswith(f"did:{method}:")]:
                del self._cache[key]

    def unregister(self, method: str) -> None:
        """Stop resolving ``method``; unknown names are a :class:`KeyError`."""
        with self._lock:
            del self._methods[method]
            del self._cacheable[method]
            for key in [k for k in self._cache if k[0].startswith(f"did:{method}:")]:
                del self._cache[key]

    @property
    def methods(self) -> tuple[str, ...]:
        """Names of the registered methods, sorted."""
        return tuple(sorted(self._methods))

    def clear_cache(self) -> None:
        """Forget every cached result."""
        with self._lock:
            self._cache.clear()

    # -- resolution ---------------------------------------------------------------------------------------------
    def resolve(self, did: str, *, at: datetime | None = None) -> DIDResolutionResult:
        """Resolve ``did`` as of ``at`` (a timezone-aware time; ``None`` = now).

        A deactivated DID resolves normally, with ``result.metadata.deactivated`` set; use
        :meth:`resolve_verification_method` to refuse the keys of deactivated DIDs.
        Raises :class:`MalformedDIDError`, :class:`UnsupportedMethodError` or the method's own errors.
        """
        method, _ = parse_did(did)  # raises with the reason
        fn = self._methods.get(method)
        if fn is None:
            raise UnsupportedMethodError(
                f"cannot resolve {did}: no resolver for the DID method {method!r} "
                f"(supported: {', '.join(self.methods) or 'none'})", did=did, method=method)
        at = _normalise_at(at)
        cacheable = self._cacheable[method] and self.cache_size > 0
        if cacheable:
            hit = self._cache_get((did, at))
            if hit is not None:
                return hit
        result = fn(did, at=at)
        if not isinstance(result, DIDResolutionResult):
            raise TypeError(f"the did:{method} resolver returned {type(result).__name__}, not DIDResolutionResult")
        if result.document.id != did:
            raise InvalidDIDDocumentError(
                f"resolving {did} gave a document for {result.document.id!r}: a document must name its DID",
                did=did)
        if cacheable:
            self._cache_put((did, at), result)
        return result

    def resolve_document(self, did: str, *, at: datetime | None = None) -> DIDDocument:
        """Shortcut for ``resolve(did, at=at).document``."""
        return self.resolve(did, at=at).document

    def resolve_verification_method(
        self, did_url: str, *, at: datetime | None = None
    ) -> tuple[VerificationMethod, DIDDocument]:
        """The verification method a DID URL names (``did:...#fragment``) and the document holding it.

        A bare ``did:key`` (no fragment) names the DID's one key, as Open Badges 3.0 issuers write it.

        Raises :class:`DIDDeactivatedError` when the DID is deactivated (as of ``at``),
        :class:`VerificationMethodNotFoundError` when the document has no such method, and
        :class:`MalformedDIDError` for a DID URL without a fragment (other than a bare did:key) or with a path or
        query.
        """
        url = parse_did_url(did_url)
        if url.fragment is None and url.method == "key" and not url.path and not url.query:
            vm, document = self.resolve_verification_method(f"{url.did}#{url.did[8:]}", at=at)
            return vm, document
        if url.fragment is None or url.path or url.query:
            raise MalformedDIDError(
                f"{did_url!r} does not name a verification method: expected <did>#<fragment> "
                f"without path or query", did=did_url)
        result = self.resolve(url.did, at=at)
        if result.metadata.deactivated:
            raise DIDDeactivatedError(
                f"{url.did} is deactivated{_when(at)}: its verification methods, {did_url} included, "
                f"must not be trusted", did=url.did)
        document = result.document
        found = document.find_method(f"{url.did}#{url.fragment}")
        if found is None:
            known = ", ".join(document.absolute(v.id) for v in document.verification_method or ()) or "none"
            raise VerificationMethodNotFoundError(
                f"{url.did} has no verification method {did_url}{_when(at)} (it has: {known})", did=did_url)
        return found, document

    # -- cache --------------------------------------------------------------------------------------------------
    def _cache_get(self, key: tuple[str, datetime | None]) -> DIDResolutionResult | None:
        with self._lock:
            entry = self._cache.get(key)
            if entry is None:
                return None
            expires, result = entry
            if self._clock() >= expires:
                del self._cache[key]
                return None
            self._cache.move_to_end(key)
            return result

    def _cache_put(self, key: tuple[str, datetime | None], result: DIDResolutionResult) -> None:
        with self._lock:
            self._cache[key] = (self._clock() + self.cache_ttl, result)
            self._cache.move_to_end(key)
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)

    def __repr__(self) -> str:
        return f"Resolver(methods={list(self.methods)}, cache_size={self.cache_size}, cache_ttl={self.cache_ttl:g})"


def _normalise_at(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    if not isinstance(at, datetime):
        raise InvalidInputError(f"'at' must be a datetime, got {type(at).__name__}")
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInputError(f"'at' must be timezone-aware (e.g. 2026-05-01T00:00:00Z), got {at.isoformat()}")
    return at.astimezone(timezone.utc)


def _when(at: datetime | None) -> str:
    return f" at {at.isoformat()}" if at is not None else ""


__all__ = ["MethodResolver", "Resolver"]
