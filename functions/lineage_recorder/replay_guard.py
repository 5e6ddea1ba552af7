"""Replay safety: an event whose content was already recorded is not recorded again.

EventBridge delivers at least once, SQS redelivers, and SageMaker itself may send the same state twice
under new event ids. Powertools idempotency, keyed on what makes the event unique (its detail-type,
account, Region, resources, detail; not its id), turns every such repeat into a lookup in the state table that
costs no SageMaker call. Model-package events re-fire with a new id on each update, and their detail
changes with it (LastModifiedTime, approval status), so each update is still recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyInconsistentStateError,
    IdempotencyPersistenceLayerError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from lineage_recorder.errors import EventInProgressError, RetryLaterError
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.recorder import Recorder, RecordOutcome

# The envelope's resources are part of what makes an event unique: a labeling job's event carries only
# its status in the detail, so two jobs completing the same day differ only by their resource.
IDEMPOTENCY_KEY = '["detail-type", account, region, resources, detail]'
# Long enough to absorb SQS redelivery and DLQ redrives of the same day; after that a repeat is
# recorded again, which the registry makes cheap and harmless.
REMEMBER_FOR_SECONDS = 24 * 3600


class StateTableUnavailableError(RetryLaterError):
    """The replay guard could not read or write its record in the state table."""


class ReplayGuardedRecorder:
    """Records each distinct event once; `record` answers None for an event already recorded."""

    def __init__(self, recorder: Recorder, dynamodb: Any, table_name: str) -> None:
        self._recorder = recorder
        self._local = threading.local()
        self.config = IdempotencyConfig(
            event_key_jmespath=IDEMPOTENCY_KEY,
            raise_on_no_idempotency_key=True,
            expires_after_seconds=REMEMBER_FOR_SECONDS,
            response_hook=self._already_recorded,
        )
        persistence = DynamoDBPersistenceLayer(table_name=table_name, boto3_client=dynamodb)
        self._record_once: Callable[..., dict[str, Any]] = idempotent_function(
            data_keyword_argument="event", persistence_store=persistence, config=self.config
        )(self._record_payload)

    def register_lambda_context(self, context: LambdaContext) -> None:
        self.config.register_lambda_context(context)

    def begin_invocation(self) -> None:
        self._recorder.begin_invocation()

    def record(self, event: SageMakerEvent) -> RecordOutcome | None:
        self._local.outcome = None
        self._local.parsed = event
        try:
            self._record_once(event=event.model_dump(mode="json", by_alias=True))
        except IdempotencyAlreadyInProgressError as error:
            raise EventInProgressError(
                f"the same event is being recorded by another worker: {error}"
            ) from error
        except (IdempotencyPersistenceLayerError, IdempotencyInconsistentStateError) as error:
            raise StateTableUnavailableError(
                f"the replay guard could not use the state table: {error}"
            ) from error
        outcome: RecordOutcome | None = self._local.outcome
        return outcome

    def _record_payload(self, event: dict[str, Any]) -> dict[str, Any]:
        outcome = self._recorder.record(self._local.parsed)
        self._local.outcome = outcome
        # What is kept in the state table for the repeats: a summary, not the outcome itself.
        return {"event_id": outcome.event_id, "created": len(outcome.created)}

    def _already_recorded(self, response: Any, idempotent_data: DataRecord) -> Any:
        self._local.outcome = None
        return response
