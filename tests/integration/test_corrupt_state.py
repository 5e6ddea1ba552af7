"""One corrupt state-table item never stops recording: the record that meets it is recorded (the item is
logged, counted, and dropped or repaired), and other records are unaffected."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from lineage_recorder import handler
from lineage_recorder.plan import EntityKey, EntityKind
from lineage_recorder.state.pending_links import TablePendingLinks, new_pending
from lineage_recorder.state.table import PENDING_LINKS_ID, StateTable, cursor_id, entity_id
from lineage_recorder_cli.local_aws import LocalLambdaContext
from lineage_recorder_cli.resource_events import model_package_event

from tests.integration.deployments import as_event, model_package
from tests.integration.jobs import training_job
from tests.support.events import sqs_batch
from tests.support.graph import snapshot
from tests.support.state_table import create_state_table

CONTEXT = LocalLambdaContext("123456789012", "us-east-1")
SHARED_DATA = "s3://features/shared/"
MODEL_DATA = "s3://models/churn/output/model.tar.gz"


@pytest.fixture
def table(emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = create_state_table(boto3.client("dynamodb"))
    monkeypatch.setenv("LINEAGE_STATE_TABLE", name)
    handler.recorder.cache_clear()
    yield name
    handler.recorder.cache_clear()


def _items(table: str, prefix: str) -> list[dict[str, Any]]:
    items = [
        item
        for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=table)
        for item in page["Items"]
    ]
    return [item for item in items if item["id"]["S"].startswith(prefix)]


def _put(table: str, item: dict[str, Any]) -> None:
    boto3.client("dynamodb").put_item(TableName=table, Item=item)


def _handled(events: list[dict[str, Any]]) -> list[str]:
    """The message ids the handler reported as failed."""
    response = handler.lambda_handler(sqs_batch(events), CONTEXT)
    return [item["itemIdentifier"] for item in response["batchItemFailures"]]


def _key_item(key: EntityKey) -> dict[str, Any]:
    return {"id": {"S": entity_id(key)}, "kind": {"S": str(key.kind)}, "source_uri": {"S": key.source_uri}}


DATA_KEY = EntityKey(EntityKind.ARTIFACT, SHARED_DATA)


def _arn_not_an_arn(table: str) -> None:
    _put(table, {**_key_item(DATA_KEY), "arn": {"S": "not-an-arn"}})


def _arn_of_the_wrong_type(table: str) -> None:
    _put(table, {**_key_item(DATA_KEY), "arn": {"N": "42"}})


def _claim_in_the_far_future(table: str) -> None:
    forever = str(int(time.time()) + 10**9)
    _put(table, {**_key_item(DATA_KEY), "claim_owner": {"S": "ghost"}, "claim_until": {"N": forever}})


def _claim_that_is_not_a_time(table: str) -> None:
    _put(table, {**_key_item(DATA_KEY), "claim_owner": {"S": "ghost"}, "claim_until": {"S": "tomorrow"}})


def _index_start_not_a_number(table: str) -> None:
    for item in _items(table, "index#") or [{"id": {"S": cursor_id("artifact")}}]:
        _put(table, {"id": item["id"], "start": {"S": "yesterday"}})


CORRUPTIONS: dict[str, Callable[[str], None]] = {
    "entity ARN not an ARN": _arn_not_an_arn,
    "entity ARN of the wrong type": _arn_of_the_wrong_type,
    "claim in the far future": _claim_in_the_far_future,
    "claim that is not a time": _claim_that_is_not_a_time,
    "index start not a number": _index_start_not_a_number,
}


@pytest.mark.parametrize("corrupt", list(CORRUPTIONS.values()), ids=list(CORRUPTIONS))
def test_a_corrupt_item_is_dropped_and_the_record_is_recorded(
    table: str, sagemaker: Any, logs: list[dict[str, Any]], corrupt: Callable[[str], None]
) -> None:
    # Given one job recorded, and then a state item the next job's record needs made corrupt
    first = training_job(sagemaker, "first", inputs=["s3://features/own/"], output="s3://models/first/")
    assert _handled([first]) == []
    corrupt(table)
    # When a batch of that job and an unrelated one is handled
    second = training_job(sagemaker, "second", inputs=[SHARED_DATA], output="s3://models/second/")
    third = training_job(sagemaker, "third", inputs=["s3://features/other/"], output="s3://models/third/")
    failed = _handled([second, third])
    # Then both are recorded, with no duplicate
    assert failed == []
    graph = snapshot(sagemaker)
    assert ("DataSet", SHARED_DATA) in graph.nodes
    assert ("DataSet", "s3://features/other/") in graph.nodes
    assert graph.duplicate_entities == {}
    # And what was wrong is in the log, where the item is named
    corrupt_lines = [line for line in logs if line["message"] == "State item corrupt; treated as absent"]
    assert corrupt_lines, [line["message"] for line in logs]
    assert all(line["item_id"] and line["reason"] for line in corrupt_lines)
    # And a record that meets the same key later goes through cleanly (the item was dropped or repaired)
    logs.clear()
    fourth = training_job(sagemaker, "fourth", inputs=[SHARED_DATA], output="s3://models/fourth/")
    assert _handled([fourth]) == []
    assert not [line for line in logs if line["message"] == "State item corrupt; treated as absent"]
    assert snapshot(sagemaker).duplicate_entities == {}


@pytest.mark.parametrize("state", [{"S": "{not json"}, {"N": "7"}, {"S": '{"status": null}'}])
def test_a_corrupt_entity_state_is_read_again_from_sagemaker(
    table: str, sagemaker: Any, logs: list[dict[str, Any]], state: dict[str, str]
) -> None:
    # Given a package version recorded while pending approval, and its remembered state made corrupt
    package_arn = model_package(sagemaker, "corrupt-state", model_data=MODEL_DATA)
    assert _handled([as_event(model_package_event(sagemaker, package_arn), "2026-11-21T10:00:00Z")]) == []
    for item in _items(table, "state#"):
        _put(table, {"id": item["id"], "state": state})
    # When the package is approved and its event handled
    sagemaker.update_model_package(ModelPackageArn=package_arn, ModelApprovalStatus="Approved")
    event = as_event(
        model_package_event(sagemaker, package_arn, ["ModelApprovalStatus"]), "2026-11-21T11:00:00Z"
    )
    # Then it is recorded: the approval says Approved
    assert _handled([event]) == []
    (approval,) = sagemaker.list_actions(ActionType="Approval")["ActionSummaries"]
    properties = sagemaker.describe_action(ActionName=approval["ActionArn"])["Properties"]
    assert properties["ModelApprovalStatus"] == "Approved"
    # And the corrupt state was logged
    assert any(line["message"] == "State item corrupt; treated as absent" for line in logs)


@pytest.mark.parametrize(
    "links",
    [
        {"S": "oops"},
        {"M": {"a1": {"S": "{not json"}, "b2": {"N": "3"}}},
        {
            "M": {
                "c3": {
                    "S": '{"kind": "artifact", "source_uri": "s3://x/", "local_arn": "a", '
                    '"peer_account": "111111111111", "next_attempt": "soon", "expires": 1e99}'
                },
                "d4": {
                    "S": '{"kind": "gadget", "source_uri": "s3://y/", "local_arn": "b", "peer_account": "1"}'
                },
            }
        },
    ],
    ids=["not-a-map", "entries-that-do-not-parse", "entries-of-the-wrong-types"],
)
def test_corrupt_deferred_links_are_dropped_and_new_ones_kept(
    table: str, logs: list[dict[str, Any]], links: dict[str, Any]
) -> None:
    # Given the deferred SameAs links item made corrupt (read when peers are configured)
    _put(table, {"id": {"S": PENDING_LINKS_ID}, "links": links})
    pending = TablePendingLinks(StateTable(boto3.client("dynamodb"), table))
    # When the links are read, and a new one is deferred
    assert pending.all() == []
    link = new_pending(
        DATA_KEY, "arn:aws:sagemaker:us-east-1:123456789012:artifact/a", "111111111111", "x", 1.0
    )
    assert pending.add(link)
    # Then the corrupt part was logged and dropped, and the new link is kept and read back
    assert any(line["message"] == "State item corrupt; treated as absent" for line in logs)
    assert pending.all() == [link]
