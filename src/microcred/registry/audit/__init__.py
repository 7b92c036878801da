"""Audit: an issuer's timeline from the chain, status at a time, and the audit report."""

from microcred.registry.audit._report import (
    AuditReport,
    Evidence,
    Figure,
    MonthRow,
    REPORT_FORMAT,
    Rate,
    ReasonRow,
)
from microcred.registry.audit._sources import (
    from_accreditation_events,
    from_did_events,
)
from microcred.registry.audit._timeline import (
    CredentialStatus,
    Source,
    StatusReplay,
    TimelineEntry,
    format_indexes,
    from_registry_events,
    merge_timelines,
    status_at,
    statuses_at,
)

__all__ = [
    "AuditReport",
    "CredentialStatus",
    "Evidence",
    "Figure",
    "MonthRow",
    "REPORT_FORMAT",
    "Rate",
    "ReasonRow",
    "Source",
    "StatusReplay",
    "TimelineEntry",
    "format_indexes",
    "from_accreditation_events",
    "from_did_events",
    "from_registry_events",
    "merge_timelines",
    "status_at",
    "statuses_at",
]
