"""Lambda entry point: SQS batch in, partial batch failures out. Glue only.

Each SQS record body is one EventBridge event. A record that cannot be recorded fails alone and is
retried by SQS, then lands in the dead-letter queue; the rest of the batch is still recorded. Events from
an account that is neither the function's own (from its ARN) nor a configured peer are rejected.
A misconfigured function (bad LINEAGE_* variable) fails the whole invocation: that is not a record's fault.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.applier import CreationInProgressError
from lineage_recorder.composition import Recording, build_recording
from lineage_recorder.errors import ConfigurationError, InvalidEventError
from lineage_recorder.observability import logger, metrics, tracer
from lineage_recorder.recorder import RecordOutcome, parse_event
from lineage_recorder.registry import UnprocessedItemsError
from lineage_recorder.replay_guard import ReplayGuardedRecorder
from lineage_recorder.settings import RecorderSettings
from lineage_recorder.trust import TrustedAccounts, own_account_from_function_arn

QUOTA_ERROR_CODE = "ResourceLimitExceeded"


def new_batch_processor() -> BatchProcessor:
    """One per invocation: a BatchProcessor holds the state of the batch it is processing.

    A batch whose records all fail is still answered record by record: SQS redelivers exactly those,
    and the dead-letter queue (not a Lambda error) is where persistent failures show.
    """
    return BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@cache
def recorder(own_account: str) -> Recording:
    """The recorder for this function, built once per process from the LINEAGE_* environment."""
    settings = RecorderSettings.from_environment()
    return build_recording(settings, TrustedAccounts(own_account, settings.peer_accounts))


def recorder_for(context: LambdaContext) -> Recording:
    return recorder(own_account_from_function_arn(context.invoked_function_arn))


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
    metrics.add_metric(name="EntitiesUpdated", unit=MetricUnit.Count, value=len(outcome.updated))
    metrics.add_metric(name="PeerLinksCreated", unit=MetricUnit.Count, value=len(outcome.links_created))
    metrics.add_metric(name="PeerLinksExisting", unit=MetricUnit.Count, value=outcome.links_existing)
    metrics.add_metric(name="PeerLinksDeferred", unit=MetricUnit.Count, value=outcome.links_deferred)
    metrics.add_metric(name="PeerLinksDropped", unit=MetricUnit.Count, value=outcome.links_dropped)
    for kind, total in outcome.created_totals.items():
        # Running totals against the account's lineage quotas (the stack alarms at 80%).
        metrics.add_metric(name=f"{kind.capitalize()}sCreatedTotal", unit=MetricUnit.Count, value=total)


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
def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    logger.append_keys(message_id=record.message_id)
    try:
        event = parse_event(record.body)
        logger.set_correlation_id(event.id)
        logger.append_keys(event_id=event.id, detail_type=event.detail_type)
        outcome = recorder_for(lambda_context).record(event)
        if outcome is None:
            logger.info("Event already recorded; nothing to do")
            metrics.add_metric(name="EventsAlreadyRecorded", unit=MetricUnit.Count, value=1)
            return
        log_outcome(outcome)
        publish_metrics(outcome)
    except InvalidEventError as error:
        reject(record, error)
        raise
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == QUOTA_ERROR_CODE:
            # Not retried by botocore; SQS retries a few times, far apart, then the record rests in the DLQ
            # until the quota is raised and the DLQ is redriven.
            logger.error(
                "SageMaker lineage quota reached; record left for the DLQ", extra={"reason": str(error)}
            )
            metrics.add_metric(name="QuotaExceeded", unit=MetricUnit.Count, value=1)
        else:
            # Throttling or a fault that outlasted botocore's retries: SQS redelivers this record alone.
            logger.warning("Record failed; SQS will deliver it again", extra={"reason": str(error)[:1024]})
        raise
    except (BotoCoreError, CreationInProgressError, UnprocessedItemsError) as error:
        logger.warning("Record failed; SQS will deliver it again", extra={"reason": str(error)[:1024]})
        raise
    finally:
        logger.remove_keys(["message_id", "event_id", "detail_type"])
        logger.set_correlation_id(None)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
@tracer.capture_lambda_handler(capture_response=False)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    try:
        recording = recorder_for(context)  # a misconfiguration fails the invocation, before any record
    except ConfigurationError as error:
        logger.error("Recorder misconfigured", extra={"reason": str(error)})
        raise
    if isinstance(recording, ReplayGuardedRecorder):
        recording.register_lambda_context(context)
    recording.begin_invocation()
    return process_partial_response(
        event=event, record_handler=record_handler, processor=new_batch_processor(), context=context
    )
