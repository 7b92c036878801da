"""Status outside the chain: W3C Bitstring Status List entries and the list credentials they point to."""

from microcred.registry.status._bitstring import (
    DEFAULT_TTL_MS,
    ENTRY_TYPE,
    MAX_LIST_BYTES,
    ListStatus,
    StatusLists,
    list_entries,
    read_entry,
)

__all__ = ["DEFAULT_TTL_MS", "ENTRY_TYPE", "MAX_LIST_BYTES", "ListStatus", "StatusLists", "list_entries",
           "read_entry"]
