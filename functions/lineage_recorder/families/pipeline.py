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

from collections.abc import Mapping

from pydantic import Field

from lineage_recorder.errors import UnconfirmedResourceError
from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import DescribeCall, Describer, Family, confirmed_as, validated
from lineage_recorder.families.builder import (
    ASSOCIATED_WITH,
    DATASET,
    PlanBuilder,
    job_node,
    revision_of,
    same_home,
)
from lineage_recorder.families.jobs import PROCESSING, TRAINING, TRANSFORM, JobKind
from lineage_recorder.families.model_package import (
    PACKAGE_OWNED_ELSEWHERE,
    ModelPackage,
    described_package,
    package_artifact,
)
from lineage_recorder.families.pipeline_keys import (
    PIPELINE_EXECUTION_ARN,
    execution_context,
    pipeline_arn_of,
    pipeline_context,
    pipeline_name_of,
)
from lineage_recorder.families.reasons import IDENTITY
from lineage_recorder.families.tuning import RESOURCE_TYPE as TUNING_RESOURCE_TYPE
from lineage_recorder.families.tuning import tuning_context
from lineage_recorder.naming import bounded_properties
from lineage_recorder.plan import AssociationType, EntityKey, Plan

DERIVED_FROM = AssociationType.DERIVED_FROM

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
                        ("PipelineName", pipeline_name_of(execution_arn)),
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


def _add_step(
    plan: PlanBuilder,
    index: int,
    step: PipelineStep,
    execution: EntityKey,
    packages: Mapping[str, ModelPackage],
) -> None:
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
        elif member == "Athena":
            # An Athena query the run made: where it wrote its results belongs to the run.
            location = value.get("S3OutputLocation") if isinstance(value, dict) else None
            results = plan.s3_artifact(f"{field}.Athena.S3OutputLocation", _text(location), DATASET)
            plan.edge(results, execution, ASSOCIATED_WITH)
        elif member == "RegisterModel":
            registered = plan.checked_arn(f"{field}.RegisterModel.Arn", _text(arn), "model-package")
            package = packages.get(registered) if registered else None
            if package is not None:
                plan.edge(plan.add(package_artifact(package, reference=True)), execution, ASSOCIATED_WITH)
            elif registered is not None:
                plan.skip(
                    f"{field}.RegisterModel.Arn",
                    registered,
                    "SageMaker could not describe the package the step registered (deleted since, or "
                    "another account's): its own event records it",
                )
        elif member not in _NOT_RECORDED_STEPS:
            plan.skip(f"{field}.{member}", str(value)[:256], "a step the recorder does not know yet")


# Step metadata the recorder deliberately does not link (LIST_PIPELINE_EXECUTION_STEPS.not_lineage says
# why), and steps with no resource of their own (Condition, Fail, ForEach, Cleanup).
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
        "ForEach",
        "Cleanup",
    }
)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def plan_pipeline_execution(
    execution: PipelineExecution,
    steps: list[PipelineStep],
    packages: Mapping[str, ModelPackage] | None = None,
) -> Plan:
    """`packages`: the package versions the steps registered, as SageMaker describes them (by ARN)."""
    plan = PlanBuilder(execution.PipelineExecutionArn)
    context = _add_execution(plan, execution.PipelineExecutionArn, execution)
    for index, step in enumerate(steps):
        _add_step(plan, index, step, context, packages or {})
    return plan.build()


def _registered_packages(
    describer: Describer, execution_arn: str, steps: list[PipelineStep]
) -> dict[str, ModelPackage]:
    """Each package a step registered, described, so the artifact planned for it is whole (its
    MetadataProperties are set only when it is created). Another account's is not described."""
    packages: dict[str, ModelPackage] = {}
    for step in steps:
        value = (step.Metadata or {}).get("RegisterModel")
        arn = value.get("Arn") if isinstance(value, dict) else None
        if isinstance(arn, str) and same_home(arn, execution_arn) and ":model-package/" in arn:
            package = described_package(describer, arn)
            if package is not None:
                packages[arn] = package
    return packages


def _confirmed(event: SageMakerEvent, describer: Describer) -> tuple[ExecutionEvent, PipelineExecution]:
    detail = dict(event.detail)
    if not detail.get("pipelineExecutionArn"):
        # The envelope lists the pipeline and the execution; the execution is the one with a run id.
        detail["pipelineExecutionArn"] = next((arn for arn in event.resources if "/execution/" in arn), None)
    from_event = validated(ExecutionEvent, detail, "the event detail")
    arn = from_event.execution_arn
    execution = confirmed_as(
        PipelineExecution,
        describer,
        DESCRIBE_PIPELINE_EXECUTION,
        arn,
        arn_field="PipelineExecutionArn",
        claimed_arn=arn,
    )
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
    steps = _steps(describer, execution.PipelineExecutionArn)
    packages = _registered_packages(describer, execution.PipelineExecutionArn, steps)
    return plan_pipeline_execution(execution, steps, packages)


def prepare_pipeline_step(event: SageMakerEvent, describer: Describer) -> Plan:
    """The execution as SageMaker describes and lists it now, once SageMaker lists the event's step: so
    each step is recorded as soon as it ends, and the execution is whole even if its own event is lost.
    A step SageMaker does not list is not recorded from the event."""
    from_event, execution = _confirmed(event, describer)
    steps = _steps(describer, execution.PipelineExecutionArn)
    if any(step.StepName is not None and step.StepName == from_event.step_name for step in steps):
        packages = _registered_packages(describer, execution.PipelineExecutionArn, steps)
        return plan_pipeline_execution(execution, steps, packages)
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
    describes=(DESCRIBE_PIPELINE_EXECUTION, LIST_PIPELINE_EXECUTION_STEPS, PACKAGE_OWNED_ELSEWHERE),
    prepare=prepare_pipeline_execution,
    arn_of=_execution_arn_of,
)

STEP_FAMILY = Family(
    name="pipeline-step",
    detail_type="SageMaker Model Building Pipeline Execution Step Status Change",
    arn_field="pipelineExecutionArn",
    status_field="currentStepStatus",
    statuses=_FINAL_STATUSES,
    describes=(DESCRIBE_PIPELINE_EXECUTION, LIST_PIPELINE_EXECUTION_STEPS, PACKAGE_OWNED_ELSEWHERE),
    prepare=prepare_pipeline_step,
    arn_of=_execution_arn_of,
)
