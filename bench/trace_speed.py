"""`lineage-recorder trace` on the recorded estate: the questions a person asks of a shared data set.

After the workload is recorded (through the Lambda handler, as in the first pass), with every emulated
SageMaker call slowed to ``LATENCY_SECONDS`` (a call to AWS is not free; in process the emulator answers
in microseconds), from the raw data set most pipelines read:

- the full descendant tree, describing the vertices one at a time (as the CLI did before) and then as it
  does now (``lineage_graph.describe_all``, eight at a time): the speed-up, and the calls;
- "which endpoints use this data set" (``--direction descendants --type Endpoint --format list``): the
  calls it costs.
"""

from __future__ import annotations

from dataclasses import dataclass
from time import perf_counter
from typing import Any

from bench.counting import COUNTER, CallLog
from bench.driver import first_pass
from bench.emulator import fresh_emulator
from bench.estate import Estate
from bench.workload import Workload

LATENCY_SECONDS = 0.01


@dataclass(frozen=True)
class TraceSpeed:
    start_uri: str
    vertices: int
    tree_lines: int
    sequential_seconds: float
    concurrent_seconds: float
    tree_calls: int
    endpoints_found: int
    endpoints_calls: int

    def to_json(self) -> dict[str, Any]:
        return {
            "start_uri": self.start_uri,
            "latency_seconds_per_call": LATENCY_SECONDS,
            "vertices": self.vertices,
            "tree_lines": self.tree_lines,
            "tree_sequential_seconds": round(self.sequential_seconds, 3),
            "tree_concurrent_seconds": round(self.concurrent_seconds, 3),
            "tree_speedup": round(self.sequential_seconds / self.concurrent_seconds, 2),
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
        first_pass(system, workload, Estate(workload, sagemaker))
        (summary,) = sagemaker.list_artifacts(SourceUri=start_uri)["ArtifactSummaries"][:1]
        start = summary["ArtifactArn"]
        sagemaker_lineage_emulator.configure(latency=LATENCY_SECONDS)
        try:
            timings: dict[int, float] = {}
            log = CallLog()
            for workers in (1, 8):
                begun = perf_counter()
                with COUNTER.counting(log if workers == 8 else CallLog()):
                    graph = fetch(sagemaker, start, direction="descendants", depth=MAX_DEPTH)
                    describe_all(sagemaker, graph, None, workers=workers)
                    tree = render_tree(sagemaker, graph, "descendants")
                timings[workers] = perf_counter() - begun
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
        start_uri=start_uri,
        vertices=len(graph.vertices),
        tree_lines=len(tree.splitlines()),
        sequential_seconds=timings[1],
        concurrent_seconds=timings[8],
        tree_calls=log.sagemaker,
        endpoints_found=sum(line.startswith("Endpoint ") for line in listed.splitlines()),
        endpoints_calls=endpoints.sagemaker,
    )
