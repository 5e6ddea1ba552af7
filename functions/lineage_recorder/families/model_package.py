"""Model package versions: the package artifact in its ModelGroup context, an Approval action, and the
containers' Image and Model artifacts and source algorithms that ContributedTo the package.

The package artifact and the Approval action are reconciled: the event fires again on every update (each
time with status Completed), and an update changes them in place (approval status, MetadataProperties),
never adds a second one. Describing makes re-fired and reordered events converge: whichever event is
processed, the plan shows the package as it is now.

Event: SageMaker Model Package State Change, when Completed. Describe: DescribeModelPackage.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from lineage_recorder.events.base import RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import (
    DescribeCall,
    Describer,
    Family,
    confirmed_as,
    detail_with_arn,
    validated,
)
from lineage_recorder.families.builder import (
    CONTRIBUTED_TO,
    DATASET,
    DRIFT_CHECK_BASELINE,
    MODEL,
    MODEL_GROUP,
    MODEL_METRICS,
    MODEL_PACKAGE_CREATION,
    PlanBuilder,
    package_action_name,
    package_approval,
    revision_of,
    same_home,
    sibling_arn,
)
from lineage_recorder.families.jobs import DataSourceSpec
from lineage_recorder.families.models import ContainerDefinitionSpec, ModelDataSourceSpec
from lineage_recorder.families.pipeline_keys import (
    EXECUTION_EXISTS,
    PIPELINE_EXECUTION_ARN,
    execution_context,
)
from lineage_recorder.families.reasons import MANIFEST, NEAREST_MODEL
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity
from lineage_recorder.uris import s3_uri_problem, sagemaker_arn_problem

DESCRIBE_MODEL_PACKAGE = DescribeCall(
    "DescribeModelPackage",
    "model-package",
    "ModelPackageName",
    not_lineage=(
        ("ModelPackageName", "the package's own name; its ARN keys the package artifact"),
        *(
            (f"{containers}.{field}", reason)
            for containers in (
                "InferenceSpecification.Containers[]",
                "AdditionalInferenceSpecifications[].Containers[]",
            )
            for field, reason in (
                ("ModelDataSource.S3DataSource.ManifestS3Uri", MANIFEST),
                ("AdditionalModelDataSources[].S3DataSource.ManifestS3Uri", MANIFEST),
                ("NearestModelName", NEAREST_MODEL),
            )
        ),
        (
            "SourceAlgorithmSpecification.SourceAlgorithms[].ModelDataSource.S3DataSource.ManifestS3Uri",
            MANIFEST,
        ),
    ),
)

# botocore: ModelPackageArn; the name is a group name, optionally followed by /<version>.
MODEL_PACKAGE_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "model-package/" + RESOURCE_NAME + "(/[0-9]{1,10})?$"
GROUP_NAME_PATTERN = "^" + RESOURCE_NAME + "$"
PIPELINE_EXECUTION_ARN_PROPERTY = "PipelineExecutionArn"

# ModelApprovalStatus -> the Approval action's status (ActionStatus has no approval vocabulary; the
# exact approval status is kept in the ModelApprovalStatus property).
APPROVAL_STATUS = {
    "Approved": "Completed",
    "Rejected": "Failed",
    "PendingManualApproval": "InProgress",
}


class InferenceSpecificationSpec(Tolerant):
    Containers: list[ContainerDefinitionSpec] | None = None


class AdditionalInferenceSpecificationSpec(Tolerant):
    Name: str | None = None
    Containers: list[ContainerDefinitionSpec] | None = None


class SourceAlgorithmSpec(Tolerant):
    AlgorithmName: str | None = None
    ModelDataUrl: str | None = None
    ModelDataSource: ModelDataSourceSpec | None = None


class SourceAlgorithmSpecificationSpec(Tolerant):
    SourceAlgorithms: list[SourceAlgorithmSpec] | None = None


class TransformInputSpec(Tolerant):
    DataSource: DataSourceSpec | None = None


class TransformOutputSpec(Tolerant):
    S3OutputPath: str | None = None


class TransformJobDefinitionSpec(Tolerant):
    TransformInput: TransformInputSpec | None = None
    TransformOutput: TransformOutputSpec | None = None


class ValidationProfileSpec(Tolerant):
    ProfileName: str | None = None
    TransformJobDefinition: TransformJobDefinitionSpec | None = None


class ValidationSpecificationSpec(Tolerant):
    ValidationProfiles: list[ValidationProfileSpec] | None = None


class MetadataPropertiesSpec(Tolerant):
    GeneratedBy: str | None = None
    ProjectId: str | None = None
    Repository: str | None = None
    CommitId: str | None = None


class IamIdentitySpec(Tolerant):
    Arn: str | None = None


class UserContextSpec(Tolerant):
    UserProfileName: str | None = None
    UserProfileArn: str | None = None
    IamIdentity: IamIdentitySpec | None = None

    def who(self) -> str | None:
        """A person or role, as SageMaker recorded who made the change."""
        parts = [
            self.UserProfileArn or self.UserProfileName,
            self.IamIdentity.Arn if self.IamIdentity else None,
        ]
        return " / ".join(part for part in parts if part) or None


class ModelPackage(Tolerant):
    ModelPackageArn: str = Field(pattern=MODEL_PACKAGE_ARN_PATTERN)
    ModelPackageGroupName: str | None = Field(default=None, pattern=GROUP_NAME_PATTERN)
    ModelPackageVersion: int | None = None
    ModelPackageStatus: str | None = None
    ModelApprovalStatus: str | None = None
    ApprovalDescription: str | None = None
    InferenceSpecification: InferenceSpecificationSpec | None = None
    AdditionalInferenceSpecifications: list[AdditionalInferenceSpecificationSpec] | None = None
    SourceAlgorithmSpecification: SourceAlgorithmSpecificationSpec | None = None
    ValidationSpecification: ValidationSpecificationSpec | None = None
    MetadataProperties: MetadataPropertiesSpec | None = None
    ModelMetrics: dict[str, Any] | None = None
    DriftCheckBaselines: dict[str, Any] | None = None
    SamplePayloadUrl: str | None = None
    SourceUri: str | None = None
    CreatedBy: UserContextSpec | None = None
    LastModifiedBy: UserContextSpec | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None


def _group_name(package: ModelPackage) -> str | None:
    if package.ModelPackageGroupName:
        return package.ModelPackageGroupName
    name = package.ModelPackageArn.split(":", 5)[5].removeprefix("model-package/")
    # Versioned packages are named <group>/<version>; unversioned ones belong to no group.
    return name.split("/", 1)[0] if "/" in name else None


def package_artifact(package: ModelPackage, *, reference: bool = False) -> PlannedEntity:
    """The package version's artifact (type Model, keyed by its ARN), as its own family plans it, or as
    another family that had SageMaker describe the package references it (a pipeline step that
    registered it, a model card about it). Either way it carries its MetadataProperties, which SageMaker
    sets only when the artifact is created: whichever event creates it, it is whole."""
    metadata = package.MetadataProperties
    return PlannedEntity(
        key=EntityKey(EntityKind.ARTIFACT, package.ModelPackageArn),
        entity_type=MODEL,
        properties=bounded_properties(
            [
                ("ModelPackageGroupName", _group_name(package)),
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
        reconcile=not reference,
        reference=reference,
        revision=revision_of(package.LastModifiedTime or package.CreationTime),
    )


# A package version another family links to (a pipeline step registered it, a model card describes it):
# described so that the artifact it plans is whole whichever event creates it (`package_artifact`).
PACKAGE_OWNED_ELSEWHERE = DescribeCall(
    "DescribeModelPackage", "model-package", "ModelPackageName", owned_elsewhere=True
)


def described_package(describer: Describer, arn: str) -> ModelPackage | None:
    """The package version as SageMaker describes it, or None when it is gone (the describer says so)."""
    body = describer.describe(PACKAGE_OWNED_ELSEWHERE, arn)
    return None if body is None else validated(ModelPackage, body, "the describe_model_package response")


def generating_execution(package: ModelPackage) -> str | None:
    """The pipeline execution a version's MetadataProperties.GeneratedBy names, when it names one."""
    generated_by = package.MetadataProperties.GeneratedBy if package.MetadataProperties else None
    return generated_by if generated_by and PIPELINE_EXECUTION_ARN.fullmatch(generated_by) else None


def plan_model_package(package: ModelPackage, *, execution_confirmed: bool = False) -> Plan:
    """`execution_confirmed`: SageMaker has the pipeline execution GeneratedBy names (a caller may write
    any text there), so the version joins that execution's context."""
    arn = package.ModelPackageArn
    plan = PlanBuilder(arn)
    revision = revision_of(package.LastModifiedTime or package.CreationTime)
    group_name = _group_name(package)
    package_key = plan.add(package_artifact(package))
    if group_name:
        group = plan.add(_model_group(package, group_name))
        plan.edge(package_key, group, AssociationType.ASSOCIATED_WITH)
    # The version joins the execution that generated it (families/pipeline.py), whichever event comes
    # first, once SageMaker confirms the execution; an execution it does not have is said, not invented.
    execution_arn = generating_execution(package)
    if execution_arn is not None and execution_confirmed:
        execution = plan.add(execution_context(execution_arn, reference=True))
        plan.edge(package_key, execution, AssociationType.ASSOCIATED_WITH)
    elif execution_arn is not None:
        plan.skip(
            "MetadataProperties.GeneratedBy",
            execution_arn,
            "a pipeline execution SageMaker does not have here (another account's or Region's, or none)",
        )

    plan.edge(package_key, plan.add(_version_action(package, revision)), AssociationType.ASSOCIATED_WITH)

    for index, container in enumerate(
        package.InferenceSpecification.Containers or [] if package.InferenceSpecification else []
    ):
        plan.container(f"InferenceSpecification.Containers[{index}]", container, package_key, like=arn)
    for position, additional in enumerate(package.AdditionalInferenceSpecifications or []):
        for index, container in enumerate(additional.Containers or []):
            field = f"AdditionalInferenceSpecifications[{position}].Containers[{index}]"
            plan.container(field, container, package_key, like=arn)

    algorithms = package.SourceAlgorithmSpecification
    for index, algorithm in enumerate(algorithms.SourceAlgorithms or [] if algorithms else []):
        field = f"SourceAlgorithmSpecification.SourceAlgorithms[{index}]"
        if algorithm.AlgorithmName:
            plan.algorithm(
                f"{field}.AlgorithmName",
                algorithm.AlgorithmName,
                like=arn,
                described=None,
                consumer=package_key,
                with_image=False,
            )
        model_data = plan.s3_artifact(f"{field}.ModelDataUrl", algorithm.ModelDataUrl, MODEL)
        plan.edge(model_data, package_key, CONTRIBUTED_TO)
        source = algorithm.ModelDataSource.S3DataSource if algorithm.ModelDataSource else None
        plan.model_data(f"{field}.ModelDataSource.S3DataSource", source, package_key)

    _evidence(plan, package, package_key)
    source_uri = package.SourceUri
    if source_uri:
        checked = sagemaker_arn_problem(source_uri) is None or s3_uri_problem(source_uri) is None
        if checked:
            plan.add(PlannedEntity(key=EntityKey(EntityKind.ARTIFACT, source_uri), entity_type=MODEL))
            plan.edge(EntityKey(EntityKind.ARTIFACT, source_uri), package_key, CONTRIBUTED_TO)
        else:
            plan.skip(
                "SourceUri", source_uri, "not an S3 URI or SageMaker ARN the recorder can key an artifact by"
            )
    return plan.build()


def _version_action(package: ModelPackage, revision: str | None) -> PlannedEntity:
    """The action of this package version: its creation (who, when) for every version, and, for a
    version with an approval status, its Approval state (the action's status, ModelApprovalStatus), kept
    up to date in place."""
    created_by = package.CreatedBy.who() if package.CreatedBy else None
    modified_by = package.LastModifiedBy.who() if package.LastModifiedBy else None
    creation = [("CreatedBy", created_by), ("CreationTime", revision_of(package.CreationTime))]
    if package.ModelApprovalStatus:
        return package_approval(
            package.ModelPackageArn,
            status=APPROVAL_STATUS.get(package.ModelApprovalStatus, "Unknown"),
            properties=bounded_properties(
                [
                    ("ModelApprovalStatus", package.ModelApprovalStatus),
                    ("ApprovalDescription", package.ApprovalDescription),
                    *creation,
                    ("LastModifiedBy", modified_by),
                ]
            ),
            revision=revision,
        )
    return PlannedEntity(
        key=EntityKey(EntityKind.ACTION, package.ModelPackageArn),
        entity_type=MODEL_PACKAGE_CREATION,
        name=package_action_name(package.ModelPackageArn, "created"),
        status="Completed",
        properties=bounded_properties(creation),
    )


# Evidence attached to a version: what it was validated and measured with, what it is checked against.
_EVIDENCE = (("ModelMetrics", MODEL_METRICS), ("DriftCheckBaselines", DRIFT_CHECK_BASELINE))


def _evidence(plan: PlanBuilder, package: ModelPackage, package_key: EntityKey) -> None:
    """Validation data and results, metric reports, drift baselines and the sample payload: artifacts
    AssociatedWith the version (they describe it; they did not make it)."""
    validation = package.ValidationSpecification
    for index, profile in enumerate(validation.ValidationProfiles or [] if validation else []):
        field = f"ValidationSpecification.ValidationProfiles[{index}].TransformJobDefinition"
        job = profile.TransformJobDefinition
        if job is None:
            continue
        source = (
            job.TransformInput.DataSource.S3DataSource
            if job.TransformInput and job.TransformInput.DataSource
            else None
        )
        used = plan.s3_artifact(
            f"{field}.TransformInput.DataSource.S3DataSource.S3Uri", source.S3Uri if source else None, DATASET
        )
        plan.edge(used, package_key, AssociationType.ASSOCIATED_WITH)
        output = job.TransformOutput.S3OutputPath if job.TransformOutput else None
        plan.edge(
            plan.s3_artifact(f"{field}.TransformOutput.S3OutputPath", output, DATASET),
            package_key,
            AssociationType.ASSOCIATED_WITH,
        )
    for name, artifact_type in _EVIDENCE:
        for path, uri in _s3_uris(getattr(package, name) or {}, name):
            key = plan.s3_artifact(path, uri, artifact_type)
            if key is not None:
                plan.add(
                    PlannedEntity(key=key, entity_type=artifact_type, properties=(("Evidence", path),)),
                    replace=True,
                )
            plan.edge(key, package_key, AssociationType.ASSOCIATED_WITH)
    payload = plan.s3_artifact("SamplePayloadUrl", package.SamplePayloadUrl, DATASET)
    plan.edge(payload, package_key, AssociationType.ASSOCIATED_WITH)


def _s3_uris(tree: dict[str, Any], prefix: str) -> list[tuple[str, str]]:
    """(field, value) of every S3Uri under `tree` (ModelMetrics and DriftCheckBaselines nest them two or
    three deep, one per report: Bias.Report.S3Uri, ModelQuality.Statistics.S3Uri, ...)."""
    found: list[tuple[str, str]] = []
    for key, value in tree.items():
        if isinstance(value, dict):
            found.extend(_s3_uris(value, f"{prefix}.{key}"))
        elif key == "S3Uri" and isinstance(value, str):
            found.append((f"{prefix}.{key}", value))
    return found


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
    package = confirmed_as(
        ModelPackage,
        describer,
        DESCRIBE_MODEL_PACKAGE,
        from_event.ModelPackageArn,
        arn_field="ModelPackageArn",
        claimed_arn=from_event.ModelPackageArn,
    )
    execution = generating_execution(package)
    confirmed = (
        execution is not None
        and same_home(execution, package.ModelPackageArn)
        and not describer.absent(EXECUTION_EXISTS, execution)
    )
    return plan_model_package(package, execution_confirmed=confirmed)


FAMILY = Family(
    name="model-package",
    detail_type="SageMaker Model Package State Change",
    arn_field="ModelPackageArn",
    status_field="ModelPackageStatus",
    statuses=("Completed",),
    describes=(DESCRIBE_MODEL_PACKAGE, EXECUTION_EXISTS),
    prepare=prepare_model_package,
)
