"""Model package versions: the package artifact in its ModelGroup context, an Approval action, and the
containers' Image and Model artifacts and source algorithms that ContributedTo the package.

The package artifact and the Approval action are reconciled: the event fires again on every update (each
time with status Completed), and an update changes them in place (approval status, MetadataProperties),
never adds a second one. Describing makes re-fired and reordered events converge: whichever event is
processed, the plan shows the package as it is now.

Event: SageMaker Model Package State Change, when Completed. Describe: DescribeModelPackage.
"""

from __future__ import annotations

import re

from pydantic import Field

from lineage_recorder.errors import InvalidEventError
from lineage_recorder.events.base import RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import DescribeCall, Describer, Family, detail_with_arn, validated
from lineage_recorder.families.builder import (
    ALGORITHM,
    CONTRIBUTED_TO,
    MODEL,
    MODEL_GROUP,
    PlanBuilder,
    package_approval,
    revision_of,
    sibling_arn,
)
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity

DESCRIBE_MODEL_PACKAGE = DescribeCall("DescribeModelPackage", "model-package", "ModelPackageName")

# botocore: ModelPackageArn; the name is a group name, optionally followed by /<version>.
MODEL_PACKAGE_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "model-package/" + RESOURCE_NAME + "(/[0-9]{1,10})?$"
GROUP_NAME_PATTERN = "^" + RESOURCE_NAME + "$"
# MetadataProperties.GeneratedBy of a version a pipeline registered: the pipeline execution's ARN.
PIPELINE_EXECUTION_ARN = re.compile(
    SAGEMAKER_ARN_PREFIX + "pipeline/" + RESOURCE_NAME + "/execution/[a-z0-9]+"
)
PIPELINE_EXECUTION_ARN_PROPERTY = "PipelineExecutionArn"

# ModelApprovalStatus -> the Approval action's status (ActionStatus has no approval vocabulary; the
# exact approval status is kept in the ModelApprovalStatus property).
APPROVAL_STATUS = {
    "Approved": "Completed",
    "Rejected": "Failed",
    "PendingManualApproval": "InProgress",
}


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


def _group_name(package: ModelPackage) -> str | None:
    if package.ModelPackageGroupName:
        return package.ModelPackageGroupName
    name = package.ModelPackageArn.split(":", 5)[5].removeprefix("model-package/")
    # Versioned packages are named <group>/<version>; unversioned ones belong to no group.
    return name.split("/", 1)[0] if "/" in name else None


def plan_model_package(package: ModelPackage) -> Plan:
    arn = package.ModelPackageArn
    plan = PlanBuilder(arn)
    revision = revision_of(package.LastModifiedTime or package.CreationTime)
    group_name = _group_name(package)
    metadata = package.MetadataProperties
    package_key = plan.add(
        PlannedEntity(
            key=EntityKey(EntityKind.ARTIFACT, arn),
            entity_type=MODEL,
            properties=bounded_properties(
                [
                    ("ModelPackageGroupName", group_name),
                    ("ModelPackageVersion", _text(package.ModelPackageVersion)),
                ]
            ),
            # Where SageMaker and its tools read them; set when the artifact is created.
            metadata=bounded_properties(
                [
                    ("GeneratedBy", metadata.GeneratedBy if metadata else None),
                    ("ProjectId", metadata.ProjectId if metadata else None),
                    ("Repository", metadata.Repository if metadata else None),
                    ("CommitId", metadata.CommitId if metadata else None),
                ]
            ),
            reconcile=True,
            revision=revision,
        )
    )
    if group_name:
        group = plan.add(_model_group(package, group_name))
        plan.edge(package_key, group, AssociationType.ASSOCIATED_WITH)

    if package.ModelApprovalStatus:
        approval = plan.add(
            package_approval(
                arn,
                status=APPROVAL_STATUS.get(package.ModelApprovalStatus, "Unknown"),
                properties=bounded_properties(
                    [
                        ("ModelApprovalStatus", package.ModelApprovalStatus),
                        ("ApprovalDescription", package.ApprovalDescription),
                    ]
                ),
                revision=revision,
            )
        )
        plan.edge(package_key, approval, AssociationType.ASSOCIATED_WITH)

    specification = package.InferenceSpecification
    for index, container in enumerate(specification.Containers or [] if specification else []):
        field = f"InferenceSpecification.Containers[{index}]"
        plan.edge(plan.image_artifact(f"{field}.Image", container.Image), package_key, CONTRIBUTED_TO)
        model_data = plan.s3_artifact(f"{field}.ModelDataUrl", container.ModelDataUrl, MODEL)
        plan.edge(model_data, package_key, CONTRIBUTED_TO)

    algorithms = package.SourceAlgorithmSpecification
    for index, algorithm in enumerate(algorithms.SourceAlgorithms or [] if algorithms else []):
        field = f"SourceAlgorithmSpecification.SourceAlgorithms[{index}]"
        if algorithm.AlgorithmName:
            algorithm_arn = (
                algorithm.AlgorithmName
                if algorithm.AlgorithmName.startswith("arn:")
                else sibling_arn(arn, "algorithm", algorithm.AlgorithmName)
            )
            algorithm_key = plan.arn_artifact(f"{field}.AlgorithmName", algorithm_arn, ALGORITHM)
            plan.edge(algorithm_key, package_key, CONTRIBUTED_TO)
        model_data = plan.s3_artifact(f"{field}.ModelDataUrl", algorithm.ModelDataUrl, MODEL)
        plan.edge(model_data, package_key, CONTRIBUTED_TO)
    return plan.build()


def _model_group(package: ModelPackage, group_name: str) -> PlannedEntity:
    """The ModelGroup context. When the version was generated by a pipeline execution, the context
    carries it as PipelineExecutionArn, which the SageMaker SDK's ModelPackageGroup.pipeline_execution_arn()
    reads: that of the newest such version (by creation time), so a late event about an older version
    does not replace it."""
    arn = sibling_arn(package.ModelPackageArn, "model-package-group", group_name)
    generated_by = package.MetadataProperties.GeneratedBy if package.MetadataProperties else None
    execution = generated_by if generated_by and PIPELINE_EXECUTION_ARN.fullmatch(generated_by) else None
    return PlannedEntity(
        key=EntityKey(EntityKind.CONTEXT, arn),
        entity_type=MODEL_GROUP,
        name=entity_name(group_name, "model-group"),
        properties=bounded_properties(
            [("ModelPackageGroupName", group_name), (PIPELINE_EXECUTION_ARN_PROPERTY, execution)]
        ),
        reconcile=execution is not None,
        revision=revision_of(package.CreationTime) if execution is not None else None,
    )


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def prepare_model_package(event: SageMakerEvent, describer: Describer) -> Plan:
    """The package version as DescribeModelPackage shows it now; one SageMaker does not know (never
    registered, or deleted since) is not recorded from the event (UnconfirmedResourceError)."""
    from_event = validated(ModelPackage, detail_with_arn(event, "ModelPackageArn"), "the event detail")
    described = describer.confirm(DESCRIBE_MODEL_PACKAGE, from_event.ModelPackageArn)
    package = validated(ModelPackage, described, "the describe_model_package response")
    if package.ModelPackageArn.lower() != from_event.ModelPackageArn.lower():
        raise InvalidEventError(f"SageMaker describes {from_event.ModelPackageArn!r} as another package")
    return plan_model_package(package)


FAMILY = Family(
    name="model-package",
    detail_type="SageMaker Model Package State Change",
    arn_field="ModelPackageArn",
    status_field="ModelPackageStatus",
    statuses=("Completed",),
    describes=(DESCRIBE_MODEL_PACKAGE,),
    prepare=prepare_model_package,
)
