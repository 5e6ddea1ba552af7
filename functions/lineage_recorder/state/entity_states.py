"""The last state the recorder wrote to (or read from) each mutable entity, by ARN.

A re-fired event with nothing new then costs no SageMaker call, and a newer state is written without
describing the entity first (apply/reconciler.py). The state is opaque text to this store.

It is also where concurrent writers of one entity take turns: `replace` moves the state on only from
the state the writer read (compare and set), so two instances cannot both write from the same reading.
"""

from __future__ import annotations

import threading
from typing import Any, Protocol

from lineage_recorder.state.corrupt import report_corrupt
from lineage_recorder.state.table import StateTable, state_id


class EntityStateStore(Protocol):
    def get(self, arn: str) -> str | None: ...

    def forget(self, arn: str) -> None: ...

    def get_fresh(self, arn: str) -> str | None:
        """The state as stored now (not as read earlier in this invocation)."""

    def replace(self, arn: str, expected: str | None, state: str) -> bool:
        """Store `state` if the stored state is still `expected` (None: no state stored); False if another
        writer changed it since it was read."""


class MemoryEntityStates:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, str] = {}

    def get(self, arn: str) -> str | None:
        with self._lock:
            return self._states.get(arn)

    def forget(self, arn: str) -> None:
        with self._lock:
            self._states.pop(arn, None)

    def get_fresh(self, arn: str) -> str | None:
        return self.get(arn)

    def replace(self, arn: str, expected: str | None, state: str) -> bool:
        with self._lock:
            if self._states.get(arn) != expected:
                return False
            self._states[arn] = state
            return True


class TableEntityStates:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def get(self, arn: str) -> str | None:
        return self._text(arn, self._table.get(state_id(arn)))

    def _text(self, arn: str, item: dict[str, Any] | None) -> str | None:
        if item is None:
            return None
        value = item.get("state", {}).get("S") if isinstance(item.get("state"), dict) else None
        if isinstance(value, str):
            return value
        report_corrupt(state_id(arn), "the last state of an entity", f"state is {item.get('state')!r}")
        self.forget(arn)  # a cache of SageMaker's state: read again from SageMaker
        return None

    def forget(self, arn: str) -> None:
        self._table.delete(state_id(arn))

    def get_fresh(self, arn: str) -> str | None:
        return self._text(arn, self._table.get_fresh(state_id(arn)))

    def replace(self, arn: str, expected: str | None, state: str) -> bool:
        item_id = state_id(arn)
        condition = "attribute_not_exists(#state)" if expected is None else "#state = :expected"
        values = {":state": {"S": state}}
        if expected is not None:
            values[":expected"] = {"S": expected}
        applied = self._table.update(
            item_id,
            UpdateExpression="SET #state = :state",
            ConditionExpression=condition,
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values,
        )
        if applied is None:
            self._table.forget(item_id)  # what this invocation read is stale
            return False
        self._table.remember(item_id, {"id": {"S": item_id}, "state": {"S": state}})
        return True
