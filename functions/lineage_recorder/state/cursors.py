"""Where each lineage-index feed reads from next (epoch seconds), shared by every instance."""

from __future__ import annotations

import threading
from typing import Protocol

from lineage_recorder.state.corrupt import report_corrupt
from lineage_recorder.state.table import StateTable, cursor_id


class IndexCursors(Protocol):
    def start(self, feed: str) -> float | None:
        """Where `feed` reads from next, or None before its first read."""

    def advance(self, feed: str, start: float) -> None:
        """Move `feed`'s start forward to `start`; an earlier start than the recorded one is ignored."""


class MemoryIndexCursors:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._starts: dict[str, float] = {}

    def start(self, feed: str) -> float | None:
        with self._lock:
            return self._starts.get(feed)

    def advance(self, feed: str, start: float) -> None:
        with self._lock:
            self._starts[feed] = max(start, self._starts.get(feed, start))


class TableIndexCursors:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def start(self, feed: str) -> float | None:
        item = self._table.get_fresh(cursor_id(feed))
        if item is None:
            return None
        try:
            return float(item["start"]["N"])
        except (KeyError, TypeError, ValueError) as error:
            report_corrupt(
                cursor_id(feed), "where an index feed reads next", f"{item.get('start')!r}: {error}"
            )
            # Dropped: the feed reads from its beginning again (lookups cover the keys meanwhile).
            self._table.delete(cursor_id(feed))
            return None

    def advance(self, feed: str, start: float) -> None:
        # A failed condition: another instance already moved it at least as far; nothing to do.
        self._table.update(
            cursor_id(feed),
            UpdateExpression="SET #start = :start",
            ConditionExpression="attribute_not_exists(#start) OR #start < :start",
            ExpressionAttributeNames={"#start": "start"},
            ExpressionAttributeValues={":start": {"N": repr(start)}},
        )
