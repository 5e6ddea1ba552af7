"""Endpoint behaviours moto lacks that the endpoint lineage depends on.

- UpdateEndpoint: moto does not implement it; SageMaker switches the endpoint to the new endpoint
  config (DescribeEndpoint then names it) and sets LastModifiedTime.
- ShadowProductionVariants: moto drops them from CreateEndpointConfig; SageMaker keeps them and
  DescribeEndpointConfig returns them.
- DeployedImages: DescribeEndpoint's ProductionVariantSummary lists "the Amazon EC2 Container Registry
  paths of the inference images deployed on instances of this ProductionVariant" (SpecifiedImage,
  ResolvedImage, ResolutionTime; API reference, DeployedImage). moto returns none. The emulator resolves
  each container image of the variant's model (or of its model package) to
  ``<repository>@sha256:<digest>``, the digest derived from the image string: there is no registry to ask.
  A variant that names no model (an endpoint for inference components) lists no images: its images are
  its components' (DescribeInferenceComponent).
- Endpoints for inference components: their endpoint config's ProductionVariants name no model
  (API_ProductionVariant ModelName is "Required: No"; CreateInferenceComponent needs such a variant).
  moto indexes ``variant["ModelName"]`` (a KeyError, an HTML 500); the emulator checks only the models that
  are named, with moto's error for a missing one.
- Instance types: moto checks ProductionVariant InstanceType against its own, older list, which lacks the
  GPU types inference components run on (ml.g5, ml.g6, ml.p4d, ...); the emulator checks it against the
  enum of botocore's model (ProductionVariantInstanceType), as SageMaker does.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import utcnow
from moto.sagemaker.utils import arn_formatter

from sagemaker_lineage_emulator.errors import ValidationError
from sagemaker_lineage_emulator.validation import sagemaker_model, validate_request


def validate_variant_models(backend: Any, production_variants: list[dict[str, Any]]) -> None:
    """Replaces moto's SageMakerModelBackend.validate_production_variants: only a named model must exist."""
    for variant in production_variants:
        model = variant.get("ModelName")
        if model and model not in backend._models:
            arn = arn_formatter("model", model, backend.account_id, backend.region_name)
            raise ValidationError(f"Could not find model '{arn}'.")


def validate_instance_type(_config: Any, instance_type: str) -> None:
    """Replaces moto's FakeEndpointConfig.validate_instance_type with the enum of botocore's model."""
    allowed = sagemaker_model().shape_for("ProductionVariantInstanceType").enum
    if instance_type not in allowed:
        raise ValidationError(
            f"Value '{instance_type}' at 'instanceType' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(allowed)}]"
        )


def with_shadow_variants(original: Callable[[Any], Any]) -> Callable[[BaseResponse], Any]:
    def create_endpoint_config(self: BaseResponse) -> Any:
        result = original(self)
        shadow_variants = self._get_param("ShadowProductionVariants")
        if shadow_variants:
            backend = self.sagemaker_backend  # type: ignore[attr-defined]
            config = backend.endpoint_configs[self._get_param("EndpointConfigName")]
            # moto's describe answers every attribute, CamelCased: this one becomes ShadowProductionVariants.
            config.shadow_production_variants = shadow_variants
        return result

    return create_endpoint_config


def update_endpoint(self: BaseResponse) -> ActionResult:
    params = {
        "EndpointName": self._get_param("EndpointName"),
        "EndpointConfigName": self._get_param("EndpointConfigName"),
    }
    validate_request("UpdateEndpoint", params)
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    endpoint = backend.endpoints.get(params["EndpointName"])
    if endpoint is None:
        raise ValidationError(f'Could not find endpoint "{params["EndpointName"]}".')
    config = backend.endpoint_configs.get(params["EndpointConfigName"])
    if config is None:
        raise ValidationError(f'Could not find endpoint configuration "{params["EndpointConfigName"]}".')
    endpoint.endpoint_config_name = config.endpoint_config_name
    endpoint.production_variants = endpoint._process_production_variants(config.production_variants)
    endpoint.last_modified_time = utcnow()
    return ActionResult({"EndpointArn": endpoint.arn})


def resolved_image(image: str) -> str:
    """``registry/repository[:tag|@digest]`` as a registry resolves it: ``registry/repository@sha256:...``."""
    if "@" in image:
        return image
    registry_and_repository, _, tag = image.rpartition(":")
    repository = registry_and_repository if tag and "/" not in tag and registry_and_repository else image
    return f"{repository}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def _variant_images(backend: Any, model_name: str | None) -> list[str]:
    """The images a variant's model runs: each container's own, or its model package's."""
    model = backend._models.get(model_name) if model_name else None
    if model is None:
        return []
    containers = [model.primary_container] if model.primary_container else []
    containers.extend(model.containers or [])
    images: list[str] = []
    for container in containers:
        if container.get("Image"):
            images.append(container["Image"])
            continue
        named = container.get("ModelPackageName")
        package = next(
            (p for p in backend.model_packages.values() if named in (p.arn, p.model_package_name)), None
        )
        specification = (package.inference_specification or {}) if package is not None else {}
        images.extend(c["Image"] for c in specification.get("Containers", []) if c.get("Image"))
    return images


def with_deployed_images(original: Callable[[Any], Any]) -> Callable[[BaseResponse], Any]:
    def describe_endpoint(self: BaseResponse) -> Any:
        result = original(self)
        backend = self.sagemaker_backend  # type: ignore[attr-defined]
        endpoint = backend.endpoints.get(self._get_param("EndpointName"))
        if endpoint is None or not isinstance(result, ActionResult) or not isinstance(result.result, dict):
            return result
        config = backend.endpoint_configs.get(endpoint.endpoint_config_name)
        models = {
            v["VariantName"]: v.get("ModelName") for v in (config.production_variants if config else [])
        }
        body = dict(result.result)
        body["ProductionVariants"] = [
            {
                **variant,
                "DeployedImages": [
                    {
                        "SpecifiedImage": image,
                        "ResolvedImage": resolved_image(image),
                        "ResolutionTime": endpoint.last_modified_time,
                    }
                    for image in _variant_images(backend, models.get(variant.get("VariantName")))
                ],
            }
            for variant in body.get("ProductionVariants") or []
        ]
        return ActionResult(body)

    return describe_endpoint
