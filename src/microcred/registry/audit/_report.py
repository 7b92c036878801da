"""The model of an issuer's audit report for a quality agency: who the issuer is, figures and the full timeline,
each claim with the transaction (and block) that proves it, and its JSON form.

:meth:`AuditReport.build` takes a timeline (:mod:`microcred.registry.audit._timeline`) and computes the figures;
:meth:`AuditReport.to_json` / :meth:`AuditReport.from_json` give and read them as JSON. The HTML page is drawn
apart, by :mod:`microcred.registry.audit._html` (:meth:`AuditReport.to_html` calls it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from collections.abc import Iterable, Mapping


from microcred.chain import checked_address
from microcred.errors import InvalidInputError
from microcred.registry.ledger._client import reason_label
from microcred.registry.audit._collect import AuditRegistries, EventCounts, IssuerIdentity, count_events
from microcred.registry.audit._timeline import StatusReplay, TimelineEntry, merge_timelines

__all__ = ["AuditReport", "Evidence", "Figure", "MonthRow", "Rate", "ReasonRow", "REPORT_FORMAT"]

#: the ``format`` member of the JSON form; bumped when its shape changes
REPORT_FORMAT = "microcred-audit-report/1"

_CAIP2 = re.compile(r"^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}$")
_STATUS_KINDS = ("revoked", "suspended", "reinstated")


# -- the data ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Evidence:
    """The log that proves (part of) a claim."""

    tx_hash: str
    block: int
    log_index: int

    @classmethod
    def of(cls, entry: TimelineEntry) -> Evidence:
        return cls(entry.tx_hash, entry.block, entry.log_index)

    def to_dict(self) -> dict[str, Any]:
        return {"tx_hash": self.tx_hash, "block": self.block, "log_index": self.log_index}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(str(data["tx_hash"]), int(data["block"]), int(data["log_index"]))


def _evidence_list(data: Iterable[Mapping[str, Any]]) -> tuple[Evidence, ...]:
    return tuple(Evidence.from_dict(e) for e in data)


@dataclass(frozen=True)
class Figure:
    """A count, with the logs it was counted from."""

    name: str
    label: str
    value: int
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Rate:
    """``numerator / denominator`` of two figures; ``None`` when the denominator is 0."""

    name: str
    label: str
    value: float | None
    numerator: str
    denominator: str


@dataclass(frozen=True)
class ReasonRow:
    """Credentials revoked, suspended and reinstated for one reason code."""

    code: int
    label: str
    revoked: int = 0
    suspended: int = 0
    reinstated: int = 0
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class MonthRow:
    """Credentials issued (anchored), revoked, suspended and reinstated in one calendar month (UTC)."""

    month: str  # YYYY-MM
    issued: int = 0
    revoked: int = 0
    suspended: int = 0
    reinstated: int = 0
    evidence: tuple[Evidence, ...] = ()


def _check_url_template(template: str | None, placeholder: str, example: Any) -> str | None:
    if template is None:
        return None
    marker = "{" + placeholder + "}"
    if not isinstance(template, str) or not re.match(r"^https?://", template) or marker not in template:
        raise InvalidInputError(
            f"an explorer URL is an http(s) URL with {{{placeholder}}} in it, e.g. "
            f"https://sepolia.etherscan.io/{'tx' if placeholder == 'tx' else 'block'}/{{{placeholder}}}; "
            f"not {template!r}")
    try:
        template.format(**{placeholder: example})
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInputError(f"the explorer URL {template!r} has a placeholder other than {{{placeholder}}} "
                                f"({exc})") from None
    return template


def _month(entry: TimelineEntry) -> str:
    if entry.time is None:
        raise InvalidInputError(
            f"the change in transaction {entry.tx_hash} (block {entry.block}) has no time: read the history with "
            "block times to build a report")
    return datetime.fromtimestamp(entry.time, timezone.utc).strftime("%Y-%m")


def _months_between(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    ly, lm = int(last[:4]), int(last[5:])
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class AuditReport:
    """What the chain says about one issuer, computed from its timeline. Build with :meth:`build`."""

    issuer: str
    chain: str
    registry: str
    generated_at: datetime
    counts: tuple[Figure, ...]
    rates: tuple[Rate, ...]
    by_reason: tuple[ReasonRow, ...]
    by_month: tuple[MonthRow, ...]
    timeline: tuple[TimelineEntry, ...]
    explorer_tx_url: str | None = None
    explorer_block_url: str | None = None
    format: str = field(default=REPORT_FORMAT)
    #: who the issuer is beyond its account (DID, legal name) and where that came from
    identity: IssuerIdentity | None = None
    #: the registry behind each source of the timeline
    registries: AuditRegistries | None = None

    @property
    def issuer_did(self) -> str | None:
        return self.identity.did if self.identity else None

    @property
    def issuer_name(self) -> str | None:
        return self.identity.legal_name if self.identity else None

    @property
    def events(self) -> EventCounts:
        """The events of the timeline, counted as ``microcred history`` counts them (:func:`count_events`)."""
        return count_events(self.timeline)

    def registry_of(self, source: str) -> str | None:
        """The address of the registry whose logs make the entries of ``source``."""
        registries = self.registries or AuditRegistries(self.registry)
        return registries.of_source(source)

    # -- building ---------------------------------------------------------------------------------------------
    @classmethod
    def build(cls, issuer_account: str, timeline: Iterable[TimelineEntry], chain_caip2: str, registry_address: str,
              generated_at: datetime, explorer_tx_url: str | None = None, *,
              explorer_block_url: str | None = None, identity: IssuerIdentity | None = None,
              registries: AuditRegistries | None = None) -> AuditReport:
        """The report of ``issuer_account`` from its ``timeline`` (entries of any source, any order).

        ``generated_at`` (an aware datetime) comes from the caller's clock. ``explorer_tx_url`` (e.g.
        ``"https://sepolia.etherscan.io/tx/{tx}"``) and ``explorer_block_url`` (``".../block/{block}"``) make the
        HTML link an explorer; without them, links point inside the report, where every hash is written out.
        ``identity`` names the issuer (:func:`identify_issuer`); ``registries`` gives the DID and accreditation
        registries the timeline's other entries come from (their credential registry must be ``registry_address``).
        Raises :class:`InvalidInputError` for a malformed argument, a registry entry of another issuer, a
        registry entry without time, or an inconsistent status history.
        """
        issuer = checked_address(issuer_account, "the issuer account")
        registry = checked_address(registry_address, "the registry address")
        if not isinstance(chain_caip2, str) or not _CAIP2.match(chain_caip2):
            raise InvalidInputError(f"the chain is a CAIP-2 id such as eip155:11155111, not {chain_caip2!r}")
        if not isinstance(generated_at, datetime) or generated_at.tzinfo is None:
            raise InvalidInputError("generated_at is a datetime with a time zone")
        if registries is None:
            registries = AuditRegistries(registry)
        elif registries.credentials != registry:
            raise InvalidInputError(f"the credential registry is {registry}, but the registries given name "
                                    f"{registries.credentials}")
        if identity is not None and identity.account != issuer:
            raise InvalidInputError(f"the identity given is of {identity.account}, not of the issuer {issuer}")
        tx_url = _check_url_template(explorer_tx_url, "tx", "0x" + "0" * 64)
        block_url = _check_url_template(explorer_block_url, "block", 1)
        entries = merge_timelines(timeline)
        credentials = [e for e in entries if e.source == "credentials"]
        for e in credentials:
            owner = e.details.get("issuer")
            if owner is not None and str(owner).lower() != issuer.lower():
                raise InvalidInputError(
                    f"the timeline mixes issuers: transaction {e.tx_hash} is a change of {owner}, not of {issuer}")

        def figure(name: str, label: str, items: list[TimelineEntry], value: int | None = None) -> Figure:
            return Figure(name, label, len(items) if value is None else value, tuple(Evidence.of(e) for e in items))

        anchored = [e for e in credentials if e.kind == "anchored"]
        by_kind = {k: [e for e in credentials if e.kind == k] for k in _STATUS_KINDS}
        n_of = {k: sum(len(e.details["indexes"]) for e in by_kind[k]) for k in _STATUS_KINDS}
        issued = sum(int(e.details["count"]) for e in anchored)

        replay = StatusReplay(credentials)  # everything: the state after the last change
        final: dict[str, dict[tuple[int, int], Any]] = {"revoked": {}, "suspended": {}}
        current = {"revoked": 0, "suspended": 0}
        for status, event in replay.changed().values():
            if status in current:
                current[status] += 1
                block = event.block if isinstance(event, TimelineEntry) else event.block_number
                final[status][(block, event.log_index)] = event

        counts = (
            figure("credentials_issued", "Credentials issued (anchored)", anchored, issued),
            figure("batches", "Batches anchored", anchored),
            figure("revoked", "Revocations (credentials)", by_kind["revoked"], n_of["revoked"]),
            figure("suspended", "Suspensions (credentials)", by_kind["suspended"], n_of["suspended"]),
            figure("reinstated", "Reinstatements (credentials)", by_kind["reinstated"], n_of["reinstated"]),
            figure("currently_revoked", "Currently revoked",
                   [final["revoked"][k] for k in sorted(final["revoked"])], current["revoked"]),
            figure("currently_suspended", "Currently suspended",
                   [final["suspended"][k] for k in sorted(final["suspended"])], current["suspended"]),
            figure("operator_authorizations", "Operator authorisations",
                   [e for e in credentials if e.kind == "operator-authorized"]),
            figure("did_changes", "DID key and delegate changes", [e for e in entries if e.source == "did"]),
            figure("accreditation_changes", "Accreditation changes",
                   [e for e in entries if e.source == "accreditation"]),
        )
        rates = (
            Rate("revocation_rate", "Revocation rate (currently revoked / issued)",
                 current["revoked"] / issued if issued else None, "currently_revoked", "credentials_issued"),
            Rate("suspension_rate", "Suspension rate (currently suspended / issued)",
                 current["suspended"] / issued if issued else None, "currently_suspended", "credentials_issued"),
        )

        reasons: dict[int, dict[str, Any]] = {}
        for e in credentials:
            if e.kind not in _STATUS_KINDS:
                continue
            code = int(e.details["reason"])
            row = reasons.setdefault(code, {"label": e.details.get("reason_label") or reason_label(code),
                                            "revoked": 0, "suspended": 0, "reinstated": 0, "evidence": []})
            row[e.kind] += len(e.details["indexes"])
            row["evidence"].append(Evidence.of(e))
        by_reason = tuple(ReasonRow(code, r["label"], r["revoked"], r["suspended"], r["reinstated"],
                                    tuple(r["evidence"])) for code, r in sorted(reasons.items()))

        activity = [e for e in credentials if e.kind == "anchored" or e.kind in _STATUS_KINDS]
        months: dict[str, dict[str, Any]] = {}
        if activity:
            stamped = [(_month(e), e) for e in activity]
            for m in _months_between(min(s[0] for s in stamped), max(s[0] for s in stamped)):
                months[m] = {"issued": 0, "revoked": 0, "suspended": 0, "reinstated": 0, "evidence": []}
            for m, e in stamped:
                row = months[m]
                if e.kind == "anchored":
                    row["issued"] += int(e.details["count"])
                else:
                    row[e.kind] += len(e.details["indexes"])
                row["evidence"].append(Evidence.of(e))
        by_month = tuple(MonthRow(m, r["issued"], r["revoked"], r["suspended"], r["reinstated"],
                                  tuple(r["evidence"])) for m, r in months.items())

        return cls(issuer=issuer, chain=chain_caip2, registry=registry, generated_at=generated_at, counts=counts,
                   rates=rates, by_reason=by_reason, by_month=by_month, timeline=tuple(entries),
                   explorer_tx_url=tx_url, explorer_block_url=block_url,
                   identity=identity or IssuerIdentity(issuer, sources={"account": "chain"}), registries=registries)

    # -- reading ----------------------------------------------------------------------------------------------
    def count(self, name: str) -> int:
        """The value of the figure ``name`` (e.g. ``"credentials_issued"``)."""
        for f in self.counts:
            if f.name == name:
                return f.value
        raise KeyError(name)

    def rate(self, name: str) -> float | None:
        for r in self.rates:
            if r.name == name:
                return r.value
        raise KeyError(name)

    @property
    def last_block(self) -> int | None:
        """Block of the last change in the timeline: the figures are as of the end of it."""
        return self.timeline[-1].block if self.timeline else None

    # -- JSON -------------------------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "issuer": self.issuer,
            "issuer_did": self.issuer_did,
            "issuer_name": self.issuer_name,
            "issuer_sources": dict(self.identity.sources) if self.identity else {},
            "chain": self.chain,
            "registry": self.registry,
            "registries": (self.registries or AuditRegistries(self.registry)).to_dict(),
            "generated_at": _iso(self.generated_at),
            "last_block": self.last_block,
            "events": self.events.to_dict(),
            "explorer_tx_url": self.explorer_tx_url,
            "explorer_block_url": self.explorer_block_url,
            "counts": {f.name: {"label": f.label, "value": f.value, "evidence": [e.to_dict() for e in f.evidence]}
                       for f in self.counts},
            "rates": {r.name: {"label": r.label, "value": r.value, "numerator": r.numerator,
                               "denominator": r.denominator} for r in self.rates},
            "by_reason": [{"code": r.code, "label": r.label, "revoked": r.revoked, "suspended": r.suspended,
                           "reinstated": r.reinstated, "evidence": [e.to_dict() for e in r.evidence]}
                          for r in self.by_reason],
            "by_month": [{"month": m.month, "issued": m.issued, "revoked": m.revoked, "suspended": m.suspended,
                          "reinstated": m.reinstated, "evidence": [e.to_dict() for e in m.evidence]}
                         for m in self.by_month],
            "timeline": [e.to_dict() for e in self.timeline],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The report as JSON: the same figures as the HTML, each with the logs (tx hash, block) behind it."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AuditReport:
        if data.get("format") != REPORT_FORMAT:
            raise InvalidInputError(f"not a {REPORT_FORMAT} report (format {data.get('format')!r})")
        try:
            return cls(
                issuer=data["issuer"], chain=data["chain"], registry=data["registry"],
                generated_at=datetime.fromisoformat(str(data["generated_at"]).replace("Z", "+00:00")),
                counts=tuple(Figure(name, f["label"], int(f["value"]), _evidence_list(f["evidence"]))
                             for name, f in data["counts"].items()),
                rates=tuple(Rate(name, r["label"], None if r["value"] is None else float(r["value"]),
                                 r["numerator"], r["denominator"]) for name, r in data["rates"].items()),
                by_reason=tuple(ReasonRow(int(r["code"]), r["label"], int(r["revoked"]), int(r["suspended"]),
                                          int(r["reinstated"]), _evidence_list(r["evidence"]))
                                for r in data["by_reason"]),
                by_month=tuple(MonthRow(m["month"], int(m["issued"]), int(m["revoked"]), int(m["suspended"]),
                                        int(m["reinstated"]), _evidence_list(m["evidence"]))
                               for m in data["by_month"]),
                timeline=tuple(TimelineEntry.from_dict(e) for e in data["timeline"]),
                explorer_tx_url=data.get("explorer_tx_url"), explorer_block_url=data.get("explorer_block_url"),
                identity=IssuerIdentity(account=data["issuer"], did=data.get("issuer_did"),
                                        legal_name=data.get("issuer_name"),
                                        sources=dict(data.get("issuer_sources") or {"account": "chain"})),
                registries=AuditRegistries(
                    data["registry"],
                    **{s: (data.get("registries") or {}).get(s, {}).get("address") for s in ("did", "accreditation")}),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, InvalidInputError):
                raise
            raise InvalidInputError(f"a malformed audit report: {type(exc).__name__} {exc}") from None

    @classmethod
    def from_json(cls, text: str) -> AuditReport:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise InvalidInputError(f"an audit report is JSON: {exc}") from None
        if not isinstance(data, dict):
            raise InvalidInputError("an audit report is a JSON object")
        return cls.from_dict(data)

    # -- HTML -------------------------------------------------------------------------------------------------
    def to_html(self) -> str:
        """ONE self-contained HTML page: inline CSS and SVG, no script, nothing loaded from elsewhere
        (:func:`~microcred.registry.audit.render_html`)."""
        from microcred.registry.audit._html import render_html  # the model does not need the renderer to load

        return render_html(self)
