"""The published SageMaker sample events (../shared/events) through `record`.

That folder sits beside the project in its development workspace; a clone does not have it, so the
test says it skipped them. The samples carry placeholders and inconsistencies on purpose.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from lineage_recorder.families import BY_DETAIL_TYPE as FAMILY_BY_DETAIL_TYPE
from lineage_recorder.families.jobs import JOB_KINDS
from lineage_recorder_cli.commands.record import record_sources

from tests.support.graph import snapshot

SHARED_EVENTS = Path(
    os.environ.get("LINEAGE_SHARED_EVENTS", Path(__file__).resolve().parents[3] / "shared" / "events")
)

pytestmark = pytest.mark.skipif(
    not SHARED_EVENTS.is_dir(),
    reason=f"published sample events not found at {SHARED_EVENTS} (they are not part of a clone)",
)


# moto's own account, and the other two the samples come from.
TRUSTED = frozenset({"123456789012", "111122223333", "123456789000"})


@pytest.fixture(autouse=True)
def peer_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    # The published samples come from three accounts; `record` trusts only its own (moto's 123456789012)
    # and the configured peers, so the other two are configured as peers to record them all.
    monkeypatch.setenv("LINEAGE_PEER_ACCOUNTS", ",".join(sorted(TRUSTED - {"123456789012"})))


def _samples() -> list[Path]:
    if not SHARED_EVENTS.is_dir():
        return []
    return sorted(SHARED_EVENTS.glob("*.json"))


def _detail_type(path: Path) -> str | None:
    document = json.loads(path.read_text())
    value = document.get("detail-type") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


JOB_DETAIL_TYPES = {kind.detail_type for kind in JOB_KINDS}


@pytest.mark.parametrize("sample", _samples(), ids=lambda path: path.name)
def test_every_sample_goes_through_record_without_a_crash(sample: Path, sagemaker: Any) -> None:
    # Given one published sample / When recorded through the CLI's code path
    summary = record_sources([sample], endpoint_url=None)
    # Then it is recorded, ignored, or refused with a reason; never an unhandled error
    assert summary.events == 1
    assert summary.recorded + len(summary.ignored) + len(summary.failed) == 1
    # And only what is not a SageMaker event from a trusted account is refused: a SageMaker event no family
    # records is ignored with its reason, not failed
    for failure in summary.failed:
        assert "is not trusted" in failure["reason"] or "invalid event" in failure["reason"], failure
        document = json.loads(sample.read_text())
        assert document.get("account") not in TRUSTED or not isinstance(document.get("source"), str)
    for ignored in summary.ignored:
        assert ignored["reason"]


def test_job_samples_are_recorded_or_ignored_by_status(sagemaker: Any) -> None:
    # Given every job sample
    samples = [path for path in _samples() if _detail_type(path) in JOB_DETAIL_TYPES]
    assert samples, "the shared folder should hold job samples"
    # When recorded together
    summary = record_sources(samples, endpoint_url=None)
    # Then none fails; the in-progress and odd-status ones are ignored
    assert summary.failed == []
    assert len(summary.ignored) == sum(
        1
        for path in samples
        if json.loads(path.read_text())["detail"].get(FAMILY_BY_DETAIL_TYPE[_detail_type(path)].status_field)
        not in ("Completed", "Failed", "Stopped")
    )
    # And the placeholders were skipped with a warning, never written
    skipped_values = {item["value"] for item in summary.skipped_values}
    assert {"S3Uri", "TrainingImage", "S3OutputPath"} <= skipped_values
    uris = {node[1] for node in snapshot(sagemaker).nodes}
    assert not skipped_values & uris


def test_the_failed_processing_sample_records_its_input_and_image_but_not_its_output(sagemaker: Any) -> None:
    sample = SHARED_EVENTS / "sagemaker-processing-job-state-change.json"
    if not sample.exists():
        pytest.skip(f"{sample.name} not in the shared folder")
    # When the failed processing job is recorded (Describe cannot find it: the event is used)
    summary = record_sources([sample], endpoint_url=None)
    # Then input and image ContributedTo the job, and its output is absent
    assert summary.recorded == 1 and summary.describe_fallbacks
    graph = snapshot(sagemaker)
    job = json.loads(sample.read_text())["detail"]["ProcessingJobArn"]
    edges = {(source[1], destination[1], kind) for source, destination, kind in graph.edges}
    assert ("s3://input/s3/uri", job, "ContributedTo") in edges
    assert (
        "012345678901.dkr.ecr.us-west-2.amazonaws.com/processing-uri:latest",
        job,
        "ContributedTo",
    ) in edges
    assert "s3://output/s3/uri" not in {node[1] for node in graph.nodes}


REGISTRY_AND_SERVING = {
    "SageMaker Model Package State Change": "recorded",
    "SageMaker Endpoint State Change": "recorded",
    "SageMaker Model State Change": "ignored",
    "SageMaker Endpoint Config State Change": "ignored",
    "SageMaker Endpoint Deployment State Change": "ignored",
}


def test_package_endpoint_config_and_model_samples_are_recorded_or_ignored_with_a_reason(
    sagemaker: Any,
) -> None:
    # Given every model-package, endpoint, endpoint-config and model sample (pattern files are not events)
    samples = [path for path in _samples() if _detail_type(path) in REGISTRY_AND_SERVING]
    assert samples, "the shared folder should hold registry and serving samples"
    for sample in samples:
        # When each is recorded
        summary = record_sources([sample], endpoint_url=None)
        # Then packages and endpoints are recorded (from the event: nothing here can be described),
        # models and configs are ignored with the reason, and nothing fails
        assert summary.failed == [], (sample.name, summary.failed)
        if REGISTRY_AND_SERVING[str(_detail_type(sample))] == "recorded":
            assert summary.recorded == 1, sample.name
            assert summary.describe_fallbacks, sample.name
        else:
            assert [item["reason"] for item in summary.ignored] != [], sample.name
            assert "not recorded on its own" in summary.ignored[0]["reason"]
    # And the package samples left a package artifact in its group with its approval
    nodes = snapshot(sagemaker).nodes
    package = "arn:aws:sagemaker:us-east-2:123456789012:model-package/versionedmp-p-idy6c3e1fiqj/2"
    assert {("Model", package), ("Approval", package)} <= nodes
    assert ("Endpoint", "arn:aws:sagemaker:us-west-2:123456789012:endpoint/myendpoint") in nodes
