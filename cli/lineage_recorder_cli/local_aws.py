"""The SageMaker -> EventBridge -> SQS -> Lambda path, run locally on the emulator.

Rules are built from the same patterns as the CDK stack (lineage_recorder.patterns). The SQS queue
has a dead-letter queue with the same redrive as the stack, and the handler is the Lambda's own.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from lineage_recorder import redelivery
from lineage_recorder.patterns import EVENT_SOURCE, event_pattern, family_names

MAX_RECEIVE_COUNT = redelivery.MAX_RECEIVE_COUNT  # as the stack configures its queue (infra/ingest.py)
# Long enough that several consumers draining at once never receive the same message twice.
VISIBILITY_TIMEOUT_SECONDS = 60
# moto delivers only part of the envelope (no `account`) unless the whole event is asked for.
WHOLE_EVENT_TEMPLATE = {"InputPathsMap": {}, "InputTemplate": "<aws.events.event.json>"}


class LocalLambdaContext:
    """Enough of the Lambda context for Powertools."""

    function_name = "lineage-recorder-local"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    log_group_name = "/aws/lambda/lineage-recorder-local"
    log_stream_name = "local"

    def __init__(self, account: str, region: str, remaining_millis: int = 300_000) -> None:
        self.invoked_function_arn = f"arn:aws:lambda:{region}:{account}:function:{self.function_name}"
        self.aws_request_id = str(uuid.uuid4())
        self._remaining_millis = remaining_millis

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining_millis


# A failed record's pause before it is received again: doubling per receive, at most this long.
MAX_RETRY_PAUSE_SECONDS = 8
IN_FLIGHT_POLL_SECONDS = 0.2
# How long a worker with nothing to receive waits for records in flight before it stops.
IN_FLIGHT_WAIT_SECONDS = 4 * MAX_RETRY_PAUSE_SECONDS


def retry_pause_seconds(receives: int) -> int:
    """Seconds a record that failed on its `receives`-th receive stays invisible: 1, 2, 4, 8, 8, ..."""
    return int(min(2 ** max(receives - 1, 0), MAX_RETRY_PAUSE_SECONDS))


@dataclass
class DrainReport:
    batches: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    dead_lettered: list[str] = field(default_factory=list)


class LocalEventPipeline:
    def __init__(
        self, events: Any, sqs: Any, *, account: str, region: str, families: list[str] | None = None
    ) -> None:
        self._events = events
        self._sqs = sqs
        self.account = account
        self.region = region
        self.dlq_url = sqs.create_queue(QueueName="lineage-recorder-dlq")["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=self.dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        self.queue_url = sqs.create_queue(
            QueueName="lineage-recorder-queue",
            Attributes={
                "VisibilityTimeout": str(VISIBILITY_TIMEOUT_SECONDS),
                "RedrivePolicy": json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}
                ),
            },
        )["QueueUrl"]
        self.queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        for name in families or family_names():
            rule = f"lineage-recorder-{name}"
            events.put_rule(Name=rule, EventPattern=json.dumps(event_pattern(name, account)), State="ENABLED")
            events.put_targets(
                Rule=rule,
                Targets=[
                    {"Id": "recorder-queue", "Arn": self.queue_arn, "InputTransformer": WHOLE_EVENT_TEMPLATE}
                ],
            )

    def publish(self, detail_type: str, detail: dict[str, Any], resources: list[str]) -> None:
        """What SageMaker does when a resource changes state (real EventBridge refuses aws.* from callers)."""
        response = self._events.put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": detail_type,
                    "Detail": json.dumps(detail, default=str),
                    "Resources": resources,
                }
            ]
        )
        if response.get("FailedEntryCount"):
            raise RuntimeError(f"EventBridge refused the event: {response['Entries']}")

    def drain(self, handler: Callable[[dict[str, Any], Any], Any]) -> DrainReport:
        """Deliver queued messages to ``handler`` in batches of 10 until nothing is queued or in flight.

        A failed record becomes visible again after a pause that doubles with each receive (1, 2, 4, 8 s:
        ``retry_pause_seconds``), as the stack's function backs off with ChangeMessageVisibility, so a copy
        blocked by another worker's record of the same event is not retried into the DLQ at once."""
        report = DrainReport()
        idle_since: float | None = None
        while True:
            messages = self._sqs.receive_message(
                QueueUrl=self.queue_url, MaxNumberOfMessages=10, AttributeNames=["All"]
            ).get("Messages", [])
            if not messages:
                # Records in flight come back after their pause (or are another worker's to finish).
                idle_since = time.monotonic() if idle_since is None else idle_since
                if not self._in_flight() or time.monotonic() - idle_since > IN_FLIGHT_WAIT_SECONDS:
                    break
                time.sleep(IN_FLIGHT_POLL_SECONDS)
                continue
            idle_since = None
            report.batches += 1
            records = [self._record(message) for message in messages]
            response = handler({"Records": records}, LocalLambdaContext(self.account, self.region))
            failed = {item["itemIdentifier"] for item in response.get("batchItemFailures", [])}
            report.failed_attempts += len(failed)
            for message in messages:
                if message["MessageId"] in failed:
                    receives = int(message.get("Attributes", {}).get("ApproximateReceiveCount", "1"))
                    self._sqs.change_message_visibility(
                        QueueUrl=self.queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=retry_pause_seconds(receives),
                    )
                else:
                    report.delivered += 1
                    self._sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        dead = self._sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10).get("Messages", [])
        report.dead_lettered = [message["Body"] for message in dead]
        return report

    def _in_flight(self) -> bool:
        attributes = self._sqs.get_queue_attributes(
            QueueUrl=self.queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        )["Attributes"]
        return any(int(attributes[name]) for name in attributes)

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": {},
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue_arn,
            "awsRegion": self.region,
        }
