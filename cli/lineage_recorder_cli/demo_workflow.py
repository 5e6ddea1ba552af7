"""A small but realistic ML workflow on the emulator: prepare data, train, score in batch, register
the model, approve it, deploy it to an endpoint and update the endpoint to a new config; then a
SageMaker pipeline retrains it with a tuning job and registers the best model as the next version.

Each step creates the SageMaker resource (moto) and then publishes the state-change event SageMaker
would send, carrying the Describe* view of the resource like real events do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

from lineage_recorder.events.from_describe import event_detail

from lineage_recorder_cli.resource_events import ResourceEvent, endpoint_event, model_package_event

ROLE = "arn:aws:iam::{account}:role/DemoSageMakerRole"
PREPROCESS_IMAGE = "{account}.dkr.ecr.{region}.amazonaws.com/demo-preprocess:1.4"
TRAINING_IMAGE = "683313688378.dkr.ecr.{region}.amazonaws.com/sagemaker-xgboost:1.7-1"
RAW_DATA = "s3://demo-raw-data/customers/2026-11/"
TRAIN_FEATURES = "s3://demo-features/churn/train/"
VALIDATION_FEATURES = "s3://demo-features/churn/validation/"
MODELS = "s3://demo-models/churn/"
CHECKPOINTS = "s3://demo-checkpoints/churn/"
BATCH_INPUT = "s3://demo-batch/churn/input/"
BATCH_SCORES = "s3://demo-batch/churn/scores/"
TUNED_MODELS = "s3://demo-models/churn-tuned/"
PIPELINE_EXECUTION_DETAIL_TYPE = "SageMaker Model Building Pipeline Execution Status Change"
PIPELINE_STEP_DETAIL_TYPE = "SageMaker Model Building Pipeline Execution Step Status Change"


class EventSink(Protocol):
    """Where the workflow's events go: EventBridge in the demo, a list in tests."""

    account: str
    region: str

    def publish(self, detail_type: str, detail: dict[str, Any], resources: list[str]) -> None: ...


@dataclass(frozen=True)
class DemoNames:
    processing_job: str = "demo-prepare-churn-data"
    training_job: str = "demo-train-churn-xgboost"
    model: str = "demo-churn-model"
    transform_job: str = "demo-score-churn-batch"
    package_group: str = "demo-churn-models"
    serving_model: str = "demo-churn-serving-model"
    endpoint: str = "demo-churn-endpoint"
    first_config: str = "demo-churn-config-v1"
    second_config: str = "demo-churn-config-v2"
    retraining_pipeline: str = "demo-churn-retrain"


def run_processing(sagemaker: Any, pipeline: EventSink, names: DemoNames) -> dict[str, Any]:
    fmt = {"account": pipeline.account, "region": pipeline.region}
    sagemaker.create_processing_job(
        ProcessingJobName=names.processing_job,
        RoleArn=ROLE.format(**fmt),
        AppSpecification={"ImageUri": PREPROCESS_IMAGE.format(**fmt)},
        ProcessingResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 30}
        },
        ProcessingInputs=[
            {
                "InputName": "raw",
                "S3Input": {
                    "S3Uri": RAW_DATA,
                    "LocalPath": "/opt/ml/processing/input",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": name,
                    "S3Output": {
                        "S3Uri": uri,
                        "LocalPath": f"/opt/ml/processing/{name}",
                        "S3UploadMode": "EndOfJob",
                    },
                }
                for name, uri in (("train", TRAIN_FEATURES), ("validation", VALIDATION_FEATURES))
            ]
        },
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    detail = event_detail(sagemaker.describe_processing_job(ProcessingJobName=names.processing_job))
    pipeline.publish("SageMaker Processing Job State Change", detail, [detail["ProcessingJobArn"]])
    return detail


def run_training(sagemaker: Any, pipeline: EventSink, names: DemoNames) -> dict[str, Any]:
    fmt = {"account": pipeline.account, "region": pipeline.region}
    sagemaker.create_training_job(
        TrainingJobName=names.training_job,
        RoleArn=ROLE.format(**fmt),
        AlgorithmSpecification={"TrainingImage": TRAINING_IMAGE.format(**fmt), "TrainingInputMode": "File"},
        InputDataConfig=[
            {"ChannelName": channel, "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}}
            for channel, uri in (("train", TRAIN_FEATURES), ("validation", VALIDATION_FEATURES))
        ],
        OutputDataConfig={"S3OutputPath": MODELS},
        CheckpointConfig={"S3Uri": CHECKPOINTS + names.training_job + "/"},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
        HyperParameters={"objective": "binary:logistic", "num_round": "100"},
    )
    detail = event_detail(sagemaker.describe_training_job(TrainingJobName=names.training_job))
    in_progress = {**detail, "TrainingJobStatus": "InProgress", "SecondaryStatus": "Training"}
    # SageMaker also reports progress; the rules drop InProgress, and a duplicate delivery is harmless.
    pipeline.publish("SageMaker Training Job State Change", in_progress, [detail["TrainingJobArn"]])
    pipeline.publish("SageMaker Training Job State Change", detail, [detail["TrainingJobArn"]])
    pipeline.publish("SageMaker Training Job State Change", detail, [detail["TrainingJobArn"]])
    return detail


def run_transform(sagemaker: Any, pipeline: EventSink, names: DemoNames, model_data: str) -> dict[str, Any]:
    fmt = {"account": pipeline.account, "region": pipeline.region}
    sagemaker.create_model(
        ModelName=names.model,
        ExecutionRoleArn=ROLE.format(**fmt),
        PrimaryContainer={"Image": TRAINING_IMAGE.format(**fmt), "ModelDataUrl": model_data},
    )
    sagemaker.create_transform_job(
        TransformJobName=names.transform_job,
        ModelName=names.model,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": BATCH_INPUT}}},
        TransformOutput={"S3OutputPath": BATCH_SCORES},
        TransformResources={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1},
    )
    detail = event_detail(sagemaker.describe_transform_job(TransformJobName=names.transform_job))
    pipeline.publish("SageMaker Transform Job State Change", detail, [detail["TransformJobArn"]])
    return detail


def _publish(pipeline: EventSink, event: ResourceEvent) -> dict[str, Any]:
    pipeline.publish(event.detail_type, event.detail, event.resources)
    return event.detail


def run_registration(
    sagemaker: Any, pipeline: EventSink, names: DemoNames, model_data: str
) -> dict[str, Any]:
    """Register the trained model as a package version, then approve it (the event fires again)."""
    fmt = {"account": pipeline.account, "region": pipeline.region}
    sagemaker.create_model_package_group(ModelPackageGroupName=names.package_group)
    package_arn = sagemaker.create_model_package(
        ModelPackageGroupName=names.package_group,
        InferenceSpecification={
            "Containers": [{"Image": TRAINING_IMAGE.format(**fmt), "ModelDataUrl": model_data}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus="PendingManualApproval",
        MetadataProperties={"Repository": "https://git.example.com/ml/churn", "CommitId": "4f2a9c1"},
    )["ModelPackageArn"]
    _publish(pipeline, model_package_event(sagemaker, package_arn))
    sagemaker.update_model_package(
        ModelPackageArn=package_arn, ModelApprovalStatus="Approved", ApprovalDescription="AUC 0.91 on holdout"
    )
    return _publish(pipeline, model_package_event(sagemaker, package_arn, ["ModelApprovalStatus"]))


def _endpoint_config(sagemaker: Any, name: str, model_name: str, instance_type: str) -> None:
    sagemaker.create_endpoint_config(
        EndpointConfigName=name,
        ProductionVariants=[
            {
                "VariantName": "primary",
                "ModelName": model_name,
                "InitialInstanceCount": 1,
                "InstanceType": instance_type,
            }
        ],
    )


def _deploy_package(
    sagemaker: Any, pipeline: EventSink, package_arn: str, *, model: str, config: str, endpoint: str
) -> dict[str, Any]:
    """A model made from the package, served by a new endpoint; returns its IN_SERVICE event detail."""
    fmt = {"account": pipeline.account, "region": pipeline.region}
    sagemaker.create_model(
        ModelName=model, ExecutionRoleArn=ROLE.format(**fmt), Containers=[{"ModelPackageName": package_arn}]
    )
    _endpoint_config(sagemaker, config, model, "ml.m5.large")
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)
    return _publish(pipeline, endpoint_event(sagemaker, endpoint))


def run_deployment(sagemaker: Any, pipeline: EventSink, names: DemoNames, package_arn: str) -> dict[str, Any]:
    """Deploy the approved package to an endpoint, then move the endpoint to a larger config."""
    _deploy_package(
        sagemaker,
        pipeline,
        package_arn,
        model=names.serving_model,
        config=names.first_config,
        endpoint=names.endpoint,
    )
    _endpoint_config(sagemaker, names.second_config, names.serving_model, "ml.m5.2xlarge")
    sagemaker.update_endpoint(EndpointName=names.endpoint, EndpointConfigName=names.second_config)
    return _publish(pipeline, endpoint_event(sagemaker, names.endpoint))


def run_workflow(
    sagemaker: Any, pipeline: EventSink, names: DemoNames | None = None
) -> dict[str, dict[str, Any]]:
    """Run every step in order and return the last event detail of each step."""
    chosen = names or DemoNames()
    processing = run_processing(sagemaker, pipeline, chosen)
    training = run_training(sagemaker, pipeline, chosen)
    model_data = training["ModelArtifacts"]["S3ModelArtifacts"]
    transform = run_transform(sagemaker, pipeline, chosen, model_data)
    package = run_registration(sagemaker, pipeline, chosen, model_data)
    endpoint = run_deployment(sagemaker, pipeline, chosen, package["ModelPackageArn"])
    return {
        "processing": processing,
        "training": training,
        "transform": transform,
        "package": package,
        "endpoint": endpoint,
    }


def _retraining_definition(fmt: dict[str, str]) -> dict[str, Any]:
    """Tune XGBoost on the prepared features, then register the best training job's model (as the
    SageMaker Python SDK's TuningStep.get_top_model_s3_uri builds its location)."""
    channels = [
        {"ChannelName": channel, "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}}
        for channel, uri in (("train", TRAIN_FEATURES), ("validation", VALIDATION_FEATURES))
    ]
    best_model = {
        "Std:Join": {
            "On": "",
            "Values": [
                TUNED_MODELS,
                {"Get": "Steps.Tune.BestTrainingJob.TrainingJobName"},
                "/output/model.tar.gz",
            ],
        }
    }
    return {
        "Version": "2020-12-01",
        "Steps": [
            {
                "Name": "Tune",
                "Type": "Tuning",
                "Arguments": {
                    "HyperParameterTuningJobConfig": {
                        "Strategy": "Bayesian",
                        "HyperParameterTuningJobObjective": {
                            "Type": "Maximize",
                            "MetricName": "validation:auc",
                        },
                        "ResourceLimits": {"MaxNumberOfTrainingJobs": 3, "MaxParallelTrainingJobs": 3},
                        "ParameterRanges": {
                            "ContinuousParameterRanges": [
                                {"Name": "eta", "MinValue": "0.05", "MaxValue": "0.5"}
                            ]
                        },
                    },
                    "TrainingJobDefinition": {
                        "StaticHyperParameters": {"objective": "binary:logistic", "num_round": "100"},
                        "AlgorithmSpecification": {
                            "TrainingImage": TRAINING_IMAGE.format(**fmt),
                            "TrainingInputMode": "File",
                            "MetricDefinitions": [
                                {"Name": "validation:auc", "Regex": "validation-auc:([0-9.]+)"}
                            ],
                        },
                        "RoleArn": ROLE.format(**fmt),
                        "InputDataConfig": channels,
                        "OutputDataConfig": {"S3OutputPath": TUNED_MODELS},
                        "ResourceConfig": {
                            "InstanceType": "ml.m5.xlarge",
                            "InstanceCount": 1,
                            "VolumeSizeInGB": 30,
                        },
                        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
                    },
                },
            },
            {
                "Name": "Register",
                "Type": "RegisterModel",
                "Arguments": {
                    "ModelPackageGroupName": "{group}",
                    "ModelApprovalStatus": "PendingManualApproval",
                    "InferenceSpecification": {
                        "Containers": [{"Image": TRAINING_IMAGE.format(**fmt), "ModelDataUrl": best_model}],
                        "SupportedContentTypes": ["text/csv"],
                        "SupportedResponseMIMETypes": ["text/csv"],
                    },
                },
            },
        ],
    }


def run_retraining(sagemaker: Any, pipeline: EventSink, names: DemoNames) -> dict[str, dict[str, Any]]:
    """A SageMaker pipeline retrains the model: a tuning job (three training jobs) on the prepared
    features, then the best one's model registered as the next package version, which is approved.
    Every event SageMaker sends for it is published: each training job's, the tuning job's, each step's,
    the package's and the execution's."""
    fmt = {"account": pipeline.account, "region": pipeline.region}
    definition = _retraining_definition(fmt)
    definition["Steps"][1]["Arguments"]["ModelPackageGroupName"] = names.package_group
    sagemaker.create_pipeline(
        PipelineName=names.retraining_pipeline,
        PipelineDefinition=json.dumps(definition),
        RoleArn=ROLE.format(**fmt),
    )
    execution_arn = sagemaker.start_pipeline_execution(PipelineName=names.retraining_pipeline)[
        "PipelineExecutionArn"
    ]
    pipeline_arn = execution_arn.rsplit("/execution/", 1)[0]
    steps = [
        step
        for page in sagemaker.get_paginator("list_pipeline_execution_steps").paginate(
            PipelineExecutionArn=execution_arn, SortOrder="Ascending"
        )
        for step in page["PipelineExecutionSteps"]
    ]
    details: dict[str, dict[str, Any]] = {}
    for step in steps:
        metadata = step.get("Metadata", {})
        if "TuningJob" in metadata:
            tuning_name = metadata["TuningJob"]["Arn"].rsplit("/", 1)[-1]
            launched = sagemaker.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
                HyperParameterTuningJobName=tuning_name
            )
            for page in launched:
                for summary in page["TrainingJobSummaries"]:
                    job = event_detail(
                        sagemaker.describe_training_job(TrainingJobName=summary["TrainingJobName"])
                    )
                    pipeline.publish("SageMaker Training Job State Change", job, [job["TrainingJobArn"]])
            tuning = event_detail(
                sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=tuning_name)
            )
            pipeline.publish(
                "SageMaker HyperParameter Tuning Job State Change",
                tuning,
                [tuning["HyperParameterTuningJobArn"]],
            )
            details["tuning"] = tuning
        if "RegisterModel" in metadata:
            details["retrained"] = _publish(
                pipeline, model_package_event(sagemaker, metadata["RegisterModel"]["Arn"])
            )
        pipeline.publish(
            PIPELINE_STEP_DETAIL_TYPE,
            {
                "pipelineArn": pipeline_arn,
                "pipelineExecutionArn": execution_arn,
                "stepName": step["StepName"],
                "currentStepStatus": step["StepStatus"],
                "previousStepStatus": "Executing",
            },
            [pipeline_arn, execution_arn],
        )
    execution = sagemaker.describe_pipeline_execution(PipelineExecutionArn=execution_arn)
    pipeline.publish(
        PIPELINE_EXECUTION_DETAIL_TYPE,
        {
            "pipelineArn": pipeline_arn,
            "pipelineExecutionArn": execution_arn,
            "pipelineExecutionDisplayName": execution.get("PipelineExecutionDisplayName"),
            "currentPipelineExecutionStatus": execution["PipelineExecutionStatus"],
            "previousPipelineExecutionStatus": "Executing",
        },
        [pipeline_arn, execution_arn],
    )
    details["pipeline"] = {"PipelineExecutionArn": execution_arn, "PipelineArn": pipeline_arn}
    package_arn = details["retrained"]["ModelPackageArn"]
    sagemaker.update_model_package(
        ModelPackageArn=package_arn, ModelApprovalStatus="Approved", ApprovalDescription="AUC up on holdout"
    )
    details["retrained"] = _publish(
        pipeline, model_package_event(sagemaker, package_arn, ["ModelApprovalStatus"])
    )
    return details


@dataclass(frozen=True)
class ProdNames:
    serving_model: str = "prod-churn-serving-model"
    endpoint: str = "prod-churn-endpoint"
    config: str = "prod-churn-config-v1"


def run_cross_account_deployment(
    prod_sagemaker: Any, prod_pipeline: EventSink, package_arn: str, names: ProdNames | None = None
) -> dict[str, Any]:
    """Deploy a package registered in another account (dev) to an endpoint in this one (prod)."""
    chosen = names or ProdNames()
    return _deploy_package(
        prod_sagemaker,
        prod_pipeline,
        package_arn,
        model=chosen.serving_model,
        config=chosen.config,
        endpoint=chosen.endpoint,
    )
