"""Endpoints: endpoint -> DescribeEndpoint (its live config) -> DescribeEndpointConfig -> DescribeModel.

The event's own EndpointConfigName (when it has one) is the config the event is about; the live
config decides which deployment is current. A late event about an older config still records that
deployment, already marked superseded.
"""

from __future__ import annotations

from typing import Any

from lineage_recorder.describe import describe
from lineage_recorder.events.endpoints import Endpoint, EndpointConfig, VariantSpec
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.jobs import Model
from lineage_recorder.planners.builder import job_name_from_arn, revision_of
from lineage_recorder.planners.endpoint import DeployedVariant, Deployment, plan_endpoint
from lineage_recorder.preparers.common import Prepared, described_model, detail_with_arn, validated

DELETED = "DELETED"


class _Describer:
    """Describes configs and models once per event, collecting why anything could not be described."""

    def __init__(self, sagemaker: Any) -> None:
        self._sagemaker = sagemaker
        self._models: dict[str, Model | None] = {}
        self.fallbacks: list[str] = []

    def model(self, name: str) -> Model | None:
        if name not in self._models:
            model, reason = described_model(self._sagemaker, name)
            self._models[name] = model
            if reason is not None:
                self.fallbacks.append(reason)
        return self._models[name]

    def deployment(self, config_name: str) -> Deployment:
        described = describe(self._sagemaker, "describe_endpoint_config", EndpointConfigName=config_name)
        if described.body is None:
            self.fallbacks.append(described.reason or "no description")
            return Deployment(config_name=config_name, config_arn=None, variants=())
        config = validated(EndpointConfig, described.body, "the describe_endpoint_config response")
        variants = [
            *self._variants(config.ProductionVariants, shadow=False),
            *self._variants(config.ShadowProductionVariants, shadow=True),
        ]
        return Deployment(config_name, config.EndpointConfigArn, tuple(variants))

    def _variants(self, specs: list[VariantSpec] | None, *, shadow: bool) -> list[DeployedVariant]:
        return [
            DeployedVariant(
                variant_name=spec.VariantName or f"variant-{index}",
                model_name=spec.ModelName,
                model=self.model(spec.ModelName),
                shadow=shadow,
            )
            for index, spec in enumerate(specs or [])
            if spec.ModelName
        ]


def prepare_endpoint(event: SageMakerEvent, sagemaker: Any) -> Prepared:
    endpoint = validated(Endpoint, detail_with_arn(event, "EndpointArn"), "the event detail")
    status = str(event.detail.get("EndpointStatus"))
    revision = revision_of(event.time or endpoint.LastModifiedTime or endpoint.CreationTime)
    if status == DELETED:
        return Prepared(plan_endpoint(endpoint, status=status, revision=revision))

    describer = _Describer(sagemaker)
    name = endpoint.EndpointName or job_name_from_arn(endpoint.EndpointArn)
    described = describe(sagemaker, "describe_endpoint", EndpointName=name)
    current_config: str | None = None
    if described.body is None:
        describer.fallbacks.append(described.reason or "no description")
    else:
        current_config = validated(
            Endpoint, described.body, "the describe_endpoint response"
        ).EndpointConfigName
    config_names = dict.fromkeys(c for c in (endpoint.EndpointConfigName, current_config) if c)
    deployments = [describer.deployment(config_name) for config_name in config_names]
    plan = plan_endpoint(
        endpoint, status=status, revision=revision, deployments=deployments, current_config=current_config
    )
    return Prepared(plan, tuple(describer.fallbacks))
