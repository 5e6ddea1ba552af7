"""Inference components: the models an inference-component endpoint hosts.

An endpoint whose variants name no model hosts inference components, each with its own model (or
container) and number of copies, created, updated and deleted on their own: no endpoint event follows.
SageMaker publishes no state-change event for components either, so the recorder acts on CloudTrail's
record of the API calls, which EventBridge delivers as "AWS API Call via CloudTrail" (the account needs a
trail logging management events). The call only says which component changed: DescribeInferenceComponent
(and DescribeModel) say what it is now.

The graph, per component:
- an ``InferenceComponent`` context (keyed by the component's ARN) AssociatedWith the endpoint's context;
- one ``ModelDeployment`` action per specification it was given (its model, or its container image and
  artifact), AssociatedWith the component; the current one live (Completed), earlier ones Stopped with
  SupersededBy, as endpoint updates keep history;
- the model's containers (Image, model data, package), or the container's image, its digest and its
  artifact, ContributedTo that deployment; an adapter's base component too.
A deleted component's context and deployments are marked, never removed.

Events: AWS API Call via CloudTrail, eventSource sagemaker.amazonaws.com, eventName Create-, Update-,
UpdateInferenceComponentRuntimeConfig or DeleteInferenceComponent. Describe: DescribeInferenceComponent,
DescribeModel.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import Field

from lineage_recorder.errors import InvalidEventError, UnconfirmedResourceError
from lineage_recorder.events.base import RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import DescribeCall, Describer, Family, confirmed_as
from lineage_recorder.families.builder import (
    CONTRIBUTED_TO,
    ENDPOINT,
    MODEL,
    MODEL_DEPLOYMENT,
    PlanBuilder,
    revision_of,
    sibling_arn,
    unique_name,
)
from lineage_recorder.families.endpoint import DeployedImageSpec
from lineage_recorder.families.models import DESCRIBE_MODEL, Model, described_model
from lineage_recorder.families.reasons import METRICS_PATH
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity, Supersession

CLOUDTRAIL_DETAIL_TYPE = "AWS API Call via CloudTrail"
CREATE, UPDATE, UPDATE_RUNTIME, DELETE = (
    "CreateInferenceComponent",
    "UpdateInferenceComponent",
    "UpdateInferenceComponentRuntimeConfig",
    "DeleteInferenceComponent",
)
DESCRIBE_INFERENCE_COMPONENT = DescribeCall(
    "DescribeInferenceComponent",
    "inference-component",
    "InferenceComponentName",
    not_lineage=(
        (
            "Specification.Container.ContainerMetricsConfig.MetricsEndpoints[].MetricsEndpointPath",
            METRICS_PATH,
        ),
        (
            "Specifications[].Container.ContainerMetricsConfig.MetricsEndpoints[].MetricsEndpointPath",
            METRICS_PATH,
        ),
    ),
)
INFERENCE_COMPONENT = "InferenceComponent"
INFERENCE_COMPONENT_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "inference-component/" + RESOURCE_NAME + "$"
DELETED = "Deleted"
LIVE, SUPERSEDED, SUPERSEDED_BY = "Completed", "Stopped", "SupersededBy"
STATUS = "InferenceComponentStatus"


class ContainerSummarySpec(Tolerant):
    DeployedImage: DeployedImageSpec | None = None
    ArtifactUrl: str | None = None


class SpecificationSummarySpec(Tolerant):
    ModelName: str | None = None
    Container: ContainerSummarySpec | None = None
    BaseInferenceComponentName: str | None = None


class RuntimeConfigSummarySpec(Tolerant):
    DesiredCopyCount: int | None = None
    CurrentCopyCount: int | None = None


class InferenceComponent(Tolerant):
    """DescribeInferenceComponent, as far as lineage needs it."""

    InferenceComponentName: str = Field(pattern="^" + RESOURCE_NAME + "$")
    InferenceComponentArn: str = Field(pattern=INFERENCE_COMPONENT_ARN_PATTERN)
    EndpointName: str | None = None
    EndpointArn: str | None = None
    VariantName: str | None = None
    InferenceComponentStatus: str | None = None
    Specification: SpecificationSummarySpec | None = None
    # A component may instead hold several specifications (one deployment runs them all).
    Specifications: list[SpecificationSummarySpec] | None = None
    RuntimeConfig: RuntimeConfigSummarySpec | None = None

    def specifications(self) -> list[tuple[str, SpecificationSummarySpec]]:
        """(field, specification) of each specification the component holds."""
        found = [("Specification", self.Specification)] if self.Specification else []
        found += [(f"Specifications[{index}]", spec) for index, spec in enumerate(self.Specifications or [])]
        return found

    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None


def component_name(event: SageMakerEvent) -> str | None:
    parameters = event.detail.get("requestParameters")
    name = parameters.get("inferenceComponentName") if isinstance(parameters, dict) else None
    return name if isinstance(name, str) else None


def component_arn(event: SageMakerEvent) -> str | None:
    """The component's ARN as the API call's response gives it, else built from its name (SageMaker
    lowercases the name in the ARN) in the event's account and Region."""
    response = event.detail.get("responseElements")
    arn = response.get("inferenceComponentArn") if isinstance(response, dict) else None
    if isinstance(arn, str):
        return arn
    name = component_name(event)
    if name is None:
        return None
    partition = (
        "aws-cn"
        if event.region.startswith("cn-")
        else "aws-us-gov"
        if event.region.startswith("us-gov-")
        else "aws"
    )
    return f"arn:{partition}:sagemaker:{event.region}:{event.account}:inference-component/{name.lower()}"


def deployment_uri(component_arn: str, specifications: list[SpecificationSummarySpec]) -> str:
    """One deployment per set of specifications a component was given: what it hosts, not how many copies."""
    what = []
    for spec in specifications:
        container = spec.Container or ContainerSummarySpec()
        image = container.DeployedImage.SpecifiedImage if container.DeployedImage else None
        what.append([spec.ModelName, image, container.ArtifactUrl, spec.BaseInferenceComponentName])
    digest = hashlib.sha256(json.dumps(what, separators=(",", ":")).encode()).hexdigest()[:16]
    return f"{component_arn}?specification={digest}"


def component_context(
    arn: str, name: str, properties: tuple[tuple[str, str], ...] = (), **fields: Any
) -> PlannedEntity:
    return PlannedEntity(
        key=EntityKey(EntityKind.CONTEXT, arn),
        entity_type=INFERENCE_COMPONENT,
        name=entity_name(name, "inference-component"),
        properties=properties,
        **fields,
    )


def plan_inference_component(component: InferenceComponent, models: dict[str, Model]) -> Plan:
    """`models`: DescribeModel of each model the component's specifications name, when it could be
    described."""
    arn = component.InferenceComponentArn
    plan = PlanBuilder(arn)
    copies = component.RuntimeConfig.DesiredCopyCount if component.RuntimeConfig else None
    specifications = component.specifications()
    model_names = ",".join(spec.ModelName for _, spec in specifications if spec.ModelName) or None
    context = plan.add(
        component_context(
            arn,
            component.InferenceComponentName,
            bounded_properties(
                [
                    ("EndpointName", component.EndpointName),
                    ("VariantName", component.VariantName),
                    (STATUS, component.InferenceComponentStatus),
                    ("CopyCount", None if copies is None else str(copies)),
                    ("ModelName", model_names),
                ]
            ),
            reconcile=True,
            revision=revision_of(component.LastModifiedTime or component.CreationTime),
        )
    )
    if component.EndpointArn:
        endpoint_name = component.EndpointName or component.EndpointArn.rsplit("/", 1)[-1]
        endpoint = plan.add(
            PlannedEntity(
                key=EntityKey(EntityKind.CONTEXT, component.EndpointArn),
                entity_type=ENDPOINT,
                name=entity_name(endpoint_name, "endpoint"),
                reference=True,
            )
        )
        plan.edge(context, endpoint, AssociationType.ASSOCIATED_WITH)

    key = EntityKey(EntityKind.ACTION, deployment_uri(arn, [spec for _, spec in specifications]))
    plan.add(
        PlannedEntity(
            key=key,
            entity_type=MODEL_DEPLOYMENT,
            name=unique_name(f"{component.InferenceComponentName}-deployment", key.source_uri),
            status=LIVE,
            properties=bounded_properties(
                [("InferenceComponentName", component.InferenceComponentName), ("ModelName", model_names)]
            ),
            reconcile=True,
            removed_properties=(SUPERSEDED_BY, STATUS),
        )
    )
    plan.edge(key, context, AssociationType.ASSOCIATED_WITH)
    labels: list[str] = []
    for field, spec in specifications:
        labels.append(_specification(plan, field, spec, models, key, like=arn))
    plan.supersede(
        Supersession(
            anchor=context,
            current=key,
            source_type=MODEL_DEPLOYMENT,
            status=SUPERSEDED,
            properties=((SUPERSEDED_BY, (",".join(labels) or key.source_uri.rsplit("=", 1)[-1])[:256]),),
        )
    )
    return plan.build()


def _specification(
    plan: PlanBuilder,
    field: str,
    spec: SpecificationSummarySpec,
    models: dict[str, Model],
    deployment: EntityKey,
    *,
    like: str,
) -> str:
    """What one specification hosts ContributedTo the deployment: its model's containers, or its
    container's image (and digest) and artifact, and an adapter's base component. Returns its label."""
    model = models.get(spec.ModelName) if spec.ModelName else None
    if model is not None:
        plan.model_containers(model, f"{field}.Model", deployment)
    container = spec.Container
    specified = None
    if container is not None:
        deployed = container.DeployedImage
        specified = deployed.SpecifiedImage if deployed else None
        image = plan.image_artifact(f"{field}.Container.DeployedImage.SpecifiedImage", specified)
        plan.edge(image, deployment, CONTRIBUTED_TO)
        if deployed and deployed.ResolvedImage and deployed.ResolvedImage != deployed.SpecifiedImage:
            digest = plan.image_artifact(
                f"{field}.Container.DeployedImage.ResolvedImage", deployed.ResolvedImage
            )
            plan.edge(digest, deployment, CONTRIBUTED_TO)
            plan.edge(image, digest, AssociationType.ASSOCIATED_WITH)
        artifact = plan.s3_artifact(f"{field}.Container.ArtifactUrl", container.ArtifactUrl, MODEL)
        plan.edge(artifact, deployment, CONTRIBUTED_TO)
    if spec.BaseInferenceComponentName:
        base_arn = sibling_arn(like, "inference-component", spec.BaseInferenceComponentName.lower())
        base = plan.add(component_context(base_arn, spec.BaseInferenceComponentName, reference=True))
        plan.edge(base, deployment, CONTRIBUTED_TO)
    return spec.ModelName or specified or ""


def plan_deleted_component(arn: str, name: str, revision: str | None) -> Plan:
    """A deletion SageMaker confirms: the component's recorded context and every deployment of it are
    marked; nothing is created."""
    plan = PlanBuilder(arn)
    context = plan.add(
        component_context(
            arn, name, ((STATUS, DELETED),), reconcile=True, revision=revision, existing_only=True
        )
    )
    plan.supersede(
        Supersession(
            anchor=context,
            current=None,
            source_type=MODEL_DEPLOYMENT,
            status=SUPERSEDED,
            properties=((STATUS, DELETED),),
        )
    )
    return plan.build()


def prepare_inference_component(event: SageMakerEvent, describer: Describer) -> Plan:
    """The component as DescribeInferenceComponent shows it now, whichever call the event records; a
    deletion only when SageMaker confirms the component is gone."""
    name, arn = component_name(event), component_arn(event)
    if name is None or arn is None:
        raise InvalidEventError(
            "the API call names no inference component (requestParameters.inferenceComponentName)"
        )
    if event.detail.get("eventName") == DELETE:
        if not describer.absent(DESCRIBE_INFERENCE_COMPONENT, name):
            raise UnconfirmedResourceError(
                "SageMaker still has this inference component: the deletion is not its current state"
            )
        # Confirmed gone now: the mark needs no revision (a late deletion event about a component created
        # again is not confirmed, above, so it cannot mark the new one).
        return plan_deleted_component(arn, name, None)
    component = confirmed_as(
        InferenceComponent,
        describer,
        DESCRIBE_INFERENCE_COMPONENT,
        name,
        arn_field="InferenceComponentArn",
        claimed_arn=arn,
    )
    models: dict[str, Model] = {}
    for _, spec in component.specifications():
        model = described_model(describer, spec.ModelName) if spec.ModelName else None
        if model is not None and spec.ModelName:
            models[spec.ModelName] = model
    return plan_inference_component(component, models)


FAMILY = Family(
    name="inference-component",
    detail_type=CLOUDTRAIL_DETAIL_TYPE,
    arn_field="inferenceComponentArn",
    status_field="eventName",
    statuses=(CREATE, UPDATE, UPDATE_RUNTIME, DELETE),
    describes=(DESCRIBE_INFERENCE_COMPONENT, DESCRIBE_MODEL),
    prepare=prepare_inference_component,
    detail_filter={"eventSource": ("sagemaker.amazonaws.com",)},
    arn_of=component_arn,
)
