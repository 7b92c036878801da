"""What an audit reads from the chain, in one place for every reader (``microcred audit``, ``microcred history``,
a service): the issuer's timeline from its three registries, the count of its events, and who the issuer is.

Everything here only reads. The registries come from the caller (:class:`AuditRegistries`): which contracts to
believe is the verifier's decision, never the credential's.

Who the issuer is (:func:`identify_issuer`) is taken, in this order, from what anyone can check:

1. the chain: a DID binding the account itself published on its ERC-1056 identity (``microcred/binding``), whose
   statement names this account, chain and DID registry and which :func:`~microcred.did._binding.
   verify_binding` confirms;
2. credentials of the issuer the auditor holds, when their proof verifies with a key of ``issuer.id`` and that DID
   is bound to the account (1.) or is the account's own did:ethr: that DID, and ``issuer.legalName`` (else
   ``issuer.name``);
3. the issuer profile in the local home, last: an auditor with an empty home must get the same report as the
   issuer, so the profile only fills what the chain and the credentials leave empty.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any


from microcred.chain import checked_address
from microcred.errors import InvalidInputError
from microcred.registry.audit._sources import from_accreditation_events, from_did_events
from microcred.registry.ledger import registry_client
from microcred.registry.audit._timeline import SOURCES, TimelineEntry, from_registry_events, merge_timelines

__all__ = [
    "REGISTRY_CONTRACTS",
    "AuditRegistries",
    "BindingCheck",
    "SignatureCheck",
    "EventCounts",
    "IssuerIdentity",
    "bound_dids",
    "count_events",
    "identify_issuer",
    "issuer_timeline",
]

#: the contract behind each source of the timeline
REGISTRY_CONTRACTS: Mapping[str, str] = {"credentials": "CredentialRegistry", "did": "EthereumDIDRegistry",
                                         "accreditation": "AccreditationRegistry"}


@dataclass(frozen=True)
class AuditRegistries:
    """The registries an audit reads: the credential registry, and the DID and accreditation registries when the
    chain has them (``None``: that part of the history is not read, and the report says so)."""

    credentials: str
    did: str | None = None
    accreditation: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "credentials", checked_address(self.credentials, "the credential registry"))
        for name in ("did", "accreditation"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, checked_address(value, f"the {name} registry"))

    @classmethod
    def of_chain(cls, addresses: Mapping[str, str], credentials: str | None = None) -> AuditRegistries:
        """From a chain's known addresses (``{"CredentialRegistry": …, "EthereumDIDRegistry": …, …}``);
        ``credentials`` replaces the credential registry (e.g. the one the issuer's credentials name)."""
        registry = credentials or addresses.get("CredentialRegistry")
        if not registry:
            raise InvalidInputError("no credential registry is known for this chain: give its address")
        return cls(registry, addresses.get("EthereumDIDRegistry"), addresses.get("AccreditationRegistry"))

    def of_source(self, source: str) -> str | None:
        """The registry whose logs make the entries of ``source`` (``credentials``, ``did``, ``accreditation``)."""
        if source not in SOURCES:
            raise InvalidInputError(f"a timeline source is one of {', '.join(SOURCES)}, not {source!r}")
        return getattr(self, "credentials" if source == "credentials" else source)

    def to_dict(self) -> dict[str, dict[str, str | None]]:
        return {source: {"contract": REGISTRY_CONTRACTS[source], "address": self.of_source(source)}
                for source in SOURCES}


@dataclass(frozen=True)
class EventCounts:
    """How many events a timeline holds, in all and per source: what ``audit`` and ``history`` both report."""

    total: int
    by_source: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, **{source: self.by_source.get(source, 0) for source in SOURCES}}

    def describe(self) -> str:
        """``"12 events (9 credential registry, 2 DID, 1 accreditation)"``."""
        words = {"credentials": "credential registry", "did": "DID", "accreditation": "accreditation"}
        parts = ", ".join(f"{self.by_source.get(s, 0)} {words[s]}" for s in SOURCES)
        return f"{self.total} event{'' if self.total == 1 else 's'} ({parts})"


def count_events(timeline: Iterable[TimelineEntry]) -> EventCounts:
    """The one way events are counted: one per log in the merged timeline (a transaction with two logs of the
    issuer is two events; the same log given twice is one)."""
    entries = merge_timelines(timeline)
    by_source = {source: 0 for source in SOURCES}
    for entry in entries:
        by_source[entry.source] += 1
    return EventCounts(len(entries), by_source)


def issuer_timeline(chain: Any, account: str, registries: AuditRegistries, *,
                    block: int | str = "latest", credential_events: Iterable[Any] | None = None
                    ) -> list[TimelineEntry]:
    """The issuer's whole history as of ``block``: its credential registry changes, and the changes of its DID
    (ERC-1056) and accreditations when those registries are given; merged in chain order, with block times. What
    ``audit`` reports and ``history`` lists (and :func:`count_events` counts for both).

    ``chain`` is a connected :class:`microcred.chain.Chain`; only reads are made (history walks, one log query per
    changed block, and block times). ``credential_events``: the credential registry history as of ``block`` when
    the caller has read it already (e.g. agreed by several endpoints); read here otherwise.
    """
    account = checked_address(account, "the issuer account")
    events = (list(credential_events) if credential_events is not None
              else registry_client(chain, address=registries.credentials).history(account, block=block))
    sources: list[list[TimelineEntry]] = [from_registry_events(events)]
    if registries.did is not None:
        from microcred.did._ethr import EthrResolver

        resolver = EthrResolver(chain.w3, registries.did, chain.chain_id)
        did_events = [e for e in resolver.history(account) if block == "latest" or e.block_number <= int(block)]
        undated = sorted({e.block_number for e in did_events if e.block_timestamp is None})
        times = registry_client(chain, address=registries.credentials).block_times(undated) if undated else {}
        sources.append(from_did_events(did_events, times))
    if registries.accreditation is not None:
        from microcred.registry.accreditation._client import AccreditationClient

        client = AccreditationClient(chain.w3, registries.accreditation, endpoint=chain.endpoint)
        sources.append(from_accreditation_events(client.history(account, block=block)))
    return merge_timelines(*sources)


# -- who the issuer is ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuerIdentity:
    """The issuer as the report names it: account, DID and legal name, and where each came from
    (``"chain binding"``, ``"credential"``, ``"issuer profile"``; the account is always the chain's)."""

    account: str
    did: str | None = None
    legal_name: str | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"account": self.account, "did": self.did, "legal_name": self.legal_name,
                "sources": dict(self.sources)}


#: ``binding_check(did) -> bool``: whether ``did`` is bound to the issuer account on the chain
BindingCheck = Callable[[str], bool]
#: ``signature_check(credential) -> bool``: whether the credential's proof verifies with a key of its ``issuer``
SignatureCheck = Callable[[Mapping[str, Any]], bool]


def bound_dids(timeline: Iterable[TimelineEntry], account: str, chain_id: int, did_registry: str) -> list[str]:
    """DIDs named by the ``microcred/binding`` attributes of ``account`` in the timeline (newest first) whose
    statement names this account, chain and DID registry (where the binding is published). Still to be confirmed
    by a binding check (the DID's key signed the statement; the binding is live)."""
    from microcred.did._binding import BINDING_ATTRIBUTE, decode_binding

    account = checked_address(account, "the issuer account")
    registry = checked_address(did_registry, "the DID registry")
    out: list[str] = []
    for entry in reversed(merge_timelines(timeline)):
        if entry.source != "did" or entry.kind != "attribute-changed" or entry.details.get("name") != \
                BINDING_ATTRIBUTE:
            continue
        try:
            statement, _, _ = decode_binding(bytes.fromhex(str(entry.details.get("value", ""))[2:]))
        except ValueError:
            continue  # not a binding: nothing to name
        did = statement.get("did")
        if (isinstance(did, str) and did not in out and str(statement.get("account", "")).lower() == account.lower()
                and statement.get("chainId") == chain_id
                and str(statement.get("registry", "")).lower() == registry.lower()):
            out.append(did)
    return out


def identify_issuer(account: str, *, candidates: Sequence[str] = (), binding_check: BindingCheck | None = None,
                    credentials: Iterable[Mapping[str, Any]] = (), signature_check: SignatureCheck | None = None,
                    profile: Mapping[str, Any] | None = None) -> IssuerIdentity:
    """Name the issuer of ``account`` (see the module for the order of sources).

    ``candidates``: DIDs the chain's binding attributes name (:func:`bound_dids`); ``binding_check(did)``
    confirms one is bound (without it, no DID is taken from the chain or from credentials, except the account's
    own did:ethr). ``credentials``: parsed credentials of the issuer; those whose status entry names another
    account, or whose proof ``signature_check`` does not confirm (without it, none is read), are ignored.
    ``profile``: the local issuer profile (``did``, ``legal_name``), used last.
    """
    account = checked_address(account, "the issuer account")
    checked: dict[str, bool] = {}

    def bound(did: str) -> bool:
        if did not in checked:
            own = did.startswith("did:ethr:") and did.rsplit(":", 1)[-1].lower() == account.lower()
            checked[did] = own or (binding_check is not None and bool(binding_check(did)))
        return checked[did]

    did: str | None = None
    name: str | None = None
    sources: dict[str, str] = {"account": "chain"}
    for candidate in candidates:
        if bound(candidate):
            did, sources["did"] = candidate, "chain binding"
            break
    for credential in credentials:
        issuer, entry = credential.get("issuer"), credential.get("credentialStatus")
        entries = entry if isinstance(entry, list) else [entry]
        if not any(isinstance(e, Mapping) and str(e.get("issuerAccount", "")).lower() == account.lower()
                   for e in entries):
            continue
        issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
        if not isinstance(issuer_id, str) or (did is not None and issuer_id != did) or not bound(issuer_id):
            continue
        if signature_check is None or not signature_check(credential):
            continue
        if did is None:
            did, sources["did"] = issuer_id, "credential"
        legal = (issuer.get("legalName") or issuer.get("name")) if isinstance(issuer, Mapping) else None
        if isinstance(legal, str) and legal.strip():
            name, sources["legal_name"] = legal.strip(), "credential"
            break
    if profile is not None:
        if did is None and profile.get("did"):
            did, sources["did"] = str(profile["did"]), "issuer profile"
        if name is None and profile.get("legal_name") and (did is None or profile.get("did") == did):
            name, sources["legal_name"] = str(profile["legal_name"]), "issuer profile"
    return IssuerIdentity(account=account, did=did, legal_name=name, sources=sources)

