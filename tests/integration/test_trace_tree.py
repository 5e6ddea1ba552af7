"""`trace`'s tree reads only what it shows: the lineage folded under a "+N more" line is never described,
and the tree is the same as the one drawn from a fully described graph."""

from __future__ import annotations

from collections import Counter
from typing import Any

from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder_cli.commands.trace import MAX_DEPTH, trace
from lineage_recorder_cli.lineage_graph import SIBLINGS_SHOWN, describe_all, fetch, render_tree

from tests.integration.jobs import processing_job

SHARED = "s3://shared/raw/"


def _counting(sagemaker: Any) -> Counter[str]:
    calls: Counter[str] = Counter()
    sagemaker.meta.events.register(
        "before-call.sagemaker", lambda model, **_: calls.update([model.name]), unique_id="count-calls"
    )
    return calls


def test_a_shared_data_set_s_tree_describes_only_what_it_shows(recorder: Recorder, sagemaker: Any) -> None:
    # Given a data set read by more jobs than a tree line shows, each job's output read by one more job
    jobs = SIBLINGS_SHOWN + 6
    for number in range(jobs):
        first = f"s3://shared/step-1/{number:02d}/"
        event = processing_job(sagemaker, f"first-{number:02d}", inputs=[SHARED], outputs=[first])
        assert not recorder.record(parse_event(event)).ignored
        event = processing_job(
            sagemaker, f"second-{number:02d}", inputs=[first], outputs=[f"s3://shared/step-2/{number:02d}/"]
        )
        assert not recorder.record(parse_event(event)).ignored
    calls = _counting(sagemaker)
    # When its descendants are drawn as a tree, and again from a graph whose every vertex was described
    tree = trace(sagemaker, SHARED, direction="descendants", depth=MAX_DEPTH, output_format="tree")
    drawn_describes = sum(count for name, count in calls.items() if name.startswith("Describe"))
    graph = fetch(sagemaker, _start_arn(sagemaker), direction="descendants", depth=MAX_DEPTH)
    describe_all(sagemaker, graph, None)
    full = render_tree(sagemaker, graph, "descendants")
    # Then both trees are the same, folding the jobs past the limit into one line
    assert tree == full
    assert f"+{jobs - SIBLINGS_SHOWN} more ProcessingJob" in tree
    # And the tree described fewer vertices than the graph has: not the lineage under the folded jobs
    assert drawn_describes < len(graph.vertices) - 2 * (jobs - SIBLINGS_SHOWN)


def _start_arn(sagemaker: Any) -> str:
    (summary,) = sagemaker.list_artifacts(SourceUri=SHARED)["ArtifactSummaries"]
    return str(summary["ArtifactArn"])
