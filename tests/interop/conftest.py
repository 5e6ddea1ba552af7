"""Interop fixtures: our recorded graph, asked by the real SageMaker Python SDK and by DataHub's SageMaker
source.

How it works:

- ``estate`` (once for the package): starts ``EmulatorServer`` on 127.0.0.1 (a free port), resets it, turns
  SageMaker's own job trial components on, and records the estate of ``estate.py`` through the Lambda
  handler in this process (AWS_ENDPOINT_URL names the server while recording only).
- The probes (``probes/*.py``) run as subprocesses with .venv-interop's python (``make setup`` builds it from
  constraints-interop.txt): the SDK and DataHub pin packages the project's own venv cannot hold. Each gets
  a clean environment (fake credentials, AWS_ENDPOINT_URL = the server, HOME and AWS config files in a
  temporary folder, the tools' telemetry off) and a guard that refuses any connection or name lookup that
  is not loopback. A probe reads its questions from a JSON file and writes its answers to another; one
  helper's error is recorded as ``{"error": ...}`` and hides none of the others.
- The tests assert on those answers. A missing .venv-interop fails them ("run make setup"): it never skips.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sagemaker_lineage_emulator
from lineage_recorder import aws, handler
from sagemaker_lineage_emulator.server import EmulatorServer

from tests.interop.estate import REGION, Estate, record_estate

REPO = Path(__file__).resolve().parents[2]
INTEROP_PYTHON = REPO / ".venv-interop" / "bin" / "python"
PROBES = Path(__file__).resolve().parent / "probes"
PROBE_TIMEOUT_SECONDS = 300

# Variables that would point the recorder or the probes somewhere else than the emulator.
_FOREIGN_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ENDPOINT_URL_SAGEMAKER",
    "AWS_ENDPOINT_URL_SQS",
    "AWS_ENDPOINT_URL_EVENTBRIDGE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "MOTO_ACCOUNT_ID",
    "LINEAGE_STATE_TABLE",
    "LINEAGE_PEER_ACCOUNTS",
    "LINEAGE_FAMILIES",
    "LINEAGE_QUEUE_ARN",
    "LINEAGE_REJECTED_QUEUE_URL",
)


def _reset(url: str) -> None:
    request = urllib.request.Request(url + "/moto-api/reset", method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def _recording_environment(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name in _FOREIGN_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("LINEAGE_EMULATOR_"):
            monkeypatch.delenv(name)  # the emulator's defaults (no latency, no faults) record the estate
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "ERROR")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "SageMakerLineageRecorder")


@pytest.fixture(scope="package")
def interop_python() -> Path:
    if not INTEROP_PYTHON.is_file():
        pytest.fail(
            f"{INTEROP_PYTHON.relative_to(REPO)} is missing: run `make setup` (it builds .venv-interop "
            "with the SageMaker Python SDK and DataHub from constraints-interop.txt)",
            pytrace=False,
        )
    return INTEROP_PYTHON


@pytest.fixture(scope="package")
def estate(interop_python: Path) -> Iterator[Estate]:
    """The estate, recorded once for the package on a server of its own; reset and stopped afterwards."""
    with EmulatorServer(host="127.0.0.1", port=0) as server:
        _reset(server.url)
        try:
            with pytest.MonkeyPatch.context() as monkeypatch:
                _recording_environment(monkeypatch, server.url)
                sagemaker_lineage_emulator.reset()
                # SageMaker creates a trial component for every job; the SDK finds jobs through them.
                sagemaker_lineage_emulator.configure(create_job_trial_components=True)
                aws.forget_clients()
                handler.recorder.cache_clear()
                try:
                    recorded = record_estate(server.url)
                finally:
                    aws.forget_clients()
                    handler.recorder.cache_clear()
            yield recorded
        finally:
            sagemaker_lineage_emulator.reset()
            _reset(server.url)


def probe_environment(url: str, home: Path) -> dict[str, str]:
    """Only what the probes need: nothing of this process's AWS or LINEAGE_* settings leaks into them."""
    missing = home / "no-aws-config"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(home),
        "TMPDIR": str(home),
        "AWS_ENDPOINT_URL": url,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": str(missing),
        "AWS_SHARED_CREDENTIALS_FILE": str(missing),
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_MAX_ATTEMPTS": "2",
        "NO_PROXY": "127.0.0.1,localhost",
        # DataHub: no telemetry (datahub/telemetry/telemetry.py), no ~/.datahubenv lookup.
        "DATAHUB_TELEMETRY_ENABLED": "false",
        "DATAHUB_SKIP_CONFIG": "true",
        # matplotlib (pulled in by the SDK) writes its cache under HOME otherwise.
        "MPLCONFIGDIR": str(home / "matplotlib"),
        "PYTHONWARNINGS": "ignore::DeprecationWarning",
    }


def run_probe(
    interop_python: Path, probe: str, url: str, questions: dict[str, Any], workdir: Path
) -> dict[str, Any]:
    """Run ``probes/<probe>.py`` with .venv-interop's python and return the answers it wrote."""
    workdir.mkdir(parents=True, exist_ok=True)
    questions_file = workdir / f"{probe}-questions.json"
    answers_file = workdir / f"{probe}-answers.json"
    questions_file.write_text(json.dumps(questions))
    completed = subprocess.run(
        [str(interop_python), str(PROBES / f"{probe}.py"), str(questions_file), str(answers_file)],
        env=probe_environment(url, workdir),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=PROBE_TIMEOUT_SECONDS,
        check=False,
    )
    if completed.returncode != 0 or not answers_file.is_file():
        pytest.fail(
            f"{probe} exited {completed.returncode} without answers:\n{completed.stderr[-4000:]}",
            pytrace=False,
        )
    answers: dict[str, Any] = json.loads(answers_file.read_text())
    return answers


def answer(answers: dict[str, Any], name: str) -> Any:
    """The value a probe recorded for `name`; the test fails with the helper's own error when it raised."""
    recorded = answers["answers"].get(name)
    if recorded is None:
        pytest.fail(f"the probe recorded no answer for {name!r}", pytrace=False)
    if "error" in recorded:
        pytest.fail(f"{name} raised {recorded['error']}", pytrace=False)
    return recorded["value"]


def ids(values: list[dict[str, Any]]) -> set[str]:
    """The entities a helper returned, by what they stand for (Source.SourceUri / SourceArn)."""
    return {str(value["id"]) for value in values}


# DataHub's SageMaker source, twice: as a user's recipe would run it against SageMaker (`default`), and with
# the extractors for kinds of resource the emulator does not serve turned off (`lineage`): moto implements
# neither ListFeatureGroups nor ListLabelingJobs, and one failed List call ends the whole run. extract_jobs
# as a dict drops a job type unless its value is the boolean True (jobs.py, JobProcessor.get_all_jobs:
# `job_type_filter.get(job_type.value, True) is True`); the config types the values as strings.
DATAHUB_RECIPES: dict[str, dict[str, Any]] = {
    "default": {"aws_region": REGION},
    "lineage": {"aws_region": REGION, "extract_feature_groups": False, "extract_jobs": {"labeling": "false"}},
}


@pytest.fixture(scope="package")
def sdk_answers(
    interop_python: Path, estate: Estate, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return run_probe(
        interop_python, "sdk_probe", estate.url, estate.as_input(), tmp_path_factory.mktemp("sdk-probe")
    )


@pytest.fixture(scope="package")
def datahub_answers(
    interop_python: Path, estate: Estate, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return run_probe(
        interop_python,
        "datahub_probe",
        estate.url,
        {"recipes": DATAHUB_RECIPES},
        tmp_path_factory.mktemp("datahub-probe"),
    )
