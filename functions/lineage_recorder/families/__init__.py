"""The SageMaker resource families the recorder maps to lineage: one module each, listed in ``ALL``.

| family (module)                           | events (detail-type)                  | Describe*           |
|-------------------------------------------|---------------------------------------|---------------------|
| training                                  | SageMaker Training Job State Change   | TrainingJob, Algo.  |
| processing                                | SageMaker Processing Job State Change | ProcessingJob       |
| transform                                 | SageMaker Transform Job State Change  | TransformJob, Model |
| model-package (model_package)             | SageMaker Model Package State Change  | ModelPackage        |
| endpoint                                  | SageMaker Endpoint State Change       | Endpoint, Config, M.|
| inference-component (inference_component) | AWS API Call via CloudTrail           | InferenceComp., M.  |
| model (remembers models, writes nothing)  | SageMaker Model State Change          | Model               |
| tuning                                    | SageMaker HyperParameter Tuning Job … | HyperParameterTun.. |
| pipeline-execution (pipeline)             | … Pipeline Execution Status Change    | PipelineExec., Steps|
| pipeline-step (pipeline)                  | … Pipeline Execution Step Status Ch.  | PipelineExec., Steps|
| feature-group (feature_group)             | SageMaker Feature Group State Change  | FeatureGroup        |
| labeling                                  | SageMaker Ground Truth Labeling Job … | LabelingJob         |
| model-card (model_card)                   | SageMaker Model Card State Change     | ModelCard, Pkg, M.  |

Everything else reads ``ALL``: the EventBridge patterns (``patterns``), the stack's rules and IAM grants,
the local demo's routing, the bench and the CLI. Adding a family is one module here and one entry below
(docs/architecture.md, "How to add a family").
"""

from __future__ import annotations

from collections.abc import Iterable

from lineage_recorder.families import (
    endpoint,
    feature_group,
    inference_component,
    labeling,
    model,
    model_card,
    model_package,
    pipeline,
    processing,
    training,
    transform,
    tuning,
)
from lineage_recorder.families.base import DescribeCall, Family

__all__ = [
    "ALL",
    "BY_DETAIL_TYPE",
    "BY_NAME",
    "NOT_RECORDED",
    "DescribeCall",
    "Family",
    "describe_calls",
    "named",
]

ALL: tuple[Family, ...] = (
    training.FAMILY,
    processing.FAMILY,
    transform.FAMILY,
    model_package.FAMILY,
    endpoint.FAMILY,
    inference_component.FAMILY,
    model.FAMILY,
    tuning.FAMILY,
    pipeline.EXECUTION_FAMILY,
    pipeline.STEP_FAMILY,
    feature_group.FAMILY,
    labeling.FAMILY,
    model_card.FAMILY,
)

BY_NAME: dict[str, Family] = {family.name: family for family in ALL}
BY_DETAIL_TYPE: dict[str, Family] = {family.detail_type: family for family in ALL}

# SageMaker events the recorder knows and deliberately does not record on their own (docs/decisions.md,
# section 13). No rule routes them; one fed to `lineage-recorder record` is ignored with this reason.
NOT_RECORDED: dict[str, str] = {
    "SageMaker Endpoint Config State Change": (
        "an endpoint config is recorded when an endpoint deploys it (its Endpoint State Change)"
    ),
    "SageMaker Endpoint Deployment State Change": (
        "deployments are recorded from the endpoint's IN_SERVICE event, which follows every update"
    ),
}


def named(names: Iterable[str]) -> tuple[Family, ...]:
    """The families with these names, in ALL's order; KeyError names an unknown one."""
    wanted = set(names)
    unknown = sorted(wanted - set(BY_NAME))
    if unknown:
        raise KeyError(f"unknown resource families {unknown}; known: {sorted(BY_NAME)}")
    return tuple(family for family in ALL if family.name in wanted)


def describe_calls(families: Iterable[Family]) -> tuple[DescribeCall, ...]:
    """Every Describe* call these families' preparers make, once each."""
    return tuple(dict.fromkeys(call for family in families for call in family.describes))
