"""The `lineage-recorder` CLI as a user runs it, against the emulator served on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from sagemaker_lineage_emulator.server import EmulatorServer

from tests.integration.jobs import training_job
from tests.support.cli import run_cli as _cli
from tests.support.events import training_event


def _client(server: EmulatorServer) -> Any:
    return boto3.client("sagemaker", endpoint_url=server.url)


def test_record_reads_one_event_an_array_and_json_lines(server: EmulatorServer, tmp_path: Path) -> None:
    # Given a completed training job on the emulator, and its event in three file layouts
    sagemaker = _client(server)
    event = training_job(sagemaker, "cli-job", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "one.json").write_text(json.dumps(event))
    (tmp_path / "array.json").write_text(json.dumps([event, event]))
    running = training_event("cli-running", inputs=[], image="i", output="o", status="InProgress")
    (tmp_path / "lines.jsonl").write_text(json.dumps(event) + "\n" + json.dumps(running) + "\n{broken\n")
    # When recorded with --json through --endpoint-url
    result = _cli(
        "record",
        "--endpoint-url",
        server.url,
        "--json",
        str(tmp_path / "one.json"),
        str(tmp_path / "array.json"),
        str(tmp_path / "lines.jsonl"),
    )
    # Then the summary counts every event, and the bad line fails the run
    summary = json.loads(result.stdout)
    assert result.returncode == 1, result.stderr
    assert summary["events"] == 6
    assert summary["recorded"] == 4
    assert len(summary["ignored"]) == 1
    assert [item["event"] for item in summary["failed"]] == [f"{tmp_path / 'lines.jsonl'}:3"]
    assert summary["entities_created"] == 3  # image, dataset, model; the job node is SageMaker's
    assert summary["associations_created"] == 3
    assert summary["associations_existing"] == 9


def test_record_exits_zero_when_every_event_is_fine_and_prints_a_readable_summary(
    server: EmulatorServer, tmp_path: Path
) -> None:
    event = training_job(_client(server), "ok-job", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "event.json").write_text(json.dumps(event))
    result = _cli("record", str(tmp_path / "event.json"), endpoint=server.url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "entities created:      3" in result.stdout
    assert "failed:                0" in result.stdout


def test_record_of_a_mixed_archive_ignores_what_no_family_records_and_exits_zero(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given an archive of SageMaker events: a job, a kind no family records, and an endpoint config event
    job = training_job(_client(server), "archived", inputs=["s3://features/train/"], output="s3://models/")
    notebook = {**job, "id": "nb", "detail-type": "SageMaker Notebook Instance State Change", "detail": {}}
    config = {**job, "id": "c", "detail-type": "SageMaker Endpoint Config State Change", "detail": {}}
    (tmp_path / "archive.jsonl").write_text("\n".join(json.dumps(event) for event in (job, notebook, config)))
    # When recorded
    result = _cli("record", "--json", str(tmp_path / "archive.jsonl"), endpoint=server.url)
    # Then the job is recorded, the others are ignored with their reasons, and nothing failed
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads(result.stdout)
    assert (summary["recorded"], summary["failed"]) == (1, [])
    assert [item["reason"] for item in summary["ignored"]] == [
        "no resource family records 'SageMaker Notebook Instance State Change' events",
        "not recorded on its own: an endpoint config is recorded when an endpoint deploys it (its Endpoint "
        "State Change)",
    ]


def test_record_honours_lineage_families(server: EmulatorServer, tmp_path: Path) -> None:
    # Given a training job's event, and LINEAGE_FAMILIES naming only the registry and serving families
    event = training_job(_client(server), "not-now", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "event.json").write_text(json.dumps(event))
    families = {"LINEAGE_FAMILIES": "model-package,endpoint"}
    # When recorded
    result = _cli("record", "--json", str(tmp_path / "event.json"), endpoint=server.url, extra_env=families)
    # Then it is ignored with the reason, and no lineage was written
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert [item["reason"] for item in summary["ignored"]] == [
        "the training family is not enabled (LINEAGE_FAMILIES)"
    ]
    assert _client(server).list_artifacts()["ArtifactSummaries"] == []


def test_record_with_a_state_table_records_a_repeated_event_once(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given the state table the stack creates, named by the same variable as in the Lambda
    from tests.support.state_table import create_state_table

    table = create_state_table(boto3.client("dynamodb", endpoint_url=server.url))
    event = training_job(_client(server), "once", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "event.json").write_text(json.dumps(event))
    state = {"LINEAGE_STATE_TABLE": table}
    assert _cli("record", str(tmp_path / "event.json"), endpoint=server.url, extra_env=state).returncode == 0
    # When the same event is recorded again
    again = _cli("record", "--json", str(tmp_path / "event.json"), endpoint=server.url, extra_env=state)
    # Then it is known as already recorded and nothing is created
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert (summary["already_recorded"], summary["entities_created"]) == (1, 0)


def test_index_reads_existing_lineage_and_the_next_record_reuses_it(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given an account that already holds lineage (SageMaker's artifact for a job's input, 120 others)
    from tests.support.state_table import create_state_table

    sagemaker = _client(server)
    for n in range(120):
        sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": f"s3://archive/{n}/"})
    theirs = sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": "s3://features/train/"})
    state = {"LINEAGE_STATE_TABLE": create_state_table(boto3.client("dynamodb", endpoint_url=server.url))}
    # When the index is built
    built = _cli("index", "--json", endpoint=server.url, extra_env=state)
    # Then it read every artifact, in pages of 100
    assert built.returncode == 0, built.stderr
    assert json.loads(built.stdout)["artifact"] == {"calls": 2, "entities_read": 121, "entities_added": 121}
    # And a job reading that input, recorded next, links SageMaker's artifact instead of creating one
    event = training_job(sagemaker, "indexed", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "event.json").write_text(json.dumps(event))
    assert _cli("record", str(tmp_path / "event.json"), endpoint=server.url, extra_env=state).returncode == 0
    listed = sagemaker.list_artifacts(SourceUri="s3://features/train/")["ArtifactSummaries"]
    assert [summary["ArtifactArn"] for summary in listed] == [theirs["ArtifactArn"]]


def test_index_without_a_state_table_says_what_is_missing(server: EmulatorServer) -> None:
    # When the index is built with no state table configured
    result = _cli("index", endpoint=server.url, extra_env={"LINEAGE_STATE_TABLE": ""})
    # Then it exits 2 and names the variable
    assert result.returncode == 2
    assert "LINEAGE_STATE_TABLE" in result.stderr


def test_trace_prints_a_query_lineage_shaped_json(server: EmulatorServer, tmp_path: Path) -> None:
    # Given a recorded training job
    event = training_job(_client(server), "traced", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "event.json").write_text(json.dumps(event))
    assert _cli("record", str(tmp_path / "event.json"), endpoint=server.url).returncode == 0
    model = event["detail"]["ModelArtifacts"]["S3ModelArtifacts"]
    # When tracing the model's ascendants as JSON
    result = _cli("trace", model, "--direction", "ascendants", "--format", "json", endpoint=server.url)
    # Then vertices and edges have QueryLineage's shape and reach the input data
    graph = json.loads(result.stdout)
    assert set(graph) >= {"Vertices", "Edges"}
    # (QueryLineage's vertex fields, and what the trace adds: the vertex's SourceUri, name, state, account)
    assert all(
        {"Arn", "Type", "LineageType"}
        <= set(vertex)
        <= {"Arn", "Type", "LineageType", "SourceUri", "Name", "State", "Created", "Account"}
        for vertex in graph["Vertices"]
    )
    assert all(set(edge) == {"SourceArn", "DestinationArn", "AssociationType"} for edge in graph["Edges"])
    types = {(vertex["Type"], vertex["LineageType"]) for vertex in graph["Vertices"]}
    assert {
        ("Model", "Artifact"),
        ("TrainingJob", "TrialComponent"),
        ("DataSet", "Artifact"),
        ("Image", "Artifact"),
    } <= types
    assert {edge["AssociationType"] for edge in graph["Edges"]} == {"Produced", "ContributedTo"}


def test_trace_starts_from_a_job_arn(server: EmulatorServer, tmp_path: Path) -> None:
    # Given a recorded training job
    event = training_job(_client(server), "by-arn", inputs=["s3://features/train/"], output="s3://models/")
    (tmp_path / "event.json").write_text(json.dumps(event))
    assert _cli("record", str(tmp_path / "event.json"), endpoint=server.url).returncode == 0
    # When traced by the job's own ARN, as the deploy guide suggests
    result = _cli("trace", event["resources"][0], endpoint=server.url)
    # Then the tree starts at the job and shows its input
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith("TrainingJob " + event["resources"][0])
    assert "DataSet s3://features/train/" in result.stdout


def test_trace_of_an_unknown_uri_says_so(server: EmulatorServer) -> None:
    result = _cli("trace", "s3://nothing/here/", endpoint=server.url)
    assert result.returncode == 2
    assert "no lineage entity has SourceUri" in result.stderr


def test_demo_shows_the_joined_up_graph() -> None:
    # When the demo runs on its embedded emulator
    result = _cli("demo")
    # Then it succeeds and its trace reaches from the endpoint back to the raw data
    assert result.returncode == 0, result.stdout + result.stderr
    trace = result.stdout.split("== Lineage", 1)[1]
    for expected in (
        "Endpoint arn:aws:sagemaker:us-east-1:123456789012:endpoint/demo-churn-endpoint"
        " (EndpointStatus=IN_SERVICE)",
        "ModelDeployment arn:aws:sagemaker:us-east-1:123456789012:endpoint/demo-churn-endpoint"
        "?endpoint-config=demo-churn-config-v1 (Stopped, SupersededBy=demo-churn-config-v2)",
        "ModelDeployment arn:aws:sagemaker:us-east-1:123456789012:endpoint/demo-churn-endpoint"
        "?endpoint-config=demo-churn-config-v2\n",
        "Model arn:aws:sagemaker:us-east-1:123456789012:model-package/demo-churn-models/1",
        "Model s3://demo-models/churn/",
        "TrainingJob",
        "ProcessingJob",
        "DataSet s3://demo-raw-data/customers/2026-11/",
    ):
        assert expected in trace
    assert "dead-lettered: 0" in result.stdout
    # And prod's recorder linked the package it deploys to its twin in dev, and the cross-account trace
    # crosses that SameAs edge back to the training data in dev
    assert "SameAs links prod -> dev: 1" in result.stdout
    cross_account = result.stdout.split("across accounts", 1)[1]
    assert "<- [SameAs] [123456789012] Model arn:aws:sagemaker:us-east-1:123456789012:model-package/" in (
        cross_account
    )
    assert "[123456789012] DataSet s3://demo-raw-data/customers/2026-11/" in cross_account
    # And prod deploys the version a pipeline retrained with a tuning job: the trace says which pipeline run
    # registered it and which tuning job its training job was part of
    for group in (
        "in [AssociatedWith] [123456789012] PipelineExecution arn:aws:sagemaker:us-east-1:123456789012:"
        "pipeline/demo-churn-retrain/execution/",
        "in [AssociatedWith] [123456789012] Pipeline arn:aws:sagemaker:us-east-1:123456789012:"
        "pipeline/demo-churn-retrain\n",
        "in [AssociatedWith] [123456789012] HyperParameterTuningJob arn:aws:sagemaker:us-east-1:123456789012:"
        "hyper-parameter-tuning-job/",
    ):
        assert group in cross_account, group


def test_trace_json_from_the_demo_endpoint_reaches_the_training_inputs(
    server: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the demo workflow recorded through the Lambda handler into the served emulator
    from lineage_recorder import aws, handler
    from lineage_recorder_cli.demo_workflow import TRAIN_FEATURES, VALIDATION_FEATURES, run_workflow
    from lineage_recorder_cli.local_aws import LocalEventPipeline

    monkeypatch.setenv("AWS_ENDPOINT_URL", server.url)
    aws.forget_clients()
    handler.recorder.cache_clear()
    pipeline = LocalEventPipeline(
        boto3.client("events"), boto3.client("sqs"), account="123456789012", region="us-east-1"
    )
    details = run_workflow(_client(server), pipeline)
    assert pipeline.drain(handler.lambda_handler).dead_lettered == []
    aws.forget_clients()
    handler.recorder.cache_clear()
    # When the CLI traces the endpoint's ascendants as JSON
    endpoint_arn = details["endpoint"]["EndpointArn"]
    result = _cli("trace", endpoint_arn, "--direction", "ascendants", "--format", "json", endpoint=server.url)
    # Then the training job's input DataSet artifacts are among the vertices
    assert result.returncode == 0, result.stderr
    vertices = json.loads(result.stdout)["Vertices"]
    datasets = {
        _client(server).describe_artifact(ArtifactArn=v["Arn"])["Source"]["SourceUri"]
        for v in vertices
        if v["Type"] == "DataSet"
    }
    assert {TRAIN_FEATURES, VALIDATION_FEATURES} <= datasets
