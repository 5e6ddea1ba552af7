"""Several `lineage-recorder record` processes at once, as a team's scripts or a CI matrix run them: with
and without a shared state table, no duplicate, no traceback, every event recorded."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from sagemaker_lineage_emulator.server import EmulatorServer

from tests.integration.jobs import processing_job, training_job
from tests.support.cli import LINEAGE_RECORDER, served_emulator
from tests.support.graph import snapshot
from tests.support.state_table import create_state_table

PROCESSES = 8


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    yield from served_emulator()


def _client(server: EmulatorServer, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def _events_file(server: EmulatorServer, tmp_path: Path) -> Path:
    """Jobs sharing their data and image: every process's events create the same keys."""
    sagemaker = _client(server, "sagemaker")
    events = [processing_job(sagemaker, "prep", inputs=["s3://raw/shared/"], outputs=["s3://work/shared/"])]
    events += [
        training_job(
            sagemaker, f"train-{index}", inputs=["s3://work/shared/"], output=f"s3://models/{index}/"
        )
        for index in range(4)
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    return path


def _run_at_once(server: EmulatorServer, events: Path, extra_env: dict[str, str]) -> list[Any]:
    env = {
        **os.environ,
        **extra_env,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": server.url,
    }
    processes = [
        subprocess.Popen(
            [LINEAGE_RECORDER, "record", str(events)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    return [(process.wait(timeout=300), *process.communicate()) for process in processes]


@pytest.mark.parametrize("with_state_table", [True, False], ids=["state-table", "no-state-table"])
def test_concurrent_record_processes_record_everything_once(
    server: EmulatorServer, tmp_path: Path, with_state_table: bool
) -> None:
    # Given a file of jobs that share data, and (or not) a state table the processes share
    events = _events_file(server, tmp_path)
    extra_env = {}
    if with_state_table:
        extra_env["LINEAGE_STATE_TABLE"] = create_state_table(_client(server, "dynamodb"))
    # When eight record processes read it at once
    results = _run_at_once(server, events, extra_env)
    # Then every process ends well, without a traceback, each event recorded (or found recorded)
    for code, stdout, stderr in results:
        assert "Traceback" not in stderr, stderr
        assert code == 0, stdout + stderr
    # And the graph has one entity per key and one association per pair
    graph = snapshot(_client(server, "sagemaker"))
    assert graph.duplicate_entities == {}
    assert graph.duplicate_associations == {}
    assert any(key[1] == "s3://work/shared/" for key in graph.entity_keys)
