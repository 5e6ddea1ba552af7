"""One system under test over one workload, in a fresh emulator: first pass, floor, then replay."""

from __future__ import annotations

from dataclasses import dataclass

from bench.counting import COUNTER, CallLog
from bench.driver import Coverage, PassResult, System, first_pass, replay
from bench.emulator import LineageCounts, fresh_emulator, lineage_counts, preload, watching_updates
from bench.estate import Estate
from bench.floor import Floor
from bench.workload import Workload


class BenchError(RuntimeError):
    """The bench itself cannot produce meaningful figures (not a target that was missed)."""


@dataclass(frozen=True)
class SystemRun:
    name: str
    first: PassResult
    floor: Floor
    coverage: Coverage
    preloaded: LineageCounts
    replay: PassResult | None = None
    replay_created: LineageCounts | None = None  # what the replay added to the graph (should be nothing)
    replay_effective_updates: int = 0
    # Calls of the one-time preparation of a preloaded account (the recorder's index build).
    preparation: CallLog | None = None


def run_system(
    system: System,
    workload: Workload,
    *,
    preload_entities: int = 0,
    with_replay: bool = True,
    prepare_account: bool = False,
) -> SystemRun:
    with fresh_emulator() as sagemaker:
        preloaded = preload(preload_entities) if preload_entities else lineage_counts()
        estate = Estate(workload, sagemaker)
        preparation: CallLog | None = None
        if prepare_account:
            with COUNTER.counting(CallLog()) as preparation:
                system.prepare_account()
        system.cold_start()
        with watching_updates() as updates:
            first, batches, coverage = first_pass(system, workload, estate)
        if first.deliveries and not first.calls.sagemaker:
            raise BenchError(
                f"{system.name}: {first.deliveries} events delivered but no SageMaker call was counted: "
                "its client was created before bench.counting was installed"
            )
        after_first = lineage_counts()
        floor = Floor(coverage.floor_describes, after_first.minus(preloaded), updates.effective)
        if not with_replay:
            return SystemRun(system.name, first, floor, coverage, preloaded, preparation=preparation)
        system.cold_start()  # a replay comes later, to new Lambda containers
        with watching_updates() as replay_updates:
            replayed = replay(system, batches)
        return SystemRun(
            system.name,
            first,
            floor,
            coverage,
            preloaded,
            replay=replayed,
            replay_created=lineage_counts().minus(after_first),
            replay_effective_updates=replay_updates.effective,
            preparation=preparation,
        )
