"""When SQS delivers a failed record again: a pause that doubles with each receive, long enough in all
that a storm of throttling (or an outage) of twelve hours loses nothing.

Lambda's SQS event source leaves a failed record invisible for the queue's visibility timeout, the same
every time; five receives of 12 minutes is an hour, then the DLQ. The handler instead sets each failed
record's visibility from its receive count (ChangeMessageVisibility): 1, 2, 4, ... minutes, at most an
hour, over ``MAX_RECEIVE_COUNT`` receives. A record the function did not start (its time was nearly up)
comes back after ``NOT_STARTED_PAUSE_SECONDS``: it was not tried.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder import aws
from lineage_recorder.observability import logger

FIRST_PAUSE_SECONDS = 60
MAX_PAUSE_SECONDS = 3600
# Receives before a record goes to the dead-letter queue (the stack's redrive policy).
MAX_RECEIVE_COUNT = 20
# A record not started (its invocation's time was nearly up) comes back soon, but not at once: the next
# invocation should not meet it while this one is still ending. Its receive is counted all the same.
NOT_STARTED_PAUSE_SECONDS = 10
# What the schedule must outlast.
STORM_SECONDS = 12 * 3600


def pause_seconds(receives: int) -> int:
    """How long a record that failed on its `receives`-th receive stays invisible."""
    return int(min(FIRST_PAUSE_SECONDS * 2 ** max(receives - 1, 0), MAX_PAUSE_SECONDS))


def patience_seconds() -> int:
    """How long a record that keeps failing is retried before it goes to the DLQ."""
    return sum(pause_seconds(receives) for receives in range(1, MAX_RECEIVE_COUNT))


def queue_url(queue_arn: str, sqs: Any) -> str:
    """The queue's URL from its ARN (arn:aws:sqs:<region>:<account>:<name>), at the client's endpoint."""
    _, _, _, _, account, name = queue_arn.split(":", 5)
    return f"{sqs.meta.endpoint_url.rstrip('/')}/{account}/{name}"


def delay_redelivery(queue_arn: str, receipt_handle: str, seconds: int) -> None:
    """Set a received record's visibility; a failure to do so only leaves the queue's own timeout."""
    sqs = aws.client("sqs")
    try:
        sqs.change_message_visibility(
            QueueUrl=queue_url(queue_arn, sqs), ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
    except (ClientError, BotoCoreError) as error:
        logger.warning(
            "Could not set when the record is delivered again; the queue's visibility timeout applies",
            extra={"reason": str(error)[:512]},
        )
