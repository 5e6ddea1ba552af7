"""Which ARN stands for each entity key, and who may create it.

SageMaker's CreateArtifact does not enforce a unique SourceUri, so two workers that look up the same new
S3 URI at once would each create an artifact. A worker must *claim* a key (an atomic conditional write)
before creating its entity; a worker that loses the claim waits for the winner's ARN. The ARN recorded
for a key also spares every later record a lookup.

- MemoryKeyStore: one process (the CLI without a state table, tests); claims are as wide as the process.
- TableKeyStore: the state table, shared by every concurrent instance.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from lineage_recorder.aws import longest_call_seconds
from lineage_recorder.plan import EntityKey
from lineage_recorder.state.corrupt import report_corrupt
from lineage_recorder.state.table import StateTable, entity_id

# How long a claim protects a creation in progress: longer than the create it guards can take with all
# its retries (aws.longest_call_seconds), so no other worker creates the same key meanwhile. A worker
# that dies after claiming blocks the key for this long; then another worker takes over (after looking
# the key up again in SageMaker).
CLAIM_LEASE_SECONDS = longest_call_seconds() + 30
# Instances' clocks differ a little: a claim is corrupt only when it ends further ahead than a lease
# plus this.
CLOCK_SKEW_SECONDS = 300


@dataclass(frozen=True)
class Claim:
    """The right to create a key. `after_unknown_outcome`: an earlier attempt's create failed in a way
    that may have created the entity (its answer was lost), so look for it before creating."""

    after_unknown_outcome: bool = False


class KeyStore(Protocol):
    def get(self, key: EntityKey) -> str | None:
        """The ARN recorded for `key`, or None (also while another worker is still creating it)."""

    def put(self, key: EntityKey, arn: str) -> str:
        """Record `arn` for `key` unless another ARN is already recorded; return the recorded one."""

    def put_absent(self, arns: dict[EntityKey, str]) -> int:
        """`put` each key that has no ARN recorded yet, in as few writes as possible; return how many."""

    def claim(self, key: EntityKey, owner: str) -> Claim | None:
        """Take the right to create `key`: a Claim for exactly one owner while the claim's lease lasts."""

    def release(self, key: EntityKey, owner: str, *, outcome_unknown: bool = False) -> None:
        """Give back `owner`'s claim on `key` (its creation failed) before the lease runs out;
        `outcome_unknown`: the create may have made the entity, so the next claim looks for it first."""

    def forget(self, key: EntityKey, arn: str) -> None:
        """`arn` no longer exists: drop it, so that `key` is looked up (and created) again."""


class MemoryKeyStore:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._arns: dict[EntityKey, str] = {}
        self._claims: dict[EntityKey, tuple[str, float]] = {}
        self._unknown_outcomes: set[EntityKey] = set()

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

    def claim(self, key: EntityKey, owner: str) -> Claim | None:
        now = time.monotonic()
        with self._lock:
            if key in self._arns:
                return None
            holder = self._claims.get(key)
            live = now < holder[1] <= now + CLAIM_LEASE_SECONDS + CLOCK_SKEW_SECONDS if holder else False
            if holder is not None and holder[0] != owner and live:
                return None
            # A claim taken over from a holder whose lease ran out: it may have created the entity.
            taken_over = holder is not None and holder[0] != owner
            self._claims[key] = (owner, now + CLAIM_LEASE_SECONDS)
            return Claim(after_unknown_outcome=taken_over or key in self._unknown_outcomes)

    def release(self, key: EntityKey, owner: str, *, outcome_unknown: bool = False) -> None:
        with self._lock:
            holder = self._claims.get(key)
            if holder is not None and holder[0] == owner:
                del self._claims[key]
                if outcome_unknown:
                    self._unknown_outcomes.add(key)

    def forget(self, key: EntityKey, arn: str) -> None:
        with self._lock:
            if self._arns.get(key) == arn:
                del self._arns[key]


# Attribute names go through placeholders: several are DynamoDB reserved words.
_NAMES = {
    "#arn": "arn",
    "#kind": "kind",
    "#uri": "source_uri",
    "#owner": "claim_owner",
    "#until": "claim_until",
    "#unknown": "create_outcome_unknown",
}
_CLAIM_NAMES = {name: _NAMES[name] for name in ("#arn", "#owner", "#until")}


# What an ARN recorded for a key must look like: a lineage entity or a job's trial component.
_LINEAGE_ARN = re.compile(
    r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:[0-9]{12}:(artifact|action|context|experiment-trial-component)/\S+"
)


def _arn_of(item: dict[str, Any] | None) -> str | None:
    """The ARN an item records; None when it records none, or one that is not an ARN (see _corrupt_arn)."""
    if item is None or "arn" not in item or _corrupt_arn(item) is not None:
        return None
    return str(item["arn"]["S"])


def _corrupt_arn(item: dict[str, Any] | None) -> dict[str, Any] | None:
    """The raw `arn` attribute of an item whose ARN does not read, to replace it conditionally."""
    if item is None or "arn" not in item:
        return None
    value = item["arn"].get("S") if isinstance(item["arn"], dict) else None
    if isinstance(value, str) and _LINEAGE_ARN.fullmatch(value):
        return None
    return dict(item["arn"])


class TableKeyStore:
    def __init__(self, table: StateTable) -> None:
        self._table = table

    def get(self, key: EntityKey) -> str | None:
        item = self._table.get(entity_id(key))
        corrupt = _corrupt_arn(item)
        if corrupt is not None:
            self._drop_corrupt_arn(entity_id(key), corrupt)
            return None
        return _arn_of(item)

    def _drop_corrupt_arn(self, item_id: str, corrupt: dict[str, Any]) -> None:
        """Report an ARN that is not one, and remove it (only if it is still that value): the key is then
        looked up, claimed and created as if it had never been recorded."""
        report_corrupt(item_id, "the ARN recorded for a key", f"arn is {corrupt!r}")
        self._table.update(
            item_id,
            UpdateExpression="REMOVE #arn",
            ConditionExpression="#arn = :corrupt",
            ExpressionAttributeNames={"#arn": "arn"},
            ExpressionAttributeValues={":corrupt": corrupt},
        )
        self._table.forget(item_id)

    def put(self, key: EntityKey, arn: str) -> str:
        item_id = entity_id(key)
        applied = self._table.update(
            item_id,
            UpdateExpression="SET #arn = :arn, #kind = :kind, #uri = :uri REMOVE #owner, #until, #unknown",
            ConditionExpression="attribute_not_exists(#arn) OR #arn = :arn",
            ExpressionAttributeNames=_NAMES,
            ExpressionAttributeValues={
                ":arn": {"S": arn},
                ":kind": {"S": str(key.kind)},
                ":uri": {"S": key.source_uri},
            },
        )
        if applied is None:
            # Another ARN was recorded first: that one stands for the key.
            fresh = self._table.get_fresh(item_id)
            corrupt = _corrupt_arn(fresh)
            if corrupt is not None:
                self._drop_corrupt_arn(item_id, corrupt)
                return self.put(key, arn)
            recorded = _arn_of(fresh)
            return recorded if recorded is not None else arn
        self._table.remember(item_id, {"id": {"S": item_id}, "arn": {"S": arn}})
        return arn

    def put_absent(self, arns: dict[EntityKey, str]) -> int:
        """Unconditional batch writes of keys a consistent read just found absent. A writer racing in
        between can only be a recorder instance that created an entity for the same key: either the very
        entity being written (it was listed), or a duplicate no lookup could have prevented. Conditional
        writes (one UpdateItem per key, or TransactWriteItems) would cost a call per key to rule that out.
        """
        with self._table.snapshot():
            self._table.read_into_snapshot(entity_id(key) for key in arns)
            absent = [(key, arn) for key, arn in arns.items() if self.get(key) is None]
            self._table.batch_put(
                [
                    {
                        "id": {"S": entity_id(key)},
                        "arn": {"S": arn},
                        "kind": {"S": str(key.kind)},
                        "source_uri": {"S": key.source_uri},
                    }
                    for key, arn in absent
                ]
            )
        return len(absent)

    def claim(self, key: EntityKey, owner: str) -> Claim | None:
        now = int(time.time())
        item_id = entity_id(key)
        # Whatever the snapshot read for this key is stale once we contend for it: read it afresh later.
        self._table.forget(item_id)
        applied = self._table.update(
            item_id,
            UpdateExpression="SET #owner = :owner, #until = :until",
            # A claim further ahead than a lease can reach, or not a number, is corrupt: not a claim.
            ConditionExpression=(
                "attribute_not_exists(#arn) AND (attribute_not_exists(#until) "
                "OR NOT attribute_type(#until, :number) OR #until < :now OR #until > :horizon "
                "OR #owner = :owner)"
            ),
            ExpressionAttributeNames=_CLAIM_NAMES,
            ExpressionAttributeValues={
                ":owner": {"S": owner},
                ":until": {"N": str(now + CLAIM_LEASE_SECONDS)},
                ":now": {"N": str(now)},
                ":horizon": {"N": str(now + CLAIM_LEASE_SECONDS + CLOCK_SKEW_SECONDS)},
                ":number": {"S": "N"},
            },
            ReturnValues="ALL_OLD",
        )
        if applied is None:
            return None
        before = applied.get("Attributes") or {}
        until = before.get("claim_until")
        if until is not None and (
            until.get("N") is None or int(float(until["N"])) > now + CLAIM_LEASE_SECONDS
        ):
            report_corrupt(item_id, "a claim to create a key", f"claim_until is {until!r}")
        # Taken over from a holder whose lease ran out, or after a create whose answer was lost: the
        # entity may exist.
        taken_over = "claim_owner" in before and before["claim_owner"].get("S") != owner
        return Claim(after_unknown_outcome=taken_over or "create_outcome_unknown" in before)

    def release(self, key: EntityKey, owner: str, *, outcome_unknown: bool = False) -> None:
        # A failed condition means someone else holds it now (our lease ran out): theirs to keep.
        names = dict(_CLAIM_NAMES)
        values: dict[str, Any] = {":owner": {"S": owner}}
        expression = "REMOVE #owner, #until"
        if outcome_unknown:
            names["#unknown"] = _NAMES["#unknown"]
            values[":yes"] = {"BOOL": True}
            expression += " SET #unknown = :yes"
        self._table.update(
            entity_id(key),
            UpdateExpression=expression,
            ConditionExpression="#owner = :owner AND attribute_not_exists(#arn)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def forget(self, key: EntityKey, arn: str) -> None:
        self._table.delete(
            entity_id(key),
            ConditionExpression="#arn = :arn",
            ExpressionAttributeNames={"#arn": "arn"},
            ExpressionAttributeValues={":arn": {"S": arn}},
        )
