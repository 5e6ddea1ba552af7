"""The dedup registry: which ARN stands for each key, who is creating it, and what is already linked.

SageMaker's CreateArtifact does not enforce a unique SourceUri, so two workers that look up the same
new S3 URI at once would each create an artifact. The registry makes creation race-free: a worker
must *claim* a key (an atomic conditional write) before creating its entity; a worker that loses the
claim waits for the winner's ARN. It doubles as a cache (key -> ARN, association pairs, the last state
written to reconciled entities), so repeated keys cost no SageMaker calls.

- MemoryRegistry: one process (the CLI, tests); claims are only as wide as the process.
- DynamoRegistry: the Lambda's state table, shared by every concurrent instance.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterable
from typing import Any, Protocol

from botocore.exceptions import ClientError

from lineage_recorder.plan import EntityKey

# How long a claim protects a creation in progress. A worker that dies after claiming blocks the key
# for this long; then another worker takes over (after looking the key up again in SageMaker).
CLAIM_LEASE_SECONDS = 60


class KeyRegistry(Protocol):
    def get(self, key: EntityKey) -> str | None:
        """The ARN recorded for `key`, or None (also while another worker is still creating it)."""

    def put(self, key: EntityKey, arn: str) -> str:
        """Record `arn` for `key` unless another ARN is already recorded; return the recorded one."""

    def put_absent(self, arns: dict[EntityKey, str]) -> int:
        """`put` each key that has no ARN recorded yet, in as few writes as possible; return how many."""

    def claim(self, key: EntityKey, owner: str) -> bool:
        """Take the right to create `key`: True for exactly one owner while the claim's lease lasts."""

    def release(self, key: EntityKey, owner: str) -> None:
        """Give back `owner`'s claim on `key` (its creation failed) before the lease runs out."""

    def forget(self, key: EntityKey, arn: str) -> None:
        """`arn` no longer exists: drop it, so that `key` is looked up (and created) again."""

    def state(self, arn: str) -> str | None: ...

    def put_state(self, arn: str, state: str) -> None: ...

    def has_association(self, source_arn: str, destination_arn: str) -> bool: ...

    def put_association(self, source_arn: str, destination_arn: str) -> None: ...

    def count_created(self, kind: str, count: int) -> int:
        """Count `count` more entities of `kind` created by the recorder; return the running total."""

    def prefetch(self, *, keys: Iterable[EntityKey] = (), pairs: Iterable[tuple[str, str]] = ()) -> None:
        """Read what is known of these keys and association pairs in one go, until end_prefetch."""

    def end_prefetch(self) -> None: ...

    def index_start(self, feed: str) -> float | None:
        """Where the lineage index's `feed` reads from next (epoch seconds), or None before its first read."""

    def advance_index_start(self, feed: str, start: float) -> None:
        """Move `feed`'s start forward to `start`; an earlier start than the recorded one is ignored."""


class MemoryRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arns: dict[EntityKey, str] = {}
        self._claims: dict[EntityKey, tuple[str, float]] = {}
        self._states: dict[str, str] = {}
        self._associations: set[tuple[str, str]] = set()
        self._created: dict[str, int] = {}
        self._index_starts: dict[str, float] = {}

    def get(self, key: EntityKey) -> str | None:
        with self._lock:
            return self._arns.get(key)

    def put(self, key: EntityKey, arn: str) -> str:
        with self._lock:
            self._claims.pop(key, None)
            return self._arns.setdefault(key, arn)

    def put_absent(self, arns: dict[EntityKey, str]) -> int:
        with self._lock:
            absent = {key: arn for key, arn in arns.items() if key not in self._arns}
            for key, arn in absent.items():
                self._claims.pop(key, None)
                self._arns[key] = arn
            return len(absent)

    def claim(self, key: EntityKey, owner: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if key in self._arns:
                return False
            holder = self._claims.get(key)
            if holder is not None and holder[0] != owner and holder[1] > now:
                return False
            self._claims[key] = (owner, now + CLAIM_LEASE_SECONDS)
            return True

    def release(self, key: EntityKey, owner: str) -> None:
        with self._lock:
            holder = self._claims.get(key)
            if holder is not None and holder[0] == owner:
                del self._claims[key]

    def forget(self, key: EntityKey, arn: str) -> None:
        with self._lock:
            if self._arns.get(key) == arn:
                del self._arns[key]
            self._states.pop(arn, None)
            self._associations = {pair for pair in self._associations if arn not in pair}

    def state(self, arn: str) -> str | None:
        with self._lock:
            return self._states.get(arn)

    def put_state(self, arn: str, state: str) -> None:
        with self._lock:
            self._states[arn] = state

    def has_association(self, source_arn: str, destination_arn: str) -> bool:
        with self._lock:
            return (source_arn, destination_arn) in self._associations

    def put_association(self, source_arn: str, destination_arn: str) -> None:
        with self._lock:
            self._associations.add((source_arn, destination_arn))

    def count_created(self, kind: str, count: int) -> int:
        with self._lock:
            self._created[kind] = self._created.get(kind, 0) + count
            return self._created[kind]

    def prefetch(self, *, keys: Iterable[EntityKey] = (), pairs: Iterable[tuple[str, str]] = ()) -> None:
        """Everything is in memory already."""

    def end_prefetch(self) -> None:
        """Nothing was prefetched."""

    def index_start(self, feed: str) -> float | None:
        with self._lock:
            return self._index_starts.get(feed)

    def advance_index_start(self, feed: str, start: float) -> None:
        with self._lock:
            self._index_starts[feed] = max(start, self._index_starts.get(feed, start))


_BATCH_GET_LIMIT = 100  # keys per BatchGetItem
_BATCH_WRITE_LIMIT = 25  # items per BatchWriteItem

# Attribute names go through placeholders: several are DynamoDB reserved words.
_NAMES = {
    "#arn": "arn",
    "#kind": "kind",
    "#uri": "source_uri",
    "#owner": "claim_owner",
    "#until": "claim_until",
}


# Unprocessed batch items are asked for again with a growing pause (DynamoDB's advice), then given up on:
# the record fails and SQS delivers it again later.
_MAX_BATCH_ROUNDS = 8


class UnprocessedItemsError(Exception):
    """DynamoDB kept leaving part of a batch unprocessed: the table is throttled."""


def _back_off(attempt: int) -> None:
    time.sleep(min(0.05 * 2 ** (attempt - 1), 2.0))


def _item_id(prefix: str, *parts: str) -> str:
    # SourceUris reach 2,048 characters, DynamoDB keys 2,048 bytes: key on a digest.
    return f"{prefix}#" + hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _entity_id(key: EntityKey) -> str:
    return _item_id("entity", key.kind, key.source_uri)


def _conditional_failed(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) == "ConditionalCheckFailedException"


class DynamoRegistry:
    """The registry in the state table (partition key `id`), beside Powertools idempotency records."""

    def __init__(self, dynamodb: Any, table_name: str) -> None:
        self._dynamodb = dynamodb
        self._table = table_name
        # Items read by prefetch (None: known to be absent), valid until end_prefetch. Writes through
        # this registry keep them current. Per thread: one registry may serve several threads.
        self._local = threading.local()

    @property
    def _prefetched(self) -> dict[str, dict[str, Any] | None]:
        if not hasattr(self._local, "items"):
            self._local.items = {}
        items: dict[str, dict[str, Any] | None] = self._local.items
        return items

    def prefetch(self, *, keys: Iterable[EntityKey] = (), pairs: Iterable[tuple[str, str]] = ()) -> None:
        ids = [_entity_id(key) for key in keys]
        ids += [_item_id("association", source, destination) for source, destination in pairs]
        wanted = [item_id for item_id in dict.fromkeys(ids) if item_id not in self._prefetched]
        for start in range(0, len(wanted), _BATCH_GET_LIMIT):
            chunk = wanted[start : start + _BATCH_GET_LIMIT]
            found = self._batch_get(chunk)
            for item_id in chunk:
                self._prefetched[item_id] = found.get(item_id)

    def _batch_get(self, item_ids: list[str]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        request: dict[str, Any] = {
            self._table: {"Keys": [{"id": {"S": item_id}} for item_id in item_ids], "ConsistentRead": True}
        }
        for attempt in range(_MAX_BATCH_ROUNDS):
            if attempt:
                _back_off(attempt)
            response = self._dynamodb.batch_get_item(RequestItems=request)
            for item in response.get("Responses", {}).get(self._table, []):
                found[item["id"]["S"]] = item
            # DynamoDB may leave keys unprocessed under load; ask again for exactly those.
            request = response.get("UnprocessedKeys") or {}
            if not request:
                return found
        raise UnprocessedItemsError(f"DynamoDB left keys unread after {_MAX_BATCH_ROUNDS} rounds")

    def end_prefetch(self) -> None:
        self._prefetched.clear()

    def _remember(self, item_id: str, item: dict[str, Any] | None) -> None:
        if item_id in self._prefetched:
            self._prefetched[item_id] = item

    def _get(self, item_id: str) -> dict[str, Any] | None:
        if item_id in self._prefetched:
            return self._prefetched[item_id]
        response = self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": item_id}}, ConsistentRead=True
        )
        item: dict[str, Any] | None = response.get("Item")
        return item

    def get(self, key: EntityKey) -> str | None:
        item = self._get(_entity_id(key))
        if item is None or "arn" not in item:
            return None
        return str(item["arn"]["S"])

    def put(self, key: EntityKey, arn: str) -> str:
        item_id = _entity_id(key)
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": item_id}},
                UpdateExpression="SET #arn = :arn, #kind = :kind, #uri = :uri REMOVE #owner, #until",
                ConditionExpression="attribute_not_exists(#arn) OR #arn = :arn",
                ExpressionAttributeNames=_NAMES,
                ExpressionAttributeValues={
                    ":arn": {"S": arn},
                    ":kind": {"S": str(key.kind)},
                    ":uri": {"S": key.source_uri},
                },
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise
            self._remember(item_id, None)
            recorded = self._get_fresh(item_id)
            return recorded if recorded is not None else arn
        self._remember(item_id, {"id": {"S": item_id}, "arn": {"S": arn}})
        return arn

    def put_absent(self, arns: dict[EntityKey, str]) -> int:
        """Unconditional batch writes of keys a consistent read just found absent. A writer racing in
        between can only be a recorder instance that created an entity for the same key: either the very
        entity being written (it was listed), or a duplicate no lookup could have prevented. Conditional
        writes (one UpdateItem per key, or TransactWriteItems) would cost a call per key to rule that out.
        """
        self.prefetch(keys=arns)
        absent = [(key, arn) for key, arn in arns.items() if self.get(key) is None]
        for start in range(0, len(absent), _BATCH_WRITE_LIMIT):
            items = [
                {
                    "id": {"S": _entity_id(key)},
                    "arn": {"S": arn},
                    "kind": {"S": str(key.kind)},
                    "source_uri": {"S": key.source_uri},
                }
                for key, arn in absent[start : start + _BATCH_WRITE_LIMIT]
            ]
            request: dict[str, Any] = {self._table: [{"PutRequest": {"Item": item}} for item in items]}
            for attempt in range(_MAX_BATCH_ROUNDS):
                if attempt:
                    _back_off(attempt)
                response = self._dynamodb.batch_write_item(RequestItems=request)
                # DynamoDB may leave items unprocessed under load; write exactly those again.
                request = response.get("UnprocessedItems") or {}
                if not request:
                    break
            else:
                raise UnprocessedItemsError(f"DynamoDB left items unwritten after {_MAX_BATCH_ROUNDS} rounds")
            for item in items:
                self._remember(item["id"]["S"], item)
        return len(absent)

    def _get_fresh(self, item_id: str) -> str | None:
        self._prefetched.pop(item_id, None)
        item = self._get(item_id)
        return None if item is None or "arn" not in item else str(item["arn"]["S"])

    def claim(self, key: EntityKey, owner: str) -> bool:
        now = int(time.time())
        item_id = _entity_id(key)
        # Whatever was prefetched for this key is stale once we contend for it: read it afresh later.
        self._prefetched.pop(item_id, None)
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": item_id}},
                UpdateExpression="SET #owner = :owner, #until = :until",
                ConditionExpression=(
                    "attribute_not_exists(#arn) AND (attribute_not_exists(#until) "
                    "OR #until < :now OR #owner = :owner)"
                ),
                ExpressionAttributeNames={name: _NAMES[name] for name in ("#arn", "#owner", "#until")},
                ExpressionAttributeValues={
                    ":owner": {"S": owner},
                    ":until": {"N": str(now + CLAIM_LEASE_SECONDS)},
                    ":now": {"N": str(now)},
                },
            )
        except ClientError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def release(self, key: EntityKey, owner: str) -> None:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": _entity_id(key)}},
                UpdateExpression="REMOVE #owner, #until",
                ConditionExpression="#owner = :owner AND attribute_not_exists(#arn)",
                ExpressionAttributeNames={name: _NAMES[name] for name in ("#arn", "#owner", "#until")},
                ExpressionAttributeValues={":owner": {"S": owner}},
            )
        except ClientError as error:
            # Someone else holds it now (our lease ran out): theirs to keep.
            if not _conditional_failed(error):
                raise

    def forget(self, key: EntityKey, arn: str) -> None:
        try:
            self._dynamodb.delete_item(
                TableName=self._table,
                Key={"id": {"S": _entity_id(key)}},
                ConditionExpression="#arn = :arn",
                ExpressionAttributeNames={"#arn": "arn"},
                ExpressionAttributeValues={":arn": {"S": arn}},
            )
        except ClientError as error:
            if not _conditional_failed(error):
                raise
        self._dynamodb.delete_item(TableName=self._table, Key={"id": {"S": _item_id("state", arn)}})

    def state(self, arn: str) -> str | None:
        item = self._get(_item_id("state", arn))
        return None if item is None else str(item["state"]["S"])

    def put_state(self, arn: str, state: str) -> None:
        self._dynamodb.put_item(
            TableName=self._table, Item={"id": {"S": _item_id("state", arn)}, "state": {"S": state}}
        )

    def has_association(self, source_arn: str, destination_arn: str) -> bool:
        return self._get(_item_id("association", source_arn, destination_arn)) is not None

    def put_association(self, source_arn: str, destination_arn: str) -> None:
        item = {
            "id": {"S": _item_id("association", source_arn, destination_arn)},
            "source_arn": {"S": source_arn},
            "destination_arn": {"S": destination_arn},
        }
        self._dynamodb.put_item(TableName=self._table, Item=item)
        self._remember(item["id"]["S"], item)

    def count_created(self, kind: str, count: int) -> int:
        response = self._dynamodb.update_item(
            TableName=self._table,
            Key={"id": {"S": f"created#{kind}"}},
            UpdateExpression="ADD #created :count",
            ExpressionAttributeNames={"#created": "created"},
            ExpressionAttributeValues={":count": {"N": str(count)}},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["created"]["N"])

    def index_start(self, feed: str) -> float | None:
        response = self._dynamodb.get_item(
            TableName=self._table, Key={"id": {"S": f"index#{feed}"}}, ConsistentRead=True
        )
        item = response.get("Item")
        return None if item is None else float(item["start"]["N"])

    def advance_index_start(self, feed: str, start: float) -> None:
        try:
            self._dynamodb.update_item(
                TableName=self._table,
                Key={"id": {"S": f"index#{feed}"}},
                UpdateExpression="SET #start = :start",
                ConditionExpression="attribute_not_exists(#start) OR #start < :start",
                ExpressionAttributeNames={"#start": "start"},
                ExpressionAttributeValues={":start": {"N": repr(start)}},
            )
        except ClientError as error:
            # Another instance already moved it at least as far: nothing to do.
            if not _conditional_failed(error):
                raise
