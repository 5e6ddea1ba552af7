"""The state table: one DynamoDB table (partition key ``id``) that every state store shares.

This module owns the table's item-id namespaces, its batching and its scoped snapshots; the stores in
this package each own one namespace and know nothing of the others:

| item id                          | store                        | holds                                  |
|----------------------------------|------------------------------|----------------------------------------|
| ``entity#<digest of key>``       | ``keys.TableKeyStore``       | the ARN of a (kind, SourceUri); claims  |
| ``state#<digest of ARN>``        | ``entity_states``            | last state written to a mutable entity |
| ``association#<digest of pair>`` | ``associations``             | an association known to exist          |
| ``created#<kind>``               | ``counters``                 | running total the recorder created     |
| ``index#<feed>``                 | ``cursors``                  | where a lineage-index feed reads next  |
| ``peer-links#pending``           | ``pending_links``            | SameAs links deferred for a retry      |
| ``described#<digest of call>``   | ``descriptions``             | what a resource looked like (models)   |
| ``<function>#<digest>``          | Powertools idempotency       | events already recorded (replay_guard) |

A *snapshot* (``with table.snapshot() as known:``) reads many items in one BatchGetItem and answers
``get`` from them until the ``with`` ends; writes through the table keep it current. Snapshots are per
thread: one table may serve several threads.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.aws import call_failed, error_code
from lineage_recorder.errors import UnprocessedItemsError
from lineage_recorder.plan import EntityKey

Item = dict[str, Any]

BATCH_GET_LIMIT = 100  # keys per BatchGetItem
BATCH_WRITE_LIMIT = 25  # items per BatchWriteItem
# Unprocessed batch items are asked for again with a growing pause (DynamoDB's advice), then given up on:
# the record fails and SQS delivers it again later.
MAX_BATCH_ROUNDS = 8
_CONDITION_FAILED = "ConditionalCheckFailedException"


# --- Item ids, one namespace per store ---------------------------------------------------------------
def _digest_id(prefix: str, *parts: str) -> str:
    # SourceUris reach 2,048 characters, DynamoDB keys 2,048 bytes: key on a digest.
    return f"{prefix}#" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def entity_id(key: EntityKey) -> str:
    return _digest_id("entity", key.kind, key.source_uri)


def state_id(arn: str) -> str:
    return _digest_id("state", arn)


def association_id(source_arn: str, destination_arn: str) -> str:
    return _digest_id("association", source_arn, destination_arn)


def counter_id(kind: str) -> str:
    return f"created#{kind}"


def cursor_id(feed: str) -> str:
    return f"index#{feed}"


PENDING_LINKS_ID = "peer-links#pending"


def described_id(operation: str, name: str) -> str:
    return _digest_id("described", operation, name)


def back_off(attempt: int) -> None:
    time.sleep(min(0.05 * 2 ** (attempt - 1), 2.0))


class StateTable:
    def __init__(self, dynamodb: Any, name: str) -> None:
        self._dynamodb = dynamodb
        self.name = name
        self._local = threading.local()

    # --- calls ----------------------------------------------------------------------------------------
    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._dynamodb, operation)(**params)
        except ClientError as error:
            if error_code(error) == _CONDITION_FAILED:
                raise
            raise call_failed("dynamodb", operation, error) from error
        except BotoCoreError as error:
            raise call_failed("dynamodb", operation, error) from error
        return response

    def get(self, item_id: str) -> Item | None:
        """The item, from this thread's snapshot when it holds it, else a consistent read."""
        snapshot = self._snapshot
        if snapshot is not None and item_id in snapshot:
            return snapshot[item_id]
        item: Item | None = self._call(
            "get_item", TableName=self.name, Key={"id": {"S": item_id}}, ConsistentRead=True
        ).get("Item")
        return item

    def get_fresh(self, item_id: str) -> Item | None:
        """The item as the table holds it now, whatever the snapshot read earlier."""
        self.forget(item_id)
        return self.get(item_id)

    def put(self, item: Item) -> None:
        self._call("put_item", TableName=self.name, Item=item)
        self.remember(item["id"]["S"], item)

    def update(self, item_id: str, **params: Any) -> dict[str, Any] | None:
        """UpdateItem; None when its ConditionExpression failed."""
        try:
            return self._call("update_item", TableName=self.name, Key={"id": {"S": item_id}}, **params)
        except ClientError as error:  # only a failed condition reaches here (see _call)
            if error_code(error) != _CONDITION_FAILED:
                raise
            return None

    def increment(self, item_id: str, attribute: str, by: int) -> int:
        """Add `by` to a number attribute atomically; return its new value."""
        response = self._call(
            "update_item",
            TableName=self.name,
            Key={"id": {"S": item_id}},
            UpdateExpression="ADD #attribute :by",
            ExpressionAttributeNames={"#attribute": attribute},
            ExpressionAttributeValues={":by": {"N": str(by)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"][attribute]["N"])

    def delete(self, item_id: str, **params: Any) -> bool:
        """DeleteItem; False when its ConditionExpression failed."""
        try:
            self._call("delete_item", TableName=self.name, Key={"id": {"S": item_id}}, **params)
        except ClientError as error:
            if error_code(error) != _CONDITION_FAILED:
                raise
            return False
        self.forget(item_id)
        return True

    def batch_get(self, item_ids: Iterable[str]) -> dict[str, Item]:
        """The items that exist among ``item_ids``, in as few BatchGetItem calls as possible."""
        wanted = list(dict.fromkeys(item_ids))
        found: dict[str, Item] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            chunk = wanted[start : start + BATCH_GET_LIMIT]
            request: dict[str, Any] = {
                self.name: {"Keys": [{"id": {"S": item_id}} for item_id in chunk], "ConsistentRead": True}
            }
            for attempt in range(MAX_BATCH_ROUNDS):
                if attempt:
                    back_off(attempt)
                response = self._call("batch_get_item", RequestItems=request)
                for item in response.get("Responses", {}).get(self.name, []):
                    found[item["id"]["S"]] = item
                # DynamoDB may leave keys unprocessed under load; ask again for exactly those.
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise UnprocessedItemsError(f"DynamoDB left keys unread after {MAX_BATCH_ROUNDS} rounds")
        return found

    def batch_put(self, items: list[Item]) -> None:
        """Unconditional puts, 25 per BatchWriteItem."""
        for start in range(0, len(items), BATCH_WRITE_LIMIT):
            chunk = items[start : start + BATCH_WRITE_LIMIT]
            request: dict[str, Any] = {self.name: [{"PutRequest": {"Item": item}} for item in chunk]}
            for attempt in range(MAX_BATCH_ROUNDS):
                if attempt:
                    back_off(attempt)
                response = self._call("batch_write_item", RequestItems=request)
                # DynamoDB may leave items unprocessed under load; write exactly those again.
                request = response.get("UnprocessedItems") or {}
                if not request:
                    break
            else:
                raise UnprocessedItemsError(f"DynamoDB left items unwritten after {MAX_BATCH_ROUNDS} rounds")
            for item in chunk:
                self.remember(item["id"]["S"], item)

    # --- snapshots ------------------------------------------------------------------------------------
    @property
    def _snapshot(self) -> dict[str, Item | None] | None:
        snapshot: dict[str, Item | None] | None = getattr(self._local, "snapshot", None)
        return snapshot

    @contextmanager
    def snapshot(self) -> Iterator[TableSnapshot]:
        """Items read into the snapshot answer ``get`` until the ``with`` ends (nested: the outer one)."""
        if self._snapshot is not None:
            yield TableSnapshot(self)
            return
        self._local.snapshot = {}
        try:
            yield TableSnapshot(self)
        finally:
            self._local.snapshot = None

    def read_into_snapshot(self, item_ids: Iterable[str], *, again: bool = False) -> None:
        snapshot = self._snapshot
        if snapshot is None:
            return
        wanted = [item_id for item_id in dict.fromkeys(item_ids) if again or item_id not in snapshot]
        if not wanted:
            return
        found = self.batch_get(wanted)
        for item_id in wanted:
            snapshot[item_id] = found.get(item_id)

    def remember(self, item_id: str, item: Item | None) -> None:
        """Keep the snapshot current after a write (only items it already holds)."""
        snapshot = self._snapshot
        if snapshot is not None and item_id in snapshot:
            snapshot[item_id] = item

    def forget(self, item_id: str) -> None:
        """The snapshot's copy of this item is stale: the next ``get`` reads the table."""
        snapshot = self._snapshot
        if snapshot is not None:
            snapshot.pop(item_id, None)


class TableSnapshot:
    """What a ``with state.snapshot() as known:`` block reads in batches (see ``state.Snapshot``)."""

    def __init__(self, table: StateTable) -> None:
        self._table = table

    def read(self, *, keys: Iterable[EntityKey] = (), pairs: Iterable[tuple[str, str]] = ()) -> None:
        ids = [entity_id(key) for key in keys]
        ids += [association_id(source, destination) for source, destination in pairs]
        self._table.read_into_snapshot(ids)

    def read_again(self, keys: Iterable[EntityKey]) -> None:
        self._table.read_into_snapshot([entity_id(key) for key in keys], again=True)
