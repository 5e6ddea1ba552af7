"""`lineage-recorder trace` on a large recorded estate: the questions a person asks of a shared data set.

The estate is ``--trace-size`` pipelines (400 by default, the size at which the CLI's tree took minutes),
recorded by the recorder as ``lineage-recorder record`` runs it (in process, state in memory: the trace
reads the graph, not how it was written, and the Lambda path's own costs are measured by the first pass).
Then, with every emulated SageMaker call slowed to ``LATENCY_SECONDS`` (a call to AWS is not free; in
process the emulator answers in microseconds), from the raw data set most pipelines read:

- the full descendant tree, describing every vertex one at a time (as the CLI did before) and then as
  ``trace`` does now (only what the tree shows, eight at a time): the speed-up, the calls, and that both
  draw the same tree;
- "which endpoints use this data set" (``--direction descendants --type Endpoint --format list``): the
  calls it costs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from time import perf_counter
from typing import Any

from bench.counting import COUNTER, CallLog
from bench.driver import BatchOutcome, first_pass
from bench.emulator import fresh_emulator
from bench.estate import Estate
from bench.experiment import BenchError
from bench.workload import Workload

LATENCY_SECONDS = 0.01


class InProcessRecorder:
    """The recorder as `lineage-recorder record` builds it without a state table, one event at a time."""

    name = "in-process recorder"

    def __init__(self) -> None:
        self._recorder: Any = None

    def cold_start(self) -> None:
        self._recorder = None

    def prepare_account(self) -> None:
        return None

    def deliver(self, events: list[dict[str, Any]]) -> BatchOutcome:
        from lineage_recorder.recorder import parse_event

        if self._recorder is None:
            self._recorder = _built_recorder()
        latencies: list[float] = []
        reasons: list[str] = []
        for event in events:
            begun = perf_counter()
            outcome = self._recorder.record(parse_event(event))
            latencies.append(perf_counter() - begun)
            if outcome.ignored:
                reasons.append(f"ignored: {outcome.ignored_reason}")
        return BatchOutcome(latencies=latencies, failures=0, reasons=reasons)


def _built_recorder() -> Any:
    from lineage_recorder import aws
    from lineage_recorder.composition import build_recording
    from lineage_recorder.settings import RecorderSettings
    from lineage_recorder.trust import TrustedAccounts, home_from_sts

    settings = RecorderSettings.from_environment({**os.environ, "LINEAGE_STATE_TABLE": ""})
    home = home_from_sts(aws.client("sts"))
    trusted = TrustedAccounts(
        home.account, settings.peer_accounts, region=home.region, partition=home.partition
    )
    return build_recording(settings, trusted)


@dataclass(frozen=True)
class TraceSpeed:
    pipelines: int
    events: int
    start_uri: str
    vertices: int
    tree_lines: int
    sequential_seconds: float
    concurrent_seconds: float
    tree_calls_before: int
    tree_calls: int
    endpoints_found: int
    endpoints_calls: int

    def to_json(self) -> dict[str, Any]:
        return {
            "pipelines": self.pipelines,
            "events": self.events,
            "start_uri": self.start_uri,
            "latency_seconds_per_call": LATENCY_SECONDS,
            "vertices": self.vertices,
            "tree_lines": self.tree_lines,
            "tree_sequential_seconds": round(self.sequential_seconds, 3),
            "tree_concurrent_seconds": round(self.concurrent_seconds, 3),
            "tree_speedup": round(self.sequential_seconds / self.concurrent_seconds, 2),
            "tree_calls_before": self.tree_calls_before,
            "tree_calls": self.tree_calls,
            "endpoints_found": self.endpoints_found,
            "endpoints_calls": self.endpoints_calls,
        }


def _most_read_raw(workload: Workload) -> str:
    counts: dict[str, int] = {}
    for step in workload.steps:
        for call in step.calls:
            if call.operation == "create_processing_job":
                for processing_input in call.params.get("ProcessingInputs", []):
                    uri = processing_input["S3Input"]["S3Uri"]
                    if uri.startswith("s3://estate-raw/"):
                        counts[uri] = counts.get(uri, 0) + 1
    return max(sorted(counts), key=lambda uri: counts[uri])


def measure(system: Any, workload: Workload) -> TraceSpeed:
    import sagemaker_lineage_emulator
    from lineage_recorder_cli.commands.trace import MAX_DEPTH, trace
    from lineage_recorder_cli.lineage_graph import VertexFilter, describe_all, fetch, render_tree

    start_uri = _most_read_raw(workload)
    with fresh_emulator() as sagemaker:
        system.cold_start()
        recorded, _, _ = first_pass(system, workload, Estate(workload, sagemaker))
        if recorded.failures:
            raise BenchError(f"recording the trace estate failed: {recorded.reasons}")
        (summary,) = sagemaker.list_artifacts(SourceUri=start_uri)["ArtifactSummaries"][:1]
        start = summary["ArtifactArn"]
        sagemaker_lineage_emulator.configure(latency=LATENCY_SECONDS)
        try:
            # As before: every vertex described, one at a time, then the tree.
            before = CallLog()
            begun = perf_counter()
            with COUNTER.counting(before):
                graph = fetch(sagemaker, start, direction="descendants", depth=MAX_DEPTH)
                describe_all(sagemaker, graph, None, workers=1)
                before_tree = render_tree(sagemaker, graph, "descendants")
            sequential = perf_counter() - begun
            # Now: what `trace --direction descendants` does (the tree describes what it shows, 8 at a time).
            log = CallLog()
            begun = perf_counter()
            with COUNTER.counting(log):
                tree = trace(sagemaker, start, direction="descendants", depth=MAX_DEPTH, output_format="tree")
            concurrent = perf_counter() - begun
            if tree != before_tree:
                raise BenchError("the tree drawn now differs from the tree drawn before")
            endpoints = CallLog()
            with COUNTER.counting(endpoints):
                listed = trace(
                    sagemaker,
                    start_uri,
                    direction="descendants",
                    depth=MAX_DEPTH,
                    output_format="list",
                    only=VertexFilter(types=frozenset({"Endpoint"})),
                )
        finally:
            sagemaker_lineage_emulator.configure(latency=0.0)
    return TraceSpeed(
        pipelines=workload.size,
        events=len(workload.steps),
        start_uri=start_uri,
        vertices=len(graph.vertices),
        tree_lines=len(tree.splitlines()),
        sequential_seconds=sequential,
        concurrent_seconds=concurrent,
        tree_calls_before=before.sagemaker,
        tree_calls=log.sagemaker,
        endpoints_found=sum(line.startswith("Endpoint ") for line in listed.splitlines()),
        endpoints_calls=endpoints.sagemaker,
    )
