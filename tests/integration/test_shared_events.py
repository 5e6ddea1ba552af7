"""The published SageMaker sample events (../shared/events) through `record` and through the planners.

That folder sits beside the project in its development workspace; a clone does not have it, so the
test says it skipped them. The samples carry placeholders and inconsistencies on purpose.

Each sample is recorded as a user with credentials for its own account and Region would record it. The
resources they name do not exist in the emulator, so SageMaker cannot confirm them and nothing is written
from their bodies; the planners are then run on each sample as if SageMaker had described the resource
that way, which is where their real shapes and placeholders are exercised.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from lineage_recorder import aws
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.errors import InvalidEventError, UnconfirmedResourceError
from lineage_recorder.families import BY_DETAIL_TYPE as FAMILY_BY_DETAIL_TYPE
from lineage_recorder.families.base import Describer
from lineage_recorder.families.jobs import JOB_KINDS
from lineage_recorder.plan import Plan
from lineage_recorder.recorder import parse_event
from lineage_recorder_cli.commands.record import record_sources

from tests.support.family_samples import FamilySample, RecordedSageMaker
from tests.support.graph import snapshot

SHARED_EVENTS = Path(
    os.environ.get("LINEAGE_SHARED_EVENTS", Path(__file__).resolve().parents[3] / "shared" / "events")
)

pytestmark = pytest.mark.skipif(
    not SHARED_EVENTS.is_dir(),
    reason=f"published sample events not found at {SHARED_EVENTS} (they are not part of a clone)",
)

JOB_DETAIL_TYPES = {kind.detail_type for kind in JOB_KINDS}


def _samples() -> list[Path]:
    if not SHARED_EVENTS.is_dir():
        return []
    return sorted(SHARED_EVENTS.glob("*.json"))


def _document(path: Path) -> Any:
    return json.loads(path.read_text())


def _detail_type(path: Path) -> str | None:
    document = _document(path)
    value = document.get("detail-type") if isinstance(document, dict) else None
    return value if isinstance(value, str) else None


def _as_its_own_account(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Record `path` with credentials for the account and Region it comes from (moto acts as them)."""
    document = _document(path)
    account, region = document.get("account"), document.get("region")
    if isinstance(account, str) and account.isdigit() and len(account) == 12:
        monkeypatch.setenv("MOTO_ACCOUNT_ID", account)
    if isinstance(region, str) and region:
        monkeypatch.setenv("AWS_REGION", region)
        monkeypatch.setenv("AWS_DEFAULT_REGION", region)
    aws.forget_clients()


@pytest.mark.parametrize("sample", _samples(), ids=lambda path: path.name)
def test_every_sample_goes_through_record_without_a_crash(
    sample: Path, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given one published sample, recorded as its own account and Region would record it
    _as_its_own_account(sample, monkeypatch)
    # When recorded through the CLI's code path
    summary = record_sources([sample], endpoint_url=None)
    # Then it is recorded, ignored with its reason, or refused with a reason; never an unhandled error
    assert summary.events == 1
    assert summary.recorded + len(summary.ignored) + len(summary.failed) == 1
    for ignored in summary.ignored:
        assert ignored["reason"]
    # And only what is not an event at all, or names a resource of another account or Region than its own
    # envelope (the samples' deliberate inconsistencies), is refused: a SageMaker event no family records
    # is ignored with its reason
    for failure in summary.failed:
        reason = failure["reason"]
        assert "invalid event" in reason or "is never recorded here" in reason, failure
        if "invalid event" in reason:
            assert not isinstance(_document(sample).get("source"), str)


def test_samples_of_resources_sagemaker_does_not_know_write_nothing(
    sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given every sample a family records, at a status it acts on
    samples = [
        path
        for path in _samples()
        if (family := FAMILY_BY_DETAIL_TYPE.get(str(_detail_type(path)))) is not None
        and family.ignored_status(parse_event(_document(path))) is None
    ]
    assert samples, "the shared folder should hold samples the recorder acts on"
    for sample in samples:
        # When each is recorded in its own account and Region, where SageMaker does not have its resource
        _as_its_own_account(sample, monkeypatch)
        summary = record_sources([sample], endpoint_url=None)
        # Then it is ignored, saying SageMaker does not know it (or refused, when its resource is in another
        # Region or account than its envelope says), and nothing is written from its body
        assert summary.recorded == 0, (sample.name, summary)
        reasons = [item["reason"] for item in summary.ignored + summary.failed]
        assert "SageMaker does not know this resource" in reasons[0] or "never recorded here" in reasons[0]
        assert snapshot(aws.client("sagemaker")).nodes == frozenset(), sample.name


def _plan_as_described(path: Path) -> tuple[Plan, list[str]]:
    """The sample's plan, as if SageMaker described its resource exactly as the event does."""
    event = _document(path)
    family = FAMILY_BY_DETAIL_TYPE[event["detail-type"]]
    # Described by any name or ARN the event gives it (the samples' names and ARNs do not always agree).
    names = {str(family.resource_arn(parse_event(event))).rsplit("/", 1)[-1]} | {
        value
        for key, value in event["detail"].items()
        if isinstance(value, str) and key.endswith(("Name", "Arn"))
    }
    described = {call.operation: dict.fromkeys(names, event["detail"]) for call in family.describes}
    describer = Describer(
        SageMakerGateway(RecordedSageMaker(FamilySample(event, described))), family.describes
    )
    return family.prepare(parse_event(event), describer), describer.fallbacks


def test_the_planners_read_every_sample_and_skip_its_placeholders() -> None:
    # Given every job sample a family acts on, described by SageMaker exactly as the event says
    samples = [
        path
        for path in _samples()
        if _detail_type(path) in JOB_DETAIL_TYPES
        and FAMILY_BY_DETAIL_TYPE[str(_detail_type(path))].ignored_status(parse_event(_document(path)))
        is None
    ]
    assert samples, "the shared folder should hold job samples"
    skipped: set[str] = set()
    for sample in samples:
        # When planned
        try:
            plan, _ = _plan_as_described(sample)
        except (InvalidEventError, UnconfirmedResourceError) as error:
            pytest.fail(f"{sample.name}: {error}")
        skipped |= {value.value for value in plan.skipped}
        # Then no placeholder became a key
        assert not {"S3Uri", "TrainingImage", "S3OutputPath"} & {e.key.source_uri for e in plan.entities}
    # And the placeholders were skipped, each with its field and reason
    assert {"S3Uri", "TrainingImage", "S3OutputPath"} <= skipped


def test_the_failed_processing_sample_plans_its_input_and_image_but_not_its_output() -> None:
    sample = SHARED_EVENTS / "sagemaker-processing-job-state-change.json"
    if not sample.exists():
        pytest.skip(f"{sample.name} not in the shared folder")
    # When the failed processing job is planned as SageMaker describes it
    plan, _ = _plan_as_described(sample)
    # Then input and image ContributedTo the job, and its output is absent
    job = _document(sample)["detail"]["ProcessingJobArn"]
    edges = {(str(edge.source), str(edge.destination), edge.association_type) for edge in plan.edges}
    assert ("artifact:s3://input/s3/uri", f"action:{job}", "ContributedTo") in edges
    image = "012345678901.dkr.ecr.us-west-2.amazonaws.com/processing-uri:latest"
    assert (f"artifact:{image}", f"action:{job}", "ContributedTo") in edges
    assert "s3://output/s3/uri" not in {entity.key.source_uri for entity in plan.entities}


def test_package_and_endpoint_samples_plan_their_own_nodes() -> None:
    # Given the model-package and endpoint samples the recorder acts on, described as the events say
    for detail_type, node in (
        ("SageMaker Model Package State Change", "Model"),
        ("SageMaker Endpoint State Change", "Endpoint"),
    ):
        samples = [
            path
            for path in _samples()
            if _detail_type(path) == detail_type
            and FAMILY_BY_DETAIL_TYPE[detail_type].ignored_status(parse_event(_document(path))) is None
        ]
        assert samples, detail_type
        for sample in samples:
            # When planned / Then the resource's own node is in the plan, keyed by its ARN
            plan, _ = _plan_as_described(sample)
            assert (node, plan.resource_arn) in {(e.entity_type, e.key.source_uri) for e in plan.entities}


@pytest.mark.parametrize(
    "detail_type",
    [
        "SageMaker Endpoint Config State Change",
        "SageMaker Endpoint Deployment State Change",
    ],
)
def test_config_and_deployment_samples_are_ignored_with_the_reason(
    detail_type: str, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    samples = [path for path in _samples() if _detail_type(path) == detail_type]
    assert samples, detail_type
    for sample in samples:
        _as_its_own_account(sample, monkeypatch)
        summary = record_sources([sample], endpoint_url=None)
        assert summary.failed == [] and summary.recorded == 0, (sample.name, summary.failed)
        assert "not recorded on its own" in summary.ignored[0]["reason"], sample.name


UNKNOWN = "SageMaker does not know this resource"
NEW_FAMILY_SAMPLES = {
    # sample -> what recording it in its own account says (none of their resources exist there)
    "sagemaker-hyperparameter-tuning-job-state-change.json": "HyperParameterTuningJobStatus 'status' is not",
    "sagemaker-hyperparameter-tuning-job-state-change.mlspace.json": "Status 'Running' is not",
    "sagemaker-model-building-pipeline-execution-status-change.json": UNKNOWN,
    "sagemaker-model-building-pipeline-execution-step-status-change.json": UNKNOWN,
    "sagemaker-feature-group-state-change.json": UNKNOWN,
    "sagemaker-ground-truth-labeling-job-state-change.json": UNKNOWN,
    "sagemaker-model-card-state-change.json": UNKNOWN,
}


@pytest.mark.parametrize(("name", "reason"), NEW_FAMILY_SAMPLES.items(), ids=list(NEW_FAMILY_SAMPLES))
def test_the_new_families_samples_are_ignored_with_their_reason(
    name: str, reason: str, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a published sample of the tuning, pipeline, feature-group, labeling or model-card families
    sample = SHARED_EVENTS / name
    if not sample.exists():
        pytest.skip(f"{name} not in the shared folder")
    _as_its_own_account(sample, monkeypatch)
    # When recorded in its own account, where its resource does not exist (or with a placeholder status)
    summary = record_sources([sample], endpoint_url=None)
    # Then nothing fails and nothing is written: it is ignored, and the reason says why
    assert (summary.recorded, summary.failed) == (0, []), summary
    (ignored,) = summary.ignored
    assert reason in ignored["reason"], ignored
    assert snapshot(aws.client("sagemaker")).nodes == frozenset()
