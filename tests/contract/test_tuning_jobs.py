"""Hyperparameter tuning jobs launch real training jobs, which moto's do not.

The documented rules each test holds the emulator to (SageMaker API reference unless said otherwise):

- API_CreateHyperParameterTuningJob: the name "is the prefix for the names of all training jobs that this
  tuning job launches" (``<tuning job>-<3-digit index>-<8 hex>``, as a DescribeTrainingJob quoted in
  "Mastering Machine Learning on AWS" shows: ``xgboost-190407-1532-005-0e830ada``); "The name is not case
  sensitive"; "Tags that you specify for the tuning job are also added to all training jobs that the tuning
  job launches"; a tuning job "automatically creates ... trial components for each training job that it
  runs".
- API_ResourceLimits MaxNumberOfTrainingJobs: "The maximum number of training jobs that a hyperparameter
  tuning job can launch". API_HyperParameterTuningJobWarmStartConfig: "All training jobs launched by parent
  hyperparameter tuning jobs and the new hyperparameter tuning jobs count against the limit".
- API_HyperParameterTrainingJobDefinition / API_ParameterRanges: each job runs its definition's algorithm,
  channels, output path and static hyperparameters, plus one value per tunable range within its bounds.
- API_DescribeTrainingJob TuningJobArn: "The Amazon Resource Name (ARN) of the associated hyperparameter
  tuning job if the training job was launched by a hyperparameter tuning job"; ModelArtifacts.S3ModelArtifacts
  is ``<S3OutputPath>/<training job name>/output/model.tar.gz``.
- API_DescribeHyperParameterTuningJob: BestTrainingJob is a HyperParameterTrainingJobSummary of the job with
  the best FinalHyperParameterTuningJobObjectiveMetric (highest for Maximize, lowest for Minimize);
  OverallBestTrainingJob is there for a warm start job only; TrainingJobStatusCounters and
  ObjectiveStatusCounters count the jobs; a job that does not exist is ResourceNotFound.
- API_ListTrainingJobsForHyperParameterTuningJob: StatusEquals; SortBy "The default is Name";
  FinalObjectiveMetricValue; SortOrder "The default is Ascending"; MaxResults "The default value is 10";
  botocore's paginators-1.json pages it on NextToken / MaxResults / TrainingJobSummaries; a tuning job that
  does not exist is ResourceNotFound.

Tuning jobs run training jobs, which real AWS bills for, so the tests that create one are emulator-only;
the ones about jobs that do not exist run against real SageMaker too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

EMULATOR_ONLY = "creates a tuning job, whose training jobs real AWS bills for"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"
OBJECTIVE = "validation:auc"


def _definition(account: str, *, image: str = IMAGE, name: str | None = None) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "StaticHyperParameters": {"objective": "binary:logistic", "num_round": "50"},
        "AlgorithmSpecification": {
            "TrainingImage": image,
            "TrainingInputMode": "File",
            "MetricDefinitions": [{"Name": OBJECTIVE, "Regex": "auc=([0-9.]+)"}],
        },
        "RoleArn": f"arn:aws:iam::{account}:role/ContractRole",
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://contract-tuning/train/"}
                },
            },
            {
                "ChannelName": "validation",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://contract-tuning/validation/"}
                },
            },
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://contract-tuning/output"},
        "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
    }
    if name is not None:
        definition["DefinitionName"] = name
        definition["TuningObjective"] = {"Type": "Maximize", "MetricName": OBJECTIVE}
    return definition


RANGES = {
    "IntegerParameterRanges": [{"Name": "max_depth", "MinValue": "2", "MaxValue": "9"}],
    "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}],
    "CategoricalParameterRanges": [{"Name": "booster", "Values": ["gbtree", "dart"]}],
}


def _config(jobs: int | None = 3, objective: str = "Maximize", strategy: str = "Random") -> dict[str, Any]:
    limits: dict[str, int] = {"MaxParallelTrainingJobs": 2}
    if jobs is not None:
        limits["MaxNumberOfTrainingJobs"] = jobs
    return {
        "Strategy": strategy,
        "HyperParameterTuningJobObjective": {"Type": objective, "MetricName": OBJECTIVE},
        "ResourceLimits": limits,
        "ParameterRanges": RANGES,
    }


def _tune(sagemaker: Any, lineage: Any, account: str, **overrides: Any) -> tuple[str, str]:
    """Create a tuning job; (its name, its ARN)."""
    name = overrides.pop("name", None) or lineage.name("tune")
    request: dict[str, Any] = {
        "HyperParameterTuningJobName": name,
        "HyperParameterTuningJobConfig": _config(),
        "TrainingJobDefinition": _definition(account),
        **overrides,
    }
    request = {key: value for key, value in request.items() if value is not None}
    arn = sagemaker.create_hyper_parameter_tuning_job(**request)["HyperParameterTuningJobArn"]
    return name, arn


def _launched(sagemaker: Any, name: str) -> list[dict[str, Any]]:
    paginator = sagemaker.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job")
    return [
        s
        for page in paginator.paginate(HyperParameterTuningJobName=name)
        for s in page["TrainingJobSummaries"]
    ]


# ------------------------------------------------------------------------ training jobs
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_tuning_job_launches_max_number_of_training_jobs_named_after_it(sagemaker, lineage, account):
    # Given / When: a tuning job that may launch 3 training jobs
    name, arn = _tune(sagemaker, lineage, account, Tags=[{"Key": "team", "Value": "ml"}])

    # Then: 3 training jobs, named <tuning job>-<3-digit index>-<8 hex>, each DescribeTrainingJob-able
    summaries = _launched(sagemaker, name)
    assert len(summaries) == 3
    names = sorted(s["TrainingJobName"] for s in summaries)
    assert [n[: len(name) + 4] for n in names] == [f"{name}-00{i}" for i in (1, 2, 3)]
    for training_name in names:
        assert re.fullmatch(rf"{re.escape(name)}-\d{{3}}-[0-9a-f]{{8}}", training_name)
        assert len(training_name) <= 63
        job = sagemaker.describe_training_job(TrainingJobName=training_name)
        assert job["TuningJobArn"] == arn
        assert job["TrainingJobStatus"] == "Completed"
        assert sagemaker.list_tags(ResourceArn=job["TrainingJobArn"])["Tags"] == [
            {"Key": "team", "Value": "ml"}
        ]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_each_training_job_runs_the_definition_with_a_value_per_range(sagemaker, lineage, account):
    # Given
    name, _ = _tune(sagemaker, lineage, account)

    # When
    jobs = [
        sagemaker.describe_training_job(TrainingJobName=s["TrainingJobName"])
        for s in _launched(sagemaker, name)
    ]

    # Then: the definition's image, channels and output, static hyperparameters plus a value per range
    definition = _definition(account)
    for job in jobs:
        assert job["AlgorithmSpecification"]["TrainingImage"] == IMAGE
        assert (
            job["AlgorithmSpecification"]["MetricDefinitions"]
            == definition["AlgorithmSpecification"]["MetricDefinitions"]
        )
        assert job["InputDataConfig"] == definition["InputDataConfig"]
        assert job["OutputDataConfig"] == definition["OutputDataConfig"]
        assert job["ModelArtifacts"]["S3ModelArtifacts"] == (
            f"s3://contract-tuning/output/{job['TrainingJobName']}/output/model.tar.gz"
        )
        hyperparameters = job["HyperParameters"]
        assert {k: hyperparameters[k] for k in ("objective", "num_round")} == definition[
            "StaticHyperParameters"
        ]
        assert 2 <= int(hyperparameters["max_depth"]) <= 9
        assert 0.1 <= float(hyperparameters["eta"]) <= 0.5
        assert hyperparameters["booster"] in ("gbtree", "dart")


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_each_training_job_has_its_trial_component(sagemaker, lineage, account):
    """API_CreateHyperParameterTuningJob: "A hyperparameter tuning job automatically creates Amazon SageMaker
    experiments, trials, and trial components for each training job that it runs"."""
    # Given
    name, _ = _tune(sagemaker, lineage, account, HyperParameterTuningJobConfig=_config(jobs=1))

    # When
    (summary,) = _launched(sagemaker, name)
    components = sagemaker.list_trial_components(SourceArn=summary["TrainingJobArn"])[
        "TrialComponentSummaries"
    ]

    # Then
    assert [c["TrialComponentName"] for c in components] == [f"{summary['TrainingJobName']}-aws-training-job"]


# ------------------------------------------------------------------------------ describe
@pytest.mark.emulator_only(EMULATOR_ONLY)
@pytest.mark.parametrize(("objective", "pick"), [("Maximize", max), ("Minimize", min)])
def test_the_best_training_job_is_the_launched_one_with_the_best_objective(
    sagemaker, lineage, account, objective, pick
):
    # Given
    name, _ = _tune(
        sagemaker, lineage, account, HyperParameterTuningJobConfig=_config(jobs=4, objective=objective)
    )
    summaries = _launched(sagemaker, name)

    # When
    described = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)

    # Then
    values = {
        s["TrainingJobName"]: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in summaries
    }
    best = described["BestTrainingJob"]
    assert best["TrainingJobName"] == pick(values, key=values.__getitem__)
    assert (
        best["TrainingJobArn"]
        == sagemaker.describe_training_job(TrainingJobName=best["TrainingJobName"])["TrainingJobArn"]
    )
    assert best["TuningJobName"] == name
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["MetricName"] == OBJECTIVE
    assert best["FinalHyperParameterTuningJobObjectiveMetric"]["Type"] == objective
    assert set(best["TunedHyperParameters"]) == {"max_depth", "eta", "booster"}
    assert described["HyperParameterTuningJobStatus"] == "Completed"
    assert described["TrainingJobStatusCounters"] == {
        "Completed": 4,
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    assert described["ObjectiveStatusCounters"] == {"Succeeded": 4, "Pending": 0, "Failed": 0}
    assert "OverallBestTrainingJob" not in described
    metrics = sagemaker.describe_training_job(TrainingJobName=best["TrainingJobName"])["FinalMetricDataList"]
    assert [(m["MetricName"], m["Value"]) for m in metrics] == [(OBJECTIVE, values[best["TrainingJobName"]])]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_warm_start_job_counts_its_parents_jobs_and_describes_the_overall_best(sagemaker, lineage, account):
    # Given: a parent that launched 2 jobs
    parent, _ = _tune(sagemaker, lineage, account, HyperParameterTuningJobConfig=_config(jobs=2))

    # When: a warm start child allowed 5 jobs in all
    child, _ = _tune(
        sagemaker,
        lineage,
        account,
        HyperParameterTuningJobConfig=_config(jobs=5),
        WarmStartConfig={
            "ParentHyperParameterTuningJobs": [{"HyperParameterTuningJobName": parent}],
            "WarmStartType": "IdenticalDataAndAlgorithm",
        },
    )

    # Then: it launched 3, and its overall best is the best of all 5
    own, inherited = _launched(sagemaker, child), _launched(sagemaker, parent)
    assert len(own) == 3
    every = own + inherited
    overall = sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=child)[
        "OverallBestTrainingJob"
    ]
    best = max(every, key=lambda s: s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])
    assert overall["TrainingJobName"] == best["TrainingJobName"]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_jobs_are_spread_over_several_training_job_definitions(sagemaker, lineage, account):
    # Given two definitions with their own images
    other = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:2"
    definitions = [_definition(account, name="first"), _definition(account, image=other, name="second")]
    config = _config(jobs=4)
    config.pop("HyperParameterTuningJobObjective")

    # When
    name, _ = _tune(
        sagemaker,
        lineage,
        account,
        HyperParameterTuningJobConfig=config,
        TrainingJobDefinitions=[{**d, "HyperParameterRanges": RANGES} for d in definitions],
        TrainingJobDefinition=None,
    )

    # Then: each definition ran twice, with its own image
    summaries = _launched(sagemaker, name)
    by_definition: dict[str, list[str]] = {}
    for summary in summaries:
        image = sagemaker.describe_training_job(TrainingJobName=summary["TrainingJobName"])[
            "AlgorithmSpecification"
        ]["TrainingImage"]
        by_definition.setdefault(summary["TrainingJobDefinitionName"], []).append(image)
    assert by_definition == {"first": [IMAGE, IMAGE], "second": [other, other]}


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_grid_search_without_a_limit_tries_each_categorical_combination_once(sagemaker, lineage, account):
    # Given: two categorical ranges of two values each
    config = _config(jobs=None, strategy="Grid")
    config["ParameterRanges"] = {
        "CategoricalParameterRanges": [
            {"Name": "booster", "Values": ["gbtree", "dart"]},
            {"Name": "tree_method", "Values": ["hist", "exact"]},
        ]
    }

    # When
    name, _ = _tune(sagemaker, lineage, account, HyperParameterTuningJobConfig=config)

    # Then
    tried = sorted(tuple(sorted(s["TunedHyperParameters"].items())) for s in _launched(sagemaker, name))
    assert tried == sorted(
        (("booster", b), ("tree_method", t)) for b in ("gbtree", "dart") for t in ("hist", "exact")
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_tuning_job_names_are_not_case_sensitive(sagemaker, lineage, account, raises_aws):
    # Given
    name, arn = _tune(sagemaker, lineage, account, HyperParameterTuningJobConfig=_config(jobs=1))

    # When / Then: the same name in other case is the same job
    assert (
        sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name.upper())[
            "HyperParameterTuningJobArn"
        ]
        == arn
    )
    with raises_aws("ResourceInUse"):
        _tune(sagemaker, lineage, account, name=name.upper())


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_tuning_job_lists_the_tags_it_was_given_and_none_without(sagemaker, lineage, account):
    """API_ListTags Tags: "An array of Tag objects, each with a tag key and a value"."""
    # Given
    _, tagged = _tune(
        sagemaker,
        lineage,
        account,
        HyperParameterTuningJobConfig=_config(jobs=1),
        Tags=[{"Key": "team", "Value": "ml"}],
    )
    _, untagged = _tune(sagemaker, lineage, account, HyperParameterTuningJobConfig=_config(jobs=1))

    # When / Then
    assert sagemaker.list_tags(ResourceArn=tagged)["Tags"] == [{"Key": "team", "Value": "ml"}]
    assert sagemaker.list_tags(ResourceArn=untagged)["Tags"] == []


# ---------------------------------------------------------------------------------- list
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_training_jobs_for_a_tuning_job_sorts_filters_and_pages(sagemaker, lineage, account):
    # Given
    name, _ = _tune(sagemaker, lineage, account, HyperParameterTuningJobConfig=_config(jobs=5))

    # When
    default = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
    by_metric = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, SortBy="FinalObjectiveMetricValue", SortOrder="Descending"
    )
    failed = sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name, StatusEquals="Failed"
    )
    pages = list(
        sagemaker.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
            HyperParameterTuningJobName=name, PaginationConfig={"PageSize": 2}
        )
    )

    # Then: by name ascending by default, by metric when asked, filtered, paged
    names = [s["TrainingJobName"] for s in default["TrainingJobSummaries"]]
    assert names == sorted(names) and len(names) == 5
    values = [
        s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"] for s in by_metric["TrainingJobSummaries"]
    ]
    assert values == sorted(values, reverse=True)
    assert failed["TrainingJobSummaries"] == []
    assert [len(page["TrainingJobSummaries"]) for page in pages] == [2, 2, 1]
    assert sorted(s["TrainingJobName"] for page in pages for s in page["TrainingJobSummaries"]) == names


# -------------------------------------------------------------------------------- errors
def test_describing_a_tuning_job_that_does_not_exist_is_resource_not_found(sagemaker, lineage, raises_aws):
    # Given a name no tuning job has
    name = lineage.name("no-tune")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)


def test_listing_the_training_jobs_of_a_missing_tuning_job_is_resource_not_found(
    sagemaker, lineage, raises_aws
):
    # Given a name no tuning job has
    name = lineage.name("no-tune")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
