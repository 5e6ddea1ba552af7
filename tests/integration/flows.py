"""Tuning jobs and pipeline runs made in the emulator, with the events SageMaker sends for them: shared by
the family tests and the export tests."""

from __future__ import annotations

import json
from typing import Any

from lineage_recorder.events.from_describe import event_detail

from tests.integration.jobs import ROLE
from tests.support.events import ACCOUNT, REGION, envelope

TUNING_DATA = "s3://features/churn/train/"


def tuning_job(sagemaker: Any, name: str, jobs: int) -> list[str]:
    """A completed tuning job that launched `jobs` training jobs; their names."""
    sagemaker.create_hyper_parameter_tuning_job(
        HyperParameterTuningJobName=name,
        HyperParameterTuningJobConfig={
            "Strategy": "Bayesian",
            "HyperParameterTuningJobObjective": {"Type": "Maximize", "MetricName": "validation:auc"},
            "ResourceLimits": {"MaxNumberOfTrainingJobs": jobs, "MaxParallelTrainingJobs": 2},
            "ParameterRanges": {
                "ContinuousParameterRanges": [{"Name": "eta", "MinValue": "0.1", "MaxValue": "0.5"}]
            },
        },
        TrainingJobDefinition={
            "AlgorithmSpecification": {
                "TrainingImage": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/xgboost:1",
                "TrainingInputMode": "File",
                "MetricDefinitions": [{"Name": "validation:auc", "Regex": "auc=([0-9.]+)"}],
            },
            "RoleArn": ROLE,
            "InputDataConfig": [
                {
                    "ChannelName": "train",
                    "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": TUNING_DATA}},
                }
            ],
            "OutputDataConfig": {"S3OutputPath": "s3://models/churn-tune/"},
            "ResourceConfig": {"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
            "StoppingCondition": {"MaxRuntimeInSeconds": 600},
        },
    )
    listed = sagemaker.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name
    )
    return sorted(summary["TrainingJobName"] for page in listed for summary in page["TrainingJobSummaries"])


def training_event(sagemaker: Any, name: str) -> dict[str, Any]:
    detail = event_detail(sagemaker.describe_training_job(TrainingJobName=name))
    return envelope("SageMaker Training Job State Change", detail, detail["TrainingJobArn"])


def tuning_event(sagemaker: Any, name: str) -> dict[str, Any]:
    detail = event_detail(sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name))
    return envelope(
        "SageMaker HyperParameter Tuning Job State Change", detail, detail["HyperParameterTuningJobArn"]
    )


PREPARED_OUTPUT = "Steps.Prepare.ProcessingOutputConfig.Outputs['train'].S3Output.S3Uri"


# --- pipelines ----------------------------------------------------------------------------------------
def pipeline_definition() -> dict[str, Any]:
    """Prepare, train, register: the training step reads the prepare step's output, the registration the
    training step's model."""
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/train:1"
    return {
        "Version": "2020-12-01",
        "Parameters": [{"Name": "RawData", "Type": "String", "DefaultValue": "s3://raw/churn/"}],
        "Steps": [
            {
                "Name": "Prepare",
                "Type": "Processing",
                "Arguments": {
                    "AppSpecification": {"ImageUri": image},
                    "RoleArn": ROLE,
                    "ProcessingResources": {
                        "ClusterConfig": {
                            "InstanceCount": 1,
                            "InstanceType": "ml.m5.large",
                            "VolumeSizeInGB": 5,
                        }
                    },
                    "ProcessingInputs": [
                        {
                            "InputName": "raw",
                            "S3Input": {
                                "S3Uri": {"Get": "Parameters.RawData"},
                                "LocalPath": "/opt/ml/processing/raw",
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
                                    "S3Uri": "s3://features/pipeline/train/",
                                    "LocalPath": "/opt/ml/processing/train",
                                    "S3UploadMode": "EndOfJob",
                                },
                            }
                        ]
                    },
                },
            },
            {
                "Name": "Train",
                "Type": "Training",
                "Arguments": {
                    "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
                    "RoleArn": ROLE,
                    "InputDataConfig": [
                        {
                            "ChannelName": "train",
                            "DataSource": {
                                "S3DataSource": {
                                    "S3DataType": "S3Prefix",
                                    "S3Uri": {"Get": PREPARED_OUTPUT},
                                }
                            },
                        }
                    ],
                    "OutputDataConfig": {"S3OutputPath": "s3://models/pipeline/"},
                    "ResourceConfig": {
                        "InstanceType": "ml.m5.large",
                        "InstanceCount": 1,
                        "VolumeSizeInGB": 5,
                    },
                    "StoppingCondition": {"MaxRuntimeInSeconds": 600},
                },
            },
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": "pipeline-models",
                    "ModelApprovalStatus": "PendingManualApproval",
                    "InferenceSpecification": {
                        "Containers": [
                            {
                                "Image": image,
                                "ModelDataUrl": {"Get": "Steps.Train.ModelArtifacts.S3ModelArtifacts"},
                            }
                        ],
                        "SupportedContentTypes": ["text/csv"],
                        "SupportedResponseMIMETypes": ["text/csv"],
                    },
                },
            },
        ],
    }


def pipeline_run(sagemaker: Any) -> tuple[str, list[dict[str, Any]]]:
    """A succeeded execution of the prepare-train-register pipeline: its ARN and its steps as listed."""
    sagemaker.create_model_package_group(ModelPackageGroupName="pipeline-models")
    sagemaker.create_pipeline(
        PipelineName="churn-pipeline", PipelineDefinition=json.dumps(pipeline_definition()), RoleArn=ROLE
    )
    execution = sagemaker.start_pipeline_execution(PipelineName="churn-pipeline")["PipelineExecutionArn"]
    described = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution)
    assert described["PipelineExecutionStatus"] == "Succeeded", described
    pages = sagemaker.get_paginator("list_pipeline_execution_steps").paginate(PipelineExecutionArn=execution)
    return execution, [step for page in pages for step in page["PipelineExecutionSteps"]]


def pipeline_event(detail_type: str, execution: str, **detail: Any) -> dict[str, Any]:
    pipeline = execution.rsplit("/execution/", 1)[0]
    return envelope(
        detail_type,
        {"pipelineArn": pipeline, "pipelineExecutionArn": execution, **detail},
        pipeline,
        resources=[pipeline, execution],
    )


def step_event(execution: str, step: dict[str, Any]) -> dict[str, Any]:
    return pipeline_event(
        "SageMaker Model Building Pipeline Execution Step Status Change",
        execution,
        stepName=step["StepName"],
        currentStepStatus=step["StepStatus"],
        previousStepStatus="Executing",
    )


def job_events(sagemaker: Any, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The jobs' and the package's own events."""
    events: list[dict[str, Any]] = []
    for step in steps:
        metadata = step["Metadata"]
        if "ProcessingJob" in metadata:
            name = metadata["ProcessingJob"]["Arn"].rsplit("/", 1)[-1]
            detail = event_detail(sagemaker.describe_processing_job(ProcessingJobName=name))
            events.append(
                envelope("SageMaker Processing Job State Change", detail, detail["ProcessingJobArn"])
            )
        elif "TrainingJob" in metadata:
            events.append(training_event(sagemaker, metadata["TrainingJob"]["Arn"].rsplit("/", 1)[-1]))
        elif "RegisterModel" in metadata:
            arn = metadata["RegisterModel"]["Arn"]
            detail = event_detail(sagemaker.describe_model_package(ModelPackageName=arn))
            events.append(envelope("SageMaker Model Package State Change", detail, arn))
    return events
