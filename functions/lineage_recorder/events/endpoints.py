"""Endpoint and endpoint config details, as events and DescribeEndpoint/DescribeEndpointConfig give them.

Endpoint events spell statuses in UPPER_SNAKE (IN_SERVICE, DELETED); DescribeEndpoint in PascalCase.
Endpoint events carry no model names: the endpoint config names the models of its variants.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import MODEL_NAME_PATTERN, RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.fields import Timestamp

ENDPOINT_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "endpoint/" + RESOURCE_NAME + "$"
RESOURCE_NAME_PATTERN = "^" + RESOURCE_NAME + "$"


class Endpoint(Tolerant):
    EndpointArn: str = Field(pattern=ENDPOINT_ARN_PATTERN)
    EndpointName: str | None = Field(default=None, pattern=RESOURCE_NAME_PATTERN)
    EndpointConfigName: str | None = Field(default=None, pattern=RESOURCE_NAME_PATTERN)
    EndpointStatus: str | None = None
    FailureReason: str | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None


class VariantSpec(Tolerant):
    VariantName: str | None = None
    ModelName: str | None = Field(default=None, pattern=MODEL_NAME_PATTERN)


class EndpointConfig(Tolerant):
    EndpointConfigName: str = Field(pattern=RESOURCE_NAME_PATTERN)
    EndpointConfigArn: str | None = None
    ProductionVariants: list[VariantSpec] | None = None
    ShadowProductionVariants: list[VariantSpec] | None = None
