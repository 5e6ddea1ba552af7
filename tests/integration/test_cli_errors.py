"""A user's mistakes with the installed `lineage-recorder` get one line saying what is wrong and what to do,
and a sensible exit code (2 for usage and input errors), never a traceback; nothing is recorded from a
run whose input cannot all be read."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
from sagemaker_lineage_emulator.server import EmulatorServer

from tests.integration.jobs import training_job
from tests.support.cli import LINEAGE_RECORDER, run_cli
from tests.support.graph import snapshot
from tests.support.state_table import create_state_table


def _no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr


def _one_line_error(result: subprocess.CompletedProcess[str], code: int, *expected: str) -> None:
    _no_traceback(result)
    assert result.returncode == code, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def _good_event_file(server: EmulatorServer, directory: Path) -> Path:
    sagemaker = boto3.client("sagemaker", endpoint_url=server.url)
    event = training_job(sagemaker, "good-job", inputs=["s3://features/train/"], output="s3://models/")
    path = directory / "good.json"
    path.write_text(json.dumps(event))
    return path


def _nothing_recorded(server: EmulatorServer) -> None:
    assert snapshot(boto3.client("sagemaker", endpoint_url=server.url)).nodes == frozenset()


def _written(directory: Path, name: str, content: bytes) -> Path:
    path = directory / name
    path.write_bytes(content)
    return path


def _directory(directory: Path, name: str) -> Path:
    path = directory / name
    path.mkdir()
    return path


UNREADABLE: dict[str, tuple[Any, str]] = {
    "missing": (lambda d: d / "missing.json", "missing.json: no such file"),
    "directory": (lambda d: _directory(d, "events"), "is a directory"),
    "not-utf8": (lambda d: _written(d, "binary.json", b"\xff\xfe\x00x"), "is not UTF-8 text"),
    "empty": (lambda d: _written(d, "empty.json", b""), "holds no events"),
    "blank": (lambda d: _written(d, "blank.json", b"  \n"), "holds no events"),
    "empty-array": (lambda d: _written(d, "array.json", b"[]"), "holds no events"),
}


@pytest.mark.parametrize(("make", "expected"), UNREADABLE.values(), ids=list(UNREADABLE))
def test_a_file_that_cannot_be_read_stops_the_run_before_anything_is_recorded(
    server: EmulatorServer, tmp_path: Path, make: Any, expected: str
) -> None:
    # Given a good event file, and after it a file that cannot be read as events
    good = _good_event_file(server, tmp_path)
    bad = make(tmp_path)
    # When both are recorded
    result = run_cli("record", str(good), str(bad), endpoint=server.url)
    # Then one line names the file and why, the exit code is 2, and the good file was not recorded either
    _one_line_error(result, 2, "lineage-recorder record:", expected)
    _nothing_recorded(server)


def test_record_reads_standard_input_with_a_dash(server: EmulatorServer, tmp_path: Path) -> None:
    event = _good_event_file(server, tmp_path).read_text()
    result = run_cli("record", "--json", "-", endpoint=server.url, stdin=event)
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recorded"] == 1


def test_a_pretty_printed_event_with_one_mistake_is_one_error_at_its_line(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given a pretty-printed event with a trailing comma on its fourth line
    text = json.dumps({"version": "0", "id": "x", "detail": {"a": 1}}, indent=2).replace('"x"', '"x",,', 1)
    (tmp_path / "pretty.json").write_text(text)
    # When recorded
    result = run_cli("record", "--json", str(tmp_path / "pretty.json"), endpoint=server.url)
    # Then the file is one failed event, whose reason says where the mistake is
    _no_traceback(result)
    assert result.returncode == 1
    summary = json.loads(result.stdout)
    assert summary["events"] == 1
    (failure,) = summary["failed"]
    assert "not JSON" in failure["reason"] and "line 3" in failure["reason"], failure


def test_json_nested_too_deeply_fails_that_event_alone(server: EmulatorServer, tmp_path: Path) -> None:
    good = json.loads(_good_event_file(server, tmp_path).read_text())
    lines = [json.dumps(good), "[" * 100_000 + "]" * 100_000]
    (tmp_path / "events.jsonl").write_text("\n".join(lines))
    result = run_cli("record", "--json", str(tmp_path / "events.jsonl"), endpoint=server.url)
    _no_traceback(result)
    summary = json.loads(result.stdout)
    assert (summary["events"], summary["recorded"], len(summary["failed"])) == (2, 1, 1)


def test_a_state_table_that_does_not_exist_is_named_with_what_to_do(
    server: EmulatorServer, tmp_path: Path
) -> None:
    good = _good_event_file(server, tmp_path)
    result = run_cli(
        "record", str(good), endpoint=server.url, extra_env={"LINEAGE_STATE_TABLE": "no-such-table"}
    )
    _one_line_error(result, 2, "'no-such-table'", "does not exist", "LINEAGE_STATE_TABLE")
    _nothing_recorded(server)


def test_trace_of_an_entity_that_does_not_exist_says_so(server: EmulatorServer) -> None:
    missing = "arn:aws:sagemaker:us-east-1:123456789012:artifact/0123456789abcdef0123456789abcdef"
    result = run_cli("trace", missing, endpoint=server.url)
    _one_line_error(result, 2, "no lineage entity", missing)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["trace", "--depth", "abc", "x"], "'abc' is not a number: give 1 to 1000, or all"),
        (["trace", "--depth", "0", "x"], "depth must be between 1 and 1000, or all"),
        (
            ["trace", "--type", "Endpoint", "x"],
            "pick vertices for --format list, table, json or csv, not tree",
        ),
        (["trace", "--created-after", "yesterday", "x"], "'yesterday' is not an ISO-8601 time"),
        (["emulator", "--port", "99999"], "99999 is not a port"),
        (["emulator", "--throttle-rate", "2"], "is not a fraction of calls"),
    ],
)
def test_bad_options_are_usage_errors(args: list[str], expected: str) -> None:
    result = run_cli(*args)
    _no_traceback(result)
    assert result.returncode == 2
    assert expected in result.stderr, result.stderr


def test_a_closed_pipe_ends_the_trace_quietly(server: EmulatorServer, tmp_path: Path) -> None:
    # Given a recorded job, traced with its output piped into a reader that stops after one line
    run_cli("record", str(_good_event_file(server, tmp_path)), endpoint=server.url)
    env = {**os.environ, "AWS_ENDPOINT_URL": server.url, "AWS_ACCESS_KEY_ID": "testing"}
    env.update(AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    command = f"'{LINEAGE_RECORDER}' trace s3://features/train/ --direction descendants | head -c 1"
    result = subprocess.run(
        command, shell=True, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    # Then nothing complains about the closed pipe
    _no_traceback(result)
    assert "BrokenPipe" not in result.stderr and "Exception ignored" not in result.stderr, result.stderr


def test_the_emulator_on_a_taken_port_says_so_at_once() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("emulator", "--port", str(port))
    _one_line_error(result, 2, f"cannot listen on 127.0.0.1:{port}", "pick another --port")


def test_the_emulator_prints_what_a_client_needs_and_stops_on_sigterm() -> None:
    process = subprocess.Popen(
        [LINEAGE_RECORDER, "emulator", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        text = _read_until(process.stdout, "export AWS_REGION=", seconds=60)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()
    for variable in (
        "AWS_ENDPOINT_URL=http://127.0.0.1:",
        "AWS_ACCESS_KEY_ID=",
        "AWS_SECRET_ACCESS_KEY=",
        "AWS_REGION=",
    ):
        assert f"export {variable}" in text, text


def _read_until(stream: Any, marker: str, *, seconds: float) -> str:
    """What `stream` printed up to the line holding `marker`, waiting at most `seconds` (never forever)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in stream], daemon=True).start()
    deadline = time.monotonic() + seconds
    text = ""
    while marker not in text:
        try:
            text += lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no {marker!r} within {seconds} s: {text!r}") from None
    return text


def test_the_version_is_printed() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("lineage-recorder 0."), result.stdout


def test_demo_uses_its_own_emulator_whatever_aws_endpoint_url_says(server: EmulatorServer) -> None:
    # Given AWS_ENDPOINT_URL exported for another emulator (as that emulator's banner suggests)
    result = run_cli("demo", endpoint=server.url)
    # Then the demo succeeds on its embedded one, and writes nothing into the other
    assert result.returncode == 0, result.stdout + result.stderr
    _nothing_recorded(server)
    sagemaker: Any = boto3.client("sagemaker", endpoint_url=server.url)
    assert sagemaker.list_training_jobs()["TrainingJobSummaries"] == []


def test_record_with_a_state_table_gives_each_event_a_time_budget_and_no_powertools_warning(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given a state table, and an event file
    dynamodb = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1")
    table = create_state_table(dynamodb)
    good = _good_event_file(server, tmp_path)
    # When recorded
    result = run_cli("record", str(good), endpoint=server.url, extra_env={"LINEAGE_STATE_TABLE": table})
    # Then Powertools has a time budget (no warning about the time left), and the replay guard's record says
    # when an in-progress claim would have expired: two minutes, not a day, had the run been killed
    _no_traceback(result)
    assert result.returncode == 0, result.stderr
    assert "remaining time" not in result.stderr, result.stderr
    items = dynamodb.scan(TableName=table)["Items"]
    guards = [item for item in items if "in_progress_expiration" in item]
    assert guards, items
    for item in guards:
        claimed_until = int(item["in_progress_expiration"]["N"]) / 1000
        assert time.time() - 60 < claimed_until <= time.time() + 130


def test_an_unknown_profile_is_named(server: EmulatorServer, tmp_path: Path) -> None:
    good = _good_event_file(server, tmp_path)
    result = run_cli("record", "--profile", "no-such-profile", str(good), endpoint=server.url)
    _one_line_error(result, 2, "no-such-profile", "--profile")
    _nothing_recorded(server)


def test_region_given_on_the_command_line_wins_over_the_environment(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given a job recorded in us-east-1, traced with AWS_REGION set to us-east-1 but --region eu-west-1
    run_cli("record", str(_good_event_file(server, tmp_path)), endpoint=server.url)
    result = run_cli(
        "trace",
        "s3://features/train/",
        "--region",
        "eu-west-1",
        endpoint=server.url,
        extra_env={"AWS_REGION": "us-east-1"},
    )
    # Then the trace looks in eu-west-1, where nothing was recorded, and says so
    _one_line_error(result, 2, "no lineage entity has SourceUri")


def test_many_events_show_progress_and_repeated_outcomes_are_grouped_by_reason(
    server: EmulatorServer, tmp_path: Path
) -> None:
    # Given 120 events of a kind no family records (ignored at once, each for the same reason)
    event = json.loads(_good_event_file(server, tmp_path).read_text())
    notebook = {**event, "detail-type": "SageMaker Notebook Instance State Change", "detail": {}}
    lines = [json.dumps({**notebook, "id": f"nb-{number}"}) for number in range(120)]
    (tmp_path / "many.jsonl").write_text("\n".join(lines))
    # When recorded (stderr is not a terminal here)
    result = run_cli("record", str(tmp_path / "many.jsonl"), endpoint=server.url)
    # Then a progress line was printed on the way, and the 120 ignored events are one line with an example
    _no_traceback(result)
    assert "lineage-recorder: 100 of 120 events done" in result.stderr, result.stderr
    grouped = [line for line in result.stdout.splitlines() if line.strip().startswith("ignored ")]
    assert len(grouped) == 1, result.stdout
    assert "120 x no resource family records" in grouped[0] and "-v lists all" in grouped[0]
    # And -v lists each of them
    verbose = run_cli("record", "-v", str(tmp_path / "many.jsonl"), endpoint=server.url)
    assert len([line for line in verbose.stdout.splitlines() if line.strip().startswith("ignored ")]) == 120
