"""Creating real (moto) SageMaker jobs for integration tests, and the events SageMaker sends for them."""

from __future__ import annotations

from typing import Any

from lineage_recorder.events.from_describe import event_detail
from moto.sagemaker.models import sagemaker_backends

from tests.support.events import ACCOUNT, envelope

ROLE = f"arn:aws:iam::{ACCOUNT}:role/TestRole"
IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/train:1"


def processing_job(sagemaker: Any, name: str, *, inputs: list[str], outputs: list[str]) -> dict[str, Any]:
    sagemaker.create_processing_job(
        ProcessingJobName=name,
        RoleArn=ROLE,
        AppSpecification={"ImageUri": IMAGE},
        ProcessingResources={
            "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.large", "VolumeSizeInGB": 5}
        },
        ProcessingInputs=[
            {
                "InputName": f"in{i}",
                "S3Input": {
                    "S3Uri": uri,
                    "LocalPath": f"/opt/ml/processing/in{i}",
                    "S3DataType": "S3Prefix",
                    "S3InputMode": "File",
                },
            }
            for i, uri in enumerate(inputs)
        ],
        ProcessingOutputConfig={
            "Outputs": [
                {
                    "OutputName": f"out{i}",
                    "S3Output": {
                        "S3Uri": uri,
                        "LocalPath": f"/opt/ml/processing/out{i}",
                        "S3UploadMode": "EndOfJob",
                    },
                }
                for i, uri in enumerate(outputs)
            ]
        },
        StoppingCondition={"MaxRuntimeInSeconds": 60},
    )
    detail = event_detail(sagemaker.describe_processing_job(ProcessingJobName=name))
    return envelope("SageMaker Processing Job State Change", detail, detail["ProcessingJobArn"])


def training_job(
    sagemaker: Any,
    name: str,
    *,
    inputs: list[str],
    output: str,
    checkpoint: str | None = None,
    image: str = IMAGE,
    model: str | None = None,
) -> dict[str, Any]:
    """A finished training job in the account `sagemaker` acts in, and its event. `model`: where its model
    artifacts are (moto puts them under the output path, named after the job)."""
    params: dict[str, Any] = {}
    if checkpoint:
        params["CheckpointConfig"] = {"S3Uri": checkpoint}
    arn = sagemaker.create_training_job(
        TrainingJobName=name,
        RoleArn=ROLE,
        AlgorithmSpecification={"TrainingImage": image, "TrainingInputMode": "File"},
        InputDataConfig=[
            {"ChannelName": f"c{i}", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}}
            for i, uri in enumerate(inputs)
        ],
        OutputDataConfig={"S3OutputPath": output},
        ResourceConfig={"InstanceType": "ml.m5.large", "InstanceCount": 1, "VolumeSizeInGB": 5},
        StoppingCondition={"MaxRuntimeInSeconds": 60},
        **params,
    )["TrainingJobArn"]
    region, account = arn.split(":")[3:5]
    if model is not None:
        sagemaker_backends[account][region].training_jobs[name].model_artifacts = {"S3ModelArtifacts": model}
    detail = event_detail(sagemaker.describe_training_job(TrainingJobName=name))
    return envelope("SageMaker Training Job State Change", detail, arn, account=account, region=region)


def transform_job(
    sagemaker: Any, name: str, *, model_name: str, model_data: str, source: str, output: str
) -> dict[str, Any]:
    sagemaker.create_model(
        ModelName=model_name,
        ExecutionRoleArn=ROLE,
        PrimaryContainer={"Image": IMAGE, "ModelDataUrl": model_data},
    )
    sagemaker.create_transform_job(
        TransformJobName=name,
        ModelName=model_name,
        TransformInput={"DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": source}}},
        TransformOutput={"S3OutputPath": output},
        TransformResources={"InstanceType": "ml.m5.large", "InstanceCount": 1},
    )
    detail = event_detail(sagemaker.describe_transform_job(TransformJobName=name))
    return envelope("SageMaker Transform Job State Change", detail, detail["TransformJobArn"])
