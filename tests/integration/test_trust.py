"""What an attacker can put on the queue writes nothing, and each attempt is logged and counted.

Each case goes through the Lambda handler as deployed (LINEAGE_QUEUE_ARN set, as the stack sets it), with
SageMaker holding one real training job, so what is written can only come from SageMaker's own account of
it. The issue this answers: a forged message, a direct invocation, another account's, Region's or
partition's ARN, a peer-named job, a far-future time and an oversized event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from lineage_recorder import handler
from lineage_recorder.errors import InvalidEventError
from lineage_recorder.families.training import TrainingJob, plan_training_job
from lineage_recorder.observability import logger as recorder_logger
from lineage_recorder.recorder import MAX_PLAN_ENTITIES, check_size
from lineage_recorder_cli.local_aws import LocalLambdaContext

from tests.integration.jobs import IMAGE, training_job
from tests.support.events import ACCOUNT, REGION, sqs_batch, training_detail, training_event
from tests.support.graph import snapshot
from tests.support.logs import LogCollector

QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:lineage-recorder-queue"
PEER = "111122223333"
CONTEXT = LocalLambdaContext(ACCOUNT, REGION)


@pytest.fixture
def deployed(emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """The handler as the stack configures it (its queue, one peer); what it logged."""
    monkeypatch.setenv("LINEAGE_QUEUE_ARN", QUEUE_ARN)
    monkeypatch.setenv("LINEAGE_PEER_ACCOUNTS", PEER)
    handler.recorder.cache_clear()
    collector = LogCollector()
    collector.setFormatter(recorder_logger.registered_formatter)
    service_logger = logging.getLogger("lineage-recorder")
    service_logger.addHandler(collector)
    yield collector.lines
    service_logger.removeHandler(collector)
    handler.recorder.cache_clear()


def _handle(*events: dict[str, Any], source: str = QUEUE_ARN) -> dict[str, Any]:
    batch = sqs_batch(list(events))
    for record in batch["Records"]:
        record["eventSourceARN"] = source
    response: dict[str, Any] = handler.lambda_handler(batch, CONTEXT)
    return response


def _metrics(capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    (emitted,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    return emitted


def test_a_forged_message_about_a_job_that_never_ran_writes_nothing(
    deployed: list[dict[str, Any]], sagemaker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a forged event: an attacker's dataset and image, a "production" model, for a job never run
    forged = training_event(
        "backdoor",
        inputs=["s3://attacker/data/"],
        image=IMAGE,
        output="s3://prod-models/",
        model="s3://prod-models/m.tar.gz",
    )
    # When it reaches the function from its own queue
    response = _handle(forged)
    # Then nothing is written, the record is not failed (retrying cannot help), and it is logged and counted
    assert response["batchItemFailures"] == []
    assert snapshot(sagemaker).nodes == frozenset()
    (line,) = [
        line for line in deployed if line["message"] == "Event not confirmed by SageMaker; nothing recorded"
    ]
    assert "backdoor" in line["resource_arn"] and "SageMaker does not know" in line["reason"]
    assert _metrics(capsys)["EventsUnconfirmed"] == [1]


def test_a_record_from_anything_but_the_recorders_queue_is_rejected(
    deployed: list[dict[str, Any]], sagemaker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a real job's event, handed to the function directly, as from another queue
    event = training_job(sagemaker, "real", inputs=["s3://data/"], output="s3://models/")
    # When handled / Then it is rejected naming the source, and nothing is written
    response = _handle(event, source=f"arn:aws:sqs:{REGION}:{ACCOUNT}:somebody-elses-queue")
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == ["message-0"]
    (line,) = [line for line in deployed if line["message"] == "Record rejected"]
    assert "somebody-elses-queue" in line["reason"] and "not the recorder's queue" in line["reason"]
    assert snapshot(sagemaker).edges == frozenset()
    assert _metrics(capsys)["RecordsRejected"] == [1]


@pytest.mark.parametrize(
    ("replace", "by", "names"),
    [
        (ACCOUNT, "999999999999", "account '999999999999'"),
        (REGION, "eu-west-1", "Region 'eu-west-1'"),
        ("arn:aws:", "arn:aws-cn:", "partition 'aws-cn'"),
    ],
    ids=["account", "region", "partition"],
)
def test_a_resource_in_another_account_region_or_partition_is_rejected(
    deployed: list[dict[str, Any]], sagemaker: Any, replace: str, by: str, names: str
) -> None:
    # Given an event from the recorder's own account whose job ARN names a job of the same name elsewhere
    event = training_job(sagemaker, "same-name", inputs=["s3://data/"], output="s3://models/")
    foreign = event["detail"]["TrainingJobArn"].replace(replace, by, 1)
    event = {**event, "resources": [foreign], "detail": {**event["detail"], "TrainingJobArn": foreign}}
    # When handled / Then it is rejected, naming the field and what is foreign, and nothing is written
    response = _handle(event)
    assert len(response["batchItemFailures"]) == 1
    (line,) = [line for line in deployed if line["message"] == "Record rejected"]
    assert "TrainingJobArn" in line["reason"] and names in line["reason"]
    assert snapshot(sagemaker).edges == frozenset()


def test_a_peers_job_is_left_to_the_peers_recorder_even_when_a_local_job_has_its_name(
    deployed: list[dict[str, Any]], sagemaker: Any
) -> None:
    # Given a local job, and the peer's event about its own job of the same name
    local = training_job(sagemaker, "shared-name", inputs=["s3://local-data/"], output="s3://models/")
    peer_arn = local["detail"]["TrainingJobArn"].replace(ACCOUNT, PEER)
    peer_event = {
        **local,
        "account": PEER,
        "resources": [peer_arn],
        "detail": {**local["detail"], "TrainingJobArn": peer_arn},
    }
    # When the peer's event arrives (a forwarded bus)
    response = _handle(peer_event)
    # Then it is ignored with the reason: the local job of the same name is not recorded in its place
    assert response["batchItemFailures"] == []
    (line,) = [line for line in deployed if line["message"] == "Event ignored"]
    assert line["reason"] == f"events of peer account {PEER} are recorded by that account's own recorder"
    assert snapshot(sagemaker).edges == frozenset()


def test_an_oversized_event_for_a_job_sagemaker_does_not_have_writes_nothing(
    deployed: list[dict[str, Any]], sagemaker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a 200 KB event listing 4,000 datasets for a job SageMaker does not have
    inputs = [f"s3://flood/{index:05d}/" for index in range(4000)]
    event = training_event("flood", inputs=inputs, image=IMAGE, output="s3://models/")
    assert len(json.dumps(event)) > 200_000
    # When handled / Then not one entity is created, and it is counted
    _handle(event)
    assert snapshot(sagemaker).nodes == frozenset()
    assert _metrics(capsys)["EventsUnconfirmed"] == [1]


def test_no_plan_may_write_more_than_one_event_should() -> None:
    # Given a description (as SageMaker would never give) with more channels than one event may write
    inputs = [f"s3://data/{index}/" for index in range(MAX_PLAN_ENTITIES + 1)]
    plan = plan_training_job(
        TrainingJob.model_validate(training_detail("huge", inputs=inputs, image=IMAGE, output="s3://models/"))
    )
    # When checked / Then it is refused as a whole, saying how large it is and what the limit is
    with pytest.raises(InvalidEventError, match=f"more than one event may write \\({MAX_PLAN_ENTITIES} and"):
        check_size(plan)


def test_an_invalid_record_is_parked_in_the_rejected_queue_at_once_with_its_reason(
    deployed: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the stack's rejected queue
    sqs = boto3.client("sqs")
    rejected = sqs.create_queue(QueueName="lineage-recorder-rejected")["QueueUrl"]
    monkeypatch.setenv("LINEAGE_REJECTED_QUEUE_URL", rejected)
    handler.recorder.cache_clear()
    # When a record that can never be recorded arrives (another account's event)
    stranger = training_event("x", inputs=[], image=IMAGE, output="s3://models/")
    stranger["account"] = "999999999999"
    response = _handle(stranger)
    # Then it is not retried (SQS deletes it), and it waits in the rejected queue with why and whence
    assert response["batchItemFailures"] == []
    (message,) = sqs.receive_message(QueueUrl=rejected, MessageAttributeNames=["All"])["Messages"]
    assert json.loads(message["Body"])["account"] == "999999999999"
    attributes = {key: value["StringValue"] for key, value in message["MessageAttributes"].items()}
    assert "'999999999999' is not trusted" in attributes["reason"]
    assert attributes["event-source-arn"] == QUEUE_ARN and attributes["message-id"] == "message-0"
    assert [line["message"] for line in deployed] == ["Record rejected"]


def test_an_invalid_record_that_cannot_be_parked_fails_and_is_kept(
    deployed: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a rejected queue that does not exist (deleted by hand, or no permission)
    monkeypatch.setenv("LINEAGE_REJECTED_QUEUE_URL", f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/gone")
    handler.recorder.cache_clear()
    stranger = training_event("x", inputs=[], image=IMAGE, output="s3://models/")
    stranger["account"] = "999999999999"
    # When an invalid record arrives / Then it fails as before, so SQS keeps it (then the DLQ): nothing lost
    response = _handle(stranger)
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == ["message-0"]
    assert "Rejected record could not be parked; it fails and SQS keeps it" in [
        line["message"] for line in deployed
    ]
