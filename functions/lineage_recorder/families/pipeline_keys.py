"""How every family names a pipeline and a pipeline execution: their contexts, derived from the ARN alone,
so the pipeline families, the model-package family (a version's GeneratedBy) and any other that links to a
run plan one node (families/pipeline.py says what is recorded).

Kept apart from the pipeline families so that the model-package family can join an execution without
importing them (they import it, to plan the packages their steps registered).
"""

from __future__ import annotations

import re

from lineage_recorder.events.base import SAGEMAKER_ARN_PREFIX
from lineage_recorder.families.base import DescribeCall
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity

PIPELINE = "Pipeline"
PIPELINE_EXECUTION = "PipelineExecution"
# botocore: PipelineName is [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}; an execution id is lower-case alphanumeric.
PIPELINE_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"
PIPELINE_EXECUTION_ARN = re.compile(
    SAGEMAKER_ARN_PREFIX + "pipeline/" + PIPELINE_NAME + "/execution/[a-z0-9]{1,64}$"
)


def pipeline_name_of(execution_arn: str) -> str:
    return execution_arn.split(":", 5)[5].split("/")[1]


def _execution_id(execution_arn: str) -> str:
    return execution_arn.rsplit("/", 1)[-1]


def pipeline_arn_of(execution_arn: str) -> str:
    return execution_arn.rsplit("/execution/", 1)[0]


def execution_context(
    execution_arn: str,
    *,
    properties: tuple[tuple[str, str], ...] = (),
    revision: str | None = None,
    reference: bool = False,
) -> PlannedEntity:
    """The execution's context, as the execution event plans it, or as a step or a model package
    references it: key, type and name come from the ARN alone, so all resolve to one node."""
    return PlannedEntity(
        key=EntityKey(EntityKind.CONTEXT, execution_arn),
        entity_type=PIPELINE_EXECUTION,
        name=entity_name(pipeline_name_of(execution_arn), _execution_id(execution_arn), "execution"),
        properties=properties,
        reconcile=not reference,
        reference=reference,
        revision=revision,
    )


def pipeline_context(pipeline_arn: str) -> PlannedEntity:
    """The pipeline's context: it has no state the recorder keeps, so every plan references it."""
    name = pipeline_arn.split(":", 5)[5].split("/", 1)[1]
    return PlannedEntity(
        key=EntityKey(EntityKind.CONTEXT, pipeline_arn),
        entity_type=PIPELINE,
        name=entity_name(name, "pipeline"),
        properties=bounded_properties([("PipelineName", name)]),
        reference=True,
    )


# Whether SageMaker has an execution another family names (a package version's GeneratedBy): the pipeline
# families record what it is. A pipeline execution's ARN is pipeline/<name>/execution/<id>.
EXECUTION_EXISTS = DescribeCall(
    "DescribePipelineExecution", "pipeline", "PipelineExecutionArn", owned_elsewhere=True
)
