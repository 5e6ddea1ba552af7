"""The local EventBridge -> SQS path backs off like the deployed one: a failed record comes back after a
pause that doubles with each receive, so a copy blocked by another worker is not retried into the DLQ."""

from __future__ import annotations

import time
from typing import Any

import boto3
from lineage_recorder_cli.local_aws import LocalEventPipeline, retry_pause_seconds

from tests.support.events import ACCOUNT, REGION


def test_the_pause_doubles_per_receive_up_to_its_cap() -> None:
    # Given receive counts 1 to 6; When their pauses are asked; Then 1, 2, 4, 8, then 8 again
    assert [retry_pause_seconds(receives) for receives in range(1, 7)] == [1, 2, 4, 8, 8, 8]


def test_a_record_that_fails_once_comes_back_after_its_pause_and_is_delivered(emulator: None) -> None:
    # Given one event on the queue, and a handler that fails each record the first time it sees it
    pipeline = LocalEventPipeline(
        boto3.client("events"), boto3.client("sqs"), account=ACCOUNT, region=REGION, families=["training"]
    )
    pipeline.publish(
        "SageMaker Training Job State Change",
        {
            "TrainingJobArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/x",
            "TrainingJobStatus": "Completed",
        },
        [f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/x"],
    )
    seen: dict[str, float] = {}
    attempts: list[float] = []

    def fails_first(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in event["Records"]:
            attempts.append(time.monotonic())
            if record["body"] not in seen:
                seen[record["body"]] = time.monotonic()
                failures.append({"itemIdentifier": record["messageId"]})
        return {"batchItemFailures": failures}

    # When the queue is drained by one worker
    report = pipeline.drain(fails_first)
    # Then the record was received twice, the second time about a second later, and delivered
    assert (report.failed_attempts, report.delivered, report.dead_lettered) == (1, 1, [])
    assert len(attempts) == 2
    assert attempts[1] - attempts[0] >= 0.9
