"""The recorder's CloudWatch metrics: every name defined once, and one function from an outcome to them.

The handler publishes them (Powertools Metrics, namespace SageMakerLineageRecorder, dimension service);
the stack's alarms and dashboard read the same names from here (infra/monitoring.py).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from lineage_recorder.recorder import RecordOutcome


SERVICE = "lineage-recorder"  # POWERTOOLS_SERVICE_NAME: the metrics' "service" dimension
NAMESPACE = "SageMakerLineageRecorder"  # POWERTOOLS_METRICS_NAMESPACE


class Metric(StrEnum):
    # What one recorded event did.
    ENTITIES_CREATED = "EntitiesCreated"
    ENTITIES_REUSED = "EntitiesReused"
    ENTITIES_UPDATED = "EntitiesUpdated"
    ASSOCIATIONS_CREATED = "AssociationsCreated"
    ASSOCIATIONS_EXISTING = "AssociationsExisting"
    SKIPPED_VALUES = "SkippedValues"
    DESCRIBE_FALLBACKS = "DescribeFallbacks"
    PEER_LINKS_CREATED = "PeerLinksCreated"
    PEER_LINKS_EXISTING = "PeerLinksExisting"
    PEER_LINKS_DEFERRED = "PeerLinksDeferred"
    PEER_LINKS_DROPPED = "PeerLinksDropped"
    # Events not recorded, and why.
    EVENTS_IGNORED = "EventsIgnored"
    EVENTS_UNCONFIRMED = "EventsUnconfirmed"
    EVENTS_ALREADY_RECORDED = "EventsAlreadyRecorded"
    RECORDS_REJECTED = "RecordsRejected"
    RECORDS_RETRIED = "RecordsRetried"
    # A failure no part of the recorder foresaw (a bug, a corrupt state item): logged with its type and
    # message, retried by SQS, and alarmed on.
    RECORDS_FAILED_UNEXPECTEDLY = "RecordsFailedUnexpectedly"
    # State-table items that did not read as what their store keeps: logged, dropped or repaired, and
    # treated as absent (state/corrupt.py).
    STATE_ITEMS_CORRUPT = "StateItemsCorrupt"
    # Resources the daily reconcile had to record: their state-change event was never recorded.
    MISSED_EVENTS = "MissedEvents"
    QUOTA_EXCEEDED = "QuotaExceeded"


# The published quotas for lineage entities created by hand (SageMaker Developer Guide, "Lineage Tracking
# Entity Quotas"), by the kind the recorder counts; what it creates counts against them.
LINEAGE_QUOTAS = {"artifact": 6000, "action": 3000, "context": 500, "association": 6000}


def created_total(kind: str) -> str:
    """The metric of the running total the recorder has created of `kind` (ArtifactsCreatedTotal)."""
    return f"{kind.capitalize()}sCreatedTotal"


class MetricSink(Protocol):
    """Where counts go: Powertools' Metrics in the Lambda (``add_metric(name=, unit=, value=)``)."""

    def add_metric(self, name: str, unit: str, value: float) -> None: ...


COUNT = "Count"


def outcome_counts(outcome: RecordOutcome | None) -> dict[str, int]:
    """The metrics of one record: None is an event already recorded."""
    if outcome is None:
        return {Metric.EVENTS_ALREADY_RECORDED: 1}
    if outcome.unconfirmed:
        return {Metric.EVENTS_UNCONFIRMED: 1}
    if outcome.ignored:
        return {Metric.EVENTS_IGNORED: 1}
    counts: dict[str, int] = {
        Metric.ENTITIES_CREATED: len(outcome.created),
        Metric.ENTITIES_REUSED: len(outcome.reused),
        Metric.ASSOCIATIONS_CREATED: outcome.associations_created,
        Metric.ASSOCIATIONS_EXISTING: outcome.associations_existing,
        Metric.SKIPPED_VALUES: len(outcome.skipped),
        Metric.DESCRIBE_FALLBACKS: len(outcome.fallbacks),
        Metric.ENTITIES_UPDATED: len(outcome.updated),
        Metric.PEER_LINKS_CREATED: len(outcome.links_created),
        Metric.PEER_LINKS_EXISTING: outcome.links_existing,
        Metric.PEER_LINKS_DEFERRED: outcome.links_deferred,
        Metric.PEER_LINKS_DROPPED: outcome.links_dropped,
    }
    for kind, total in outcome.created_totals.items():
        counts[created_total(kind)] = total
    return counts


def publish(sink: MetricSink, counts: dict[str, int]) -> None:
    for name, value in counts.items():
        sink.add_metric(name=str(name), unit=COUNT, value=value)
