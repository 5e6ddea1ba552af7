"""Running totals of the entities and associations the recorder created, per kind (for quota alarms)."""

from __future__ import annotations

import threading
from typing import Protocol

from lineage_recorder.state.table import StateTable, counter_id


class CreationCounters(Protocol):
    def add(self, kind: str, count: int) -> int:
        """Count `count` more of `kind`; return the running total."""


class MemoryCreationCounters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._created: dict[str, int] = {}

    def add(self, kind: str, count: int) -> int:
        with self._lock:
            self._created[kind] = self._created.get(kind, 0) + count
            return self._created[kind]


class TableCreationCounters:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def add(self, kind: str, count: int) -> int:
        return self._table.increment(counter_id(kind), "created", count)
