"""Typed client of the AccreditationRegistry contract (the chain of trust), over an injected :class:`web3.Web3`.

A root accreditation body grants accreditation to bodies, which grant to issuers; every grant has a
:class:`Scope` (credential kind, maximum EQF level, ISCED-F field) and a validity period, and withdrawn grants keep
their record. :meth:`AccreditationClient.chains_of` reads, in one ``eth_call``, every grant of an issuer under the
roots a verifier trusts together with each grant's ancestors up to its root;
:mod:`microcred.registry.accreditation._trust`
judges them. :meth:`AccreditationClient.history` walks an account's linked events: one ``eth_getLogs`` per changed
block. Every custom error of the contract is raised as the named exception below (``REVERT_CLASSES``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, cast
from collections.abc import Mapping, Sequence

from eth_utils import keccak, to_checksum_address
from hexbytes import HexBytes

from microcred.errors import InvalidInputError, NotFoundError
from microcred.chain._address import checked_address
from microcred.chain._contract import ContractClient
from microcred.chain._errors import (
    ContractRevert,
    RPCResponseError,
    revert_classes,
    revert_decoder,
)
from microcred.chain._tx import Receipt

__all__ = [
    "AccreditationClient",
    "AccreditationChains",
    "AccreditationEvent",
    "AccreditationRevert",
    "Grant",
    "KNOWN_KINDS",
    "MAX_DEPTH",
    "REVERT_CLASSES",
    "RootBody",
    "Scope",
    "WITHDRAWAL_REASONS",
    "decode_accreditation_revert",
    "field_covers",
    "kind_hash",
    "kind_name",
    "withdrawal_reason_code",
    "withdrawal_reason_label",
]

#: The deepest chain the contract allows (a grant at this depth cannot be granted further).
MAX_DEPTH = 8

#: Credential kinds whose name the client shows instead of the hash (Open Badges 3.0 achievement types).
KNOWN_KINDS: tuple[str, ...] = (
    "MicroCredential", "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
    "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
    "GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram", "License", "Membership",
    "ProfessionalDoctorate", "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "Module",
    "ResearchDoctorate", "SecondarySchoolDiploma",
)

#: Documented reason codes of a withdrawal (uint8 on chain). 0 is "unspecified".
WITHDRAWAL_REASONS: dict[int, str] = {
    0: "unspecified",
    1: "granted-in-error",
    2: "quality-review-failed",
    3: "body-request",
    4: "superseded",
    5: "ceased-operation",
    6: "fraud",
    7: "under-investigation",
}

_FIELD = re.compile(r"^[0-9]{2,4}$")


def withdrawal_reason_code(value: str | int) -> int:
    """Parse a withdrawal reason given as a code (``2``) or a name (``quality-review-failed``)."""
    if isinstance(value, int) and not isinstance(value, bool) or (isinstance(value, str) and value.isdigit()):
        code = int(value)
        if not 0 <= code <= 255:
            raise InvalidInputError(f"a withdrawal reason code is 0 to 255, not {code}")
        return code
    for code, label in WITHDRAWAL_REASONS.items():
        if isinstance(value, str) and label == value.strip().lower():
            return code
    raise InvalidInputError(f"unknown withdrawal reason {value!r}; use one of: "
                            + ", ".join(f"{c} {n}" for c, n in WITHDRAWAL_REASONS.items()))


def withdrawal_reason_label(code: int) -> str:
    return WITHDRAWAL_REASONS.get(code, f"reason-{code}")


def _is_hash(text: str) -> bool:
    return bool(re.fullmatch(r"0x[0-9a-fA-F]{64}", text))


def kind_hash(kind: str) -> bytes:
    """The on-chain form of a credential kind: keccak256 of its name (a ``0x``-hash is taken as it is)."""
    if _is_hash(kind):
        return bytes.fromhex(kind[2:])
    return keccak(text=kind)


_KIND_NAMES = {keccak(text=k): k for k in KNOWN_KINDS}


def kind_name(value: bytes) -> str:
    """The name of a known kind hash, else the hash in hex."""
    return _KIND_NAMES.get(bytes(value), "0x" + bytes(value).hex())


def _field_bytes(code: str) -> bytes:
    return code.encode("ascii").ljust(4, b"\0")


def _field_text(value: bytes) -> str:
    raw = bytes(value).rstrip(b"\0")
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return "0x" + bytes(value).hex()
    return text if (text == "" or _FIELD.match(text)) else "0x" + bytes(value).hex()


def field_covers(outer: str, inner: str | None) -> bool:
    """Whether ISCED-F code ``outer`` covers ``inner``: ``outer`` is empty (every field) or a prefix of it.
    An unknown field (``None`` or ``""``) is covered only by ``""``."""
    if outer == "":
        return True
    return bool(inner) and str(inner).startswith(outer)


@dataclass(frozen=True)
class Scope:
    """What a grant allows: a credential ``kind`` (its name, hashed on chain), the highest EQF level ``max_level``
    (1-8) and an ISCED-F 2013 ``field`` code of 2-4 digits (``""`` = every field; ``"06"`` covers ``"0613"``)."""

    kind: str = "MicroCredential"
    max_level: int = 8
    field: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not self.kind.strip():
            raise InvalidInputError(f"a scope's kind is a name like 'MicroCredential', not {self.kind!r}")
        if isinstance(self.max_level, bool) or not isinstance(self.max_level, int) or not 1 <= self.max_level <= 8:
            raise InvalidInputError(f"a scope's EQF level is a whole number from 1 to 8, not {self.max_level!r}")
        if not isinstance(self.field, str) or not (self.field == "" or _FIELD.match(self.field)):
            raise InvalidInputError(f"a scope's field is an ISCED-F 2013 code of 2 to 4 digits (like '06' or "
                                    f"'0613'), or '' for every field, not {self.field!r}")

    def covers(self, other: Scope) -> bool:
        """Whether this scope includes ``other``: same kind, level not above, field covered."""
        return (kind_hash(self.kind) == kind_hash(other.kind) and other.max_level <= self.max_level
                and field_covers(self.field, other.field))

    def describe(self) -> str:
        """``MicroCredential EQF ≤ 6, field 06`` (or ``all fields``)."""
        fields = f"field {self.field}" if self.field else "all fields"
        return f"{self.kind} EQF ≤ {self.max_level}, {fields}"

    def to_chain(self) -> tuple[bytes, int, bytes]:
        return kind_hash(self.kind), self.max_level, _field_bytes(self.field)

    @classmethod
    def from_chain(cls, raw: Sequence[Any] | Mapping[str, Any]) -> Scope:
        if isinstance(raw, Mapping) or hasattr(raw, "keys"):  # a decoded event gives the struct by name
            named = cast(Mapping[str, Any], raw)
            raw = (named["kind"], named["maxLevel"], named["field"])
        kind, level, fld = raw
        text = _field_text(fld)
        if text.startswith("0x") or not 1 <= int(level) <= 8:
            raise RPCResponseError(f"the registry returned a malformed scope ({raw!r})")
        return cls(kind_name(bytes(kind)), int(level), text)


def _date(ts: int | None) -> str:
    if ts is None:
        return "an unknown time"
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d")


def _time(ts: int) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class Grant:
    """A grant of accreditation as recorded on chain (``withdrawn_at`` is ``None`` while not withdrawn)."""

    id: int
    grantor: str
    subject: str
    scope: Scope
    valid_from: int
    valid_until: int
    created_at: int
    withdrawn_at: int | None
    withdraw_reason: int
    parent: int
    depth: int

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def problem_at(self, t: int) -> str | None:
        """Why this grant did not hold at unix time ``t`` (``None`` when it did): made later, withdrawn, not yet
        valid, expired. A grant withdrawn at the very second ``t`` counts as withdrawn."""
        if self.created_at > t:
            return f"made at {_time(self.created_at)}, after {_time(t)}"
        if self.withdrawn_at is not None and self.withdrawn_at <= t:
            return (f"withdrawn on {_date(self.withdrawn_at)} "
                    f"({withdrawal_reason_label(self.withdraw_reason)})")
        if t < self.valid_from:
            return f"not yet valid on {_date(t)} (valid from {_date(self.valid_from)})"
        if t >= self.valid_until:
            return f"expired on {_date(self.valid_until)}"
        return None

    def period(self) -> str:
        return f"{_date(self.valid_from)}–{_date(self.valid_until)}"

    @classmethod
    def from_chain(cls, raw: Sequence[Any]) -> Grant:
        try:
            gid, grantor, subject, scope, vf, vu, created, withdrawn, reason, parent, depth = raw
            return cls(int(gid), to_checksum_address(grantor), to_checksum_address(subject), Scope.from_chain(scope),
                       int(vf), int(vu), int(created), int(withdrawn) or None, int(reason), int(parent), int(depth))
        except RPCResponseError:
            raise
        except (TypeError, ValueError) as exc:
            raise RPCResponseError(f"the registry returned a malformed grant ({exc})") from exc


@dataclass(frozen=True)
class RootBody:
    """A declared root accreditation body (being one means nothing until a verifier's trust list names it)."""

    account: str
    name: str
    country: str
    declared_at: int


@dataclass(frozen=True)
class AccreditationChains:
    """The answer of :meth:`AccreditationClient.chains_of`: grants of ``subject`` and all their ancestors."""

    subject: str
    grants: dict[int, Grant]
    #: ids of the subject's own grants, newest first
    leaf_ids: tuple[int, ...]
    #: how many grants the subject holds under any root (also those the query's roots filtered out)
    subject_grants: int

    @property
    def leaves(self) -> list[Grant]:
        return [self.grants[i] for i in self.leaf_ids]

    def path(self, leaf: Grant | int) -> list[Grant]:
        """The chain of ``leaf``: the leaf, its parent, …, the grant made by the root as root."""
        current = self.grants[leaf if isinstance(leaf, int) else leaf.id]
        out = [current]
        while current.parent:
            parent = self.grants.get(current.parent)
            if parent is None or parent.subject != current.grantor or len(out) > MAX_DEPTH:
                raise RPCResponseError(f"the registry returned a broken chain for grant {out[0].id} "
                                       f"(ancestor {current.parent} missing or inconsistent)")
            out.append(parent)
            current = parent
        return out

    def root_of(self, leaf: Grant | int) -> str:
        """The root account at the top of ``leaf``'s chain."""
        return self.path(leaf)[-1].grantor


@dataclass(frozen=True)
class AccreditationEvent:
    """One change touching an account, from the chain's events."""

    kind: str  # root-declared | granted | withdrawn
    account: str  # the account whose history this is
    role: str  # root | grantor | subject
    block_number: int
    tx_hash: str
    log_index: int
    previous_change: int
    data: dict[str, Any] = field(default_factory=dict)
    time: int | None = None


# -- errors ---------------------------------------------------------------------------------------------------------


class AccreditationRevert(ContractRevert):
    """A custom error of the accreditation registry. Subclasses are named after the Solidity error."""

    @classmethod
    def show(cls, name: str, value: Any) -> str:
        return _show(name, value)


def _show(name: str, value: Any) -> str:
    """An error argument for people: times as dates, fields and kinds by name."""
    if name in ("validFrom", "validUntil", "time", "withdrawnAt", "parentFrom", "parentUntil"):
        return _time(int(value)) if 0 < int(value) < 2**40 else str(value)
    if isinstance(value, str) and value.startswith("0x"):
        if name in ("field", "parentField"):
            text = _field_text(bytes.fromhex(value[2:]))
            return "every field" if text == "" else repr(text) if not text.startswith("0x") else text
        if name in ("kind", "parentKind"):
            return kind_name(bytes.fromhex(value[2:]))
        if name == "country":
            try:
                return repr(bytes.fromhex(value[2:]).decode("ascii"))
            except UnicodeDecodeError:
                return value
    return str(value)


def _revert(name: str, template: str, *bases: type) -> type[AccreditationRevert]:
    cls = type(name + "Error", (AccreditationRevert, *bases),
               {"solidity_name": name, "template": template, "contract": "AccreditationRegistry"})
    cls.__doc__ = f"Solidity error ``{name}``: " + template
    cls.__module__ = __name__
    return cls


RootAlreadyDeclaredError = _revert("RootAlreadyDeclared", "account {account} is already a root accreditation body")
InvalidRootNameError = _revert("InvalidRootName", "a root's name must be 1 to 64 bytes long, not {length}",
                               InvalidInputError)
InvalidCountryError = _revert("InvalidCountry", "{country} is not an ISO 3166-1 alpha-2 country code (like 'DE')",
                              InvalidInputError)
NotRootError = _revert("NotRoot", "account {account} is not a declared root, so it can only grant from a grant it "
                       "holds (name it as the parent)")
ZeroSubjectError = _revert("ZeroSubject", "a grant needs a subject account", InvalidInputError)
SelfGrantError = _revert("SelfGrant", "account {account} cannot accredit itself", InvalidInputError)
ZeroKindError = _revert("ZeroKind", "a scope needs a credential kind", InvalidInputError)
InvalidLevelError = _revert("InvalidLevel", "an EQF level is 1 to 8, not {level}", InvalidInputError)
InvalidFieldError = _revert("InvalidField", "{field} is not an ISCED-F code of 2 to 4 digits", InvalidInputError)
InvalidValidityError = _revert("InvalidValidity", "a validity period must start before it ends (and end before "
                               "2^40): from {validFrom} until {validUntil}", InvalidInputError)
ValidityEndedError = _revert("ValidityEnded", "the validity period ends at {validUntil}, which is not after now "
                             "({time})", InvalidInputError)
UnknownGrantError = _revert("UnknownGrant", "there is no grant {grantId}", NotFoundError)
ParentNotHeldError = _revert("ParentNotHeld", "grant {parentId} is held by {holder}, not by {account}: a body can "
                             "only grant what it holds")
ParentNotLiveError = _revert("ParentNotLive", "grant {parentId} is not live at {time} (valid from {validFrom} "
                             "until {validUntil})")
ParentWithdrawnError = _revert("ParentWithdrawn", "grant {withdrawnId} (grant {parentId} or one of its ancestors) "
                               "was withdrawn at {withdrawnAt}")
ParentKindDiffersError = _revert("ParentKindDiffers", "out of scope: kind {kind} is not the kind {parentKind} of "
                                 "grant {parentId}")
LevelAboveParentError = _revert("LevelAboveParent", "out of scope: EQF level {maxLevel} is above level "
                                "{parentMaxLevel} of grant {parentId}")
FieldNotCoveredError = _revert("FieldNotCovered", "out of scope: field {field} is not covered by field "
                               "{parentField} of grant {parentId}")
ValidityOutsideParentError = _revert("ValidityOutsideParent", "the period from {validFrom} until {validUntil} is "
                                     "not inside the period of grant {parentId} (from {parentFrom} until "
                                     "{parentUntil})")
ChainTooDeepError = _revert("ChainTooDeep", "grant {parentId} is at the deepest level allowed ({maxDepth}): it "
                            "cannot be granted further")
NotGrantorError = _revert("NotGrantor", "account {account} may not withdraw grant {grantId}: only its grantor "
                          "{grantor} may")
AlreadyWithdrawnError = _revert("AlreadyWithdrawn", "grant {grantId} was already withdrawn at {withdrawnAt}")

#: Solidity error name → exception class, for every error of the AccreditationRegistry ABI.
REVERT_CLASSES: dict[str, type[ContractRevert]] = revert_classes("AccreditationRegistry")


def decode_accreditation_revert(data: bytes | None) -> AccreditationRevert | None:
    """The named exception for revert ``data`` of the accreditation registry, ``None`` when it is not one of its
    errors (or malformed)."""
    error = revert_decoder("AccreditationRegistry").decode(data)
    return error if isinstance(error, AccreditationRevert) else None


# -- the client -----------------------------------------------------------------------------------------------------


def _uint(value: Any, what: str, bits: int = 64) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**bits:
        raise InvalidInputError(f"{what} must be a whole number from 0 to 2^{bits}-1, not {value!r}")
    return value


def _unix(value: int | datetime, what: str) -> int:
    if isinstance(value, datetime):
        value = int((value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp())
    return _uint(value, what)


_EVENT_KINDS = {"RootDeclared": "root-declared", "AccreditationGranted": "granted",
                "AccreditationWithdrawn": "withdrawn"}


class AccreditationClient(ContractClient):
    """The AccreditationRegistry at ``address``.

    ``sender`` signs and sends writes; read-only use (a verifier) needs none. ``endpoint`` names the RPC in messages.
    """

    CONTRACT = "AccreditationRegistry"
    ADDRESS = "the accreditation registry address"
    KIND = "accreditation registry"
    HINT = "deploy it (`microcred deploy`) or fix the trust list or network"
    CLIENT = "accreditation"

    # -- plumbing ---------------------------------------------------------------------------------------------------
    def _send(self, fn: Any, what: str) -> Receipt:
        return self._need_sender().send(fn, contract="AccreditationRegistry", what=what)

    # -- writes -----------------------------------------------------------------------------------------------------
    def declare_root(self, name: str, country: str) -> Receipt:
        """Declare the signer a root accreditation body (meaningful only to verifiers whose trust list names it)."""
        if not isinstance(name, str) or not 1 <= len(name.encode("utf-8")) <= 64:
            raise InvalidInputError(f"a root's name is 1 to 64 bytes of text, not {name!r}")
        if not isinstance(country, str) or not re.fullmatch(r"[A-Z]{2}", country):
            raise InvalidInputError(f"a country is an ISO 3166-1 alpha-2 code like 'DE', not {country!r}")
        fn = self.contract.functions.declareRoot(name, country.encode("ascii"))
        return self._send(fn, "declaring a root accreditation body")

    def grant(self, subject: str, scope: Scope, valid_from: int | datetime, valid_until: int | datetime,
              parent: int = 0) -> int:
        """Accredit ``subject`` for ``scope`` during [``valid_from``, ``valid_until``) (unix times or datetimes),
        deriving from the signer's own grant ``parent`` (0: the signer acts as a root). Returns the grant id.
        A refusal (scope wider than the parent's, parent expired or withdrawn, …) raises before gas is spent."""
        if not isinstance(scope, Scope):
            raise InvalidInputError(f"scope must be a Scope, not {type(scope).__name__}")
        fn = self.contract.functions.grant(
            checked_address(subject, "the subject"), scope.to_chain(), _unix(valid_from, "valid-from"),
            _unix(valid_until, "valid-until"), _uint(parent, "the parent grant id"))
        receipt = self._send(fn, "granting accreditation")
        for log in receipt.logs:
            event = self.decode_log(log)
            if event is not None and event.kind == "granted":
                return int(event.data["grant_id"])
        raise RPCResponseError(f"granting accreditation: transaction {receipt.tx_hash} was mined but its receipt "
                               "carries no AccreditationGranted event")

    def withdraw(self, grant_id: int, reason: int | str = 0) -> Receipt:
        """Withdraw, finally, the signer's grant ``grant_id`` for ``reason`` (see :data:`WITHDRAWAL_REASONS`)."""
        fn = self.contract.functions.withdraw(_uint(grant_id, "the grant id"), withdrawal_reason_code(reason))
        return self._send(fn, f"withdrawing grant {grant_id}")

    # -- reads ------------------------------------------------------------------------------------------------------
    def grant_of(self, grant_id: int, *, block: int | str = "latest") -> Grant:
        """The record of grant ``grant_id``; :class:`UnknownGrantError` when there is none."""
        raw = self._call(f"reading grant {grant_id}",
                         self.contract.functions.getGrant(_uint(grant_id, "the grant id")), block)
        return Grant.from_chain(raw)

    def grants_of(self, subject: str, *, block: int | str = "latest") -> list[int]:
        """Ids of every grant whose subject is ``subject``, oldest first (withdrawn ones included)."""
        fn = self.contract.functions.grantsOf(checked_address(subject, "the subject"))
        return [int(i) for i in self._call("reading the grants of an account", fn, block)]

    def grant_count(self, *, block: int | str = "latest") -> int:
        return int(self._call("reading the number of grants", self.contract.functions.grantCount(), block))

    def root_of(self, account: str, *, block: int | str = "latest") -> RootBody | None:
        """The declaration of root ``account``, ``None`` when it is not a root."""
        account = checked_address(account, "the account")
        name, country, declared = self._call("reading a root", self.contract.functions.rootOf(account), block)
        if not declared:
            return None
        return RootBody(account, str(name), bytes(country).decode("ascii", "replace"), int(declared))

    def is_root(self, account: str, *, block: int | str = "latest") -> bool:
        fn = self.contract.functions.isRoot(checked_address(account, "the account"))
        return bool(self._call("reading a root", fn, block))

    def last_change(self, account: str, *, block: int | str = "latest") -> int:
        """Block of the latest change touching ``account`` (0 if none): the head of its history."""
        return int(self._call("reading an account's history head",
                              self.contract.functions.lastChange(checked_address(account, "the account")), block))

    def field_covers(self, outer: str, inner: str) -> bool:
        """The contract's own answer to "does field ``outer`` cover ``inner``" (for cross-checks)."""
        return bool(self._call("comparing fields", self.contract.functions.fieldCovers(
            _field_bytes(outer), _field_bytes(inner))))

    def chains_of(self, subject: str, roots: Sequence[str] | None = None, *,
                  block: int | str = "latest") -> AccreditationChains:
        """Every grant of ``subject`` whose chain ends at one of ``roots`` (every grant when ``roots`` is None or
        empty) with all its ancestors: one ``eth_call``. The records keep withdrawal times, so the answer of
        ``latest`` also tells whether a chain held at any past time."""
        subject = checked_address(subject, "the subject")
        root_list = [checked_address(r, "a root account") for r in (roots or ())]
        raw, count = self._call("reading accreditation chains",
                                self.contract.functions.chainsOf(subject, root_list), block)
        grants: dict[int, Grant] = {}
        leaves: list[int] = []
        for item in raw:
            g = Grant.from_chain(item)
            if g.id in grants and grants[g.id] != g:
                raise RPCResponseError(f"reading accreditation chains: {self.endpoint} returned two different "
                                       f"records of grant {g.id}")
            grants[g.id] = g
            if g.subject == subject and g.id not in leaves:
                leaves.append(g.id)
        chains = AccreditationChains(subject, grants, tuple(leaves), int(count))
        for leaf in leaves:
            chains.path(leaf)  # raises when an ancestor is missing
        return chains

    # -- history ----------------------------------------------------------------------------------------------------
    def decode_log(self, log: Any) -> AccreditationEvent | None:
        """A registry log as an event (``account``/``role`` name its first account); ``None`` for other logs."""
        events = self._decode(log)
        return events[0] if events else None

    def _decode(self, log: Any) -> list[AccreditationEvent]:
        """The log as one event per account it touches."""
        name = self._event_name(log)
        if name is None:
            return []
        try:
            args = dict(getattr(self.contract.events, name)().process_log(log)["args"])
        except Exception as exc:  # noqa: BLE001 - a log that does not decode is a bad answer
            raise RPCResponseError(f"reading history: an undecodable {name} log ({exc})") from exc
        kind, tx_hash = _EVENT_KINDS[name], "0x" + bytes(HexBytes(log["transactionHash"])).hex()
        block_number, log_index = int(log["blockNumber"]), int(log["logIndex"])

        def event(account: str, role: str, previous_change: Any, data: dict[str, Any]) -> AccreditationEvent:
            return AccreditationEvent(kind=kind, account=account, role=role, block_number=block_number,
                                      tx_hash=tx_hash, log_index=log_index, previous_change=int(previous_change),
                                      data=data)

        if name == "RootDeclared":
            data = {"name": args["name"], "country": bytes(args["country"]).decode("ascii", "replace")}
            return [event(to_checksum_address(args["root"]), "root", args["previousChange"], data)]
        data = {"grant_id": int(args["grantId"]), "grantor": to_checksum_address(args["grantor"]),
                "subject": to_checksum_address(args["subject"])}
        if name == "AccreditationGranted":
            data.update(parent=int(args["parentId"]), scope=Scope.from_chain(args["scope"]),
                        valid_from=int(args["validFrom"]), valid_until=int(args["validUntil"]))
        else:
            data.update(reason=int(args["reason"]), reason_label=withdrawal_reason_label(int(args["reason"])))
        return [
            event(data["grantor"], "grantor", args["grantorPreviousChange"], data),
            event(data["subject"], "subject", args["subjectPreviousChange"], data),
        ]

    def history(self, account: str, *, block: int | str = "latest",
                with_times: bool = True) -> list[AccreditationEvent]:
        """Every change touching ``account`` (as root, grantor or subject) up to ``block``, oldest first, walking
        the linked events: one ``eth_getLogs`` per changed block (plus one call for the head, and one request for
        block times)."""
        account = checked_address(account, "the account")
        head = self.last_change(account, block=block)

        def decode(log: Any, _block: int) -> list[AccreditationEvent]:
            return [e for e in self._decode(log) if e.account == account]

        events = self._walker.walk(head, decode, subject=account, what="reading an accreditation history")
        if with_times and events:
            times = self._times.of_numbers([e.block_number for e in events])
            events = [replace(e, time=times.get(e.block_number)) for e in events]
        return events
