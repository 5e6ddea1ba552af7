"""`trace` past QueryLineage's ten hops per call: deep lineage is followed to its end, and a trace that a
depth limit cut short says so, in every format."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder_cli.commands.trace import MAX_DEPTH, trace
from lineage_recorder_cli.lineage_graph import EVERYTHING, VertexFilter

from tests.integration.jobs import processing_job

RAW = "s3://chain/raw/"


def _chain(recorder: Recorder, sagemaker: Any, steps: int) -> str:
    """`steps` processing jobs, each reading the last one's output: 2 hops per step from the raw data."""
    data = RAW
    for step in range(1, steps + 1):
        output = f"s3://chain/step-{step}/"
        outcome = recorder.record(
            parse_event(processing_job(sagemaker, f"chain-{step}", inputs=[data], outputs=[output]))
        )
        assert not outcome.ignored, outcome
        data = output
    return data


def _uris(graph: dict[str, Any], sagemaker: Any) -> set[str]:
    return {
        sagemaker.describe_artifact(ArtifactArn=vertex["Arn"])["Source"]["SourceUri"]
        for vertex in graph["Vertices"]
        if vertex["Type"] == "DataSet"
    }


def test_a_chain_deeper_than_ten_hops_is_traced_to_its_end_from_either_end(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given raw data processed by seven jobs in a row: fourteen hops from the raw data to the last output
    last = _chain(recorder, sagemaker, 7)
    # When the last output is traced upstream, and the raw data downstream, with no depth given
    upstream = json.loads(
        trace(sagemaker, last, direction="ascendants", depth=MAX_DEPTH, output_format="json")
    )
    downstream = json.loads(
        trace(sagemaker, RAW, direction="descendants", depth=MAX_DEPTH, output_format="json")
    )
    # Then each reaches the other end, through every step, and neither says it was cut short
    expected = {RAW, *(f"s3://chain/step-{step}/" for step in range(1, 8))}
    assert _uris(upstream, sagemaker) == expected
    assert _uris(downstream, sagemaker) == expected
    for graph in (upstream, downstream):
        assert (graph["DepthReached"], graph["Truncated"], graph["Frontier"]) == (14, False, [])


def test_a_trace_cut_short_by_its_depth_says_where_in_every_format(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given the same chain, traced upstream three hops only
    last = _chain(recorder, sagemaker, 7)
    graph = json.loads(trace(sagemaker, last, direction="ascendants", depth=3, output_format="json"))
    tree = trace(sagemaker, last, direction="ascendants", depth=3, output_format="tree")
    # Then it holds the last output, its job and the data that job read, and stops at the job before it:
    # the JSON says it was truncated and where, and the tree says so in words
    assert _uris(graph, sagemaker) == {"s3://chain/step-7/", "s3://chain/step-6/"}
    assert (graph["DepthReached"], graph["Truncated"], len(graph["Frontier"])) == (3, True, 1)
    assert "(stopped at depth 3: 1 vertices have more lineage" in tree


def test_a_graph_that_ends_exactly_at_the_depth_is_not_called_truncated(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a chain of two steps: four hops from the last output to the raw data
    last = _chain(recorder, sagemaker, 2)
    # When traced exactly four hops / Then it is whole: nothing lies beyond the raw data
    graph = json.loads(trace(sagemaker, last, direction="ascendants", depth=4, output_format="json"))
    assert RAW in _uris(graph, sagemaker)
    assert (graph["Truncated"], graph["Frontier"]) == (False, [])


def test_a_flat_list_answers_which_jobs_use_this_data_and_json_vertices_say_what_they_are(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given raw data processed by eleven jobs in a row
    _chain(recorder, sagemaker, 11)
    # When the raw data's descendants are listed, only processing jobs
    listed = trace(
        sagemaker,
        RAW,
        direction="descendants",
        depth=MAX_DEPTH,
        output_format="list",
        only=VertexFilter(types=frozenset({"ProcessingJob"})),
    ).splitlines()
    # Then one line per job, in natural order (chain-2 before chain-10), and nothing else
    jobs = [
        f"ProcessingJob arn:aws:sagemaker:us-east-1:123456789012:processing-job/chain-{n}"
        for n in range(1, 12)
    ]
    assert listed == jobs
    # And the JSON's vertices carry their SourceUri and account, filtered the same way
    graph = json.loads(
        trace(
            sagemaker,
            RAW,
            direction="descendants",
            depth=MAX_DEPTH,
            output_format="json",
            only=VertexFilter(types=frozenset({"DataSet"})),
        )
    )
    assert {vertex["Type"] for vertex in graph["Vertices"]} == {"DataSet"}
    assert {vertex["SourceUri"] for vertex in graph["Vertices"]} == {
        RAW,
        *(f"s3://chain/step-{n}/" for n in range(1, 12)),
    }
    assert {vertex["Account"] for vertex in graph["Vertices"]} == {"123456789012"}
    # (the edges kept are those between the vertices kept: the jobs between the data sets are left out)
    assert graph["Edges"] == []


def test_many_siblings_of_a_type_are_one_line_in_the_tree_in_natural_order(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given one data set read by 25 processing jobs
    for number in range(1, 26):
        event = processing_job(
            sagemaker, f"reader-{number}", inputs=[RAW], outputs=[f"s3://fan/out-{number}/"]
        )
        recorder.record(parse_event(event))
    # When its descendants are drawn as a tree, one hop
    tree = trace(sagemaker, RAW, direction="descendants", depth=1, output_format="tree").splitlines()
    # Then twenty jobs are shown in natural order (reader-2 before reader-10), and the other five are one line
    jobs = [line for line in tree if "ProcessingJob" in line and "more" not in line]
    assert [line.rsplit("/", 1)[-1] for line in jobs] == [f"reader-{n}" for n in range(1, 21)]
    assert (
        "-> ... +5 more ProcessingJob (--format list --type ProcessingJob lists them all)"
        in tree[-2:][0] + tree[-1]
    )


def test_the_graph_as_csv_mermaid_dot_and_table(recorder: Recorder, sagemaker: Any) -> None:
    # Given a chain of two processing jobs
    last = _chain(recorder, sagemaker, 2)

    def drawn(output_format: str) -> str:
        return trace(sagemaker, last, direction="ascendants", depth=MAX_DEPTH, output_format=output_format)

    graph = json.loads(drawn("json"))
    # When it is written as CSV / Then one row per vertex, with its SourceUri, under a header
    rows = list(csv.DictReader(io.StringIO(drawn("csv"))))
    assert {row["Arn"] for row in rows} == {vertex["Arn"] for vertex in graph["Vertices"]}
    assert {RAW, last} <= {row["SourceUri"] for row in rows}
    # And as Mermaid: a flowchart with a node per vertex and a labelled arrow per edge
    mermaid = drawn("mermaid").splitlines()
    assert mermaid[0] == "flowchart LR"
    assert sum("-->|" in line for line in mermaid) == len(graph["Edges"])
    assert any(f"DataSet: {RAW}" in line for line in mermaid)
    # And as DOT: a digraph with an edge per association, the start entity in bold
    dot = drawn("dot").splitlines()
    assert dot[0] == "digraph lineage {" and dot[-1] == "}"
    assert sum(" -> " in line for line in dot) == len(graph["Edges"])
    assert any(graph["StartArn"] in line and "style=bold" in line for line in dot)
    # And as a table: a header, then one aligned row per vertex but the start, each SourceUri whole
    table = drawn("table").splitlines()
    assert table[0].split() == ["Type", "SourceUri", "Name", "State", "Account", "Created"]
    rows = [line for line in table[2:] if line.strip()]
    assert len(rows) == len(graph["Vertices"]) - 1
    assert any(line.split()[:2] == ["DataSet", RAW] for line in rows)
    account_column = table[0].index("Account")
    assert all(line[account_column:].startswith("123456789012") for line in rows)  # the columns line up


def test_lineage_type_and_creation_time_pick_vertices(recorder: Recorder, sagemaker: Any) -> None:
    # Given a chain recorded now
    _chain(recorder, sagemaker, 2)

    def kept(only: VertexFilter) -> list[dict[str, Any]]:
        graph = json.loads(
            trace(sagemaker, RAW, direction="descendants", depth=MAX_DEPTH, output_format="json", only=only)
        )
        return [vertex for vertex in graph["Vertices"] if vertex["Arn"] != graph["StartArn"]]

    # When only trial components (the jobs) are kept / Then only they are listed
    jobs = kept(VertexFilter(lineage_types=frozenset({"TrialComponent"})))
    assert {vertex["LineageType"] for vertex in jobs} == {"TrialComponent"} and len(jobs) == 2
    # And each vertex says when it was created; a window before that keeps nothing, one around it all
    assert all(vertex["Created"] for vertex in kept(EVERYTHING))
    an_hour = timedelta(hours=1)
    assert kept(VertexFilter(created_before=datetime.now(UTC) - an_hour)) == []
    around = VertexFilter(
        created_after=datetime.now(UTC) - an_hour, created_before=datetime.now(UTC) + an_hour
    )
    assert len(kept(around)) == len(kept(EVERYTHING)) > 0
