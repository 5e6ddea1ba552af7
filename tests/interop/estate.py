"""The estate the interop tests ask about, recorded through the Lambda handler on an emulator served over
HTTP.

It is the demo's workflow (``lineage_recorder_cli.demo_workflow.run_workflow``: a processing job, a training
job, a batch transform, a model package version registered and approved, a model built from that package
deployed to an endpoint that is then updated to a second config), plus what the demo lacks:

- a second version of the package group, registered by a pipeline execution (MetadataProperties.GeneratedBy)
  and left pending approval;
- a second endpoint with two production variants: the model built from the package (champion) and the model
  the training job produced, with its own image and model data (challenger).

Each step creates the resource in the emulator and publishes the event SageMaker would send, the way the demo
does; the handler records them from the queue, with SageMaker's own job trial components present.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import boto3
from lineage_recorder import handler
from lineage_recorder_cli.demo_workflow import (
    BATCH_INPUT,
    BATCH_SCORES,
    CHECKPOINTS,
    MODELS,
    PREPROCESS_IMAGE,
    RAW_DATA,
    TRAIN_FEATURES,
    TRAINING_IMAGE,
    VALIDATION_FEATURES,
    DemoNames,
    run_workflow,
)
from lineage_recorder_cli.local_aws import LocalEventPipeline
from lineage_recorder_cli.resource_events import ResourceEvent, endpoint_event, model_package_event

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"
PIPELINE_EXECUTION_ARN = (
    f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:pipeline/churn-retraining/execution/k3v9x2m7q1pz"
)
AB_ENDPOINT = "interop-churn-ab-endpoint"
AB_CONFIG = "interop-churn-ab-config"


@dataclass(frozen=True)
class Estate:
    """What was recorded, named the way the SDK and DataHub name it (ARNs, URIs, names)."""

    url: str
    endpoint_arn: str  # the demo's endpoint: created with config v1, then updated to v2
    endpoint_name: str
    ab_endpoint_arn: str  # two production variants
    ab_endpoint_name: str
    package_arn: str  # version 1: approved, deployed to both endpoints
    pipeline_package_arn: str  # version 2: registered by a pipeline execution, pending approval
    group_arn: str
    group_name: str
    pipeline_execution_arn: str
    serving_model: str  # built from the package version 1 (Containers: ModelPackageName)
    challenger_model: str  # PrimaryContainer: the training image and the model data
    model_data: str
    checkpoint: str
    models_path: str
    training_image: str
    training_image_digest: str  # what the training image's tag resolved to when deployed (DeployedImages)
    preprocess_image: str
    raw_data: str
    train_features: str
    validation_features: str
    batch_input: str
    batch_scores: str
    processing_job_arn: str
    processing_job_name: str
    training_job_arn: str
    training_job_name: str
    transform_job_arn: str

    def as_input(self) -> dict[str, Any]:
        return asdict(self)


def _publish(pipeline: LocalEventPipeline, event: ResourceEvent) -> dict[str, Any]:
    pipeline.publish(event.detail_type, event.detail, event.resources)
    return event.detail


def register_pipeline_version(
    sagemaker: Any, pipeline: LocalEventPipeline, names: DemoNames, model_data: str
) -> str:
    """A retraining pipeline registers a second version of the group; nobody has approved it yet."""
    package_arn: str = sagemaker.create_model_package(
        ModelPackageGroupName=names.package_group,
        InferenceSpecification={
            "Containers": [{"Image": TRAINING_IMAGE.format(region=REGION), "ModelDataUrl": model_data}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus="PendingManualApproval",
        MetadataProperties={
            "GeneratedBy": PIPELINE_EXECUTION_ARN,
            "Repository": "https://git.example.com/ml/churn",
            "CommitId": "9b1e07d",
        },
    )["ModelPackageArn"]
    _publish(pipeline, model_package_event(sagemaker, package_arn))
    return package_arn


def deploy_two_variants(sagemaker: Any, pipeline: LocalEventPipeline, names: DemoNames) -> dict[str, Any]:
    """An A/B endpoint: the packaged model takes most traffic, the trained model the rest."""
    sagemaker.create_endpoint_config(
        EndpointConfigName=AB_CONFIG,
        ProductionVariants=[
            {
                "VariantName": "champion",
                "ModelName": names.serving_model,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 0.9,
            },
            {
                "VariantName": "challenger",
                "ModelName": names.model,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
                "InitialVariantWeight": 0.1,
            },
        ],
    )
    sagemaker.create_endpoint(EndpointName=AB_ENDPOINT, EndpointConfigName=AB_CONFIG)
    return _publish(pipeline, endpoint_event(sagemaker, AB_ENDPOINT))


def record_estate(url: str) -> Estate:
    """Create the estate and record it. AWS_ENDPOINT_URL must name the server (the handler's clients
    find it there), with the trial components switch of the emulator on."""
    session = boto3.session.Session()
    sagemaker = session.client("sagemaker")
    pipeline = LocalEventPipeline(
        session.client("events"), session.client("sqs"), account=ACCOUNT, region=REGION
    )
    names = DemoNames()
    details = run_workflow(sagemaker, pipeline, names)
    model_data = str(details["training"]["ModelArtifacts"]["S3ModelArtifacts"])
    pipeline_package_arn = register_pipeline_version(sagemaker, pipeline, names, model_data)
    ab_endpoint = deploy_two_variants(sagemaker, pipeline, names)

    report = pipeline.drain(handler.lambda_handler)
    if report.failed_attempts or report.dead_lettered:
        raise AssertionError(f"the estate was not recorded cleanly: {report}")

    package_arn = str(details["package"]["ModelPackageArn"])
    (variant,) = sagemaker.describe_endpoint(EndpointName=names.endpoint)["ProductionVariants"]
    (deployed,) = variant["DeployedImages"]
    group = sagemaker.describe_model_package_group(ModelPackageGroupName=names.package_group)
    fmt = {"account": ACCOUNT, "region": REGION}
    return Estate(
        url=url,
        endpoint_arn=str(details["endpoint"]["EndpointArn"]),
        endpoint_name=names.endpoint,
        ab_endpoint_arn=str(ab_endpoint["EndpointArn"]),
        ab_endpoint_name=AB_ENDPOINT,
        package_arn=package_arn,
        pipeline_package_arn=pipeline_package_arn,
        group_arn=str(group["ModelPackageGroupArn"]),
        group_name=names.package_group,
        pipeline_execution_arn=PIPELINE_EXECUTION_ARN,
        serving_model=names.serving_model,
        challenger_model=names.model,
        model_data=model_data,
        checkpoint=CHECKPOINTS + names.training_job + "/",
        models_path=MODELS,
        training_image=TRAINING_IMAGE.format(**fmt),
        training_image_digest=str(deployed["ResolvedImage"]),
        preprocess_image=PREPROCESS_IMAGE.format(**fmt),
        raw_data=RAW_DATA,
        train_features=TRAIN_FEATURES,
        validation_features=VALIDATION_FEATURES,
        batch_input=BATCH_INPUT,
        batch_scores=BATCH_SCORES,
        processing_job_arn=str(details["processing"]["ProcessingJobArn"]),
        processing_job_name=names.processing_job,
        training_job_arn=str(details["training"]["TrainingJobArn"]),
        training_job_name=names.training_job,
        transform_job_arn=str(details["transform"]["TransformJobArn"]),
    )
