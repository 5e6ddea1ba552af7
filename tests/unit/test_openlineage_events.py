"""OpenLineage RunEvents from recorded runs: names by OpenLineage's conventions, stable run ids, parents,
and every event valid against the specification's schemas."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from lineage_recorder_cli.openlineage_events import (
    RecordedEntity,
    RecordedRun,
    as_json,
    dataset_identity,
    job_identity,
    run_event,
    run_id,
)

from tests.support.openlineage_schema import problems

ACCOUNT_ARN = "arn:aws:sagemaker:eu-west-1:111122223333"
PEER_ARN = "arn:aws:sagemaker:eu-west-1:444455556666"
PRODUCER = "urn:sagemaker-lineage-recorder:test"
WHEN = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("source_uri", "expected"),
    [
        ("s3://raw/churn/2026-11/", ("s3://raw", "churn/2026-11/")),
        ("s3://models/churn/model.tar.gz", ("s3://models", "churn/model.tar.gz")),
        ("s3://whole-bucket", ("s3://whole-bucket", "/")),
        (f"{ACCOUNT_ARN}:model-package/churn/3", (ACCOUNT_ARN, "model-package/churn/3")),
        (
            f"{ACCOUNT_ARN}:model-card/churn-card?version=2",
            (ACCOUNT_ARN, "model-card/churn-card?version=2"),
        ),
        (
            "111122223333.dkr.ecr.eu-west-1.amazonaws.com/train:1",
            ("docker://111122223333.dkr.ecr.eu-west-1.amazonaws.com", "train:1"),
        ),
        ("localhost:5000/train@sha256:abc", ("docker://localhost:5000", "train@sha256:abc")),
        ("python:3.11", ("docker://docker.io", "python:3.11")),
        ("efs://fs-0123abcd/data/train", ("efs://fs-0123abcd", "/data/train")),
        (
            "athena://AwsDataCatalog/sales?query=sha256:ab",
            ("athena://AwsDataCatalog", "/sales?query=sha256:ab"),
        ),
    ],
)
def test_data_sets_are_named_by_openlineage_conventions(source_uri: str, expected: tuple[str, str]) -> None:
    # Given a SourceUri the recorder keys an artifact by; When it is named; Then namespace and name are
    # the convention's (S3: bucket and key; AWS resources as Glue tables are named; others scheme://host)
    assert dataset_identity(source_uri) == expected


def test_a_job_is_named_by_its_arn_and_a_pipeline_execution_is_a_run_of_its_pipeline() -> None:
    # Given job and execution ARNs; When they are named as OpenLineage jobs
    training = job_identity(f"{ACCOUNT_ARN}:training-job/churn-train")
    execution = job_identity(f"{ACCOUNT_ARN}:pipeline/churn-pipeline/execution/abc123")
    # Then namespace + ":" + name is the job's ARN, and an execution belongs to its pipeline's job
    assert training == (ACCOUNT_ARN, "training-job/churn-train")
    assert execution == (ACCOUNT_ARN, "pipeline/churn-pipeline")


def test_run_ids_are_the_same_in_every_export_and_differ_between_jobs() -> None:
    # Given two job ARNs; When their run ids are derived twice
    first = f"{ACCOUNT_ARN}:training-job/a"
    second = f"{ACCOUNT_ARN}:training-job/b"
    # Then each is stable, and different jobs get different ids
    assert run_id(first) == run_id(first)
    assert run_id(first) != run_id(second)


def _tuned_run(**overrides: Any) -> RecordedRun:
    fields: dict[str, Any] = {
        "job_arn": f"{ACCOUNT_ARN}:training-job/churn-tune-003-abc",
        "node_arn": f"{ACCOUNT_ARN}:experiment-trial-component/churn-tune-003-abc-aws-training-job",
        "status": "Completed",
        "event_time": WHEN,
        "inputs": (
            RecordedEntity(
                f"{ACCOUNT_ARN}:artifact/aaa",
                "DataSet",
                "s3://features/churn/train/",
                twins=(f"{PEER_ARN}:artifact/bbb",),
            ),
            RecordedEntity(f"{ACCOUNT_ARN}:artifact/ccc", "Image", "111122223333.dkr.ecr.x/xgb:1"),
        ),
        "outputs": (
            RecordedEntity(f"{ACCOUNT_ARN}:artifact/ddd", "Model", "s3://models/churn/model.tar.gz"),
        ),
        "groups": (
            f"{ACCOUNT_ARN}:hyper-parameter-tuning-job/churn-tune",
            f"{ACCOUNT_ARN}:pipeline/churn-pipeline/execution/run1",
        ),
    }
    fields.update(overrides)
    return RecordedRun(**fields)


def test_a_tuning_trial_in_a_pipeline_names_its_tuning_job_as_parent_and_the_execution_as_root() -> None:
    # Given a training job launched by a tuning job that a pipeline execution ran
    run = _tuned_run()
    # When it becomes a RunEvent
    event = json.loads(as_json(run_event(run, PRODUCER)))
    # Then it is valid OpenLineage, complete, with the data it read and the model it made
    assert problems(event) == []
    assert event["eventType"] == "COMPLETE"
    assert event["eventTime"] == "2026-11-20T08:30:00+00:00"
    assert {(d["namespace"], d["name"]) for d in event["inputs"]} == {
        ("s3://features", "churn/train/"),
        ("docker://111122223333.dkr.ecr.x", "xgb:1"),
    }
    assert [(d["namespace"], d["name"]) for d in event["outputs"]] == [("s3://models", "churn/model.tar.gz")]
    # And its parent is the tuning job's run, its root the pipeline execution (a run of the pipeline)
    parent = event["run"]["facets"]["parent"]
    assert parent["run"]["runId"] == run_id(f"{ACCOUNT_ARN}:hyper-parameter-tuning-job/churn-tune")
    assert (parent["job"]["namespace"], parent["job"]["name"]) == (
        ACCOUNT_ARN,
        "hyper-parameter-tuning-job/churn-tune",
    )
    assert parent["root"]["run"]["runId"] == run_id(f"{ACCOUNT_ARN}:pipeline/churn-pipeline/execution/run1")
    assert (parent["root"]["job"]["namespace"], parent["root"]["job"]["name"]) == (
        ACCOUNT_ARN,
        "pipeline/churn-pipeline",
    )
    # And the data set names the lineage artifacts that stand for it here and in the peer account
    (data,) = [d for d in event["inputs"] if d["namespace"] == "s3://features"]
    assert data["facets"]["symlinks"]["identifiers"] == [
        {"namespace": ACCOUNT_ARN, "name": "artifact/aaa", "type": "SAGEMAKER_LINEAGE_ARTIFACT"},
        {"namespace": PEER_ARN, "name": "artifact/bbb", "type": "SAGEMAKER_LINEAGE_ARTIFACT"},
    ]
    assert event["job"]["facets"]["jobType"]["jobType"] == "TRAINING_JOB"


@pytest.mark.parametrize(
    ("status", "event_type"),
    [
        ("Completed", "COMPLETE"),
        ("Failed", "FAIL"),
        ("Stopped", "ABORT"),
        ("InProgress", "RUNNING"),
        (None, "OTHER"),
    ],
)
def test_the_run_state_is_the_job_status_the_graph_records(status: str | None, event_type: str) -> None:
    # Given a run in `status`; When it becomes a RunEvent; Then its type says the same, and it validates
    event = json.loads(as_json(run_event(_tuned_run(status=status, groups=()), PRODUCER)))
    assert event["eventType"] == event_type
    assert "parent" not in event["run"]["facets"]
    assert problems(event) == []


def test_a_failed_run_carries_its_failure_reason() -> None:
    # Given a failed run with the reason SageMaker gave
    run = _tuned_run(status="Failed", failure_reason="AlgorithmError: out of memory")
    # When it becomes a RunEvent; Then the reason is its error message facet, and it validates
    event = json.loads(as_json(run_event(run, PRODUCER)))
    assert event["run"]["facets"]["errorMessage"]["message"] == "AlgorithmError: out of memory"
    assert problems(event) == []


def test_two_entities_for_one_location_are_one_data_set_naming_both() -> None:
    # Given a job that read one S3 prefix recorded as a DataSet and as a Model artifact
    both = (
        RecordedEntity(f"{ACCOUNT_ARN}:artifact/m", "Model", "s3://shared/prefix/"),
        RecordedEntity(f"{ACCOUNT_ARN}:artifact/d", "DataSet", "s3://shared/prefix/"),
    )
    # When it becomes a RunEvent
    event = json.loads(as_json(run_event(_tuned_run(inputs=both, groups=()), PRODUCER)))
    # Then there is one input, whose symlinks name both entities
    (data,) = event["inputs"]
    assert [i["name"] for i in data["facets"]["symlinks"]["identifiers"]] == ["artifact/d", "artifact/m"]


def test_the_schema_check_itself_catches_a_broken_event() -> None:
    # Given a valid event, then the same with a bad run id and a facet that lost a required field
    event = json.loads(as_json(run_event(_tuned_run(), PRODUCER)))
    event["run"]["runId"] = "not-a-uuid"
    del event["run"]["facets"]["parent"]["job"]["name"]
    # When it is validated; Then both faults are found
    found = problems(event)
    assert any("uuid" in problem for problem in found), found
    assert any(problem.startswith("facet parent:") and "name" in problem for problem in found), found
