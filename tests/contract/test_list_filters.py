"""List* by creation time and in pages, as backfill and the daily reconcile walk them.

SageMaker API Reference: ListModels, ListTrainingJobs and ListModelPackages take CreationTimeAfter and
CreationTimeBefore ("a filter that returns only ... created after / before the specified time"), and
MaxResults with NextToken ("If the response is truncated, SageMaker returns this token. To retrieve the
next set of ..., use it in the subsequent request"). ListModels answers ModelSummary items: ModelName,
ModelArn, CreationTime.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

EMULATOR_ONLY = "creates models, jobs and packages"
HOUR = timedelta(hours=1)


def _all_pages(call: Any, items_key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        page = call(**params, MaxResults=1, **({"NextToken": token} if token else {}))
        items += page[items_key]
        token = page.get("NextToken")
        if not token:
            return items


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_models_are_listed_by_creation_time_in_pages_as_summaries(sagemaker, jobs):
    # Given two models made now
    for name in ("lf-model-a", "lf-model-b"):
        sagemaker.create_model(
            ModelName=name,
            ExecutionRoleArn="arn:aws:iam::123456789012:role/lineage-contract",
            PrimaryContainer={"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/contract:1"},
        )
    now = datetime.now(UTC)
    # When they are listed in pages of one, and by windows around now
    paged = _all_pages(sagemaker.list_models, "Models", NameContains="lf-model-")
    after_an_hour_ago = sagemaker.list_models(CreationTimeAfter=now - HOUR)["Models"]
    after_an_hour_from_now = sagemaker.list_models(CreationTimeAfter=now + HOUR)["Models"]
    before_an_hour_ago = sagemaker.list_models(CreationTimeBefore=now - HOUR)["Models"]
    # Then the pages hold each once, as summaries; and the windows pick by creation time
    assert sorted(item["ModelName"] for item in paged) == ["lf-model-a", "lf-model-b"]
    assert all(set(item) == {"ModelName", "ModelArn", "CreationTime"} for item in paged)
    assert {item["ModelName"] for item in after_an_hour_ago} >= {"lf-model-a", "lf-model-b"}
    assert after_an_hour_from_now == [] and before_an_hour_ago == []


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_training_jobs_are_listed_by_creation_time_in_pages(sagemaker, jobs):
    # Given two training jobs made now
    names = {jobs.create("training"), jobs.create("training")}
    now = datetime.now(UTC)
    # When listed in pages of one, and by windows around now
    paged = _all_pages(sagemaker.list_training_jobs, "TrainingJobSummaries", CreationTimeAfter=now - HOUR)
    later = sagemaker.list_training_jobs(CreationTimeAfter=now + HOUR)["TrainingJobSummaries"]
    # Then the window holds both, each once, and none is created after an hour from now
    assert names <= {item["TrainingJobName"] for item in paged}
    assert len(paged) == len({item["TrainingJobName"] for item in paged})
    assert later == []


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_model_package_versions_are_listed_by_creation_time(sagemaker):
    # Given a group with one version made now
    sagemaker.create_model_package_group(ModelPackageGroupName="lf-group")
    sagemaker.create_model_package(
        ModelPackageGroupName="lf-group",
        InferenceSpecification={
            "Containers": [{"Image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/contract:1"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )
    now = datetime.now(UTC)
    # When versions of every kind are listed by windows around now
    recent = sagemaker.list_model_packages(ModelPackageType="Both", CreationTimeAfter=now - HOUR)
    future = sagemaker.list_model_packages(ModelPackageType="Both", CreationTimeAfter=now + HOUR)
    # Then the recent window holds the version, and the future one nothing
    assert any(item.get("ModelPackageGroupName") == "lf-group" for item in recent["ModelPackageSummaryList"])
    assert future["ModelPackageSummaryList"] == []
