"""Audit: an issuer's timeline from the chain, status at a time, who the issuer is, and the audit report.

The report model (:class:`AuditReport`: who, figures, evidence, JSON; ``_report``) is apart from its HTML
rendering (:func:`render_html`; ``_html``), which :meth:`AuditReport.to_html` calls.
"""

from microcred.registry.audit._collect import (
    REGISTRY_CONTRACTS,
    AuditRegistries,
    BindingCheck,
    EventCounts,
    IssuerIdentity,
    SignatureCheck,
    bound_dids,
    count_events,
    identify_issuer,
    issuer_timeline,
)
from microcred.registry.audit._html import render_html
from microcred.registry.audit._report import (
    REPORT_FORMAT,
    AuditReport,
    Evidence,
    Figure,
    MonthRow,
    Rate,
    ReasonRow,
)
from microcred.registry.audit._sources import (
    from_accreditation_events,
    from_did_events,
)
from microcred.registry.audit._timeline import (
    SOURCES,
    CredentialStatus,
    Source,
    StatusReplay,
    TimelineEntry,
    format_indexes,
    from_registry_events,
    iso_date,
    merge_timelines,
    status_at,
    statuses_at,
)

__all__ = [
    "REGISTRY_CONTRACTS",
    "REPORT_FORMAT",
    "SOURCES",
    "AuditRegistries",
    "AuditReport",
    "BindingCheck",
    "CredentialStatus",
    "EventCounts",
    "Evidence",
    "Figure",
    "IssuerIdentity",
    "MonthRow",
    "Rate",
    "ReasonRow",
    "SignatureCheck",
    "Source",
    "StatusReplay",
    "TimelineEntry",
    "bound_dids",
    "count_events",
    "format_indexes",
    "from_accreditation_events",
    "from_did_events",
    "from_registry_events",
    "identify_issuer",
    "iso_date",
    "issuer_timeline",
    "merge_timelines",
    "render_html",
    "status_at",
    "statuses_at",
]
