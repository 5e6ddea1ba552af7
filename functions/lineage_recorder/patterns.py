"""The single definition of which SageMaker events the recorder acts on.

The CDK stack builds one EventBridge rule per resource family from :func:`event_pattern`, and the local
demo routes events through rules built from the same function, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

EVENT_SOURCE = "aws.sagemaker"


@dataclass(frozen=True)
class ResourceFamily:
    name: str
    detail_type: str
    status_field: str | None
    statuses: tuple[str, ...]


# Statuses are spelled as the events spell them: jobs mirror Describe* (PascalCase), endpoint events
# use UPPER_SNAKE (see shared/DESIGN.md section 4).
FAMILIES: dict[str, ResourceFamily] = {
    family.name: family
    for family in (
        ResourceFamily(
            "training",
            "SageMaker Training Job State Change",
            "TrainingJobStatus",
            ("Completed", "Failed", "Stopped"),
        ),
        ResourceFamily(
            "processing",
            "SageMaker Processing Job State Change",
            "ProcessingJobStatus",
            ("Completed", "Failed", "Stopped"),
        ),
        ResourceFamily(
            "transform",
            "SageMaker Transform Job State Change",
            "TransformJobStatus",
            ("Completed", "Failed", "Stopped"),
        ),
        # Fires again on every update (approval, metadata), each time with status Completed.
        ResourceFamily(
            "model-package",
            "SageMaker Model Package State Change",
            "ModelPackageStatus",
            ("Completed",),
        ),
        # IN_SERVICE after every create and update; DELETED once the endpoint is gone.
        ResourceFamily(
            "endpoint",
            "SageMaker Endpoint State Change",
            "EndpointStatus",
            ("IN_SERVICE", "DELETED"),
        ),
    )
}

# SageMaker events the recorder knows and deliberately does not record (docs/decisions.md, section 13).
# No rule routes them; a user who feeds one to `lineage-recorder record` is told why it was ignored.
NOT_RECORDED: dict[str, str] = {
    "SageMaker Model State Change": (
        "a model's containers are recorded when an endpoint deploys it or a transform job uses it"
    ),
    "SageMaker Endpoint Config State Change": (
        "an endpoint config is recorded when an endpoint deploys it (its Endpoint State Change)"
    ),
    "SageMaker Endpoint Deployment State Change": (
        "deployments are recorded from the endpoint's IN_SERVICE event, which follows every update"
    ),
}

FAMILY_BY_DETAIL_TYPE: dict[str, ResourceFamily] = {
    family.detail_type: family for family in FAMILIES.values()
}


def event_pattern(family_name: str) -> dict[str, Any]:
    """The EventBridge pattern of one resource family, filtered to the statuses the recorder acts on."""
    family = FAMILIES[family_name]
    pattern: dict[str, Any] = {"source": [EVENT_SOURCE], "detail-type": [family.detail_type]}
    if family.status_field is not None:
        pattern["detail"] = {family.status_field: list(family.statuses)}
    return pattern


def all_event_patterns(families: list[str] | None = None) -> dict[str, dict[str, Any]]:
    names = families if families is not None else list(FAMILIES)
    return {name: event_pattern(name) for name in names}
