"""SageMaker Pipelines: a Pipeline context, a PipelineExecution context AssociatedWith it, and every step's
resource AssociatedWith the execution: the job a step ran (its node, shared with the job's own family),
the model package it registered, the tuning job it started. A package whose MetadataProperties.GeneratedBy
names the execution joins it the same way (families/model_package.py), whichever event comes first.

So "which run of which pipeline produced this model, with which steps?" is answered by walking from the
model package (or any job) to its execution context, and from there to the execution's other steps.

Direction: as for tuning jobs (families/tuning.py), members point at their group, as SageMaker's
ModelDeployment -> Endpoint and package -> ModelGroup do.

Two events, two families in this module:
- SageMaker Model Building Pipeline Execution Status Change (Succeeded, Failed, Stopped): the execution
  as DescribePipelineExecution shows it, and every step ListPipelineExecutionSteps lists.
- SageMaker Model Building Pipeline Execution Step Status Change (Succeeded, Failed, Stopped): the same,
  once ListPipelineExecutionSteps lists the event's step (there is no Describe of a step), so each step is
  recorded when it ends and the execution is whole even if its own event never arrives.

The events spell their fields in camelCase and carry two ARNs (pipeline and execution); the execution
ARN is pipeline/<pipeline name>/execution/<id>. Only the step's name is taken from the event: what it
ran is SageMaker's answer, never the event's ``metadata``.
"""

from __future__ import annotations

import re

from pydantic import Field

from lineage_recorder.errors import InvalidEventError, UnconfirmedResourceError
from lineage_recorder.events.base import SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import DescribeCall, Describer, Family, validated
from lineage_recorder.families.builder import (
    ASSOCIATED_WITH,
    MODEL,
    PlanBuilder,
    job_node,
    revision_of,
)
from lineage_recorder.families.jobs import PROCESSING, TRAINING, TRANSFORM, JobKind
from lineage_recorder.families.reasons import IDENTITY
from lineage_recorder.families.tuning import RESOURCE_TYPE as TUNING_RESOURCE_TYPE
from lineage_recorder.families.tuning import tuning_context
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity

DERIVED_FROM = AssociationType.DERIVED_FROM

PIPELINE = "Pipeline"
PIPELINE_EXECUTION = "PipelineExecution"
# botocore: PipelineName is [a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}; an execution id is lower-case alphanumeric.
PIPELINE_NAME = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,255}"
PIPELINE_EXECUTION_ARN = re.compile(
    SAGEMAKER_ARN_PREFIX + "pipeline/" + PIPELINE_NAME + "/execution/[a-z0-9]{1,64}$"
)
_FINAL_STATUSES = ("Succeeded", "Failed", "Stopped")

_NOT_A_RUN_RESOURCE = "the step's own work outside SageMaker's lineage (a queue, a function, a log)"
DESCRIBE_PIPELINE_EXECUTION = DescribeCall(
    "DescribePipelineExecution",
    "pipeline",
    "PipelineExecutionArn",
    not_lineage=(
        ("RoleArn", IDENTITY),
        ("CreatedBy.UserProfileArn", IDENTITY),
        ("CreatedBy.IamIdentity.Arn", IDENTITY),
        ("LastModifiedBy.UserProfileArn", IDENTITY),
        ("LastModifiedBy.IamIdentity.Arn", IDENTITY),
        (
            "MLflowConfig.MlflowResourceArn",
            "the MLflow tracking server the run reported to, not data or code",
        ),
    ),
)
LIST_PIPELINE_EXECUTION_STEPS = DescribeCall(
    "ListPipelineExecutionSteps",
    "pipeline",
    "PipelineExecutionArn",
    items_key="PipelineExecutionSteps",
    not_lineage=tuple(
        (f"PipelineExecutionSteps[].{path}", reason)
        for path, reason in (
            (
                "CacheHitResult.SourcePipelineExecutionArn",
                "the earlier execution whose step result was reused; the reused job (Metadata) is associated",
            ),
            (
                "SelectiveExecutionResult.SourcePipelineExecutionArn",
                "the earlier execution a selective run took this step's result from",
            ),
            ("Metadata.Callback.SqsQueueUrl", _NOT_A_RUN_RESOURCE),
            ("Metadata.Lambda.Arn", _NOT_A_RUN_RESOURCE),
            ("Metadata.EMR.LogFilePath", _NOT_A_RUN_RESOURCE),
            ("Metadata.EMRServerless.LogFilePath", _NOT_A_RUN_RESOURCE),
            (
                "Metadata.Model.Arn",
                "a SageMaker model: recorded as its containers when an endpoint or transform job uses it",
            ),
            ("Metadata.Endpoint.Arn", "the endpoint's own events record what it deploys"),
            ("Metadata.EndpointConfig.Arn", "the endpoint's own events record the config it deploys"),
            ("Metadata.InferenceComponent.Arn", "the component's own events record what it deploys"),
            ("Metadata.AutoMLJob.Arn", "AutoML jobs have no family yet; the training jobs they run do"),
            ("Metadata.Job.Arn", "a generic job the recorder has no family for"),
            ("Metadata.BedrockCustomModel.Arn", "a Bedrock resource, outside SageMaker's lineage"),
            ("Metadata.BedrockCustomModelDeployment.Arn", "a Bedrock resource, outside SageMaker's lineage"),
            (
                "Metadata.BedrockProvisionedModelThroughput.Arn",
                "a Bedrock resource, outside SageMaker's lineage",
            ),
            ("Metadata.BedrockModelImport.Arn", "a Bedrock resource, outside SageMaker's lineage"),
            ("Metadata.HubContent.HubArn", "the hub a step published to, not data or code of the run"),
            ("Metadata.HubContent.HubContentArn", "hub content a step published; not read by the run"),
            (
                "Metadata.Lineage.Associations[].SourceArn",
                "associations a lineage step wrote to SageMaker's graph itself: already in the graph",
            ),
            (
                "Metadata.Lineage.Associations[].DestinationArn",
                "associations a lineage step wrote to SageMaker's graph itself: already in the graph",
            ),
        )
    ),
)

# Step metadata members that name a job with a family: Metadata.<member>.Arn -> the job's kind.
_JOB_STEPS: dict[str, JobKind] = {
    "TrainingJob": TRAINING,
    "ProcessingJob": PROCESSING,
    "TransformJob": TRANSFORM,
}
# QualityCheck and ClarifyCheck steps run processing jobs: Metadata.<member>.CheckJobArn.
_CHECK_STEPS = ("QualityCheck", "ClarifyCheck")


class SelectiveExecutionConfigSpec(Tolerant):
    SourcePipelineExecutionArn: str | None = None


class PipelineExecution(Tolerant):
    PipelineExecutionArn: str = Field(pattern=PIPELINE_EXECUTION_ARN.pattern)
    PipelineArn: str | None = None
    PipelineExecutionDisplayName: str | None = None
    PipelineExecutionStatus: str | None = None
    FailureReason: str | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None
    SelectiveExecutionConfig: SelectiveExecutionConfigSpec | None = None


class PipelineStep(Tolerant):
    StepName: str | None = None
    StepType: str | None = None
    StepStatus: str | None = None
    Metadata: dict[str, object] | None = None


class ExecutionEvent(Tolerant):
    """The detail of both pipeline events (camelCase)."""

    execution_arn: str = Field(alias="pipelineExecutionArn", pattern=PIPELINE_EXECUTION_ARN.pattern)
    step_name: str | None = Field(default=None, alias="stepName", max_length=256)


def _pipeline_name(execution_arn: str) -> str:
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
        name=entity_name(_pipeline_name(execution_arn), _execution_id(execution_arn), "execution"),
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


def _add_execution(plan: PlanBuilder, execution_arn: str, execution: PipelineExecution | None) -> EntityKey:
    """The execution's context (with its state when described here) AssociatedWith its pipeline's."""
    if execution is None:
        context = plan.add(execution_context(execution_arn, reference=True))
    else:
        context = plan.add(
            execution_context(
                execution_arn,
                properties=bounded_properties(
                    [
                        ("PipelineName", _pipeline_name(execution_arn)),
                        ("PipelineExecutionDisplayName", execution.PipelineExecutionDisplayName),
                        ("Status", execution.PipelineExecutionStatus),
                        ("FailureReason", execution.FailureReason),
                    ]
                ),
                revision=revision_of(execution.LastModifiedTime or execution.CreationTime),
            )
        )
    plan.edge(context, plan.add(pipeline_context(pipeline_arn_of(execution_arn))), ASSOCIATED_WITH)
    # A selective execution runs some steps again and takes the others' results from its source
    # execution: the source DerivedFrom-links to it ("the destination is a modification of the source").
    selective = execution.SelectiveExecutionConfig if execution else None
    source = selective.SourcePipelineExecutionArn if selective else None
    if source is not None:
        if PIPELINE_EXECUTION_ARN.fullmatch(source):
            plan.edge(plan.add(execution_context(source, reference=True)), context, DERIVED_FROM)
        else:
            plan.skip(
                "SelectiveExecutionConfig.SourcePipelineExecutionArn", source, "not a pipeline execution ARN"
            )
    return context


def _add_step(plan: PlanBuilder, index: int, step: PipelineStep, execution: EntityKey) -> None:
    """What the step ran or registered, AssociatedWith the execution. Metadata members the recorder does
    not know yet are skipped with their field (a new step type is said, not dropped)."""
    field = f"PipelineExecutionSteps[{index}].Metadata"
    for member, value in (step.Metadata or {}).items():
        arn = value.get("Arn") if isinstance(value, dict) else None
        if member in _JOB_STEPS:
            kind = _JOB_STEPS[member]
            job = plan.checked_arn(f"{field}.{member}.Arn", _text(arn), kind.resource_type)
            if job is not None:
                plan.edge(plan.add(job_node(kind, job, reference=True)), execution, ASSOCIATED_WITH)
        elif member in _CHECK_STEPS:
            check = value.get("CheckJobArn") if isinstance(value, dict) else None
            job = plan.checked_arn(f"{field}.{member}.CheckJobArn", _text(check), PROCESSING.resource_type)
            if job is not None:
                plan.edge(plan.add(job_node(PROCESSING, job, reference=True)), execution, ASSOCIATED_WITH)
        elif member == "TuningJob":
            tuning = plan.checked_arn(f"{field}.TuningJob.Arn", _text(arn), TUNING_RESOURCE_TYPE)
            if tuning is not None:
                plan.edge(plan.add(tuning_context(tuning, reference=True)), execution, ASSOCIATED_WITH)
        elif member == "RegisterModel":
            package = plan.arn_artifact(f"{field}.RegisterModel.Arn", _text(arn), MODEL)
            plan.edge(package, execution, ASSOCIATED_WITH)
        elif member not in _NOT_RECORDED_STEPS:
            plan.skip(f"{field}.{member}", str(value)[:256], "a step the recorder does not know yet")


# Step metadata the recorder deliberately does not link (LIST_PIPELINE_EXECUTION_STEPS.not_lineage says
# why), and steps with no resource (Condition, Fail).
_NOT_RECORDED_STEPS = frozenset(
    {
        "Callback",
        "Lambda",
        "EMR",
        "EMRServerless",
        "Model",
        "Endpoint",
        "EndpointConfig",
        "InferenceComponent",
        "AutoMLJob",
        "Job",
        "BedrockCustomModel",
        "BedrockCustomModelDeployment",
        "BedrockProvisionedModelThroughput",
        "BedrockModelImport",
        "HubContent",
        "Lineage",
        "Condition",
        "Fail",
    }
)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def plan_pipeline_execution(execution: PipelineExecution, steps: list[PipelineStep]) -> Plan:
    plan = PlanBuilder(execution.PipelineExecutionArn)
    context = _add_execution(plan, execution.PipelineExecutionArn, execution)
    for index, step in enumerate(steps):
        _add_step(plan, index, step, context)
    return plan.build()


def _confirmed(event: SageMakerEvent, describer: Describer) -> tuple[ExecutionEvent, PipelineExecution]:
    detail = dict(event.detail)
    if not detail.get("pipelineExecutionArn"):
        # The envelope lists the pipeline and the execution; the execution is the one with a run id.
        detail["pipelineExecutionArn"] = next((arn for arn in event.resources if "/execution/" in arn), None)
    from_event = validated(ExecutionEvent, detail, "the event detail")
    arn = from_event.execution_arn
    execution = validated(
        PipelineExecution,
        describer.confirm(DESCRIBE_PIPELINE_EXECUTION, arn),
        "the describe_pipeline_execution response",
    )
    if execution.PipelineExecutionArn.lower() != arn.lower():
        raise InvalidEventError(f"SageMaker describes {arn!r} as another pipeline execution")
    return from_event, execution


def _steps(describer: Describer, execution_arn: str) -> list[PipelineStep]:
    listed = describer.confirm(LIST_PIPELINE_EXECUTION_STEPS, execution_arn)
    return [
        validated(PipelineStep, step, "a ListPipelineExecutionSteps step")
        for step in listed.get("PipelineExecutionSteps") or []
    ]


def prepare_pipeline_execution(event: SageMakerEvent, describer: Describer) -> Plan:
    """The execution as SageMaker describes it, with every step it lists."""
    _, execution = _confirmed(event, describer)
    return plan_pipeline_execution(execution, _steps(describer, execution.PipelineExecutionArn))


def prepare_pipeline_step(event: SageMakerEvent, describer: Describer) -> Plan:
    """The execution as SageMaker describes and lists it now, once SageMaker lists the event's step: so
    each step is recorded as soon as it ends, and the execution is whole even if its own event is lost.
    A step SageMaker does not list is not recorded from the event."""
    from_event, execution = _confirmed(event, describer)
    steps = _steps(describer, execution.PipelineExecutionArn)
    if any(step.StepName is not None and step.StepName == from_event.step_name for step in steps):
        return plan_pipeline_execution(execution, steps)
    raise UnconfirmedResourceError(
        f"SageMaker lists no step {str(from_event.step_name)[:256]!r} in this execution: nothing is recorded "
        "from the event alone"
    )


def _execution_arn_of(event: SageMakerEvent) -> str | None:
    value = event.detail.get("pipelineExecutionArn")
    if isinstance(value, str):
        return value
    return next((arn for arn in event.resources if "/execution/" in arn), None)


EXECUTION_FAMILY = Family(
    name="pipeline-execution",
    detail_type="SageMaker Model Building Pipeline Execution Status Change",
    arn_field="pipelineExecutionArn",
    status_field="currentPipelineExecutionStatus",
    statuses=_FINAL_STATUSES,
    describes=(DESCRIBE_PIPELINE_EXECUTION, LIST_PIPELINE_EXECUTION_STEPS),
    prepare=prepare_pipeline_execution,
    arn_of=_execution_arn_of,
)

STEP_FAMILY = Family(
    name="pipeline-step",
    detail_type="SageMaker Model Building Pipeline Execution Step Status Change",
    arn_field="pipelineExecutionArn",
    status_field="currentStepStatus",
    statuses=_FINAL_STATUSES,
    describes=(DESCRIBE_PIPELINE_EXECUTION, LIST_PIPELINE_EXECUTION_STEPS),
    prepare=prepare_pipeline_step,
    arn_of=_execution_arn_of,
)
