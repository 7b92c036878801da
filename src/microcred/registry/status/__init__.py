"""Status outside the chain: W3C Bitstring Status List entries and the list credentials they point to; the one
status object microcred writes (a list entry carrying the registry coordinates)."""

from microcred.registry.status._bitstring import (
    DEFAULT_TTL_MS,
    ENTRY_TYPE,
    MAX_LIST_BYTES,
    ListStatus,
    StatusLists,
    list_entries,
    read_entry,
)
from microcred.registry.status._entry import ENTRY_PURPOSE, LIST_PURPOSES, registry_status_entry, status_list_id

__all__ = ["DEFAULT_TTL_MS", "ENTRY_PURPOSE", "ENTRY_TYPE", "LIST_PURPOSES", "MAX_LIST_BYTES", "ListStatus",
           "StatusLists", "list_entries", "read_entry", "registry_status_entry", "status_list_id"]
