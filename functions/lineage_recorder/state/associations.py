"""Associations known to exist, by (source ARN, destination ARN): a repeated edge costs no SageMaker call."""

from __future__ import annotations

import threading
from typing import Protocol

from lineage_recorder.state.table import StateTable, association_id


class AssociationCache(Protocol):
    def has(self, source_arn: str, destination_arn: str) -> bool: ...

    def add(self, source_arn: str, destination_arn: str) -> None: ...

    def forget(self, arn: str) -> None:
        """`arn` no longer exists: no association of it is known any more."""


class MemoryAssociationCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pairs: set[tuple[str, str]] = set()

    def has(self, source_arn: str, destination_arn: str) -> bool:
        with self._lock:
            return (source_arn, destination_arn) in self._pairs

    def add(self, source_arn: str, destination_arn: str) -> None:
        with self._lock:
            self._pairs.add((source_arn, destination_arn))

    def forget(self, arn: str) -> None:
        with self._lock:
            self._pairs = {pair for pair in self._pairs if arn not in pair}


class TableAssociationCache:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def has(self, source_arn: str, destination_arn: str) -> bool:
        return self._table.get(association_id(source_arn, destination_arn)) is not None

    def add(self, source_arn: str, destination_arn: str) -> None:
        self._table.put(
            {
                "id": {"S": association_id(source_arn, destination_arn)},
                "source_arn": {"S": source_arn},
                "destination_arn": {"S": destination_arn},
            }
        )

    def forget(self, arn: str) -> None:
        """Items are keyed by a digest of the pair and cannot be found by one ARN. A deleted entity's
        ARN is never reused (a recreated entity gets a new one), so its pairs are never asked about."""
