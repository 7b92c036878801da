"""The resolver: method registry, DID syntax checks, the (DID, at) cache with TTL and LRU, DID-URL dereferencing."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from microcred.did import (
    DIDDeactivatedError,
    DIDDocument,
    DIDDocumentMetadata,
    DIDError,
    DIDNetworkError,
    DIDResolutionResult,
    InvalidDIDDocumentError,
    KeyPair,
    MalformedDIDError,
    Resolver,
    UnsupportedMethodError,
    VerificationMethodNotFoundError,
    resolve_did_key,
)
from microcred.errors import InvalidInputError, NotFoundError

T0 = datetime(2026, 5, 1, tzinfo=timezone.utc)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class CountingMethod:
    """A did:example method: one document per DID, optionally deactivated, counting its calls."""

    def __init__(self, deactivated: bool = False) -> None:
        self.calls: list[tuple[str, datetime | None]] = []
        self.deactivated = deactivated
        self.fail_next: Exception | None = None

    def __call__(self, did: str, at: datetime | None = None) -> DIDResolutionResult:
        self.calls.append((did, at))
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        doc = DIDDocument.from_json({
            "id": did,
            "verificationMethod": [{"id": "#key-1", "type": "Multikey", "controller": did,
                                    "publicKeyMultibase": KeyPair.generate().public_key_multibase}],
            "assertionMethod": ["#key-1"],
        })
        return DIDResolutionResult(document=doc, metadata=DIDDocumentMetadata(deactivated=self.deactivated))


def test_builtins_and_registration() -> None:
    assert Resolver().methods == ("key", "web")
    example = CountingMethod()
    assert Resolver(methods={"example": example}).methods == ("example", "key", "web")
    assert Resolver(methods={"example": example}, builtins=False).methods == ("example",)
    resolver = Resolver()
    resolver.register("ethr", example)
    assert "ethr" in resolver.methods
    resolver.unregister("ethr")
    assert "ethr" not in resolver.methods


@pytest.mark.parametrize("name", ["Ethr", "e-thr", "", "ethr:"])
def test_method_names_are_checked(name: str) -> None:
    with pytest.raises(InvalidInputError, match="method name"):
        Resolver().register(name, CountingMethod())


def test_resolves_did_key() -> None:
    pair = KeyPair.generate("p256")
    result = Resolver().resolve(pair.did)
    assert result.document == resolve_did_key(pair.did)
    assert not result.deactivated


def test_unsupported_method_is_named() -> None:
    with pytest.raises(UnsupportedMethodError, match=r"'example' \(supported: key, web\)") as info:
        Resolver().resolve("did:example:123")
    assert info.value.method == "example" and info.value.did == "did:example:123"
    assert isinstance(info.value, InvalidInputError) and isinstance(info.value, DIDError)


@pytest.mark.parametrize("bad", ["did:KEY:z6Mk", "did:key", "key:z6Mk", "did:key:z6Mk#frag", "", None, 12])
def test_malformed_dids_are_refused_before_any_method(bad: object) -> None:
    example = CountingMethod()
    with pytest.raises(MalformedDIDError):
        Resolver(methods={"key": example}).resolve(bad)  # type: ignore[arg-type]
    assert example.calls == []


def test_cache_is_keyed_by_did_and_at_and_expires() -> None:
    clock = FakeClock()
    example = CountingMethod()
    resolver = Resolver(methods={"example": example}, cache_ttl=60, clock=clock)
    first = resolver.resolve("did:example:a")
    assert resolver.resolve("did:example:a") is first
    resolver.resolve("did:example:a", at=T0)
    resolver.resolve("did:example:a", at=T0.astimezone(timezone(timedelta(hours=2))))  # same instant
    resolver.resolve("did:example:b")
    assert example.calls == [("did:example:a", None), ("did:example:a", T0), ("did:example:b", None)]
    clock.now += 59.9
    resolver.resolve("did:example:a")
    assert len(example.calls) == 3
    clock.now += 0.2
    assert resolver.resolve("did:example:a") is not first
    assert len(example.calls) == 4
    resolver.clear_cache()
    resolver.resolve("did:example:b")
    assert len(example.calls) == 5


def test_cache_evicts_the_least_recently_used() -> None:
    example = CountingMethod()
    resolver = Resolver(methods={"example": example}, cache_size=2)
    for name in ("a", "b", "a", "c"):  # c evicts b (a was used more recently)
        resolver.resolve(f"did:example:{name}")
    resolver.resolve("did:example:a")
    assert [d for d, _ in example.calls] == ["did:example:a", "did:example:b", "did:example:c"]
    resolver.resolve("did:example:b")
    assert [d for d, _ in example.calls][-1] == "did:example:b"


def test_cache_can_be_disabled_and_errors_are_not_cached() -> None:
    example = CountingMethod()
    resolver = Resolver(methods={"example": example}, cache_size=0)
    resolver.resolve("did:example:a")
    resolver.resolve("did:example:a")
    assert len(example.calls) == 2
    cached = Resolver(methods={"example": example})
    example.fail_next = DIDNetworkError("down", did="did:example:a")
    with pytest.raises(DIDNetworkError):
        cached.resolve("did:example:a")
    assert cached.resolve("did:example:a").did == "did:example:a"


def test_registering_again_replaces_and_drops_cached_results() -> None:
    old, new = CountingMethod(), CountingMethod()
    resolver = Resolver(methods={"example": old})
    resolver.resolve("did:example:a")
    resolver.register("example", new)
    resolver.resolve("did:example:a")
    assert len(old.calls) == 1 and len(new.calls) == 1


def test_at_must_be_an_aware_datetime_and_reaches_the_method_in_utc() -> None:
    example = CountingMethod()
    resolver = Resolver(methods={"example": example})
    with pytest.raises(InvalidInputError, match="timezone-aware"):
        resolver.resolve("did:example:a", at=datetime(2026, 5, 1))
    with pytest.raises(InvalidInputError, match="datetime"):
        resolver.resolve("did:example:a", at="2026-05-01")  # type: ignore[arg-type]
    resolver.resolve("did:example:a", at=datetime(2026, 5, 1, 2, tzinfo=timezone(timedelta(hours=2))))
    assert example.calls == [("did:example:a", T0)]
    assert example.calls[0][1].tzinfo == timezone.utc


def test_a_method_answering_for_another_did_is_refused() -> None:
    def liar(did: str, at: datetime | None = None) -> DIDResolutionResult:
        return DIDResolutionResult(document=DIDDocument(id="did:example:other"))

    with pytest.raises(InvalidDIDDocumentError, match="did:example:other"):
        Resolver(methods={"example": liar}).resolve("did:example:me")

    with pytest.raises(TypeError, match="DIDResolutionResult"):
        Resolver(methods={"example": lambda did, at=None: {"id": did}}).resolve("did:example:me")  # type: ignore


def test_resolve_verification_method() -> None:
    pair = KeyPair.generate()
    resolver = Resolver(methods={"example": CountingMethod()})
    vm, doc = resolver.resolve_verification_method(f"{pair.did}#{pair.public_key_multibase}")
    assert vm.public_key() == pair.public and doc.id == pair.did
    vm, doc = resolver.resolve_verification_method("did:example:a#key-1")  # relative id in the document
    assert vm.id == "#key-1" and doc.authorizes(vm.id)
    assert resolver.resolve_document("did:example:a") is doc


@pytest.mark.parametrize("url, error, match", [
    ("did:example:a", MalformedDIDError, "does not name a verification method"),
    ("did:example:a/path#key-1", MalformedDIDError, "without path or query"),
    ("did:example:a?versionId=1#key-1", MalformedDIDError, "without path or query"),
    ("did:example:a#key-2", VerificationMethodNotFoundError, r"no verification method did:example:a#key-2 .*key-1"),
])
def test_verification_method_errors(url: str, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        Resolver(methods={"example": CountingMethod()}).resolve_verification_method(url)


def test_not_found_verification_method_is_a_lookup_error() -> None:
    with pytest.raises(NotFoundError):
        Resolver(methods={"example": CountingMethod()}).resolve_verification_method("did:example:a#zzz")


def test_deactivated_did_resolves_but_its_keys_are_refused() -> None:
    resolver = Resolver(methods={"example": CountingMethod(deactivated=True)})
    assert resolver.resolve("did:example:a").deactivated
    with pytest.raises(DIDDeactivatedError, match="did:example:a is deactivated at 2026-05-01") as info:
        resolver.resolve_verification_method("did:example:a#key-1", at=T0)
    assert info.value.exit_code == 1


def test_constructor_arguments_are_checked() -> None:
    with pytest.raises(ValueError):
        Resolver(cache_size=-1)
    with pytest.raises(TypeError):
        Resolver().register("example", "not callable")  # type: ignore[arg-type]
    assert "key" in repr(Resolver())
