"""Invalid records, parked in the rejected queue at once with their reason (LINEAGE_REJECTED_QUEUE_URL).

A record that can never be recorded (not a SageMaker event, an untrusted account, another account's
resource, not from the recorder's queue) is not retried five times and then mixed with the retryable
failures in the dead-letter queue, where a redrive would bring it back: it goes to its own queue, which
is never redriven. If it cannot be parked, it fails as before, and nothing is lost.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder import aws
from lineage_recorder.observability import logger

_MAX_REASON = 1024


def park(queue_url: str, body: str, *, reason: str, message_id: str, source: str | None) -> bool:
    """Send the record's body to the rejected queue with why and where it came from; False if it failed."""
    attributes = {
        "reason": {"DataType": "String", "StringValue": reason[:_MAX_REASON] or "invalid"},
        "message-id": {"DataType": "String", "StringValue": message_id or "unknown"},
        "event-source-arn": {"DataType": "String", "StringValue": source or "unknown"},
    }
    try:
        aws.client("sqs").send_message(QueueUrl=queue_url, MessageBody=body, MessageAttributes=attributes)
    except (ClientError, BotoCoreError) as error:
        logger.warning(
            "Rejected record could not be parked; it fails and SQS keeps it",
            extra={"reason": str(aws.call_failed("sqs", "SendMessage", error))[:_MAX_REASON]},
        )
        return False
    return True
