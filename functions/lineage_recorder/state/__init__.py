"""What the recorder keeps between records: one store per concern, over one state table or in memory.

- ``keys``: the ARN of each entity key, and creation claims (race-free deduplication);
- ``entity_states``: the last state written to each mutable entity;
- ``associations``: associations known to exist;
- ``counters``: running totals of what the recorder created (quota alarms);
- ``cursors``: where each lineage-index feed reads next;
- ``pending_links``: cross-account SameAs links deferred for a retry;
- ``descriptions``: what remembered resources (models) looked like when last described.

``table`` owns the DynamoDB table's item-id namespaces, batching and snapshots. Without a state table
(the CLI on a laptop, tests) every store lives in memory for the process.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from lineage_recorder.plan import EntityKey
from lineage_recorder.state.associations import (
    AssociationCache,
    MemoryAssociationCache,
    TableAssociationCache,
)
from lineage_recorder.state.counters import CreationCounters, MemoryCreationCounters, TableCreationCounters
from lineage_recorder.state.cursors import IndexCursors, MemoryIndexCursors, TableIndexCursors
from lineage_recorder.state.descriptions import DescriptionMemory, MemoryDescriptions, TableDescriptions
from lineage_recorder.state.entity_states import EntityStateStore, MemoryEntityStates, TableEntityStates
from lineage_recorder.state.keys import KeyStore, MemoryKeyStore, TableKeyStore
from lineage_recorder.state.pending_links import MemoryPendingLinks, PendingLinks, TablePendingLinks
from lineage_recorder.state.table import StateTable


class Snapshot(Protocol):
    """Inside ``with state.snapshot() as known:``: what is read here answers the stores' reads in batch."""

    def read(self, *, keys: Iterable[EntityKey] = (), pairs: Iterable[tuple[str, str]] = ()) -> None:
        """Read what the state holds of these keys and association pairs, in as few calls as possible."""

    def read_again(self, keys: Iterable[EntityKey]) -> None:
        """Read these keys again: another instance may have recorded them since."""


class _InMemorySnapshot:
    """Everything is in memory already: nothing to read ahead."""

    def read(self, *, keys: Iterable[EntityKey] = (), pairs: Iterable[tuple[str, str]] = ()) -> None:
        return None

    def read_again(self, keys: Iterable[EntityKey]) -> None:
        return None


@contextmanager
def _in_memory_snapshot() -> Iterator[Snapshot]:
    yield _InMemorySnapshot()


@dataclass(frozen=True)
class LineageState:
    keys: KeyStore = field(default_factory=MemoryKeyStore)
    entity_states: EntityStateStore = field(default_factory=MemoryEntityStates)
    associations: AssociationCache = field(default_factory=MemoryAssociationCache)
    counters: CreationCounters = field(default_factory=MemoryCreationCounters)
    cursors: IndexCursors = field(default_factory=MemoryIndexCursors)
    pending_links: PendingLinks = field(default_factory=MemoryPendingLinks)
    descriptions: DescriptionMemory = field(default_factory=MemoryDescriptions)
    table: StateTable | None = None

    def snapshot(self) -> AbstractContextManager[Snapshot]:
        """A scope in which batched reads answer the stores (per thread; nested scopes share the outer)."""
        return self.table.snapshot() if self.table is not None else _in_memory_snapshot()


def in_memory_state() -> LineageState:
    """Every store in memory, for one process."""
    return LineageState()


def table_state(dynamodb: Any, table_name: str) -> LineageState:
    """Every store in the state table, shared by every recorder instance."""
    table = StateTable(dynamodb, table_name)
    return LineageState(
        keys=TableKeyStore(table),
        entity_states=TableEntityStates(table),
        associations=TableAssociationCache(table),
        counters=TableCreationCounters(table),
        cursors=TableIndexCursors(table),
        pending_links=TablePendingLinks(table),
        descriptions=TableDescriptions(table),
        table=table,
    )
