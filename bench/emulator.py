"""The in-process local AWS for one run: moto plus the project's lineage emulator, fresh every time.

Also the environment the Lambda would see, the recorder's state table, what a run left in the lineage
store, and a cheap way to fill an account with lineage entities before a run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3
import sagemaker_lineage_emulator
from moto import mock_aws
from sagemaker_lineage_emulator.store import Association, LineageEntity, LineageStore, store_for

from bench.workload import ACCOUNT, REGION

STATE_TABLE = "lineage-recorder-state"
# The bench measures calls, not SageMaker's quotas: large estates and preloaded accounts must fit.
BENCH_QUOTA = 10_000_000

# What the stack sets on the function (infra/recorder.py), plus local credentials and quiet tracing.
LAMBDA_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "POWERTOOLS_SERVICE_NAME": "lineage-recorder",
    "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLineageRecorder",
    "POWERTOOLS_LOG_LEVEL": "INFO",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "LINEAGE_STATE_TABLE": STATE_TABLE,
    "LINEAGE_PEER_ACCOUNTS": "",
    "LINEAGE_PEER_ROLE_NAME": "SageMakerLineagePeerReader",
}
_UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER")


def configure_environment() -> None:
    """Set the Lambda's environment in this process. Call before importing lineage_recorder.handler."""
    for key in _UNSET:
        os.environ.pop(key, None)
    os.environ.update(LAMBDA_ENVIRONMENT)
    from lineage_recorder.patterns import family_names

    os.environ["LINEAGE_FAMILIES"] = ",".join(family_names())


def create_state_table() -> None:
    dynamodb = boto3.client("dynamodb", region_name=REGION)
    dynamodb.create_table(
        TableName=STATE_TABLE,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    dynamodb.update_time_to_live(
        TableName=STATE_TABLE, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expiration"}
    )


@contextmanager
def fresh_emulator() -> Iterator[Any]:
    """A new, empty local AWS with the state table; yields the SageMaker client that sets up the estate."""
    sagemaker_lineage_emulator.install()
    sagemaker_lineage_emulator.reset()
    sagemaker_lineage_emulator.configure(
        quotas=dict.fromkeys(sagemaker_lineage_emulator.DEFAULT_QUOTAS, BENCH_QUOTA)
    )
    try:
        with mock_aws():
            create_state_table()
            yield boto3.client("sagemaker", region_name=REGION)
    finally:
        sagemaker_lineage_emulator.reset()


@dataclass(frozen=True)
class LineageCounts:
    artifacts: int
    actions: int
    contexts: int
    associations: int

    @property
    def entities(self) -> int:
        return self.artifacts + self.actions + self.contexts

    def minus(self, other: LineageCounts) -> LineageCounts:
        return LineageCounts(
            self.artifacts - other.artifacts,
            self.actions - other.actions,
            self.contexts - other.contexts,
            self.associations - other.associations,
        )

    def to_json(self) -> dict[str, int]:
        return {
            "artifacts": self.artifacts,
            "actions": self.actions,
            "contexts": self.contexts,
            "entities": self.entities,
            "associations": self.associations,
        }


def lineage_counts() -> LineageCounts:
    """What the account's lineage store holds now (trial components are SageMaker's, not counted)."""
    store = store_for(ACCOUNT, REGION)
    with store.lock:
        kinds = [entity.kind for entity in store.entities.values()]
        return LineageCounts(
            kinds.count("artifact"), kinds.count("action"), kinds.count("context"), len(store.associations)
        )


def preload(entities: int) -> LineageCounts:
    """Fill the account with ``entities`` lineage entities (and associations between them), unrelated to
    the workload, straight into the emulator's store: no API calls, no per-create quota scan.

    The mix looks like an older estate: 70% artifacts (data sets, models), 20% job actions, 10% contexts,
    and each action joined to an input and an output artifact.
    """
    store = store_for(ACCOUNT, REGION)
    actions: list[str] = []
    artifacts: list[str] = []
    with store.lock:
        for number in range(entities):
            share = number % 10
            if share < 7:
                kind, entity_type, name = "artifact", ("DataSet", "Model")[share % 2], None
                source_uri = f"s3://estate-archive/{number // 1000:03d}/{number:07d}/"
                resource_id = f"{number:032x}"
            elif share < 9:
                kind, entity_type, name = "action", "TrainingJob", f"archived-job-{number:07d}"
                source_uri, resource_id = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name}", name
            else:
                kind, entity_type, name = "context", "Endpoint", f"archived-endpoint-{number:07d}"
                source_uri, resource_id = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/{name}", name
            entity = LineageEntity(
                kind=kind,
                arn=store.arn_for(kind, resource_id),
                name=name,
                entity_type=entity_type,
                source={"SourceUri": source_uri},
            )
            store.entities[entity.arn] = entity
            if name is not None:
                store.arn_by_name[(kind, name)] = entity.arn
            store.arns_by_source_uri.setdefault((kind, source_uri), []).append(entity.arn)
            (artifacts if kind == "artifact" else actions if kind == "action" else []).append(entity.arn)
        for index, action in enumerate(actions):
            if len(artifacts) < 2:
                break
            source, destination = (
                artifacts[(2 * index) % len(artifacts)],
                artifacts[(2 * index + 1) % len(artifacts)],
            )
            for start, end, association_type in (
                (source, action, "ContributedTo"),
                (action, destination, "Produced"),
            ):
                store.associations[(start, end)] = Association(start, end, association_type)
                store.outgoing.setdefault(start, set()).add(end)
                store.incoming.setdefault(end, set()).add(start)
    return lineage_counts()


@dataclass
class UpdateLog:
    effective: int = 0  # Update* calls that changed an entity's name, description, status or properties
    no_op: int = 0


@contextmanager
def watching_updates() -> Iterator[UpdateLog]:
    """Count the Update* calls that actually changed an entity, as the emulator's store sees them."""
    original = LineageStore.update_entity
    log = UpdateLog()

    def state(entity: LineageEntity) -> tuple[Any, ...]:
        return (entity.name, entity.description, entity.status, dict(entity.properties))

    def update_entity(self: LineageStore, entity: LineageEntity, **changes: Any) -> LineageEntity:
        before = state(entity)
        updated = original(self, entity, **changes)
        if state(entity) != before:
            log.effective += 1
        else:
            log.no_op += 1
        return updated

    LineageStore.update_entity = update_entity  # type: ignore[method-assign]
    try:
        yield log
    finally:
        LineageStore.update_entity = original  # type: ignore[method-assign]
