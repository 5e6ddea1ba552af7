"""Builds the recorder from its settings, the same way for the Lambda and the CLI.

With a state table (LINEAGE_STATE_TABLE): the DynamoDB registry, shared by every concurrent instance,
and the replay guard. Without one (the CLI on a laptop, tests): an in-memory registry for this process.
"""

from __future__ import annotations

from typing import Protocol

from lineage_recorder import aws
from lineage_recorder.applier import Applier
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.recorder import Recorder, RecordOutcome
from lineage_recorder.registry import DynamoRegistry, KeyRegistry, MemoryRegistry
from lineage_recorder.replay_guard import ReplayGuardedRecorder
from lineage_recorder.settings import RecorderSettings
from lineage_recorder.trust import TrustedAccounts


class Recording(Protocol):
    def record(self, event: SageMakerEvent) -> RecordOutcome | None:
        """The outcome, or None when this event was already recorded."""


def build_recording(
    settings: RecorderSettings, trusted_accounts: TrustedAccounts, endpoint_url: str | None = None
) -> Recording:
    sagemaker = aws.client("sagemaker", endpoint_url)
    registry: KeyRegistry = MemoryRegistry()
    if settings.state_table is not None:
        registry = DynamoRegistry(aws.client("dynamodb", endpoint_url), settings.state_table)
    recorder = Recorder(sagemaker, Applier(sagemaker, registry), trusted_accounts=trusted_accounts)
    if settings.state_table is None:
        return recorder
    return ReplayGuardedRecorder(recorder, aws.client("dynamodb", endpoint_url), settings.state_table)
