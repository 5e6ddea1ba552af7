"""Pipeline executions run their steps, and ListPipelineExecutionSteps lists them; moto runs none.

The documented rules each test holds the emulator to (SageMaker API reference and Developer Guide unless
said otherwise):

- "Pipeline definition JSON schema": Parameters (Name, Type, DefaultValue), Steps (Name, Type, Arguments,
  DependsOn); arguments may be ``{"Get": "Parameters.<name>"}``, ``{"Get":
  "Execution.PipelineExecutionId"}``, ``{"Get": "Steps.<name>.<property path>"}`` (the SageMaker Python SDK
  writes ``Steps.<name>.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri`` and
  ``Steps.<name>.ModelArtifacts.S3ModelArtifacts``) and ``{"Std:Join": ...}``. "The structure of a
  pipeline's DAG is determined by the data dependencies between steps" (Developer Guide, "Pipelines
  overview").
- Jobs a step runs are named ``pipelines-<execution id>-<step name>-<10 random letters and digits>``
  (aws/amazon-sagemaker-examples#3106: ``pipelines-kytlemm1lvpq-PreprocessingStep-cIpzShs3Qp``) and carry
  the tag ``sagemaker:pipeline-execution-arn``, which the SageMaker Python SDK's lineage helpers read; a
  package a RegisterModel step registers has MetadataProperties.GeneratedBy = the execution's ARN (Developer
  Guide, EventBridge "Model package state change" example).
- API_PipelineExecutionStep: StepName, StartTime, EndTime, StepStatus, FailureReason ("only returned if the
  step failed"), AttemptCount, Metadata (API_PipelineExecutionStepMetadata: TrainingJob.Arn,
  ProcessingJob.Arn, TransformJob.Arn, Model.Arn, RegisterModel.Arn, Condition.Outcome, Fail.ErrorMessage).
- A step that fails ends the execution Failed with FailureReason "Step failure: One or multiple steps
  failed." (as SageMaker answers, e.g. the DescribePipelineExecution quoted in the emulator's pipelines.py);
  a Fail step's error message "is set as the failure reason" (SageMaker Python SDK, FailStep); a refused
  creation is "ClientError: Failed to invoke sagemaker:<Operation>. Error Details: ...".
- API_ListPipelineExecutionSteps: SortOrder; botocore's paginators-1.json pages it on NextToken / MaxResults
  / PipelineExecutionSteps; API_DescribePipelineExecution and API_ListPipelineExecutionSteps:
  ResourceNotFound for an execution that does not exist.

Executions run jobs, which real AWS bills for, so those tests are emulator-only (``record_step`` is the
emulator's own hook); the ones about executions that do not exist run against real SageMaker too.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from sagemaker_lineage_emulator import pipelines

EMULATOR_ONLY = "starts pipeline executions, whose jobs real AWS bills for"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/work:1"
FAILED = "Step failure: One or multiple steps failed."


def _processing(role: str) -> dict[str, Any]:
    return {
        "Name": "Prepare",
        "Type": "Processing",
        "Arguments": {
            "RoleArn": role,
            "AppSpecification": {"ImageUri": IMAGE},
            "ProcessingResources": {
                "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}
            },
            "ProcessingInputs": [
                {
                    "InputName": "raw",
                    "S3Input": {
                        "S3Uri": {"Get": "Parameters.InputData"},
                        "LocalPath": "/opt/ml/processing/input",
                        "S3DataType": "S3Prefix",
                        "S3InputMode": "File",
                    },
                }
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {
                        "OutputName": "train",
                        "S3Output": {
                            "S3Uri": "s3://contract-pipeline/train",
                            "LocalPath": "/opt/ml/processing/train",
                            "S3UploadMode": "EndOfJob",
                        },
                    }
                ]
            },
        },
    }


def _training(role: str, channel: Any) -> dict[str, Any]:
    return {
        "Name": "Train",
        "Type": "Training",
        "Arguments": {
            "AlgorithmSpecification": {"TrainingImage": IMAGE, "TrainingInputMode": "File"},
            "RoleArn": role,
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": channel}},
                }
            ],
            "OutputDataConfig": {
                "S3OutputPath": {
                    "Std:Join": {
                        "On": "/",
                        "Values": ["s3://contract-pipeline", {"Get": "Execution.PipelineExecutionId"}],
                    }
                }
            },
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        },
    }


MODEL_DATA = {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"}
TRAIN_OUTPUT = {"Get": "Steps.Prepare.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"}


def _full_definition(role: str, group: str) -> dict[str, Any]:
    """Train listed before the Processing step it reads, to show the order follows the data."""
    return {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "InputData", "Type": "String", "DefaultValue": "s3://contract-pipeline/raw"}],
        "PipelineExperimentConfig": {
            "ExperimentName": {"Get": "Execution.PipelineName"},
            "TrialName": {"Get": "Execution.PipelineExecutionId"},
        },
        "Steps": [
            _training(role, TRAIN_OUTPUT),
            _processing(role),
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": group,
                    "ModelApprovalStatus": "PendingManualApproval",
                    "InferenceSpecification": {
                        "Containers": [{"Image": IMAGE, "ModelDataUrl": MODEL_DATA}],
                        "SupportedContentTypes": ["text/csv"],
                        "SupportedResponseMIMETypes": ["text/csv"],
                    },
                },
            },
            {
                "Name": "CreateModel",
                "Type": "Model",
                "Arguments": {
                    "ExecutionRoleArn": role,
                    "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": MODEL_DATA},
                },
            },
            {
                "Name": "Score",
                "Type": "Transform",
                "Arguments": {
                    "ModelName": {"Get": "Steps.CreateModel.ModelName"},
                    "TransformInput": {
                        "DataSource": {
                            "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://contract-pipeline/in"}
                        }
                    },
                    "TransformOutput": {"S3OutputPath": "s3://contract-pipeline/scored"},
                    "TransformResources": {"InstanceType": "ml.m5.large", "InstanceCount": 1},
                },
            },
        ],
    }


class Runs:
    """Pipelines for one test, named after its lineage uid."""

    def __init__(self, sagemaker: Any, lineage: Any, account: str) -> None:
        self.sm, self.lineage, self.account = sagemaker, lineage, account
        self.role = f"arn:aws:iam::{account}:role/ContractRole"

    def start(self, definition: dict[str, Any], **request: Any) -> tuple[str, str]:
        """Create a pipeline and start it; (its name, the execution's ARN)."""
        name = self.lineage.name("Pipe")
        self.sm.create_pipeline(
            PipelineName=name, PipelineDefinition=json.dumps(definition), RoleArn=self.role
        )
        arn = self.sm.start_pipeline_execution(PipelineName=name, **request)["PipelineExecutionArn"]
        return name, arn

    def steps(self, arn: str, **request: Any) -> list[dict[str, Any]]:
        paginator = self.sm.get_paginator("list_pipeline_execution_steps")
        return [
            s
            for page in paginator.paginate(PipelineExecutionArn=arn, **request)
            for s in page["PipelineExecutionSteps"]
        ]


@pytest.fixture
def runs(sagemaker, lineage, account) -> Runs:
    return Runs(sagemaker, lineage, account)


def _arn_name(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


# ----------------------------------------------------------------------------- running
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_execution_runs_its_steps_in_data_order_and_lists_them(runs, sagemaker):
    # Given a pipeline whose steps process, train, register, create a model and score
    group = runs.lineage.name("group")
    sagemaker.create_model_package_group(ModelPackageGroupName=group)

    # When
    name, arn = runs.start(_full_definition(runs.role, group))

    # Then: every step ran after what it reads, and is listed with its resource in the API's spelling
    steps = runs.steps(arn, SortOrder="Ascending")
    assert [(s["StepName"], s["StepStatus"]) for s in steps] == [
        ("Prepare", "Succeeded"),
        ("Train", "Succeeded"),
        ("Register", "Succeeded"),
        ("CreateModel", "Succeeded"),
        ("Score", "Succeeded"),
    ]
    assert [list(s["Metadata"]) for s in steps] == [
        ["ProcessingJob"],
        ["TrainingJob"],
        ["RegisterModel"],
        ["Model"],
        ["TransformJob"],
    ]
    assert all(s["EndTime"] >= s["StartTime"] and "FailureReason" not in s for s in steps)
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    assert described["PipelineExecutionStatus"] == "Succeeded"
    assert "FailureReason" not in described
    assert described["PipelineExperimentConfig"] == {
        "ExperimentName": name.lower(),
        "TrialName": _arn_name(arn),
    }


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_the_jobs_are_named_and_tagged_as_sagemaker_does_and_read_each_others_properties(runs, sagemaker):
    # Given
    group = runs.lineage.name("group")
    sagemaker.create_model_package_group(ModelPackageGroupName=group)

    # When
    _, arn = runs.start(_full_definition(runs.role, group))

    # Then
    execution_id = _arn_name(arn)
    metadata = {s["StepName"]: s["Metadata"] for s in runs.steps(arn)}
    training = sagemaker.describe_training_job(
        TrainingJobName=_arn_name(metadata["Train"]["TrainingJob"]["Arn"])
    )
    processing = sagemaker.describe_processing_job(
        ProcessingJobName=_arn_name(metadata["Prepare"]["ProcessingJob"]["Arn"])
    )
    transform = sagemaker.describe_transform_job(
        TransformJobName=_arn_name(metadata["Score"]["TransformJob"]["Arn"])
    )
    for job, step in ((training, "Train"), (processing, "Prepare"), (transform, "Score")):
        job_name = job.get("TrainingJobName") or job.get("ProcessingJobName") or job["TransformJobName"]
        assert re.fullmatch(rf"pipelines-{execution_id}-{step}-[A-Za-z0-9]{{10}}", job_name)
        job_arn = job.get("TrainingJobArn") or job.get("ProcessingJobArn") or job["TransformJobArn"]
        tags = sagemaker.list_tags(ResourceArn=job_arn)["Tags"]
        assert {"Key": "sagemaker:pipeline-execution-arn", "Value": arn} in tags
    assert processing["ProcessingInputs"][0]["S3Input"]["S3Uri"] == "s3://contract-pipeline/raw"
    assert (
        training["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"]
        == "s3://contract-pipeline/train"
    )
    assert training["OutputDataConfig"]["S3OutputPath"] == f"s3://contract-pipeline/{execution_id}"
    package = sagemaker.describe_model_package(ModelPackageName=metadata["Register"]["RegisterModel"]["Arn"])
    model_data = training["ModelArtifacts"]["S3ModelArtifacts"]
    assert package["InferenceSpecification"]["Containers"][0]["ModelDataUrl"] == model_data
    assert package["MetadataProperties"]["GeneratedBy"] == arn
    model = sagemaker.describe_model(ModelName=_arn_name(metadata["CreateModel"]["Model"]["Arn"]))
    assert model["PrimaryContainer"]["ModelDataUrl"] == model_data
    assert transform["ModelName"] == model["ModelName"]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_parameter_given_to_the_execution_replaces_its_default(runs, sagemaker):
    # Given a pipeline whose processing step reads a parameter
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "InputData", "Type": "String", "DefaultValue": "s3://contract-pipeline/raw"}],
        "Steps": [_processing(runs.role)],
    }

    # When
    _, arn = runs.start(
        definition, PipelineParameters=[{"Name": "InputData", "Value": "s3://contract-pipeline/other"}]
    )

    # Then
    (step,) = runs.steps(arn)
    job = sagemaker.describe_processing_job(
        ProcessingJobName=_arn_name(step["Metadata"]["ProcessingJob"]["Arn"])
    )
    assert job["ProcessingInputs"][0]["S3Input"]["S3Uri"] == "s3://contract-pipeline/other"


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_tuning_step_starts_a_tuning_job_whose_best_training_job_a_later_step_reads(runs, sagemaker):
    """API_TuningJobStepMetaData Arn: "The Amazon Resource Name (ARN) of the tuning job that was run by this
    step execution"; the SageMaker Python SDK's TuningStep.get_top_model_s3_uri reads
    ``Steps.<name>.TrainingJobSummaries[<k>].TrainingJobName``, best first."""
    # Given a tuning step and a model step that reads its best training job's artifacts
    training = _training(runs.role, "s3://contract-pipeline/train")["Arguments"]
    definition = {
        key: training[key]
        for key in (
            "AlgorithmSpecification",
            "RoleArn",
            "InputDataConfig",
            "ResourceConfig",
            "StoppingCondition",
        )
    }
    definition["OutputDataConfig"] = {"S3OutputPath": "s3://contract-pipeline/tuned"}
    top = {
        "Std:Join": {
            "On": "/",
            "Values": [
                "s3://contract-pipeline/tuned",
                {"Get": "Steps.Tune.TrainingJobSummaries[0].TrainingJobName"},
                "output/model.tar.gz",
            ],
        }
    }
    steps = [
        {
            "Name": "Tune",
            "Type": "Tuning",
            "Arguments": {
                "HyperParameterTuningJobConfig": {
                    "Strategy": "Random",
                    "HyperParameterTuningJobObjective": {"Type": "Minimize", "MetricName": "validation:loss"},
                    "ResourceLimits": {"MaxNumberOfTrainingJobs": 3, "MaxParallelTrainingJobs": 1},
                    "ParameterRanges": {
                        "IntegerParameterRanges": [{"Name": "depth", "MinValue": "1", "MaxValue": "6"}]
                    },
                },
                "TrainingJobDefinition": definition,
            },
        },
        {
            "Name": "Best",
            "Type": "Model",
            "Arguments": {
                "ExecutionRoleArn": runs.role,
                "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": top},
            },
        },
    ]

    # When
    _, arn = runs.start({"Version": "2020-12-01", "Steps": steps})

    # Then
    metadata = {s["StepName"]: s["Metadata"] for s in runs.steps(arn)}
    tuning = sagemaker.describe_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=_arn_name(metadata["Tune"]["TuningJob"]["Arn"])
    )
    best = tuning["BestTrainingJob"]["TrainingJobName"]
    model = sagemaker.describe_model(ModelName=_arn_name(metadata["Best"]["Model"]["Arn"]))
    assert (
        model["PrimaryContainer"]["ModelDataUrl"]
        == f"s3://contract-pipeline/tuned/{best}/output/model.tar.gz"
    )
    assert (
        sagemaker.describe_training_job(TrainingJobName=best)["TuningJobArn"]
        == metadata["Tune"]["TuningJob"]["Arn"]
    )


# ------------------------------------------------------------------------------ failing
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_step_whose_arguments_cannot_be_evaluated_fails_the_execution(runs, sagemaker):
    # Given a training step reading a property file (Std:JsonGet), which the emulator cannot evaluate
    channel = {"Std:JsonGet": {"PropertyFile": {"Get": "Steps.Prepare.PropertyFiles.Report"}, "Path": "uri"}}
    definition = {"Version": "2020-12-01", "Steps": [_processing(runs.role), _training(runs.role, channel)]}
    definition["Parameters"] = [
        {"Name": "InputData", "Type": "String", "DefaultValue": "s3://contract-pipeline/raw"}
    ]

    # When
    name, arn = runs.start(definition)

    # Then: the step failed saying why, and so did the execution
    steps = {s["StepName"]: s for s in runs.steps(arn)}
    assert steps["Prepare"]["StepStatus"] == "Succeeded"
    assert steps["Train"]["StepStatus"] == "Failed"
    assert "cannot evaluate" in steps["Train"]["FailureReason"]
    assert "Std:JsonGet" in steps["Train"]["FailureReason"]
    assert steps["Train"]["Metadata"] == {}
    assert sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["FailureReason"] == FAILED
    (summary,) = sagemaker.list_pipeline_executions(PipelineName=name)["PipelineExecutionSummaries"]
    assert (summary["PipelineExecutionStatus"], summary["PipelineExecutionFailureReason"]) == (
        "Failed",
        FAILED,
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_creation_sagemaker_refuses_fails_the_step_with_its_client_error(runs, sagemaker):
    # Given a training step asking for an instance type SageMaker does not have
    step = _training(runs.role, "s3://contract-pipeline/train")
    step["Arguments"]["ResourceConfig"]["InstanceType"] = "ml.nope.large"

    # When
    _, arn = runs.start({"Version": "2020-12-01", "Steps": [step]})

    # Then
    (listed,) = runs.steps(arn)
    assert listed["StepStatus"] == "Failed"
    assert listed["FailureReason"].startswith("ClientError: Failed to invoke sagemaker:CreateTrainingJob.")
    assert (
        sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Failed"
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_condition_takes_its_else_branch_and_a_fail_step_sets_the_failure_reason(runs, sagemaker):
    # Given a condition on a parameter, whose else branch is a Fail step
    definition = {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "Threshold", "Type": "Integer", "DefaultValue": 1}],
        "Steps": [
            {
                "Name": "Check",
                "Type": "Condition",
                "Arguments": {
                    "Conditions": [
                        {
                            "Type": "GreaterThanOrEqualTo",
                            "LeftValue": {"Get": "Parameters.Threshold"},
                            "RightValue": 2,
                        }
                    ],
                    "IfSteps": [],
                    "ElseSteps": [
                        {"Name": "Stop", "Type": "Fail", "Arguments": {"ErrorMessage": "below threshold"}}
                    ],
                },
            }
        ],
    }

    # When
    _, arn = runs.start(definition)

    # Then
    steps = {s["StepName"]: s for s in runs.steps(arn)}
    assert steps["Check"]["Metadata"] == {"Condition": {"Outcome": "False"}}
    assert steps["Stop"]["StepStatus"] == "Failed"
    assert steps["Stop"]["Metadata"] == {"Fail": {"ErrorMessage": "below threshold"}}
    assert (
        sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["FailureReason"] == "below threshold"
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_step_type_the_emulator_cannot_run_fails_naming_record_step(runs):
    # Given a Lambda step
    step = {
        "Name": "Notify",
        "Type": "Lambda",
        "Arguments": {},
        "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
    }

    # When
    _, arn = runs.start({"Version": "2020-12-01", "Steps": [step]})

    # Then
    (listed,) = runs.steps(arn)
    assert listed["StepStatus"] == "Failed"
    assert "record_step" in listed["FailureReason"]


# --------------------------------------------------------------------------------- hook
@pytest.mark.emulator_only("record_step is the emulator's own hook")
def test_record_step_adds_a_step_with_any_metadata_and_settles_the_execution(runs, sagemaker):
    # Given a finished execution
    _, arn = runs.start(
        {"Version": "2020-12-01", "Steps": [_training(runs.role, "s3://contract-pipeline/train")]}
    )
    check = f"arn:aws:sagemaker:us-east-1:{runs.account}:processing-job/quality-check"

    # When: a test models a step the emulator cannot run, then a failed one
    listed = pipelines.record_step(
        arn, {"StepName": "Quality", "Metadata": {"QualityCheck": {"CheckJobArn": check}}}
    )
    pipelines.record_step(arn, {"StepName": "Notify", "StepStatus": "Failed", "FailureReason": "timed out"})

    # Then: both are listed as SageMaker lists steps, newest first by default; the execution failed
    assert listed["StepStatus"] == "Succeeded"
    steps = runs.steps(arn)
    assert [s["StepName"] for s in steps] == ["Notify", "Quality", "Train"]
    assert steps[1]["Metadata"] == {"QualityCheck": {"CheckJobArn": check}}
    assert steps[0]["FailureReason"] == "timed out"
    assert (
        sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)["PipelineExecutionStatus"] == "Failed"
    )


@pytest.mark.emulator_only("record_step is the emulator's own hook")
def test_record_step_refuses_what_is_not_a_step_or_not_an_execution(runs, account):
    # Given
    _, arn = runs.start({"Version": "2020-12-01", "Steps": []})

    # When / Then
    with pytest.raises(ValueError, match="StepName"):
        pipelines.record_step(arn, {"Metadata": {}})
    with pytest.raises(ValueError, match="StepType"):
        pipelines.record_step(arn, {"StepName": "x", "StepType": "Lambda"})
    with pytest.raises(LookupError):
        pipelines.record_step(
            f"arn:aws:sagemaker:us-east-1:{account}:pipeline/none/execution/abc", {"StepName": "x"}
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_pipeline_execution_steps_pages(runs):
    # Given an execution with five steps
    _, arn = runs.start({"Version": "2020-12-01", "Steps": []})
    for index in range(5):
        pipelines.record_step(arn, {"StepName": f"step-{index}"})

    # When
    pages = list(
        runs.sm.get_paginator("list_pipeline_execution_steps").paginate(
            PipelineExecutionArn=arn, SortOrder="Ascending", PaginationConfig={"PageSize": 2}
        )
    )

    # Then
    assert [len(page["PipelineExecutionSteps"]) for page in pages] == [2, 2, 1]
    assert [s["StepName"] for page in pages for s in page["PipelineExecutionSteps"]] == [
        f"step-{i}" for i in range(5)
    ]


# ------------------------------------------------------------------------------- errors
def test_describing_an_execution_that_does_not_exist_is_resource_not_found(
    sagemaker, account, backend, raises_aws
):
    # Given an execution ARN of a pipeline that does not exist
    arn = f"arn:aws:sagemaker:{backend.region}:{account}:pipeline/ct-no-such-pipeline/execution/abcdefghijkl"

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_pipeline_execution(PipelineExecutionArn=arn)
    with raises_aws("ResourceNotFound"):
        sagemaker.list_pipeline_execution_steps(PipelineExecutionArn=arn)
