"""The last state the recorder wrote to (or read from) each mutable entity, by ARN.

A re-fired event with nothing new then costs no SageMaker call, and a newer state is written without
describing the entity first (apply/reconciler.py). The state is opaque text to this store.
"""

from __future__ import annotations

import threading
from typing import Protocol

from lineage_recorder.state.table import StateTable, state_id


class EntityStateStore(Protocol):
    def get(self, arn: str) -> str | None: ...

    def put(self, arn: str, state: str) -> None: ...

    def put_if_absent(self, arn: str, state: str) -> None:
        """`put`, unless a state is already known for `arn`."""

    def forget(self, arn: str) -> None: ...


class MemoryEntityStates:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: dict[str, str] = {}

    def get(self, arn: str) -> str | None:
        with self._lock:
            return self._states.get(arn)

    def put(self, arn: str, state: str) -> None:
        with self._lock:
            self._states[arn] = state

    def put_if_absent(self, arn: str, state: str) -> None:
        with self._lock:
            self._states.setdefault(arn, state)

    def forget(self, arn: str) -> None:
        with self._lock:
            self._states.pop(arn, None)


class TableEntityStates:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def get(self, arn: str) -> str | None:
        item = self._table.get(state_id(arn))
        return None if item is None else str(item["state"]["S"])

    def put(self, arn: str, state: str) -> None:
        self._table.put({"id": {"S": state_id(arn)}, "state": {"S": state}})

    def put_if_absent(self, arn: str, state: str) -> None:
        # A failed condition: a state is known already, and it stays.
        self._table.update(
            state_id(arn),
            UpdateExpression="SET #state = :state",
            ConditionExpression="attribute_not_exists(#state)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues={":state": {"S": state}},
        )

    def forget(self, arn: str) -> None:
        self._table.delete(state_id(arn))
