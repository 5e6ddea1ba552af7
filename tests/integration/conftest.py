"""Integration fixtures: the recorder against the emulator, in-process under moto."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import sagemaker_lineage_emulator
from lineage_recorder import aws
from lineage_recorder.observability import logger as recorder_logger
from lineage_recorder.recorder import Recorder
from moto import mock_aws
from sagemaker_lineage_emulator.server import EmulatorServer

from tests.support.cli import served_emulator
from tests.support.logs import LogCollector
from tests.support.recording import recorder_for


@pytest.fixture(autouse=True)
def restored_environment() -> Iterator[None]:
    """Each test ends with the environment it started with: the CLI's commands quiet Powertools through
    os.environ (right for a process, a leak between tests)."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(autouse=True)
def local_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SAGEMAKER"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "SageMakerLineageRecorder")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")


@pytest.fixture
def emulator() -> Iterator[None]:
    """A fresh in-process emulator for one test; clients must be created inside it."""
    sagemaker_lineage_emulator.install()
    sagemaker_lineage_emulator.reset()
    aws.forget_clients()
    with mock_aws():
        yield
    aws.forget_clients()
    sagemaker_lineage_emulator.reset()


@pytest.fixture
def sagemaker(emulator: None) -> Any:
    return boto3.client("sagemaker")


@pytest.fixture
def recorder(sagemaker: Any) -> Recorder:
    return recorder_for(sagemaker)


@pytest.fixture(params=[True, False], ids=["with-trial-components", "without-trial-components"])
def trial_components(request: pytest.FixtureRequest, emulator: None) -> bool:
    """Both worlds: SageMaker created the job's trial component, or it did not."""
    enabled = bool(request.param)
    sagemaker_lineage_emulator.configure(create_job_trial_components=enabled)
    return enabled


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    """The emulator served on 127.0.0.1, from nothing, for the CLI run as a subprocess."""
    yield from served_emulator()


@pytest.fixture
def logs() -> Iterator[list[dict[str, Any]]]:
    """What the recorder logged, with the extra keys each line carried."""
    collector = LogCollector()
    collector.setFormatter(recorder_logger.registered_formatter)
    service_logger = logging.getLogger("lineage-recorder")
    service_logger.addHandler(collector)
    yield collector.lines
    service_logger.removeHandler(collector)
