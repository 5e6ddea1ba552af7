"""Endpoints: the Endpoint context; per deployed endpoint config a ModelDeployment action AssociatedWith
it, with every variant's (production and shadow) model containers ContributedTo the deployment.

One deployment per (endpoint, endpoint config). The deployment of the endpoint's current config is live
(Completed); every other deployment of the endpoint is kept and marked superseded (Stopped, with the
property SupersededBy). A deleted endpoint keeps its context, marked DELETED: lineage is history.

Event: SageMaker Endpoint State Change, when IN_SERVICE (after every create and update) or DELETED.
Endpoint events carry no model names: endpoint -> DescribeEndpoint (its live config) ->
DescribeEndpointConfig -> DescribeModel. The event's own EndpointConfigName (when it has one) is the
config the event is about; the live config decides which deployment is current. A late event about an
older config still records that deployment, already marked superseded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import Field

from lineage_recorder.errors import UnconfirmedResourceError
from lineage_recorder.events.base import MODEL_NAME_PATTERN, RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import (
    DescribeCall,
    Describer,
    Family,
    confirmed_as,
    detail_with_arn,
    name_from_arn,
    validated,
)
from lineage_recorder.families.builder import (
    CONTRIBUTED_TO,
    DATASET,
    ENDPOINT,
    IMAGE,
    MODEL_DEPLOYMENT,
    PlanBuilder,
    event_revision,
    is_versioned_package,
    model_package_arn,
    package_approval,
    revision_of,
    unique_name,
)
from lineage_recorder.families.models import DESCRIBE_MODEL, Model, described_model
from lineage_recorder.families.reasons import CAPACITY, IDENTITY
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity, Supersession
from lineage_recorder.uris import sagemaker_arn_problem

_PENDING = "a deployment still in progress; the IN_SERVICE event that ends it records what it deployed"
_CONFIG_OUTPUTS = "the live config's, recorded from DescribeEndpointConfig for each deployment"
DESCRIBE_ENDPOINT = DescribeCall(
    "DescribeEndpoint",
    "endpoint",
    "EndpointName",
    not_lineage=(
        *(
            (f"PendingDeploymentSummary.{variants}[].DeployedImages[].{image}", _PENDING)
            for variants in ("ProductionVariants", "ShadowProductionVariants")
            for image in ("SpecifiedImage", "ResolvedImage")
        ),
        ("ProductionVariants[].CapacityReservationConfig.MlReservationArn", CAPACITY),
        ("ShadowProductionVariants[].CapacityReservationConfig.MlReservationArn", CAPACITY),
        ("DataCaptureConfig.DestinationS3Uri", _CONFIG_OUTPUTS),
        ("AsyncInferenceConfig.OutputConfig.S3OutputPath", _CONFIG_OUTPUTS),
        ("AsyncInferenceConfig.OutputConfig.S3FailurePath", _CONFIG_OUTPUTS),
        (
            "ExplainerConfig.ClarifyExplainerConfig.ShapConfig.ShapBaselineConfig.ShapBaselineUri",
            _CONFIG_OUTPUTS,
        ),
    ),
)
DESCRIBE_ENDPOINT_CONFIG = DescribeCall(
    "DescribeEndpointConfig",
    "endpoint-config",
    "EndpointConfigName",
    not_lineage=(
        ("ExecutionRoleArn", IDENTITY),
        ("ProductionVariants[].CapacityReservationConfig.MlReservationArn", CAPACITY),
        ("ShadowProductionVariants[].CapacityReservationConfig.MlReservationArn", CAPACITY),
        ("ProductionVariants[].CoreDumpConfig.DestinationS3Uri", "the container's crash dumps: diagnostics"),
        (
            "ShadowProductionVariants[].CoreDumpConfig.DestinationS3Uri",
            "the container's crash dumps: diagnostics",
        ),
    ),
)

ENDPOINT_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "endpoint/" + RESOURCE_NAME + "$"
RESOURCE_NAME_PATTERN = "^" + RESOURCE_NAME + "$"
DELETED = "DELETED"
ENDPOINT_STATUS = "EndpointStatus"
LIVE = "Completed"
SUPERSEDED = "Stopped"
SUPERSEDED_BY = "SupersededBy"


class DeployedImageSpec(Tolerant):
    """What an image tag resolved to when the variant was deployed (DescribeEndpoint)."""

    SpecifiedImage: str | None = None
    ResolvedImage: str | None = None
    ResolutionTime: Timestamp = None


class VariantStatusSpec(Tolerant):
    VariantName: str | None = None
    DeployedImages: list[DeployedImageSpec] | None = None


class Endpoint(Tolerant):
    """Endpoint events spell statuses in UPPER_SNAKE (IN_SERVICE, DELETED); DescribeEndpoint in PascalCase."""

    EndpointArn: str = Field(pattern=ENDPOINT_ARN_PATTERN)
    EndpointName: str | None = Field(default=None, pattern=RESOURCE_NAME_PATTERN)
    EndpointConfigName: str | None = Field(default=None, pattern=RESOURCE_NAME_PATTERN)
    EndpointStatus: str | None = None
    FailureReason: str | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None
    # DescribeEndpoint only: the live config's variants, with the image digests they run.
    ProductionVariants: list[VariantStatusSpec] | None = None
    ShadowProductionVariants: list[VariantStatusSpec] | None = None

    def deployed_images(self) -> list[tuple[str, DeployedImageSpec]]:
        """(variant field, deployed image) of every live variant, production and shadow."""
        return [
            (f"{kind}[{variant.VariantName or index}].DeployedImages[{position}]", image)
            for kind, variants in (
                ("ProductionVariants", self.ProductionVariants),
                ("ShadowProductionVariants", self.ShadowProductionVariants),
            )
            for index, variant in enumerate(variants or [])
            for position, image in enumerate(variant.DeployedImages or [])
        ]


class VariantSpec(Tolerant):
    VariantName: str | None = None
    ModelName: str | None = Field(default=None, pattern=MODEL_NAME_PATTERN)


class AsyncOutputSpec(Tolerant):
    S3OutputPath: str | None = None
    S3FailurePath: str | None = None


class AsyncInferenceConfigSpec(Tolerant):
    OutputConfig: AsyncOutputSpec | None = None


class DataCaptureConfigSpec(Tolerant):
    DestinationS3Uri: str | None = None


class ShapBaselineConfigSpec(Tolerant):
    ShapBaselineUri: str | None = None


class ShapConfigSpec(Tolerant):
    ShapBaselineConfig: ShapBaselineConfigSpec | None = None


class ClarifyExplainerConfigSpec(Tolerant):
    ShapConfig: ShapConfigSpec | None = None


class ExplainerConfigSpec(Tolerant):
    ClarifyExplainerConfig: ClarifyExplainerConfigSpec | None = None


class EndpointConfig(Tolerant):
    EndpointConfigName: str = Field(pattern=RESOURCE_NAME_PATTERN)
    EndpointConfigArn: str | None = None
    ProductionVariants: list[VariantSpec] | None = None
    ShadowProductionVariants: list[VariantSpec] | None = None
    AsyncInferenceConfig: AsyncInferenceConfigSpec | None = None
    DataCaptureConfig: DataCaptureConfigSpec | None = None
    ExplainerConfig: ExplainerConfigSpec | None = None

    def outputs(self) -> tuple[tuple[str, str], ...]:
        """(field, S3 URI) of where the deployment writes: asynchronous results and failures, captured
        requests and predictions."""
        async_output = self.AsyncInferenceConfig.OutputConfig if self.AsyncInferenceConfig else None
        found = [
            (
                "AsyncInferenceConfig.OutputConfig.S3OutputPath",
                async_output.S3OutputPath if async_output else None,
            ),
            (
                "AsyncInferenceConfig.OutputConfig.S3FailurePath",
                async_output.S3FailurePath if async_output else None,
            ),
            (
                "DataCaptureConfig.DestinationS3Uri",
                self.DataCaptureConfig.DestinationS3Uri if self.DataCaptureConfig else None,
            ),
        ]
        return tuple((field, uri) for field, uri in found if uri)

    def inputs(self) -> tuple[tuple[str, str], ...]:
        """(field, S3 URI) of data the deployment reads besides its models: the explainer's SHAP baseline."""
        clarify = self.ExplainerConfig.ClarifyExplainerConfig if self.ExplainerConfig else None
        shap = clarify.ShapConfig.ShapBaselineConfig if clarify and clarify.ShapConfig else None
        field = "ExplainerConfig.ClarifyExplainerConfig.ShapConfig.ShapBaselineConfig.ShapBaselineUri"
        return ((field, shap.ShapBaselineUri),) if shap and shap.ShapBaselineUri else ()


@dataclass(frozen=True)
class DeployedVariant:
    variant_name: str
    model_name: str
    model: Model | None  # None when the model could no longer be described
    shadow: bool = False


@dataclass(frozen=True)
class Deployment:
    config_name: str
    config_arn: str | None
    variants: tuple[DeployedVariant, ...]
    # (field, S3 URI) the deployment writes to, and reads besides its models.
    outputs: tuple[tuple[str, str], ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()


def deployment_uri(endpoint_arn: str, config_name: str) -> str:
    """The key of one deployment: the endpoint and the config it was given (a config may serve many)."""
    return f"{endpoint_arn}?endpoint-config={config_name}"


def _variants(deployment: Deployment, shadow: bool) -> str | None:
    listed = [f"{v.variant_name}={v.model_name}" for v in deployment.variants if v.shadow is shadow]
    return ",".join(listed) or None


def plan_endpoint(
    endpoint: Endpoint,
    *,
    status: str,
    revision: str | None,
    deployments: Sequence[Deployment] = (),
    current_config: str | None = None,
    unconfirmed_configs: Sequence[str] = (),
    deployed_images: Sequence[tuple[str, DeployedImageSpec]] = (),
) -> Plan:
    """`current_config` is the endpoint's live config as DescribeEndpoint says; None when unknown.
    `unconfirmed_configs`: configs the event named that SageMaker does not know (skipped, with why).
    `deployed_images`: the live variants' images as SageMaker resolved them (DescribeEndpoint), recorded
    on the live deployment: a tag names what was asked for, the digest what ran.
    A DELETED endpoint's context is only marked when it was recorded before; it is never created."""
    arn = endpoint.EndpointArn
    name = endpoint.EndpointName or name_from_arn(arn)
    plan = PlanBuilder(arn)
    context = plan.add(
        PlannedEntity(
            key=EntityKey(EntityKind.CONTEXT, arn),
            entity_type=ENDPOINT,
            name=entity_name(name, "endpoint"),
            properties=bounded_properties(
                [("EndpointName", name), ("EndpointStatus", status), ("EndpointConfigName", current_config)]
            ),
            reconcile=True,
            revision=revision,
            existing_only=status == DELETED,
        )
    )
    for config_name in unconfirmed_configs:
        plan.skip(
            "EndpointConfigName",
            config_name,
            "SageMaker has no such endpoint config: its deployment is not recorded",
        )
    for deployment in deployments:
        key = EntityKey(EntityKind.ACTION, deployment_uri(arn, deployment.config_name))
        live = current_config is None or deployment.config_name == current_config
        plan.add(
            PlannedEntity(
                key=key,
                entity_type=MODEL_DEPLOYMENT,
                name=unique_name(f"{name}-{deployment.config_name}", key.source_uri),
                status=LIVE if live else SUPERSEDED,
                properties=bounded_properties(
                    [
                        ("EndpointName", name),
                        ("EndpointConfigName", deployment.config_name),
                        ("EndpointConfigArn", deployment.config_arn),
                        ("ProductionVariants", _variants(deployment, shadow=False)),
                        ("ShadowProductionVariants", _variants(deployment, shadow=True)),
                        (SUPERSEDED_BY, None if live else current_config),
                    ]
                ),
                # A config deployed again after another one was live is live again.
                reconcile=current_config is not None,
                removed_properties=(SUPERSEDED_BY, ENDPOINT_STATUS)
                if live and current_config is not None
                else (),
            )
        )
        plan.edge(key, context, AssociationType.ASSOCIATED_WITH)
        for variant in deployment.variants:
            if variant.model is not None:
                kind = "ShadowProductionVariants" if variant.shadow else "ProductionVariants"
                plan.model_containers(variant.model, f"{kind}[{variant.variant_name}].Model", key)
                _approvals_of_packages(plan, variant.model, key)
        for field, uri in deployment.outputs:
            plan.edge(key, plan.s3_artifact(field, uri, DATASET), AssociationType.PRODUCED)
        for field, uri in deployment.inputs:
            plan.edge(plan.s3_artifact(field, uri, DATASET), key, CONTRIBUTED_TO)

    if current_config is not None and any(d.config_name == current_config for d in deployments):
        _deployed_digests(
            plan, deployed_images, EntityKey(EntityKind.ACTION, deployment_uri(arn, current_config))
        )
    if status == DELETED:
        # Every deployment of a deleted endpoint says so, the live one included.
        plan.supersede(
            Supersession(
                anchor=context,
                current=None,
                source_type=MODEL_DEPLOYMENT,
                status=SUPERSEDED,
                properties=((ENDPOINT_STATUS, DELETED),),
            )
        )
    elif current_config is not None:
        plan.supersede(
            Supersession(
                anchor=context,
                current=EntityKey(EntityKind.ACTION, deployment_uri(arn, current_config)),
                source_type=MODEL_DEPLOYMENT,
                status=SUPERSEDED,
                properties=((SUPERSEDED_BY, current_config),),
            )
        )
    return plan.build()


def _deployed_digests(
    plan: PlanBuilder, deployed_images: Sequence[tuple[str, DeployedImageSpec]], deployment: EntityKey
) -> None:
    """Each image digest the live deployment runs is an Image artifact (keyed by the resolved
    registry/repository@sha256:... URI) that ContributedTo it; the tag it was resolved from is
    AssociatedWith the digest. A tag is weak evidence of what ran (it can be moved); the digest is not."""
    for field, image in deployed_images:
        digest = plan.image_artifact(f"{field}.ResolvedImage", image.ResolvedImage)
        if digest is None:
            continue
        plan.add(
            PlannedEntity(
                key=digest,
                entity_type=IMAGE,
                properties=bounded_properties(
                    [
                        ("SpecifiedImage", image.SpecifiedImage),
                        ("ResolutionTime", revision_of(image.ResolutionTime)),
                    ]
                ),
            ),
            replace=True,
        )
        plan.edge(digest, deployment, CONTRIBUTED_TO)
        if image.SpecifiedImage != image.ResolvedImage:
            tag = plan.image_artifact(f"{field}.SpecifiedImage", image.SpecifiedImage)
            plan.edge(tag, digest, AssociationType.ASSOCIATED_WITH)


def _approvals_of_packages(plan: PlanBuilder, model: Model, deployment: EntityKey) -> None:
    """A model built from a versioned model package deploys what its Approval approved: the approval is
    AssociatedWith the deployment, as in SageMaker's own graph ("an approval workflow is associated with
    a model deployment", AddAssociation), so the SDK's ModelPackageApprovalAction.endpoints() reaches
    the endpoint. The approval is the model-package family's; here it is a reference. A package
    registered in another account is approved there: its approval is that account's, reached through
    the package's SameAs link, never invented here."""
    for container in model.containers():
        package_arn = model_package_arn(container.ModelPackageName or "", like=model.ModelArn)
        if (
            container.ModelPackageName
            and package_arn
            and model.ModelArn
            and sagemaker_arn_problem(package_arn) is None
            and is_versioned_package(package_arn)
            and package_arn.split(":")[3:5] == model.ModelArn.split(":")[3:5]
        ):
            approval = plan.add(package_approval(package_arn, reference=True))
            plan.edge(approval, deployment, AssociationType.ASSOCIATED_WITH)


def _deployment(describer: Describer, config_name: str) -> Deployment | None:
    """The deployment of a config as DescribeEndpointConfig shows it; None when SageMaker does not know it."""
    described = describer.describe(DESCRIBE_ENDPOINT_CONFIG, config_name)
    if described is None:
        return None
    config = validated(EndpointConfig, described, "the describe_endpoint_config response")
    variants = [
        DeployedVariant(
            variant_name=spec.VariantName or f"variant-{index}",
            model_name=spec.ModelName,
            model=described_model(describer, spec.ModelName),
            shadow=shadow,
        )
        for shadow, specs in ((False, config.ProductionVariants), (True, config.ShadowProductionVariants))
        for index, spec in enumerate(specs or [])
        if spec.ModelName
    ]
    return Deployment(
        config_name,
        config.EndpointConfigArn,
        tuple(variants),
        outputs=config.outputs(),
        inputs=config.inputs(),
    )


def prepare_endpoint(event: SageMakerEvent, describer: Describer) -> Plan:
    """IN_SERVICE: the endpoint as DescribeEndpoint shows it now (its live config, its last change); one
    SageMaker does not know is not recorded (UnconfirmedResourceError). DELETED: recorded only when
    SageMaker confirms the endpoint is gone, and then only as a mark on the context already recorded."""
    endpoint = validated(Endpoint, detail_with_arn(event, "EndpointArn"), "the event detail")
    status = str(event.detail.get("EndpointStatus"))
    name = endpoint.EndpointName or name_from_arn(endpoint.EndpointArn)
    if status == DELETED:
        if not describer.absent(DESCRIBE_ENDPOINT, name):
            raise UnconfirmedResourceError(
                "SageMaker still has this endpoint: the DELETED event is not its current state (an endpoint "
                "of the same name was created again, or the event is not SageMaker's)"
            )
        return plan_endpoint(endpoint, status=status, revision=event_revision(event.time))

    live = confirmed_as(
        Endpoint,
        describer,
        DESCRIBE_ENDPOINT,
        name,
        arn_field="EndpointArn",
        claimed_arn=endpoint.EndpointArn,
    )
    current_config = live.EndpointConfigName
    deployments: list[Deployment] = []
    unconfirmed: list[str] = []
    for config_name in dict.fromkeys(c for c in (endpoint.EndpointConfigName, current_config) if c):
        deployment = _deployment(describer, config_name)
        if deployment is not None:
            deployments.append(deployment)
        elif config_name == current_config:
            # SageMaker says the endpoint runs it: a real deployment, recorded without its models.
            deployments.append(Deployment(config_name=config_name, config_arn=None, variants=()))
        else:
            unconfirmed.append(config_name)
    return plan_endpoint(
        endpoint,
        status=status,
        revision=revision_of(live.LastModifiedTime or live.CreationTime) or event_revision(event.time),
        deployments=deployments,
        current_config=current_config,
        unconfirmed_configs=unconfirmed,
        deployed_images=live.deployed_images(),
    )


FAMILY = Family(
    name="endpoint",
    detail_type="SageMaker Endpoint State Change",
    arn_field="EndpointArn",
    status_field="EndpointStatus",
    statuses=("IN_SERVICE", "DELETED"),
    describes=(DESCRIBE_ENDPOINT, DESCRIBE_ENDPOINT_CONFIG, DESCRIBE_MODEL),
    prepare=prepare_endpoint,
)
