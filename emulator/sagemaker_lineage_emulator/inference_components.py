"""SageMaker inference components, which moto does not have.

An inference component deploys one model (a SageMaker model, or a container image with artifacts) onto
a production variant of an existing endpoint, with its own compute requirements and number of copies
(API reference, CreateInferenceComponent). The emulator keeps them per account and Region on moto's
SageMaker backend, like the lineage store, so moto's reset clears them together with the endpoints and
models they refer to. Like moto's endpoints, a component is ``InService`` as soon as it is created.

The rules, and where they come from:

- CreateInferenceComponent: EndpointName is "an existing endpoint", VariantName "an existing production
  variant", Specification.ModelName "an existing SageMaker AI model object in your account". A missing
  one is a ValidationException "Could not find ...", as SageMaker answers for missing endpoints and
  models. The variant must be able to host components: one that names a model is refused with SageMaker's
  "Inference Components are not supported in this Endpoint" (pulumi/pulumi-aws#4940).
- Specification or Specifications: "You can use either this parameter or the singular Specification
  parameter, but not both."
- BaseInferenceComponentName names "an existing inference component that is to contain" an adapter
  component, which "uses the compute resources that you assigned to the base inference component". An
  adapter takes its base's variant (CreateInferenceComponent rejects a VariantName for it and requires one
  otherwise; hashicorp/terraform-provider-aws#48894, run against SageMaker) and describes its base's
  compute requirements; a base cannot be deleted while an adapter refers to it ("is a base inference
  component", same source).
- InferenceComponentName is "a unique name"; the ARN names it in lower case, as SageMaker does
  (prometheus-community/yet-another-cloudwatch-exporter#1793 matches ``InferenceComponentName`` metric
  dimensions to ``inference-component/`` ARNs lower-cased), so names that differ only in case collide.
- DescribeInferenceComponent: Specification is an InferenceComponentSpecificationSummary whose Container
  has a DeployedImage (SpecifiedImage, ResolvedImage, ResolutionTime) in place of the Image, resolved as
  DescribeEndpoint resolves a variant's images (``endpoints.resolved_image``); RuntimeConfig has
  DesiredCopyCount and CurrentCopyCount. A model-based component describes no Container: its image is the
  model's (DescribeModel). A component that does not exist is a ValidationException
  "Could not find inference component" (what the SageMaker Python SDK's ModelBuilder._does_ic_exist and
  the Terraform provider test for).
- UpdateInferenceComponent replaces the Specification(s) and/or the RuntimeConfig and keeps the
  DeploymentConfig as LastDeploymentConfig; a request with neither a specification nor a runtime config
  is refused (terraform-provider-aws#48894). UpdateInferenceComponentRuntimeConfig sets the copy count.
  Both move LastModifiedTime on.
- ListInferenceComponents: filters NameContains, CreationTime/LastModifiedTime Before/After ("created
  after", "before": strict), StatusEquals, EndpointNameEquals, VariantNameEquals; SortBy CreationTime
  (default) | Name | Status; SortOrder Descending by default; MaxResults "defaults to 10".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.sagemaker.models import FakeEndpoint
from moto.sagemaker.utils import arn_formatter

from sagemaker_lineage_emulator.endpoints import resolved_image
from sagemaker_lineage_emulator.errors import ValidationError
from sagemaker_lineage_emulator.responses import (
    _params,
    _sorted,
    listed,
    time_window,
)
from sagemaker_lineage_emulator.store import backend_state, next_sequence, now, parse_arn
from sagemaker_lineage_emulator.validation import validate_request

RESOURCE_TYPE = "inference-component"
IN_SERVICE = "InService"
NOT_SUPPORTED = (
    "Inference Components are not supported in this Endpoint. "
    "Please make sure this endpoint can deploy inference components."
)


@dataclass
class InferenceComponent:
    name: str
    arn: str
    endpoint_name: str
    endpoint_arn: str
    variant_name: str
    specification: dict[str, Any] | None
    specifications: list[dict[str, Any]] | None
    copy_count: int | None
    tags: list[dict[str, str]] = field(default_factory=list)
    status: str = IN_SERVICE
    failure_reason: str | None = None
    last_deployment_config: dict[str, Any] | None = None
    creation_time: datetime = field(default_factory=now)
    last_modified_time: datetime = field(default_factory=now)
    # When the images of the specification were last resolved to digests (DeployedImage.ResolutionTime).
    resolution_time: datetime = field(default_factory=now)
    sequence: int = field(default_factory=next_sequence)

    def __post_init__(self) -> None:
        # A new component was last modified, and its images resolved, when it was created: one moment.
        self.last_modified_time = self.creation_time
        self.resolution_time = self.creation_time

    @property
    def base_name(self) -> str | None:
        specs = [self.specification] if self.specification else list(self.specifications or [])
        return next(
            (s["BaseInferenceComponentName"] for s in specs if s.get("BaseInferenceComponentName")), None
        )

    def summary(self) -> dict[str, Any]:
        """An InferenceComponentSummary (ListInferenceComponents)."""
        return {
            "CreationTime": self.creation_time,
            "InferenceComponentArn": self.arn,
            "InferenceComponentName": self.name,
            "EndpointArn": self.endpoint_arn,
            "EndpointName": self.endpoint_name,
            "VariantName": self.variant_name,
            "InferenceComponentStatus": self.status,
            "LastModifiedTime": self.last_modified_time,
        }


class InferenceComponents:
    """The inference components of one account and Region."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.by_name: dict[str, InferenceComponent] = {}

    def by_arn(self, arn: str) -> InferenceComponent | None:
        with self.lock:
            return next((c for c in self.by_name.values() if c.arn == arn), None)


def components_for(account_id: str, region_name: str) -> InferenceComponents:
    """The components of an account and Region; they live on moto's backend, so moto's reset drops them."""
    return backend_state(account_id, region_name, "_inference_components", InferenceComponents)


def _components(response: BaseResponse) -> InferenceComponents:
    return components_for(response.current_account, response.region)


def component_arn(response: BaseResponse, name: str) -> str:
    return arn_formatter(RESOURCE_TYPE, name.lower(), response.current_account, response.region)


def _missing(response: BaseResponse, name: str) -> ValidationError:
    return ValidationError(f'Could not find inference component "{component_arn(response, name)}".')


def _get(response: BaseResponse, components: InferenceComponents, name: str) -> InferenceComponent:
    component = components.by_name.get(name)
    if component is None:
        raise _missing(response, name)
    return component


# ------------------------------------------------------------------------------ checks
def _check_one_specification(params: dict[str, Any]) -> None:
    if params.get("Specification") is not None and params.get("Specifications") is not None:
        raise ValidationError(
            "Specify either Specification or Specifications for the inference component, not both."
        )


def _specifications(params: dict[str, Any]) -> list[dict[str, Any]]:
    if params.get("Specification") is not None:
        return [params["Specification"]]
    return list(params.get("Specifications") or [])


def _check_models(response: BaseResponse, specifications: list[dict[str, Any]]) -> None:
    backend = response.sagemaker_backend  # type: ignore[attr-defined]
    for specification in specifications:
        model = specification.get("ModelName")
        if model and model not in backend._models:
            arn = arn_formatter("model", model, response.current_account, response.region)
            raise ValidationError(f'Could not find model "{arn}".')


def _hosting_variant(response: BaseResponse, endpoint_name: str, variant_name: str) -> Any:
    """The endpoint, once its variant ``variant_name`` is known to exist and to host components."""
    backend = response.sagemaker_backend  # type: ignore[attr-defined]
    endpoint = backend.endpoints.get(endpoint_name)
    if endpoint is None:
        arn = FakeEndpoint.arn_formatter(endpoint_name, response.current_account, response.region)
        raise ValidationError(f'Could not find endpoint "{arn}".')
    # The endpoint's variants follow its current config (CreateEndpoint, UpdateEndpoint).
    if variant_name not in {v["VariantName"] for v in endpoint.production_variants}:
        raise ValidationError(
            f'Could not find production variant "{variant_name}" on endpoint "{endpoint.arn}".'
        )
    config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
    declared: dict[str, Any] = next(
        (v for v in (config.production_variants if config else []) if v["VariantName"] == variant_name), {}
    )
    if declared.get("ModelName"):
        raise ValidationError(NOT_SUPPORTED)
    return endpoint


# --------------------------------------------------------------------------- operations
def create_inference_component(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("CreateInferenceComponent", params)
    _check_one_specification(params)
    name = str(params["InferenceComponentName"])
    endpoint_name = str(params["EndpointName"])
    specifications = _specifications(params)
    components = _components(self)
    with components.lock:
        base_name = next(
            (s["BaseInferenceComponentName"] for s in specifications if s.get("BaseInferenceComponentName")),
            None,
        )
        if base_name is not None:
            # An adapter is loaded by its base component: same endpoint, the base's variant.
            base = _get(self, components, base_name)
            if params.get("VariantName"):
                raise ValidationError(
                    "VariantName cannot be specified for an adapter inference component; it uses the "
                    f'variant of its base inference component "{base.arn}".'
                )
            if base.endpoint_name != endpoint_name:
                raise ValidationError(
                    f'The base inference component "{base.arn}" is not hosted on endpoint "{endpoint_name}".'
                )
            variant_name = base.variant_name
        elif not params.get("VariantName"):
            raise ValidationError(
                "1 validation error detected: Value null at 'variantName' failed to satisfy constraint: "
                "Member must not be null"
            )
        else:
            variant_name = str(params["VariantName"])
        endpoint = _hosting_variant(self, endpoint_name, variant_name)
        _check_models(self, specifications)
        arn = component_arn(self, name)
        if components.by_arn(arn) is not None:
            raise ValidationError(f'Cannot create already existing inference component "{arn}".')
        runtime = params.get("RuntimeConfig") or {}
        component = InferenceComponent(
            name=name,
            arn=arn,
            endpoint_name=endpoint.endpoint_name,
            endpoint_arn=endpoint.arn,
            variant_name=variant_name,
            specification=params.get("Specification"),
            specifications=params.get("Specifications"),
            copy_count=runtime.get("CopyCount"),
            tags=list(params.get("Tags") or []),
        )
        components.by_name[name] = component
    return ActionResult({"InferenceComponentArn": component.arn})


def _container_summary(container: dict[str, Any], resolution_time: datetime) -> dict[str, Any]:
    """InferenceComponentContainerSpecificationSummary: the Image becomes a resolved DeployedImage."""
    summary = {key: value for key, value in container.items() if key != "Image"}
    image = container.get("Image")
    if image:
        summary["DeployedImage"] = {
            "SpecifiedImage": image,
            "ResolvedImage": resolved_image(image),
            "ResolutionTime": resolution_time,
        }
    return summary


def _specification_summary(
    specification: dict[str, Any], component: InferenceComponent, base: InferenceComponent | None
) -> dict[str, Any]:
    summary = {key: value for key, value in specification.items() if key != "Container"}
    if specification.get("Container") is not None:
        summary["Container"] = _container_summary(specification["Container"], component.resolution_time)
    if base is not None and "ComputeResourceRequirements" not in summary:
        # An adapter "uses the compute resources that you assigned to the base inference component".
        inherited = (base.specification or {}).get("ComputeResourceRequirements")
        if inherited is not None:
            summary["ComputeResourceRequirements"] = inherited
    return summary


def describe_inference_component(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeInferenceComponent", params)
    components = _components(self)
    with components.lock:
        component = _get(self, components, str(params["InferenceComponentName"]))
        base = components.by_name.get(component.base_name) if component.base_name else None
        body: dict[str, Any] = {
            "InferenceComponentName": component.name,
            "InferenceComponentArn": component.arn,
            "EndpointName": component.endpoint_name,
            "EndpointArn": component.endpoint_arn,
            "VariantName": component.variant_name,
            "CreationTime": component.creation_time,
            "LastModifiedTime": component.last_modified_time,
            "InferenceComponentStatus": component.status,
        }
        if component.specification is not None:
            body["Specification"] = _specification_summary(component.specification, component, base)
        if component.specifications is not None:
            body["Specifications"] = [
                _specification_summary(specification, component, base)
                for specification in component.specifications
            ]
        if component.copy_count is not None:
            body["RuntimeConfig"] = {
                "DesiredCopyCount": component.copy_count,
                "CurrentCopyCount": component.copy_count,
            }
        if component.failure_reason is not None:
            body["FailureReason"] = component.failure_reason
        if component.last_deployment_config is not None:
            body["LastDeploymentConfig"] = component.last_deployment_config
    return ActionResult(body)


def update_inference_component(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("UpdateInferenceComponent", params)
    _check_one_specification(params)
    specifications = _specifications(params)
    runtime = params.get("RuntimeConfig")
    components = _components(self)
    with components.lock:
        component = _get(self, components, str(params["InferenceComponentName"]))
        if not specifications and runtime is None:
            raise ValidationError(
                "UpdateInferenceComponent needs a Specification, Specifications or RuntimeConfig to update."
            )
        _check_models(self, specifications)
        moment = now()
        if specifications:
            component.specification = params.get("Specification")
            component.specifications = params.get("Specifications")
            component.resolution_time = moment
        if runtime is not None:
            component.copy_count = runtime["CopyCount"]
        if params.get("DeploymentConfig") is not None:
            component.last_deployment_config = params["DeploymentConfig"]
        component.last_modified_time = moment
    return ActionResult({"InferenceComponentArn": component.arn})


def update_inference_component_runtime_config(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("UpdateInferenceComponentRuntimeConfig", params)
    components = _components(self)
    with components.lock:
        component = _get(self, components, str(params["InferenceComponentName"]))
        component.copy_count = params["DesiredRuntimeConfig"]["CopyCount"]
        component.last_modified_time = now()
    return ActionResult({"InferenceComponentArn": component.arn})


def delete_inference_component(self: BaseResponse) -> EmptyResult:
    params = _params(self)
    validate_request("DeleteInferenceComponent", params)
    components = _components(self)
    with components.lock:
        component = _get(self, components, str(params["InferenceComponentName"]))
        adapters = sorted(c.name for c in components.by_name.values() if c.base_name == component.name)
        if adapters:
            raise ValidationError(
                f'Inference component "{component.arn}" is a base inference component for one or more '
                f"associated adapter inference components ({', '.join(adapters)}); delete them first."
            )
        del components.by_name[component.name]
    return EmptyResult()


_SORT_KEYS: dict[str, Callable[[InferenceComponent], Any]] = {
    "CreationTime": lambda c: (c.creation_time, c.sequence),
    "Name": lambda c: (c.name, c.sequence),
    "Status": lambda c: (c.status, c.creation_time, c.sequence),
}


def list_inference_components(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListInferenceComponents", params)
    within = time_window(params)
    components = _components(self)
    with components.lock:
        candidates = list(components.by_name.values())
    matching = [
        c
        for c in candidates
        if (not params.get("NameContains") or params["NameContains"] in c.name)
        and (not params.get("StatusEquals") or c.status == params["StatusEquals"])
        and (not params.get("EndpointNameEquals") or c.endpoint_name == params["EndpointNameEquals"])
        and (not params.get("VariantNameEquals") or c.variant_name == params["VariantNameEquals"])
        and within(c.creation_time, c.last_modified_time)
    ]
    ordered = _sorted(matching, _SORT_KEYS[params.get("SortBy") or "CreationTime"], params.get("SortOrder"))
    return listed(params, ordered, "InferenceComponents", lambda item: item.summary())


# ------------------------------------------------------------------------------- tags
def component_for_tags(resource_arn: str) -> InferenceComponent | None:
    """The component an ``inference-component/`` ARN names, for AddTags / ListTags / DeleteTags.

    None when the ARN names some other kind of resource; a ValidationException, as for the other
    resources that cannot be tagged because they do not exist, when it names no existing component.
    """
    try:
        parsed = parse_arn(resource_arn or "")
    except ValidationError:
        return None
    if parsed.resource_type != RESOURCE_TYPE:
        return None
    try:
        components = components_for(parsed.account, parsed.region)
    except KeyError:
        components = None
    component = components.by_arn(resource_arn) if components is not None else None
    if component is None:
        raise ValidationError(f"Resource {resource_arn} does not exist or cannot be tagged.")
    return component


HANDLERS: dict[str, Callable[[BaseResponse], Any]] = {
    "create_inference_component": create_inference_component,
    "describe_inference_component": describe_inference_component,
    "update_inference_component": update_inference_component,
    "update_inference_component_runtime_config": update_inference_component_runtime_config,
    "delete_inference_component": delete_inference_component,
    "list_inference_components": list_inference_components,
}
