"""Bitstring Status List entries: lists built by the status export code, signed by the issuer; revocation,
suspension, statusSize > 1 with messages, a list by someone else, a list that cannot be fetched, the ttl cache,
and a registry entry and a list entry that disagree."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from microcred.did import KeyPair, Resolver
from microcred.did._net import FetchTimeoutError
from microcred.registry.ledger._client import Status
from microcred.registry.ledger._statuslist import encode_bitstring, status_list_credential
from microcred.registry.proofs import add_proof
from microcred.registry.status import StatusLists, read_entry
from microcred.registry.verify import Verifier, default_checks

URL = "https://issuer.example/status/revocation.json"
SUSP = "https://issuer.example/status/suspension.json"


def signed_list(key: KeyPair, url: str, purpose: str, statuses: list[Status], ttl: int | None = None) -> dict:
    doc = status_list_credential(list_url=url, issuer_did=key.did, purpose=purpose, statuses=statuses,
                                 valid_from=datetime(2026, 1, 1, tzinfo=timezone.utc), chain="eip155:31337",
                                 registry="0x5FbDB2315678afecb367f032d93F642f64180aa3", block=7)
    if ttl is not None:
        doc["credentialSubject"]["ttl"] = ttl
    return add_proof(doc, key, verification_method=key.did, cryptosuite="eddsa-rdfc-2022")


def badge(key: KeyPair, index: int, *entries: dict) -> dict:
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2"], "id": f"urn:uuid:{index}",
           "type": ["VerifiableCredential"], "issuer": key.did, "validFrom": "2026-01-01T00:00:00Z",
           "credentialSubject": {"name": "Ada"},
           "credentialStatus": list(entries) if len(entries) > 1 else entries[0]}
    return add_proof(doc, key, verification_method=key.did, cryptosuite="eddsa-rdfc-2022")


def entry(url: str, purpose: str, index: int, **extra) -> dict:
    return {"id": f"{url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": purpose,
            "statusListIndex": str(index), "statusListCredential": url, **extra}


@pytest.fixture
def key():
    return KeyPair.generate("ed25519")


@pytest.fixture
def lists(key):
    statuses = [Status.ACTIVE, Status.REVOKED, Status.SUSPENDED, Status.ACTIVE]
    return StatusLists([signed_list(key, URL, "revocation", statuses), signed_list(key, SUSP, "suspension", statuses)])


def verify(doc, lists):
    [v] = Verifier(default_checks(resolver=Resolver(), trusted_registries={}, status_lists=lists)).verify(
        [("b.json", doc)])
    return v


def test_active_revoked_suspended(key, lists):
    v = verify(badge(key, 0, entry(URL, "revocation", 0), entry(SUSP, "suspension", 0)), lists)
    assert v.result_of("status_list").result == "pass" and v.outcome == "valid" and v.status == "active"
    v = verify(badge(key, 1, entry(URL, "revocation", 1)), lists)
    assert v.result_of("status_list").result == "fail" and "revoked" in v.result_of("status_list").detail
    assert v.outcome == "invalid" and v.status == "revoked"
    v = verify(badge(key, 2, entry(URL, "revocation", 2), entry(SUSP, "suspension", 2)), lists)
    assert v.outcome == "invalid" and v.status == "suspended"


def test_a_list_signed_by_someone_else_is_not_believed(key):
    other = KeyPair.generate("ed25519")
    lists = StatusLists([signed_list(other, URL, "revocation", [Status.ACTIVE])])
    v = verify(badge(key, 0, entry(URL, "revocation", 0)), lists)
    assert v.result_of("status_list").result == "fail" and "not by the credential's issuer" in \
        v.result_of("status_list").detail


def test_a_changed_list_fails_its_signature(key):
    doc = signed_list(key, URL, "revocation", [Status.ACTIVE, Status.REVOKED])
    doc["credentialSubject"]["encodedList"] = encode_bitstring([], 2)  # "un-revoke" index 1
    v = verify(badge(key, 1, entry(URL, "revocation", 1)), StatusLists([doc]))
    assert v.result_of("status_list").result == "fail" and "signature" in v.result_of("status_list").detail


class _Fetcher:
    def __init__(self, doc=None):
        self.doc, self.asked = doc, []

    def get(self, url, *, accept="*/*"):
        import json

        self.asked.append(url)
        if self.doc is None:
            raise FetchTimeoutError(f"{url} did not answer within 10 s", url=url, host="issuer.example")

        class R:
            body = json.dumps(self.doc).encode()
        return R()


def test_a_list_that_cannot_be_fetched_is_could_not_check(key):
    v = verify(badge(key, 0, entry(URL, "revocation", 0)), StatusLists(fetcher=_Fetcher()))
    assert v.result_of("status_list").result == "error" and v.outcome == "unknown"


def test_fetched_lists_are_cached_for_their_ttl(key):
    doc = signed_list(key, URL, "revocation", [Status.ACTIVE], ttl=1000)
    now = [0.0]
    fetcher = _Fetcher(doc)
    lists = StatusLists(fetcher=fetcher, clock=lambda: now[0])
    lists.get(URL)
    lists.get(URL)
    assert fetcher.asked == [URL]
    now[0] = 1.5
    lists.get(URL)
    assert fetcher.asked == [URL, URL]
    v = verify(badge(key, 0, entry(URL, "revocation", 0)), lists)
    assert v.result_of("status_list").result == "pass"


def test_status_size_two_with_messages():
    bits = encode_bitstring([2 * 3 + 1], 8)  # entry 3, 2 bits: value 0b01
    lst = {"id": URL, "credentialSubject": {"type": "BitstringStatusList", "statusPurpose": "message",
                                            "encodedList": bits}}
    messages = [{"status": "0x0", "message": "pending"}, {"status": "0x1", "message": "accepted"}]
    got = read_entry(entry(URL, "message", 3, statusSize=2, statusMessage=messages), lst)
    assert (got.value, got.message) == (1, "accepted")


def test_a_registry_entry_and_a_list_entry_that_disagree_are_flagged(key, lists):
    from microcred.registry.verify._check import Subject
    from microcred.registry.verify._statuslist import StatusListCheck

    doc = badge(key, 1, entry(URL, "revocation", 1))
    subject = Subject.of("b.json", doc, when=datetime(2026, 6, 1, tzinfo=timezone.utc), at=None)
    subject.facts["status"] = "active"  # what the registry said
    result, detail = StatusListCheck(Resolver(), lists).run(subject, None)
    assert result == "error" and "disagree" in detail
    subject.facts["status"] = "revoked"
    result, detail = StatusListCheck(Resolver(), lists).run(subject, None)
    assert result == "fail" and "agrees with the registry" in detail


def test_a_list_that_failed_is_not_asked_again_for_a_minute(key):
    now = [0.0]
    fetcher = _Fetcher()
    lists = StatusLists(fetcher=fetcher, clock=lambda: now[0])
    for _ in range(3):  # three credentials naming one unreachable list: one wait
        with pytest.raises(FetchTimeoutError):
            lists.get(URL)
    assert fetcher.asked == [URL]
    now[0] = 61.0
    with pytest.raises(FetchTimeoutError):
        lists.get(URL)
    assert fetcher.asked == [URL, URL]


def _ours(key: KeyPair, index: int, base_url: str | None) -> dict:
    """A credential with microcred's one status object (its terms in microcred's context)."""
    from microcred.registry.status import registry_status_entry

    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/microcred/v1"],
           "id": f"urn:uuid:{index}", "type": ["VerifiableCredential"], "issuer": key.did,
           "validFrom": "2026-01-01T00:00:00Z", "credentialSubject": {"name": "Ada"},
           "credentialStatus": registry_status_entry(
               chain="eip155:31337", registry="0x5FbDB2315678afecb367f032d93F642f64180aa3",
               issuer_account="0x70997970C51812dc3A010C7d01b50e0d17dc79C8", index=index, base_url=base_url)}
    return add_proof(doc, key, verification_method=key.did, cryptosuite="eddsa-rdfc-2022")


def test_the_registry_entry_reads_its_list_when_it_can_and_skips_it_when_it_cannot(key):
    """microcred's one status object: its list (derived from the registry) is checked when given or fetched; a
    list that cannot be had is skipped, never "could not check" (the status check reads the registry); a urn list
    not given is not even reported."""
    from microcred.registry.verify._check import Subject
    from microcred.registry.verify._statuslist import StatusListCheck

    when = datetime(2026, 6, 1, tzinfo=timezone.utc)
    published = _ours(key, 1, "https://issuer.example/status")
    url = published["credentialStatus"]["statusListCredential"]
    assert url == "https://issuer.example/status/revocation"
    check = StatusListCheck(Resolver(), StatusLists(fetcher=_Fetcher()))
    subject = Subject.of("b.json", published, when=when, at=None)
    assert check.applies(subject)
    result, detail = check.run(subject, None)
    assert result == "skipped" and "the status check read the registry itself" in detail
    for on_list, registry, expected in ((Status.ACTIVE, "suspended", "pass"),  # "not revoked" agrees
                                        (Status.REVOKED, "revoked", "fail"),
                                        (Status.REVOKED, "active", "error")):
        listed = StatusLists([signed_list(key, url, "revocation", [Status.ACTIVE, on_list])])
        subject = Subject.of("b.json", published, when=when, at=None)
        subject.facts["status"] = registry  # the registry's word
        result, detail = StatusListCheck(Resolver(), listed).run(subject, None)
        assert result == expected, detail
        assert ("disagree" in detail) == (expected == "error")
    unpublished = _ours(key, 2, None)
    assert unpublished["credentialStatus"]["statusListCredential"].startswith("urn:microcred:status:eip155:31337:")
    assert not StatusListCheck(Resolver(), StatusLists()).applies(Subject.of("c.json", unpublished, when=when, at=None))
