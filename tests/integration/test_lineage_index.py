"""The lineage index through the Lambda handler, with the state table, against the emulator.

The index must never change what is recorded, only how it is found: entities SageMaker (or anyone)
created are reused exactly as a lookup by SourceUri would reuse them, and a key is only created without
a lookup when the index has read the account up to the moment it is needed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import boto3
import pytest
from lineage_recorder import aws, handler
from lineage_recorder.apply.applier import Applier
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.apply.lineage_index import LineageIndex
from lineage_recorder.plan import EntityKey, EntityKind, Plan, PlannedEntity
from lineage_recorder.state import table_state
from lineage_recorder.state.cursors import TableIndexCursors
from lineage_recorder.state.table import StateTable
from lineage_recorder_cli.local_aws import LocalLambdaContext

from tests.integration.jobs import IMAGE, training_job
from tests.support.events import ACCOUNT, REGION, sqs_batch
from tests.support.graph import snapshot
from tests.support.state_table import create_state_table

CONTEXT = LocalLambdaContext(ACCOUNT, REGION)


@dataclass
class RequestLog:
    """Every SageMaker request the recorder's client sends, with its parameters."""

    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def on_call(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.requests.append((model.name, dict(params)))

    def lookups_by_source_uri(self) -> list[str]:
        return [params["SourceUri"] for name, params in self.requests if "SourceUri" in params]

    def count(self, operation: str) -> int:
        return sum(1 for name, _ in self.requests if name == operation)


@pytest.fixture
def deployed(emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[RequestLog]:
    """The handler as deployed (state table, index on), with its SageMaker requests logged."""
    monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
    handler.recorder.cache_clear()
    log = RequestLog()
    aws.client("sagemaker").meta.events.register("before-parameter-build.sagemaker", log.on_call)
    yield log
    handler.recorder.cache_clear()


def _handle(*events: dict[str, Any]) -> None:
    response = handler.lambda_handler(sqs_batch(list(events)), CONTEXT)
    assert response["batchItemFailures"] == []


def _created_by_someone_else(sagemaker: Any, uri: str, artifact_type: str = "DataSet") -> str:
    """An artifact as SageMaker creates for a job's input: no recorder tag."""
    return str(
        sagemaker.create_artifact(ArtifactType=artifact_type, Source={"SourceUri": uri})["ArtifactArn"]
    )


def _arns(sagemaker: Any, uri: str) -> list[str]:
    return [
        summary["ArtifactArn"] for summary in sagemaker.list_artifacts(SourceUri=uri)["ArtifactSummaries"]
    ]


def test_entities_sagemaker_created_are_reused_without_a_lookup_per_key(
    deployed: RequestLog, sagemaker: Any
) -> None:
    # Given SageMaker's own artifacts for a job's input and image, and its trial component for the job
    theirs = _created_by_someone_else(sagemaker, "s3://raw/clicks/")
    image = _created_by_someone_else(sagemaker, IMAGE, "Image")
    event = training_job(
        sagemaker, "indexed", inputs=["s3://raw/clicks/", "s3://raw/new/"], output="s3://models/"
    )
    # When the handler records the job
    _handle(event)
    graph = snapshot(sagemaker)
    # Then SageMaker's entities are the graph's nodes, and nothing is duplicated
    assert graph.duplicate_entities == {}
    assert _arns(sagemaker, "s3://raw/clicks/") == [theirs]
    assert _arns(sagemaker, IMAGE) == [image]
    assert ("TrainingJob", event["detail"]["TrainingJobArn"]) in graph.nodes
    assert sagemaker.list_actions(SourceUri=event["detail"]["TrainingJobArn"])["ActionSummaries"] == []
    # And no key was looked up on its own: the index read the account instead
    assert deployed.lookups_by_source_uri() == []
    assert deployed.count("DescribeTrialComponent") == 0
    assert deployed.count("ListArtifacts") == 1


def test_an_entity_created_after_one_invocation_is_read_by_the_next(
    deployed: RequestLog, sagemaker: Any
) -> None:
    # Given one job recorded (the index has read the account up to then)
    _handle(training_job(sagemaker, "first", inputs=["s3://raw/a/"], output="s3://models/"))
    # And then someone creates an artifact for a URI the next job reads
    theirs = _created_by_someone_else(sagemaker, "s3://raw/b/")
    # When the next invocation records that job
    _handle(training_job(sagemaker, "second", inputs=["s3://raw/b/"], output="s3://models/"))
    # Then that artifact is reused, not duplicated
    graph = snapshot(sagemaker)
    assert graph.duplicate_entities == {}
    assert _arns(sagemaker, "s3://raw/b/") == [theirs]


def test_an_index_that_cannot_read_up_to_now_falls_back_to_lookups(
    deployed: RequestLog, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an account holding more artifacts than one sync of one page reads
    monkeypatch.setenv("LINEAGE_INDEX_PAGES", "1")
    handler.recorder.cache_clear()  # the same SageMaker client (and its request log), new settings
    for n in range(150):
        _created_by_someone_else(sagemaker, f"s3://old/{n}")
    theirs = _created_by_someone_else(sagemaker, "s3://raw/late/")
    # When a job reading the newest of them is recorded
    _handle(training_job(sagemaker, "behind", inputs=["s3://raw/late/"], output="s3://models/"))
    # Then its keys were looked up one by one, and the existing artifact reused
    assert "s3://raw/late/" in deployed.lookups_by_source_uri()
    graph = snapshot(sagemaker)
    assert graph.duplicate_entities == {}
    assert _arns(sagemaker, "s3://raw/late/") == [theirs]


def test_the_index_off_looks_every_new_key_up(
    deployed: RequestLog, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given LINEAGE_INDEX_PAGES=0
    monkeypatch.setenv("LINEAGE_INDEX_PAGES", "0")
    handler.recorder.cache_clear()
    # When a job is recorded
    _handle(training_job(sagemaker, "off", inputs=["s3://raw/x/"], output="s3://models/"))
    # Then each new key is looked up by SourceUri, and no feed is read
    assert "s3://raw/x/" in deployed.lookups_by_source_uri()
    assert deployed.count("DescribeTrialComponent") == 1
    assert all(
        "CreatedAfter" not in params and "SourceUri" in params
        for name, params in deployed.requests
        if name == "ListArtifacts"
    )


class CursorsRacedAtTheirStart(TableIndexCursors):
    """The index cursors as one instance sees them, while `before_start` runs another instance's work
    just before this one reads a feed's start: the interleaving two Lambda containers can produce."""

    def __init__(self, table: StateTable, before_start: Callable[[str], None]) -> None:
        super().__init__(table)
        self._before_start = before_start

    def start(self, feed: str) -> float | None:
        self._before_start(feed)
        return super().start(feed)


def test_a_key_another_instance_indexed_during_this_ones_sync_is_reused(
    emulator: None, sagemaker: Any
) -> None:
    # Given SageMaker's own Endpoint context, and two recorder instances sharing the state table
    dynamodb = boto3.client("dynamodb")
    table = create_state_table(dynamodb)
    endpoint_arn = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/shared"
    theirs = sagemaker.create_context(
        ContextName="sagemakers-own", ContextType="Endpoint", Source={"SourceUri": endpoint_arn}
    )["ContextArn"]
    time.sleep(0.01)  # a newer, unrelated context, so the feed's start can move past SageMaker's
    sagemaker.create_context(ContextName="newer", ContextType="Endpoint", Source={"SourceUri": "arn:newer"})
    # (no overlap: the re-read of the last seconds would hide the interleaving this test is about)
    gateway = SageMakerGateway(sagemaker)
    theirs_state = table_state(dynamodb, table)
    other = LineageIndex(gateway, theirs_state.keys, theirs_state.cursors, overlap=0)
    # ... where the other instance indexes that context (and moves the feed on) after this instance has
    # read its key store for the plan, and before it reads the feed's start
    state = table_state(dynamodb, table)
    assert state.table is not None
    state = replace(
        state,
        cursors=CursorsRacedAtTheirStart(state.table, before_start=lambda feed: other.sync(feed) and None),
    )
    applier = Applier(gateway, state, LineageIndex(gateway, state.keys, state.cursors, overlap=0))
    plan = Plan(
        resource_arn=endpoint_arn,
        entities=(PlannedEntity(EntityKey(EntityKind.CONTEXT, endpoint_arn), "Endpoint", name="shared-ctx"),),
        edges=(),
    )
    # When this instance applies a plan with that context's key
    result = applier.apply(plan)
    # Then it reuses SageMaker's context instead of creating a second one
    assert result.arns[plan.entities[0].key] == theirs
    assert result.created == []
    assert len(sagemaker.list_contexts(SourceUri=endpoint_arn)["ContextSummaries"]) == 1


def test_a_job_without_a_trial_component_gets_one_node_of_its_own(
    deployed: RequestLog, sagemaker: Any, trial_components: bool
) -> None:
    # Given both worlds: SageMaker created the job's trial component, or it did not
    first = training_job(sagemaker, "own-node", inputs=["s3://raw/a/"], output="s3://models/")
    job_arn = first["detail"]["TrainingJobArn"]
    # When its event is recorded, and then again in a later invocation with its detail changed
    _handle(first)
    again = {**first, "id": "another-delivery", "detail": {**first["detail"], "FailureReason": "none"}}
    _handle(again)
    # Then the job has exactly one node: SageMaker's trial component, or the recorder's own action
    actions = sagemaker.list_actions(SourceUri=job_arn)["ActionSummaries"]
    assert len(actions) == (0 if trial_components else 1)
    assert snapshot(sagemaker).duplicate_entities == {}
    # And its node was never looked up one key at a time
    assert deployed.count("DescribeTrialComponent") == 0
