"""Lambda entry point: SQS batch in, partial batch failures out. Glue only.

Each SQS record body is one EventBridge event. A record that cannot be recorded fails alone and is
retried by SQS, then lands in the dead-letter queue; the rest of the batch is still recorded.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lineage_recorder import aws
from lineage_recorder.applier import Applier
from lineage_recorder.errors import InvalidEventError
from lineage_recorder.observability import logger, metrics, tracer
from lineage_recorder.recorder import Recorder, RecordOutcome, parse_event

# A batch whose records all fail is still answered record by record: SQS redelivers exactly those, and
# the dead-letter queue (not a Lambda error) is where persistent failures show.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@cache
def recorder() -> Recorder:
    sagemaker = aws.client("sagemaker")
    return Recorder(sagemaker, Applier(sagemaker))


def publish_metrics(outcome: RecordOutcome) -> None:
    if outcome.ignored:
        metrics.add_metric(name="EventsIgnored", unit=MetricUnit.Count, value=1)
        return
    metrics.add_metric(name="EntitiesCreated", unit=MetricUnit.Count, value=len(outcome.created))
    metrics.add_metric(name="EntitiesReused", unit=MetricUnit.Count, value=len(outcome.reused))
    metrics.add_metric(name="AssociationsCreated", unit=MetricUnit.Count, value=outcome.associations_created)
    metrics.add_metric(
        name="AssociationsExisting", unit=MetricUnit.Count, value=outcome.associations_existing
    )
    metrics.add_metric(name="SkippedValues", unit=MetricUnit.Count, value=len(outcome.skipped))
    metrics.add_metric(name="DescribeFallbacks", unit=MetricUnit.Count, value=len(outcome.fallbacks))


def log_outcome(outcome: RecordOutcome) -> None:
    if outcome.ignored:
        logger.info("Event ignored", extra={"reason": outcome.ignored_reason})
        return
    for skipped in outcome.skipped:
        logger.warning(
            "Value skipped: not a valid SourceUri",
            extra={"field": skipped.field, "value": skipped.value, "reason": skipped.reason},
        )
    for fallback in outcome.fallbacks:
        logger.warning("Resource could not be described; recorded from the event", extra={"reason": fallback})
    logger.info(
        "Lineage recorded",
        extra={
            "resource_arn": outcome.resource_arn,
            "entities_created": len(outcome.created),
            "entities_reused": len(outcome.reused),
            "associations_created": outcome.associations_created,
            "associations_existing": outcome.associations_existing,
        },
    )


def reject(record: SQSRecord, error: InvalidEventError) -> None:
    logger.error("Record rejected", extra={"message_id": record.message_id, "reason": str(error)})
    metrics.add_metric(name="RecordsRejected", unit=MetricUnit.Count, value=1)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord) -> None:
    try:
        event = parse_event(record.body)
    except InvalidEventError as error:
        reject(record, error)
        raise
    logger.set_correlation_id(event.id)
    logger.append_keys(event_id=event.id, detail_type=event.detail_type)
    try:
        outcome = recorder().record(event)
        log_outcome(outcome)
        publish_metrics(outcome)
    except InvalidEventError as error:
        reject(record, error)
        raise
    finally:
        logger.remove_keys(["event_id", "detail_type"])
        logger.set_correlation_id(None)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(
        event=event, record_handler=record_handler, processor=processor, context=context
    )
