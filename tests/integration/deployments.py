"""Creating (moto) model packages, models, endpoint configs and endpoints for integration tests."""

from __future__ import annotations

from typing import Any

from lineage_recorder_cli.resource_events import ResourceEvent

from tests.integration.jobs import IMAGE, ROLE
from tests.support.events import envelope

SERVING_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/serve:2"


def as_event(resource_event: ResourceEvent, time: str = "2026-11-21T10:00:00Z") -> dict[str, Any]:
    return envelope(resource_event.detail_type, resource_event.detail, resource_event.resources[0], time=time)


def model_package(
    sagemaker: Any,
    group: str,
    *,
    model_data: str,
    image: str = IMAGE,
    approval: str = "PendingManualApproval",
    metadata: dict[str, str] | None = None,
    algorithms: list[dict[str, str]] | None = None,
) -> str:
    groups = sagemaker.list_model_package_groups(NameContains=group)["ModelPackageGroupSummaryList"]
    if not any(g["ModelPackageGroupName"] == group for g in groups):
        sagemaker.create_model_package_group(ModelPackageGroupName=group)
    params: dict[str, Any] = {}
    if metadata:
        params["MetadataProperties"] = metadata
    if algorithms:
        params["SourceAlgorithmSpecification"] = {"SourceAlgorithms": algorithms}
    response = sagemaker.create_model_package(
        ModelPackageGroupName=group,
        InferenceSpecification={
            "Containers": [{"Image": image, "ModelDataUrl": model_data}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        ModelApprovalStatus=approval,
        **params,
    )
    return str(response["ModelPackageArn"])


def model(sagemaker: Any, name: str, *containers: dict[str, str]) -> str:
    if len(containers) == 1:
        response = sagemaker.create_model(
            ModelName=name, ExecutionRoleArn=ROLE, PrimaryContainer=containers[0]
        )
    else:
        response = sagemaker.create_model(ModelName=name, ExecutionRoleArn=ROLE, Containers=list(containers))
    return str(response["ModelArn"])


def endpoint_config(
    sagemaker: Any, name: str, models: list[str], shadow_models: tuple[str, ...] = ()
) -> None:
    def variants(prefix: str, names: list[str] | tuple[str, ...]) -> list[dict[str, Any]]:
        return [
            {
                "VariantName": f"{prefix}{index}",
                "ModelName": model_name,
                "InitialInstanceCount": 1,
                "InstanceType": "ml.m5.large",
            }
            for index, model_name in enumerate(names)
        ]

    params: dict[str, Any] = {}
    if shadow_models:
        params["ShadowProductionVariants"] = variants("shadow", shadow_models)
    sagemaker.create_endpoint_config(
        EndpointConfigName=name, ProductionVariants=variants("variant", models), **params
    )
