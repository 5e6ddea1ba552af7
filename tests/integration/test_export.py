"""`lineage-recorder export --format openlineage` on recorded lineage: one valid RunEvent per recorded run,
joined by data set names, with parents for pipeline steps and tuning trials, the same in every export,
and posted with the OpenLineage client's HTTP transport."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder_cli.commands.export import export
from lineage_recorder_cli.openlineage_events import run_id

from tests.integration.flows import (
    TUNING_DATA,
    job_events,
    pipeline_run,
    step_event,
    training_event,
    tuning_event,
    tuning_job,
)
from tests.integration.jobs import processing_job, training_job
from tests.integration.test_cross_account import sagemaker_in
from tests.support.cli import run_cli, served_emulator
from tests.support.events import ACCOUNT, REGION
from tests.support.openlineage_schema import problems

NAMESPACE = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def _exported(sagemaker: Any, **window: Any) -> list[dict[str, Any]]:
    out = io.StringIO()
    count, unread = export(sagemaker, out, **window)
    assert unread == []
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(events) == count
    return events


def _by_job(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {event["job"]["name"]: event for event in events}


def _names(datasets: list[dict[str, Any]]) -> set[str]:
    return {f"{dataset['namespace']}/{dataset['name']}" for dataset in datasets}


def test_a_pipeline_run_and_a_tuning_job_export_as_valid_joined_runs_with_parents(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a recorded prepare-train-register pipeline run, and a recorded tuning job of two trials
    execution, steps = pipeline_run(sagemaker)
    trials = tuning_job(sagemaker, "export-tune", 2)
    events = [
        *job_events(sagemaker, steps),
        *(step_event(execution, step) for step in steps),
        *(training_event(sagemaker, trial) for trial in trials),
        tuning_event(sagemaker, "export-tune"),
    ]
    for event in events:
        assert not recorder.record(parse_event(event)).ignored
    # When the recorded runs are exported
    exported = _exported(sagemaker)
    # Then every event is valid OpenLineage, one per job run
    for event in exported:
        assert problems(event) == [], event["job"]["name"]
    runs = _by_job(exported)
    prepare = next(name for name in runs if name.startswith("processing-job/"))
    train = next(
        name for name in runs if name.startswith("training-job/") and name.split("/")[1] not in trials
    )
    assert set(runs) == {prepare, train, *(f"training-job/{trial}" for trial in trials)}
    assert all(event["eventType"] == "COMPLETE" for event in exported)
    # And the training step read what the prepare step wrote: the same data set by name
    assert _names(runs[prepare]["outputs"]) & _names(runs[train]["inputs"])
    assert any(name.startswith("s3://models/pipeline/") for name in _names(runs[train]["outputs"]))
    # And both steps name the pipeline execution as their parent run, a run of the pipeline's job
    for step in (prepare, train):
        parent = runs[step]["run"]["facets"]["parent"]
        assert parent["run"]["runId"] == run_id(execution)
        assert (parent["job"]["namespace"], parent["job"]["name"]) == (NAMESPACE, "pipeline/churn-pipeline")
    # And each tuning trial names its tuning job, read the tuning data and made its own model
    for trial in trials:
        event = runs[f"training-job/{trial}"]
        parent = event["run"]["facets"]["parent"]
        assert parent["run"]["runId"] == run_id(f"{NAMESPACE}:hyper-parameter-tuning-job/export-tune")
        assert f"s3://features/{TUNING_DATA.removeprefix('s3://features/')}" in _names(event["inputs"])
        assert event["outputs"]


def test_exporting_again_gives_the_same_events_and_a_window_picks_runs(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given two recorded jobs
    recorder.record(
        parse_event(processing_job(sagemaker, "prep", inputs=["s3://raw/a/"], outputs=["s3://w/b/"]))
    )
    recorder.record(parse_event(training_job(sagemaker, "train", inputs=["s3://w/b/"], output="s3://out/")))
    # When they are exported twice, and once more for a window that ends before they were recorded
    first, second = _exported(sagemaker), _exported(sagemaker)
    before = _exported(sagemaker, until=datetime.now(UTC) - timedelta(days=1))
    after = _exported(sagemaker, since=datetime.now(UTC) - timedelta(days=1))
    # Then both exports are identical (a consumer stores each run once), and the windows pick by time
    assert first == second
    assert {event["job"]["name"] for event in first} == {"processing-job/prep", "training-job/train"}
    assert before == []
    assert after == first


def test_a_data_set_with_a_twin_in_another_account_names_both_artifacts(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a recorded training job whose input data is linked SameAs to its twin in a peer account
    recorder.record(
        parse_event(training_job(sagemaker, "twin", inputs=["s3://shared/data/"], output="s3://o/"))
    )
    (local,) = sagemaker.list_artifacts(SourceUri="s3://shared/data/")["ArtifactSummaries"]
    twin = sagemaker_in("111111111111").create_artifact(
        ArtifactType="DataSet", Source={"SourceUri": "s3://shared/data/"}
    )["ArtifactArn"]
    sagemaker.add_association(SourceArn=local["ArtifactArn"], DestinationArn=twin, AssociationType="SameAs")
    # When the run is exported
    (event,) = _exported(sagemaker)
    # Then the data set's symlinks name the local artifact and its twin
    (data,) = [dataset for dataset in event["inputs"] if dataset["namespace"] == "s3://shared"]
    identifiers = data["facets"]["symlinks"]["identifiers"]
    assert [(i["namespace"], i["name"]) for i in identifiers] == [
        (NAMESPACE, local["ArtifactArn"].split(":", 5)[5]),
        (f"arn:aws:sagemaker:{REGION}:111111111111", twin.split(":", 5)[5]),
    ]
    assert problems(event) == []


class _Collector(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, str], dict[str, Any]]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, dict(self.headers), json.loads(body)))
        self.send_response(201)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, dict[str, str], dict[str, Any]]]]]:
    """A stand-in for Marquez on 127.0.0.1: it keeps what is posted to it."""
    _Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Collector.received
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def served() -> Iterator[str]:
    yield from (running.url for running in served_emulator())


def test_the_installed_cli_writes_the_events_and_posts_them_to_an_openlineage_endpoint(
    served: str, collector: tuple[str, list[Any]], tmp_path: Any
) -> None:
    # Given two jobs recorded through the CLI against the served emulator
    import boto3

    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=served,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    events = tmp_path / "events.jsonl"
    events.write_text(
        json.dumps(processing_job(sagemaker, "cli-prep", inputs=["s3://raw/x/"], outputs=["s3://w/y/"]))
        + "\n"
        + json.dumps(training_job(sagemaker, "cli-train", inputs=["s3://w/y/"], output="s3://out/"))
        + "\n"
    )
    recorded = run_cli("record", str(events), endpoint=served)
    assert recorded.returncode == 0, recorded.stderr
    url, received = collector
    # When they are exported to a file and posted to the endpoint with an API key
    output = tmp_path / "openlineage.jsonl"
    result = run_cli(
        "export", "--output", str(output), "--url", url, "--api-key", "secret-key", endpoint=served
    )
    # Then the command says what it did, the file holds two valid events, and the same two were posted
    assert result.returncode == 0, result.stderr
    assert f"2 OpenLineage run events to {output}, posted to {url}" in result.stderr
    written = [json.loads(line) for line in output.read_text().splitlines()]
    assert [problems(event) for event in written] == [[], []]
    assert sorted(event["job"]["name"] for event in written) == [
        "processing-job/cli-prep",
        "training-job/cli-train",
    ]
    assert [body for _, _, body in received] == written
    assert {path for path, _, _ in received} == {"/api/v1/lineage"}
    assert all(headers.get("Authorization") == "Bearer secret-key" for _, headers, _ in received)


def test_export_mistakes_are_one_line_messages_with_exit_codes(served: str, tmp_path: Any) -> None:
    # Given the served emulator with nothing recorded
    # When export is given a bad time, an unwritable output, a key without an endpoint, and a dead endpoint
    bad_time = run_cli("export", "--since", "yesterday", endpoint=served)
    unwritable = run_cli("export", "--output", str(tmp_path / "no-such-dir" / "x.jsonl"), endpoint=served)
    key_only = run_cli("export", "--api-key", "k", endpoint=served)
    empty = run_cli("export", endpoint=served)
    # Then each says what is wrong in one line, with no traceback, and exits 2 for a usage mistake
    assert (bad_time.returncode, unwritable.returncode, key_only.returncode) == (2, 2, 2)
    assert "'yesterday' is not an ISO-8601 time" in bad_time.stderr
    assert "cannot write" in unwritable.stderr
    assert "--api-key is for --url" in key_only.stderr
    for result in (bad_time, unwritable, key_only, empty):
        assert "Traceback" not in result.stderr
    # And an account with nothing recorded exports nothing, and says so
    assert (empty.returncode, empty.stdout) == (0, "")
    assert "0 OpenLineage run events" in empty.stderr


def test_an_endpoint_that_cannot_be_reached_is_a_message_not_a_traceback(served: str) -> None:
    # Given a recorded job and an OpenLineage endpoint nobody listens on
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    import boto3

    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=served,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    event = processing_job(sagemaker, "dead-prep", inputs=["s3://raw/x/"], outputs=["s3://w/y/"])
    assert run_cli("record", "-", endpoint=served, stdin=json.dumps(event)).returncode == 0
    # When export posts to it
    result = run_cli("export", "--url", dead, endpoint=served)
    # Then it fails with one line naming the endpoint
    assert result.returncode == 1
    assert f"posting to {dead} failed" in result.stderr
    assert "Traceback" not in result.stderr
