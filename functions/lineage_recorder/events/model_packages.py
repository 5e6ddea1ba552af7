"""Model package (version) details: the event's detail and DescribeModelPackage share these keys."""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.fields import Timestamp

# botocore: ModelPackageArn; the name is a group name, optionally followed by /<version>.
MODEL_PACKAGE_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "model-package/" + RESOURCE_NAME + "(/[0-9]{1,10})?$"
GROUP_NAME_PATTERN = "^" + RESOURCE_NAME + "$"


class PackageContainerSpec(Tolerant):
    Image: str | None = None
    ModelDataUrl: str | None = None


class InferenceSpecificationSpec(Tolerant):
    Containers: list[PackageContainerSpec] | None = None


class SourceAlgorithmSpec(Tolerant):
    AlgorithmName: str | None = None
    ModelDataUrl: str | None = None


class SourceAlgorithmSpecificationSpec(Tolerant):
    SourceAlgorithms: list[SourceAlgorithmSpec] | None = None


class MetadataPropertiesSpec(Tolerant):
    GeneratedBy: str | None = None
    ProjectId: str | None = None
    Repository: str | None = None
    CommitId: str | None = None


class ModelPackage(Tolerant):
    ModelPackageArn: str = Field(pattern=MODEL_PACKAGE_ARN_PATTERN)
    ModelPackageGroupName: str | None = Field(default=None, pattern=GROUP_NAME_PATTERN)
    ModelPackageVersion: int | None = None
    ModelPackageStatus: str | None = None
    ModelApprovalStatus: str | None = None
    ApprovalDescription: str | None = None
    InferenceSpecification: InferenceSpecificationSpec | None = None
    SourceAlgorithmSpecification: SourceAlgorithmSpecificationSpec | None = None
    MetadataProperties: MetadataPropertiesSpec | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None
