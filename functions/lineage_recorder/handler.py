"""Lambda entry point: SQS batch in, partial batch failures out. Glue only.

Each SQS record body is one EventBridge event: parse it, record it (recorder.py), report the outcome
(a log line and outcome_metrics). A record that cannot be recorded fails alone: an invalid event is
rejected (then the DLQ), a RetryLaterError is delivered again by SQS; the rest of the batch is recorded.
A misconfigured function (bad LINEAGE_* variable) fails the whole invocation: that is not a record's fault.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lineage_recorder import redelivery, rejected
from lineage_recorder.composition import Recording, build_recording
from lineage_recorder.errors import ConfigurationError, InvalidEventError, QuotaExceededError, RetryLaterError
from lineage_recorder.observability import logger, metrics, tracer
from lineage_recorder.outcome_metrics import Metric, outcome_counts, publish
from lineage_recorder.recorder import RecordOutcome, parse_event
from lineage_recorder.replay_guard import ReplayGuardedRecorder
from lineage_recorder.settings import RecorderSettings
from lineage_recorder.state.corrupt import take_corrupt_count
from lineage_recorder.trust import Home, TrustedAccounts, home_from_function_arn


def new_batch_processor() -> BatchProcessor:
    """One per invocation: a BatchProcessor holds the state of the batch it is processing.

    A batch whose records all fail is still answered record by record: SQS redelivers exactly those,
    and the dead-letter queue (not a Lambda error) is where persistent failures show.
    """
    return BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


@dataclass(frozen=True)
class Runtime:
    recording: Recording
    # The one queue whose records are the recorder's to handle (LINEAGE_QUEUE_ARN); None: not checked.
    queue_arn: str | None
    # Where invalid records are parked at once (LINEAGE_REJECTED_QUEUE_URL); None: they fail.
    rejected_queue_url: str | None = None


class _RuntimePerProcess:
    """The recorder for this function, built once per process from the LINEAGE_* environment, even when
    several threads ask at once (the local pipeline's workers): two recorders would hold two sets of
    in-memory claims."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runtimes: dict[Home, Runtime] = {}

    def __call__(self, home: Home) -> Runtime:
        with self._lock:
            runtime = self._runtimes.get(home)
            if runtime is None:
                settings = RecorderSettings.from_environment()
                trusted = TrustedAccounts(
                    home.account, settings.peer_accounts, region=home.region, partition=home.partition
                )
                runtime = Runtime(
                    build_recording(settings, trusted), settings.queue_arn, settings.rejected_queue_url
                )
                self._runtimes[home] = runtime
            return runtime

    def cache_clear(self) -> None:
        """Forget the recorder (tests that change the environment)."""
        with self._lock:
            self._runtimes.clear()


recorder = _RuntimePerProcess()


def runtime_for(context: LambdaContext) -> Runtime:
    return recorder(home_from_function_arn(context.invoked_function_arn))


def recorder_for(context: LambdaContext) -> Recording:
    return runtime_for(context).recording


def check_source(record: SQSRecord, queue_arn: str | None) -> None:
    """InvalidEventError unless the record comes from the recorder's own queue."""
    if queue_arn is not None and record.event_source_arn != queue_arn:
        raise InvalidEventError(
            f"the record comes from {str(record.event_source_arn)[:256]!r}, "
            f"not the recorder's queue ({queue_arn})"
        )


def log_outcome(outcome: RecordOutcome | None) -> None:
    if outcome is None:
        logger.info("Event already recorded; nothing to do")
        return
    if outcome.unconfirmed:
        logger.warning(
            "Event not confirmed by SageMaker; nothing recorded",
            extra={"resource_arn": outcome.resource_arn, "reason": outcome.ignored_reason},
        )
        return
    if outcome.ignored:
        logger.info("Event ignored", extra={"reason": outcome.ignored_reason})
        return
    for skipped in outcome.skipped:
        logger.warning(
            "Value skipped: not a valid SourceUri",
            extra={"field": skipped.field, "value": skipped.value, "reason": skipped.reason},
        )
    for fallback in outcome.fallbacks:
        logger.warning(
            "Resource could not be described; its lineage is recorded without it", extra={"reason": fallback}
        )
    for recalled in outcome.recalled:
        logger.info("Resource gone; recorded from its remembered description", extra={"reason": recalled})
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


def log_failure(record: SQSRecord, error: InvalidEventError | RetryLaterError) -> None:
    if isinstance(error, InvalidEventError):
        logger.error("Record rejected", extra={"message_id": record.message_id, "reason": str(error)})
        publish(metrics, {Metric.RECORDS_REJECTED: 1})
    elif isinstance(error, QuotaExceededError):
        # Not retried by botocore; SQS retries a few times, far apart, then the record rests in the DLQ
        # until the quota is raised and the DLQ is redriven.
        logger.error("SageMaker lineage quota reached; record left for the DLQ", extra={"reason": str(error)})
        publish(metrics, {Metric.QUOTA_EXCEEDED: 1})
    else:
        # Throttling or a fault that outlasted botocore's retries, or another worker on the same key.
        logger.warning("Record failed; SQS will deliver it again", extra={"reason": str(error)[:1024]})
        publish(metrics, {Metric.RECORDS_RETRIED: 1})


class NotStartedError(RetryLaterError):
    """The function's time was nearly up: the record was left for the next invocation, untried."""


# A record is not started with less than this left of the invocation (the function's timeout is 120 s).
RESERVED_MILLIS = 30_000


def _delay_redelivery(record: SQSRecord, runtime: Runtime, error: RetryLaterError) -> None:
    """The stack's queue: a failed record comes back after a pause growing with its receive count (a
    storm of throttling is waited out, not spent in five quick receives); an untried one at once."""
    if runtime.queue_arn is None or record.event_source_arn != runtime.queue_arn:
        return  # not the stack's queue (a test's batch, the CLI): nothing to set
    receives = int(record.attributes.approximate_receive_count or 1)
    seconds = (
        redelivery.NOT_STARTED_PAUSE_SECONDS
        if isinstance(error, NotStartedError)
        else (redelivery.pause_seconds(receives))
    )
    redelivery.delay_redelivery(runtime.queue_arn, record.receipt_handle, seconds)


@tracer.capture_method(capture_response=False)
def record_handler(record: SQSRecord, lambda_context: LambdaContext) -> None:
    logger.append_keys(message_id=record.message_id)
    runtime = runtime_for(lambda_context)  # built before any record (lambda_handler); cached
    try:
        if lambda_context.get_remaining_time_in_millis() < RESERVED_MILLIS:
            # Started now, it might not finish before the function times out, failing the whole batch.
            raise NotStartedError("not started: the invocation's time is nearly up; delivered again at once")
        check_source(record, runtime.queue_arn)
        event = parse_event(record.body)
        logger.set_correlation_id(event.id)
        logger.append_keys(event_id=event.id, detail_type=event.detail_type)
        outcome = runtime.recording.record(event)
        log_outcome(outcome)
        publish(metrics, outcome_counts(outcome))
    except InvalidEventError as error:
        log_failure(record, error)
        queue_url = runtime.rejected_queue_url
        if queue_url is None or not rejected.park(
            queue_url,
            record.body,
            reason=str(error),
            message_id=record.message_id,
            source=record.event_source_arn,
        ):
            raise
        # Parked with its reason: done with, so SQS deletes it (retrying could never help).
    except RetryLaterError as error:
        log_failure(record, error)
        _delay_redelivery(record, runtime, error)
        raise
    except Exception as error:
        # Whatever no part of the recorder foresaw still fails this record alone (the batch processor
        # reports it to SQS), but never silently: logged with its type and traceback, and counted.
        logger.exception(
            "Record failed unexpectedly; SQS will deliver it again",
            extra={"reason": f"{type(error).__name__}: {str(error)[:1024]}"},
        )
        publish(metrics, {Metric.RECORDS_FAILED_UNEXPECTEDLY: 1})
        raise
    finally:
        corrupt = take_corrupt_count()
        if corrupt:
            publish(metrics, {Metric.STATE_ITEMS_CORRUPT: corrupt})
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
