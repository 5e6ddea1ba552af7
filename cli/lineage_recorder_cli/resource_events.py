"""The state-change event SageMaker sends for a model, a model package or an endpoint, from its description.

Real events carry the Describe* view of the resource (docs/architecture.md, "What real events look
like"). These build the same from the emulator, for the demo and the tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineage_recorder.events.from_describe import endpoint_detail, model_detail, model_package_detail

MODEL_DETAIL_TYPE = "SageMaker Model State Change"
PACKAGE_DETAIL_TYPE = "SageMaker Model Package State Change"
ENDPOINT_DETAIL_TYPE = "SageMaker Endpoint State Change"


@dataclass(frozen=True)
class ResourceEvent:
    detail_type: str
    detail: dict[str, Any]
    resources: list[str]


def model_event(sagemaker: Any, model_name: str) -> ResourceEvent:
    """The event of a model being created: its DescribeModel view."""
    detail = model_detail(sagemaker.describe_model(ModelName=model_name))
    return ResourceEvent(MODEL_DETAIL_TYPE, detail, [detail["ModelArn"]])


def model_package_event(
    sagemaker: Any, package_arn: str, updated_fields: list[str] | None = None
) -> ResourceEvent:
    detail = model_package_detail(
        sagemaker.describe_model_package(ModelPackageName=package_arn), updated_fields
    )
    return ResourceEvent(PACKAGE_DETAIL_TYPE, detail, [detail["ModelPackageArn"]])


def endpoint_event(sagemaker: Any, endpoint_name: str) -> ResourceEvent:
    """The event of an endpoint reaching its current status (IN_SERVICE after a create or update)."""
    detail = endpoint_detail(sagemaker.describe_endpoint(EndpointName=endpoint_name))
    return ResourceEvent(ENDPOINT_DETAIL_TYPE, detail, [detail["EndpointArn"]])


def endpoint_deleted_event(endpoint_arn: str, endpoint_name: str) -> ResourceEvent:
    """After DeleteEndpoint there is nothing to describe; the event names the endpoint only."""
    detail = {"EndpointName": endpoint_name, "EndpointArn": endpoint_arn, "EndpointStatus": "DELETED"}
    return ResourceEvent(ENDPOINT_DETAIL_TYPE, detail, [endpoint_arn])
