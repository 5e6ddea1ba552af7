"""Endpoint -> Endpoint context; per deployed endpoint config a ModelDeployment action AssociatedWith
it, with every variant's (production and shadow) model containers ContributedTo the deployment.

One deployment per (endpoint, endpoint config). The deployment of the endpoint's current config is
live (Completed); every other deployment of the endpoint is kept and marked superseded (Stopped, with
the property SupersededBy). A deleted endpoint keeps its context, marked DELETED: lineage is history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lineage_recorder.events.endpoints import Endpoint
from lineage_recorder.events.jobs import Model
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity, Supersession
from lineage_recorder.planners.builder import (
    ENDPOINT,
    MODEL_DEPLOYMENT,
    PlanBuilder,
    job_name_from_arn,
    unique_name,
)

LIVE = "Completed"
SUPERSEDED = "Stopped"
SUPERSEDED_BY = "SupersededBy"


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
) -> Plan:
    """`current_config` is the endpoint's live config as DescribeEndpoint says; None when unknown."""
    arn = endpoint.EndpointArn
    name = endpoint.EndpointName or job_name_from_arn(arn)
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
        )
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
                removed_properties=(SUPERSEDED_BY,) if live and current_config is not None else (),
            )
        )
        plan.edge(key, context, AssociationType.ASSOCIATED_WITH)
        for variant in deployment.variants:
            if variant.model is not None:
                kind = "ShadowProductionVariants" if variant.shadow else "ProductionVariants"
                plan.model_containers(variant.model, f"{kind}[{variant.variant_name}].Model", key)

    if current_config is not None:
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
