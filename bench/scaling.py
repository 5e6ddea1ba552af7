"""SageMaker calls per event when the account already holds many lineage entities.

Each point runs the same small workload through the recorder's Lambda handler, in a fresh emulator
preloaded with that many unrelated entities (``bench.emulator.preload``). A recorder that finds entities
by SourceUri, by name or from its registry makes the same calls at every size; one that scans (lists
without a filter, pages through everything) makes more as the account grows. Each point gets its own
event ids, so no idempotency record of an earlier point can answer for it.

Before each point the account is prepared as an operator would after deploying into it: the recorder's
lineage index is built once (`lineage-recorder index`). That one-time read grows with the account, so it
is reported beside each point (`index_build_calls`) and kept out of the per-event figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.driver import System
from bench.experiment import run_system
from bench.workload import Workload

PRELOAD_SIZES = (1_000, 10_000, 50_000)
WORKLOAD_SIZE = 8  # pipelines in the fixed workload of every point


@dataclass(frozen=True)
class ScalingPoint:
    preloaded_entities: int
    preloaded_associations: int
    deliveries: int
    failures: int
    sagemaker_calls: int
    by_operation: dict[str, int]
    seconds: float
    index_build_calls: int = 0

    @property
    def calls_per_event(self) -> float:
        return self.sagemaker_calls / self.deliveries if self.deliveries else 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "preloaded_entities": self.preloaded_entities,
            "preloaded_associations": self.preloaded_associations,
            "deliveries": self.deliveries,
            "failures": self.failures,
            "sagemaker_calls": self.sagemaker_calls,
            "calls_per_event": round(self.calls_per_event, 3),
            "by_operation": self.by_operation,
            "seconds": round(self.seconds, 3),
            "index_build_calls": self.index_build_calls,
        }


def run_scaling(
    system: Callable[[], System], workload: Workload, sizes: Sequence[int] = PRELOAD_SIZES
) -> list[ScalingPoint]:
    points: list[ScalingPoint] = []
    for size in sizes:
        run = run_system(
            system(),
            workload.with_id_salt(f"preload-{size}"),
            preload_entities=size,
            with_replay=False,
            prepare_account=True,
        )
        points.append(
            ScalingPoint(
                preloaded_entities=run.preloaded.entities,
                preloaded_associations=run.preloaded.associations,
                deliveries=run.first.deliveries,
                failures=run.first.failures,
                sagemaker_calls=run.first.calls.sagemaker,
                by_operation=dict(sorted(run.first.calls.of("sagemaker").items())),
                seconds=run.first.seconds,
                index_build_calls=run.preparation.sagemaker if run.preparation else 0,
            )
        )
    return points


def flatness(points: Sequence[ScalingPoint]) -> float | None:
    """max / min of calls per event over the points; 1.0 is perfectly flat. None without data."""
    values = [point.calls_per_event for point in points if point.deliveries]
    if not values or min(values) == 0:
        return None
    return max(values) / min(values)
