"""Runs a system under test (the recorder's Lambda handler, or the baseline) over a workload's stream.

The first pass follows the delivery order: before each delivery the estate is advanced to its time
(uncounted), the event goes through the EventBridge rules (``bench.routing``) and, in batches of 10 as
the stack's SQS event source sends them, to the system. Only the system's own calls are counted, and
only its own time is measured. The replay delivers the same batches again, as a DLQ redrive or an
EventBridge archive replay would.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from time import perf_counter
from typing import Any, Protocol

from bench.counting import COUNTER, CallLog
from bench.estate import Estate
from bench.routing import family_for, handled_families
from bench.workload import DETAIL_TYPES, Workload

BATCH_SIZE = 10  # the stack's SQS event source (infra/recorder.py BATCH_SIZE)
MAX_REASONS = 5


@dataclass(frozen=True)
class BatchOutcome:
    latencies: list[float]  # seconds, one per event
    failures: int
    reasons: list[str]
    per_record_timing: bool = True


class System(Protocol):
    name: str

    def cold_start(self) -> None:
        """Start as a new process would: nothing cached in memory."""

    def prepare_account(self) -> None:
        """What an operator runs once after deploying into an account that already holds lineage."""

    def deliver(self, events: list[dict[str, Any]]) -> BatchOutcome: ...


@dataclass
class PassResult:
    deliveries: int = 0
    failures: int = 0
    reasons: list[str] = field(default_factory=list)
    calls: CallLog = field(default_factory=CallLog)
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    per_record_timing: bool = True

    def record(self, outcome: BatchOutcome, seconds: float) -> None:
        self.deliveries += len(outcome.latencies)
        self.failures += outcome.failures
        self.reasons.extend(outcome.reasons[: MAX_REASONS - len(self.reasons)])
        self.seconds += seconds
        self.latencies.extend(outcome.latencies)
        self.per_record_timing = self.per_record_timing and outcome.per_record_timing


@dataclass
class Coverage:
    """What the stream held, per kind: delivered to the recorder, or not (and why)."""

    handled_kinds: set[str] = field(default_factory=set)
    measured_events: Counter[str] = field(default_factory=Counter)
    measured_deliveries: Counter[str] = field(default_factory=Counter)
    # detail-types no family of the recorder handles yet
    not_measured_deliveries: Counter[str] = field(default_factory=Counter)
    # handled detail-types whose rule does not match the event (the status filter)
    filtered_deliveries: Counter[str] = field(default_factory=Counter)
    floor_describes: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            kind: {
                "detail_type": detail_type,
                "measured": kind in self.handled_kinds,
                "events_delivered": self.measured_events[kind],
                "deliveries": self.measured_deliveries[kind],
                "not_measured_deliveries": self.not_measured_deliveries[kind],
                "filtered_by_rule_deliveries": self.filtered_deliveries[kind],
            }
            for kind, detail_type in DETAIL_TYPES.items()
        }

    @property
    def not_measured(self) -> dict[str, int]:
        """Kinds the recorder does not handle yet -> deliveries left out of every figure."""
        return {kind: n for kind, n in self.not_measured_deliveries.items() if n}


def _deliver(system: System, batch: list[dict[str, Any]], result: PassResult) -> None:
    with COUNTER.counting(result.calls):
        start = perf_counter()
        outcome = system.deliver(batch)
        elapsed = perf_counter() - start
    result.record(outcome, elapsed)


def first_pass(
    system: System, workload: Workload, estate: Estate
) -> tuple[PassResult, list[list[dict[str, Any]]], Coverage]:
    """Deliver the whole stream once; returns the result, the batches as delivered, and the coverage."""
    handled = handled_families()
    kinds = {event.index: event.kind for event in workload.events}
    floor_describes = {event.index: event.floor_describes for event in workload.events}
    result = PassResult()
    coverage = Coverage(
        handled_kinds={kind for kind, detail_type in DETAIL_TYPES.items() if detail_type in handled}
    )
    batches: list[list[dict[str, Any]]] = []
    batch: list[dict[str, Any]] = []
    delivered: set[int] = set()
    for delivery in workload.deliveries:
        estate.advance_to(delivery.time)
        body = estate.event(delivery.event)
        kind = kinds[delivery.event]
        if body["detail-type"] not in handled:
            coverage.not_measured_deliveries[kind] += 1
            continue
        if family_for(body, handled) is None:
            coverage.filtered_deliveries[kind] += 1
            continue
        coverage.measured_deliveries[kind] += 1
        if delivery.event not in delivered:
            delivered.add(delivery.event)
            coverage.measured_events[kind] += 1
            coverage.floor_describes += floor_describes[delivery.event]
        batch.append(body)
        if len(batch) == BATCH_SIZE:
            _deliver(system, batch, result)
            batches.append(batch)
            batch = []
    if batch:
        _deliver(system, batch, result)
        batches.append(batch)
    return result, batches, coverage


def replay(system: System, batches: list[list[dict[str, Any]]]) -> PassResult:
    """Deliver the same batches again."""
    result = PassResult()
    for batch in batches:
        _deliver(system, batch, result)
    return result
