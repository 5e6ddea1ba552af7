"""Endpoint behaviours moto lacks that the endpoint lineage depends on.

- UpdateEndpoint: moto does not implement it; SageMaker switches the endpoint to the new endpoint
  config (DescribeEndpoint then names it) and sets LastModifiedTime.
- ShadowProductionVariants: moto drops them from CreateEndpointConfig; SageMaker keeps them and
  DescribeEndpointConfig returns them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import utcnow

from sagemaker_lineage_emulator.errors import ValidationError
from sagemaker_lineage_emulator.validation import validate_request


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
