"""What resources looked like when last described, so lineage survives their deletion.

A model can be deleted while an endpoint still runs it, or before the endpoint's event is processed (a
slow queue, a DLQ redrive): DescribeModel then fails and the deployment would have nothing upstream. The
describer remembers the lineage-relevant part of every description of a remembered kind (models), from
Model State Change events and from every DescribeModel, and answers from it when SageMaker no longer can.
Items expire a year after they were last written (DynamoDB TTL), which bounds the table.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any, Protocol

from lineage_recorder.state.corrupt import report_corrupt
from lineage_recorder.state.table import StateTable, described_id

RETENTION_SECONDS = 366 * 24 * 3600


class DescriptionMemory(Protocol):
    def remember(self, operation: str, name: str, description: dict[str, Any]) -> None:
        """Keep `description` (already reduced to what lineage needs) as what `name` looked like."""

    def recall(self, operation: str, name: str) -> dict[str, Any] | None:
        """What `name` looked like when last described, or None."""


class MemoryDescriptions:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: dict[tuple[str, str], str] = {}

    def remember(self, operation: str, name: str, description: dict[str, Any]) -> None:
        with self._lock:
            self._items[(operation, name)] = json.dumps(description, sort_keys=True, default=str)

    def recall(self, operation: str, name: str) -> dict[str, Any] | None:
        with self._lock:
            text = self._items.get((operation, name))
        return None if text is None else dict(json.loads(text))


class TableDescriptions:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def remember(self, operation: str, name: str, description: dict[str, Any]) -> None:
        text = json.dumps(description, sort_keys=True, default=str)
        item_id = described_id(operation, name)
        known = self._table.get(item_id)
        if known is not None and known.get("description", {}).get("S") == text:
            return  # unchanged: no write
        self._table.put(
            {
                "id": {"S": item_id},
                "description": {"S": text},
                "expiration": {"N": str(int(time.time()) + RETENTION_SECONDS)},
            }
        )

    def recall(self, operation: str, name: str) -> dict[str, Any] | None:
        item_id = described_id(operation, name)
        item = self._table.get(item_id)
        if item is None:
            return None
        try:
            return dict(json.loads(item["description"]["S"]))
        except (KeyError, TypeError, ValueError) as error:
            report_corrupt(item_id, "what a resource looked like", f"{error}")
            self._table.delete(item_id)
            return None
