"""Pipeline executions that run their steps, which moto's do not, and ListPipelineExecutionSteps.

moto's StartPipelineExecution succeeds at once without running anything, and moto has no
ListPipelineExecutionSteps. Here an execution runs its pipeline definition's steps when it starts (moto's
jobs complete at once, so the whole execution does) and records each step as SageMaker lists it.

The rules, and where they come from (SageMaker API reference and Developer Guide unless said otherwise):

- The definition is the pipeline's JSON ("Pipeline definition JSON schema": ``Parameters``, ``Steps``, each
  step with ``Name``, ``Type``, ``Arguments``, ``DependsOn``, ``DisplayName``, ``Description``). "The
  structure of a pipeline's DAG is determined by the data dependencies between steps" (Developer Guide,
  "Pipelines overview"): a step runs after the steps it names in DependsOn and the steps whose properties
  its arguments read; otherwise in the definition's order.
- Arguments are literal values or expressions: ``{"Get": "Parameters.<name>"}`` (the execution's
  PipelineParameters value, else the parameter's DefaultValue, typed by its Type: String, Integer, Float,
  Boolean), ``{"Get": "Execution.PipelineExecutionId"}`` (also PipelineExecutionArn, PipelineName,
  PipelineArn), ``{"Get": "Steps.<name>.<path>"}`` (the step's properties, which are the Describe* response
  of what it created: ``ModelArtifacts.S3ModelArtifacts``, ``ProcessingOutputConfig.Outputs['<OutputName>']
  .S3Output.S3Uri``, ``ModelPackageArn``, ``ModelName``...; the SageMaker Python SDK writes these paths
  without a ``Properties.`` segment, and one is accepted too) and ``{"Std:Join": {"On", "Values"}}``.
  Anything else (``Std:JsonGet`` reads a property file in S3, which the emulator does not have) cannot be
  evaluated: the step fails with a FailureReason that says which expression and why.
- Step types run: Training, Processing and Transform (CreateTrainingJob / CreateProcessingJob /
  CreateTransformJob with the step's Arguments), Tuning (CreateHyperParameterTuningJob, which launches its
  training jobs as tuning.py describes; its properties are DescribeHyperParameterTuningJob's answer plus
  TrainingJobSummaries, best first, which the SageMaker Python SDK's TuningStep.get_top_model_s3_uri reads
  as ``Steps.<name>.TrainingJobSummaries[<k>].TrainingJobName``), Model (CreateModel), RegisterModel
  (CreateModelPackage), Condition (Equals, GreaterThan, GreaterThanOrEqualTo, LessThan, LessThanOrEqualTo,
  In, Not, Or over evaluable values; then its IfSteps or ElseSteps) and Fail (the execution fails with its
  ErrorMessage). Any other type fails with a FailureReason naming ``record_step``, with which a test can
  model it.
- Names: a job is named ``pipelines-<execution id>-<step name>-<10 random letters and digits>``, as
  SageMaker names them (aws/amazon-sagemaker-examples#3106:
  ``pipelines-kytlemm1lvpq-PreprocessingStep-cIpzShs3Qp``; a training job
  ``pipelines-4new6tehs2bu-train-model-M8fiyKLYou``), the step name shortened (and characters a job name
  cannot hold replaced by ``-``) to fit TrainingJobName's 63 characters. A model is named the same way (the
  emulator's choice); a tuning job ``<execution id>-<10 random letters and digits>`` (the emulator's choice:
  32 characters at most). Jobs and models carry the tag ``sagemaker:pipeline-execution-arn``, which the
  SageMaker Python SDK's lineage helpers read (``pipeline_execution_arn`` in ``lineage/artifact.py`` and
  ``lineage/context.py``); a registered package's MetadataProperties.GeneratedBy is the execution's ARN (the
  "Model package state change" event in the Developer Guide's EventBridge page) unless the arguments give
  one.
- A step whose creation SageMaker refuses fails with ``ClientError: Failed to invoke sagemaker:<Operation>.
  Error Details: <message>`` and empty Metadata. After a failed step no further step starts; the execution
  is Failed with FailureReason ``Step failure: One or multiple steps failed.`` (both as SageMaker answered
  describe-pipeline-execution and list-pipeline-execution-steps for a pipeline "SimpleXGBoostPipeline", in a
  captured CLI session), or with a Fail step's ErrorMessage, which "is set as the failure reason" (SageMaker
  Python SDK, ``FailStep``); otherwise it Succeeded.
- DescribePipelineExecution, as in that session: PipelineExecutionDisplayName ``execution-<epoch
  milliseconds>`` unless one was given; PipelineExperimentConfig is the definition's, evaluated, the
  experiment named in lower case (``"ExperimentName": "simplexgboostpipeline", "TrialName": "<execution
  id>"``); FailureReason only when the execution failed.
- API_ListPipelineExecutionSteps: PipelineExecutionSteps[] of PipelineExecutionStep (StepName,
  StepDisplayName, StepDescription, StartTime, EndTime, StepStatus, FailureReason "only returned if the step
  failed", AttemptCount, Metadata in PipelineExecutionStepMetadata's spelling: ``TrainingJob.Arn``,
  ``ProcessingJob.Arn``, ``TransformJob.Arn``, ``TuningJob.Arn``, ``Model.Arn``, ``RegisterModel.Arn``,
  ``Condition.Outcome``, ``Fail.ErrorMessage``). The request has SortOrder only (no SortBy); the steps are
  sorted by their start, newest first unless SortOrder is Ascending (the emulator's default for every List,
  docs/decisions.md 3); MaxResults defaults to 10; botocore's paginators-1.json pages it on NextToken /
  MaxResults / PipelineExecutionSteps. PipelineExecutionStep has no StepType member.
- API_DescribePipelineExecution, API_ListPipelineExecutionSteps, API_ListPipelineExecutions,
  API_DescribePipelineDefinitionForExecution, API_ListPipelineParametersForExecution and
  API_StartPipelineExecution: ResourceNotFound for an execution or pipeline that does not exist (moto:
  ValidationException). StartPipelineExecution and ListPipelineExecutions take the pipeline's name or ARN
  (PipelineNameOrArn).

``record_step(execution_arn, step)`` appends a step as ListPipelineExecutionSteps lists it, for steps the
emulator cannot run (Lambda, Callback, EMR, QualityCheck...).
"""

from __future__ import annotations

import json
import re
import secrets
import string
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.sagemaker.models import sagemaker_backends

from sagemaker_lineage_emulator import calls
from sagemaker_lineage_emulator.errors import ResourceNotFound
from sagemaker_lineage_emulator.responses import _params, _sorted, _timestamp, listed
from sagemaker_lineage_emulator.store import aware_utc, backend_state, next_sequence, now, parse_arn
from sagemaker_lineage_emulator.validation import _check, sagemaker_model, validate_request

EXECUTION_TAG = "sagemaker:pipeline-execution-arn"
STEP_FAILURE = "Step failure: One or multiple steps failed."
_SUFFIX_ALPHABET = string.ascii_letters + string.digits
_JOB_NAME_LENGTH = 63
_TUNING_NAME_LENGTH = 32
_FINAL = {"Succeeded", "Failed", "Stopped"}


@dataclass
class StepRecord:
    """One PipelineExecutionStep."""

    name: str
    status: str
    start: datetime
    end: datetime | None
    display_name: str | None = None
    description: str | None = None
    failure_reason: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    sequence: int = field(default_factory=next_sequence)

    def listed(self) -> dict[str, Any]:
        body: dict[str, Any] = {"StepName": self.name, "StartTime": self.start, "StepStatus": self.status}
        if self.display_name is not None:
            body["StepDisplayName"] = self.display_name
        if self.description is not None:
            body["StepDescription"] = self.description
        if self.end is not None:
            body["EndTime"] = self.end
        if self.failure_reason is not None and self.status == "Failed":
            body["FailureReason"] = self.failure_reason
        body["Metadata"] = self.metadata
        body.setdefault("AttemptCount", 1)
        body.update(self.extra)
        return body


@dataclass
class ExecutionRun:
    """What an execution ran (kept beside moto's FakePipelineExecution)."""

    arn: str
    steps: list[StepRecord] = field(default_factory=list)
    experiment_config: dict[str, Any] | None = None
    fail_message: str | None = None


class ExecutionRuns:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.by_arn: dict[str, ExecutionRun] = {}


def runs_for(account_id: str, region_name: str) -> ExecutionRuns:
    """The runs of an account and Region; they live on moto's backend, so moto's reset drops them."""
    return backend_state(account_id, region_name, "_pipeline_runs", ExecutionRuns)


# ------------------------------------------------------------------------- expressions
class UnevaluableError(Exception):
    """An argument the emulator cannot evaluate; the step fails saying so."""


_PATH_TOKEN = re.compile(r"\.?([A-Za-z0-9_:\-]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
# The member a PropertiesMap is keyed by (the SDK's Outputs['train'], FinalMetricDataList['loss']...).
_LIST_KEYS = ("OutputName", "InputName", "ChannelName", "MetricName", "Name")


def _walk(value: Any, path: str, whole: str) -> Any:
    position = 0
    while position < len(path):
        match = _PATH_TOKEN.match(path, position)
        if match is None or match.end() == position:
            raise UnevaluableError(f"{whole!r}: cannot read the path {path[position:]!r}")
        position = match.end()
        attribute, index, key_single, key_double = match.groups()
        key = key_single if key_single is not None else key_double
        if attribute is not None:
            if not isinstance(value, dict) or attribute not in value:
                raise UnevaluableError(f"{whole!r}: the step's properties have no {attribute!r}")
            value = value[attribute]
        elif index is not None:
            if not isinstance(value, list) or int(index) >= len(value):
                raise UnevaluableError(f"{whole!r}: no item {index} in the step's properties")
            value = value[int(index)]
        elif isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list):
            found = [
                item for item in value if isinstance(item, dict) and key in {item.get(k) for k in _LIST_KEYS}
            ]
            if not found:
                raise UnevaluableError(f"{whole!r}: no item named {key!r} in the step's properties")
            value = found[0]
        else:
            raise UnevaluableError(f"{whole!r}: no item named {key!r} in the step's properties")
    return value


@dataclass
class Context:
    pipeline_name: str
    pipeline_arn: str
    execution_arn: str
    parameters: dict[str, Any]
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def execution_id(self) -> str:
        return self.execution_arn.rsplit("/", 1)[-1]

    def get(self, reference: str) -> Any:
        head, _, rest = reference.partition(".")
        if head == "Parameters":
            if rest not in self.parameters:
                raise UnevaluableError(f"{reference!r}: the pipeline has no parameter {rest!r} with a value")
            return self.parameters[rest]
        if head == "Execution":
            variables = {
                "PipelineExecutionId": self.execution_id,
                "PipelineExecutionArn": self.execution_arn,
                "PipelineName": self.pipeline_name,
                "PipelineArn": self.pipeline_arn,
            }
            if rest not in variables:
                raise UnevaluableError(
                    f"{reference!r}: the emulator does not provide this execution variable"
                )
            return variables[rest]
        if head == "Steps":
            step, _, path = rest.partition(".")
            if step not in self.properties:
                raise UnevaluableError(
                    f"{reference!r}: step {step!r} has not run successfully in this execution"
                )
            path = path.removeprefix("Properties.")
            return _walk(self.properties[step], path, reference)
        raise UnevaluableError(f"{reference!r}: the emulator cannot evaluate this reference")

    def evaluate(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.evaluate(item) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Get"} and isinstance(value["Get"], str):
            return self.get(value["Get"])
        if set(value) == {"Std:Join"}:
            join = value["Std:Join"]
            parts = [self.evaluate(item) for item in join.get("Values") or []]
            return str(join.get("On", "")).join(_text(part) for part in parts)
        functions = [key for key in value if key.startswith("Std:")]
        if functions:
            raise UnevaluableError(
                f"{functions[0]} ({json.dumps(value)[:200]}): the emulator cannot evaluate it"
            )
        return {key: self.evaluate(item) for key, item in value.items()}


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _typed(kind: str | None, value: Any) -> Any:
    if value is None or kind in (None, "String"):
        return value
    try:
        if kind == "Integer":
            return int(value)
        if kind == "Float":
            return float(value)
        if kind == "Boolean":
            return value if isinstance(value, bool) else str(value).lower() == "true"
    except (TypeError, ValueError):
        return value
    return value


def _parameters(definition: dict[str, Any], overrides: list[dict[str, Any]] | None) -> dict[str, Any]:
    declared = {
        p["Name"]: p for p in definition.get("Parameters") or [] if isinstance(p, dict) and "Name" in p
    }
    values = {
        name: _typed(p.get("Type"), p["DefaultValue"]) for name, p in declared.items() if "DefaultValue" in p
    }
    for override in overrides or []:
        name = override.get("Name")
        if name is not None:
            values[name] = _typed(declared.get(name, {}).get("Type"), override.get("Value"))
    return values


# ------------------------------------------------------------------------------- order
def _references(value: Any) -> set[str]:
    """The step names a step's arguments read with {"Get": "Steps.<name>..."}."""
    found: set[str] = set()
    if isinstance(value, dict):
        reference = value.get("Get")
        if isinstance(reference, str) and reference.startswith("Steps."):
            found.add(reference.split(".", 2)[1])
        for item in value.values():
            found |= _references(item)
    elif isinstance(value, list):
        for item in value:
            found |= _references(item)
    return found


def _nested_names(step: dict[str, Any]) -> set[str]:
    arguments = step.get("Arguments") or {}
    names: set[str] = set()
    if isinstance(arguments, dict):
        for branch in ("IfSteps", "ElseSteps"):
            for nested in arguments.get(branch) or []:
                if isinstance(nested, dict):
                    names.add(str(nested.get("Name")))
                    names |= _nested_names(nested)
    return names


def _ordered(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps in an order that respects DependsOn and data dependencies, else the definition's."""
    names = [str(step.get("Name")) for step in steps]
    needs = {
        str(step.get("Name")): (set(step.get("DependsOn") or []) | _references(step.get("Arguments")))
        & set(names) - {str(step.get("Name"))}
        for step in steps
    }
    ordered: list[dict[str, Any]] = []
    done: set[str] = set()
    pending = list(steps)
    while pending:
        ready = next((s for s in pending if needs[str(s.get("Name"))] <= done), pending[0])
        pending.remove(ready)
        ordered.append(ready)
        done.add(str(ready.get("Name")))
    return ordered


# ------------------------------------------------------------------------------- names
def _random(length: int, alphabet: str = _SUFFIX_ALPHABET) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(length))


def _job_name(execution_id: str, step_name: str) -> str:
    """``pipelines-<execution id>-<step name>-<10 random>``, within a job name's 63 characters."""
    fixed = len("pipelines-") + len(execution_id) + 2 + 10
    stem = re.sub(r"[^a-zA-Z0-9-]", "-", step_name)[: max(1, _JOB_NAME_LENGTH - fixed)]
    return f"pipelines-{execution_id}-{stem}-{_random(10)}"


def _tuning_name(execution_id: str) -> str:
    return f"{execution_id}-{_random(10, string.ascii_lowercase + string.digits)}"[:_TUNING_NAME_LENGTH]


# ------------------------------------------------------------------------------- steps
class StepFailedError(Exception):
    """The step ran and failed (the reason is SageMaker's or the emulator's)."""


@dataclass(frozen=True)
class Creation:
    """A step type that creates one resource with one SageMaker operation."""

    operation: str
    create: str
    describe: str
    name_field: str | None
    metadata_key: str
    arn_field: str
    tagged: bool = True


_CREATIONS: dict[str, Creation] = {
    "Training": Creation(
        "CreateTrainingJob",
        "create_training_job",
        "describe_training_job",
        "TrainingJobName",
        "TrainingJob",
        "TrainingJobArn",
    ),
    "Processing": Creation(
        "CreateProcessingJob",
        "create_processing_job",
        "describe_processing_job",
        "ProcessingJobName",
        "ProcessingJob",
        "ProcessingJobArn",
    ),
    "Transform": Creation(
        "CreateTransformJob",
        "create_transform_job",
        "describe_transform_job",
        "TransformJobName",
        "TransformJob",
        "TransformJobArn",
    ),
    "Tuning": Creation(
        "CreateHyperParameterTuningJob",
        "create_hyper_parameter_tuning_job",
        "describe_hyper_parameter_tuning_job",
        "HyperParameterTuningJobName",
        "TuningJob",
        "HyperParameterTuningJobArn",
    ),
    "Model": Creation("CreateModel", "create_model", "describe_model", "ModelName", "Model", "ModelArn"),
    "RegisterModel": Creation(
        "CreateModelPackage",
        "create_model_package",
        "describe_model_package",
        None,
        "RegisterModel",
        "ModelPackageArn",
        tagged=False,
    ),
}


def _with_tag(tags: Any, execution_arn: str) -> list[dict[str, str]]:
    kept = [dict(tag) for tag in tags or [] if isinstance(tag, dict) and tag.get("Key") != EXECUTION_TAG]
    return [*kept, {"Key": EXECUTION_TAG, "Value": execution_arn}]


def _create(
    response: BaseResponse, kind: str, arguments: Any, context: Context, step_name: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Create what a step of ``kind`` creates; (its metadata, its properties)."""
    creation = _CREATIONS[kind]
    if not isinstance(arguments, dict):
        raise StepFailedError(f"The Arguments of a {kind} step must be an object.")
    request = dict(arguments)
    if creation.name_field is not None:
        name = (
            _tuning_name(context.execution_id)
            if kind == "Tuning"
            else _job_name(context.execution_id, step_name)
        )
        request[creation.name_field] = name
    if creation.tagged:
        request["Tags"] = _with_tag(request.get("Tags"), context.execution_arn)
    if kind == "RegisterModel":
        metadata_properties = dict(request.get("MetadataProperties") or {})
        metadata_properties.setdefault("GeneratedBy", context.execution_arn)
        request["MetadataProperties"] = metadata_properties
    try:
        validate_request(creation.operation, request)
        created = calls.call(response, creation.create, request)
        identifier = (
            {creation.name_field: request[creation.name_field]}
            if creation.name_field is not None
            else {"ModelPackageName": created["ModelPackageArn"]}
        )
        properties = calls.call(response, creation.describe, identifier)
    except ServiceException as error:
        raise StepFailedError(
            f"ClientError: Failed to invoke sagemaker:{creation.operation}. Error Details: {error.message}"
        ) from error
    if kind == "Tuning":
        listed = calls.call(
            response,
            "list_training_jobs_for_hyper_parameter_tuning_job",
            {
                "HyperParameterTuningJobName": request[creation.name_field or ""],
                "SortBy": "FinalObjectiveMetricValue",
                "SortOrder": "Ascending" if _minimizes(request) else "Descending",
                "MaxResults": 50,
            },
        )
        properties["TrainingJobSummaries"] = listed.get("TrainingJobSummaries", [])
    return {creation.metadata_key: {"Arn": properties[creation.arn_field]}}, properties


def _minimizes(request: dict[str, Any]) -> bool:
    objective = (request.get("HyperParameterTuningJobConfig") or {}).get(
        "HyperParameterTuningJobObjective"
    ) or {}
    return objective.get("Type") == "Minimize"


_COMPARISONS: dict[str, Callable[[Any, Any], bool]] = {
    "Equals": lambda left, right: left == right,
    "GreaterThan": lambda left, right: left > right,
    "GreaterThanOrEqualTo": lambda left, right: left >= right,
    "LessThan": lambda left, right: left < right,
    "LessThanOrEqualTo": lambda left, right: left <= right,
}


def _holds(condition: Any, context: Context) -> bool:
    if not isinstance(condition, dict):
        raise UnevaluableError(f"condition {condition!r}: not an object")
    kind = condition.get("Type")
    if kind in _COMPARISONS:
        left, right = (
            context.evaluate(condition.get("LeftValue")),
            context.evaluate(condition.get("RightValue")),
        )
        try:
            return _COMPARISONS[kind](left, right)
        except TypeError as error:
            raise UnevaluableError(f"condition {kind}: {left!r} and {right!r} cannot be compared") from error
    if kind == "In":
        return context.evaluate(condition.get("QueryValue")) in context.evaluate(
            condition.get("Values") or []
        )
    if kind == "Not":
        return not _holds(condition.get("Expression"), context)
    if kind == "Or":
        return any(_holds(item, context) for item in condition.get("Conditions") or [])
    raise UnevaluableError(f"condition of type {kind!r}: the emulator cannot evaluate it")


class Runner:
    """Runs one execution's steps, recording each."""

    def __init__(self, response: BaseResponse, run: ExecutionRun, context: Context) -> None:
        self.response = response
        self.run = run
        self.context = context
        self.failed = False
        # A Fail step's ErrorMessage "is set as the failure reason" of the execution.
        self.fail_message: str | None = None

    def run_steps(self, steps: list[dict[str, Any]]) -> None:
        for step in _ordered([s for s in steps if isinstance(s, dict)]):
            if self.failed:
                return
            self.run_step(step)

    def run_step(self, step: dict[str, Any]) -> None:
        name = str(step.get("Name"))
        record = StepRecord(
            name=name,
            status="Executing",
            start=now(),
            end=None,
            display_name=step.get("DisplayName"),
            description=step.get("Description"),
        )
        self.run.steps.append(record)
        branch: list[dict[str, Any]] = []
        try:
            branch = self._perform(step, record)
            record.status = "Succeeded"
        except UnevaluableError as error:
            record.status, record.failure_reason = "Failed", f"The emulator cannot evaluate {error}"
        except StepFailedError as error:
            record.status, record.failure_reason = "Failed", str(error)[:1024]
            if isinstance(error, _FailStepError):
                self.fail_message = str(error)
        record.end = now()
        if record.status == "Failed":
            self.failed = True
            return
        self.run_steps(branch)

    def _perform(self, step: dict[str, Any], record: StepRecord) -> list[dict[str, Any]]:
        """Run ``step``, filling ``record``'s metadata; the steps to run next (a Condition's branch)."""
        kind = str(step.get("Type"))
        name = str(step.get("Name"))
        if kind in _CREATIONS:
            arguments = self.context.evaluate(step.get("Arguments") or {})
            record.metadata, properties = _create(self.response, kind, arguments, self.context, name)
            self.context.properties[name] = properties
            return []
        if kind == "Condition":
            arguments = step.get("Arguments") or {}
            outcome = all(_holds(c, self.context) for c in arguments.get("Conditions") or [])
            self.context.properties[name] = {"Outcome": outcome}
            record.metadata = {"Condition": {"Outcome": "True" if outcome else "False"}}
            return list(arguments.get("IfSteps" if outcome else "ElseSteps") or [])
        if kind == "Fail":
            message = _text(self.context.evaluate((step.get("Arguments") or {}).get("ErrorMessage", "")))
            record.metadata = {"Fail": {"ErrorMessage": message}}
            raise _FailStepError(message)
        raise StepFailedError(
            f"The emulator cannot run a step of type {kind}; model it with "
            "sagemaker_lineage_emulator.pipelines.record_step."
        )


class _FailStepError(StepFailedError):
    """A Fail step: the execution fails with its ErrorMessage."""


# --------------------------------------------------------------------------- execution
def _definition(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(str(raw))
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _status(run: ExecutionRun, current: str) -> str:
    statuses = {step.status for step in run.steps}
    if "Failed" in statuses:
        return "Failed"
    if statuses & {"Starting", "Executing", "Stopping"}:
        return "Executing"
    if "Stopped" in statuses:
        return "Stopped"
    return current if current in _FINAL else "Succeeded"


def _settle(execution: Any, run: ExecutionRun) -> None:
    """Make moto's execution say what the run did."""
    status = _status(run, "Succeeded")
    execution.pipeline_execution_status = status
    execution.pipeline_execution_failure_reason = (
        (run.fail_message or STEP_FAILURE) if status == "Failed" else None
    )
    execution.last_modified_time = now()


def _pipeline_name(requested: str) -> str:
    return requested.split(":pipeline/", 1)[1].split("/", 1)[0] if requested.startswith("arn:") else requested


def _pipeline(response: BaseResponse, requested: str) -> Any:
    backend = response.sagemaker_backend  # type: ignore[attr-defined]
    pipeline = backend.pipelines.get(_pipeline_name(requested))
    if pipeline is None:
        raise ResourceNotFound(f"Pipeline '{requested}' does not exist.")
    return pipeline


def _execution(response: BaseResponse, arn: str) -> tuple[Any, Any]:
    """(moto's pipeline, moto's execution) for an execution ARN; ResourceNotFound when either is missing."""
    if "/execution/" not in arn:
        raise ResourceNotFound(f"Pipeline execution '{arn}' does not exist.")
    pipeline = response.sagemaker_backend.pipelines.get(_pipeline_name(arn))  # type: ignore[attr-defined]
    execution = pipeline.pipeline_executions.get(arn) if pipeline is not None else None
    if execution is None:
        raise ResourceNotFound(f"Pipeline execution '{arn}' does not exist.")
    return pipeline, execution


def start_pipeline_execution(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("StartPipelineExecution", params)
    pipeline = _pipeline(self, str(params["PipelineName"]))
    started = self.sagemaker_backend.start_pipeline_execution(  # type: ignore[attr-defined]
        pipeline.pipeline_name,
        params.get("PipelineExecutionDisplayName"),
        params.get("PipelineParameters"),
        params.get("PipelineExecutionDescription"),
        params.get("ParallelismConfiguration"),
        params.get("ClientRequestToken"),
    )
    arn = str(started["PipelineExecutionArn"])
    execution = pipeline.pipeline_executions[arn]
    if not execution.pipeline_execution_display_name:
        created = aware_utc(execution.creation_time) or now()
        execution.pipeline_execution_display_name = f"execution-{int(created.timestamp() * 1000)}"
    definition = _definition(execution.pipeline_definition_for_execution)
    context = Context(
        pipeline_name=pipeline.pipeline_name,
        pipeline_arn=pipeline.arn,
        execution_arn=arn,
        parameters=_parameters(definition, params.get("PipelineParameters")),
    )
    run = ExecutionRun(arn=arn)
    experiment = definition.get("PipelineExperimentConfig")
    if isinstance(experiment, dict):
        try:
            evaluated = {k: _text(v) for k, v in context.evaluate(experiment).items() if v is not None}
            if "ExperimentName" in evaluated:
                # SageMaker names the experiment in lower case (a DescribePipelineExecution of
                # "SimpleXGBoostPipeline" answers ExperimentName "simplexgboostpipeline").
                evaluated["ExperimentName"] = evaluated["ExperimentName"].lower()
            run.experiment_config = evaluated
        except UnevaluableError:
            run.experiment_config = None
    runs = runs_for(self.current_account, self.region)
    with runs.lock:
        runs.by_arn[arn] = run
    runner = Runner(self, run, context)
    runner.run_steps(list(definition.get("Steps") or []))
    run.fail_message = runner.fail_message
    _settle(execution, run)
    return ActionResult({"PipelineExecutionArn": arn})


def _run(account: str, region: str, arn: str) -> ExecutionRun | None:
    runs = runs_for(account, region)
    with runs.lock:
        return runs.by_arn.get(arn)


def describe_pipeline_execution(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribePipelineExecution", params)
    arn = str(params["PipelineExecutionArn"])
    pipeline, execution = _execution(self, arn)
    body: dict[str, Any] = {
        "PipelineArn": pipeline.arn,
        "PipelineExecutionArn": arn,
        "PipelineExecutionStatus": execution.pipeline_execution_status,
        "CreationTime": aware_utc(execution.creation_time),
        "LastModifiedTime": aware_utc(execution.last_modified_time),
        "CreatedBy": {},
        "LastModifiedBy": {},
    }
    if execution.pipeline_execution_display_name:
        body["PipelineExecutionDisplayName"] = execution.pipeline_execution_display_name
    if execution.pipeline_execution_description:
        body["PipelineExecutionDescription"] = execution.pipeline_execution_description
    if execution.pipeline_execution_status == "Failed" and execution.pipeline_execution_failure_reason:
        body["FailureReason"] = execution.pipeline_execution_failure_reason
    if execution.parallelism_configuration:
        body["ParallelismConfiguration"] = execution.parallelism_configuration
    run = _run(self.current_account, self.region, arn)
    if run is not None and run.experiment_config:
        body["PipelineExperimentConfig"] = run.experiment_config
    return ActionResult(body)


def list_pipeline_execution_steps(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListPipelineExecutionSteps", params)
    arn = str(params["PipelineExecutionArn"])
    _execution(self, arn)
    run = _run(self.current_account, self.region, arn)
    steps = list(run.steps) if run is not None else []
    ordered = _sorted(steps, lambda step: (step.start, step.sequence), params.get("SortOrder"))
    return listed(params, ordered, "PipelineExecutionSteps", lambda item: item.listed())


def list_pipeline_executions(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListPipelineExecutions", params)
    pipeline = _pipeline(self, str(params["PipelineName"]))
    after, before = _timestamp(params.get("CreatedAfter")), _timestamp(params.get("CreatedBefore"))
    summaries = []
    for arn, execution in list(pipeline.pipeline_executions.items()):
        started = aware_utc(execution.start_time)
        if (after and started is not None and started <= after) or (
            before and started is not None and started >= before
        ):
            continue
        summary: dict[str, Any] = {
            "PipelineExecutionArn": arn,
            "StartTime": started,
            "PipelineExecutionStatus": execution.pipeline_execution_status,
        }
        if execution.pipeline_execution_description:
            summary["PipelineExecutionDescription"] = execution.pipeline_execution_description
        if execution.pipeline_execution_display_name:
            summary["PipelineExecutionDisplayName"] = execution.pipeline_execution_display_name
        if execution.pipeline_execution_status == "Failed" and execution.pipeline_execution_failure_reason:
            summary["PipelineExecutionFailureReason"] = execution.pipeline_execution_failure_reason
        summaries.append(summary)
    if params.get("SortBy") == "PipelineExecutionArn":
        ordered = _sorted(summaries, lambda s: s["PipelineExecutionArn"], params.get("SortOrder"))
    else:
        ordered = _sorted(
            summaries, lambda s: (s["StartTime"], s["PipelineExecutionArn"]), params.get("SortOrder")
        )
    return listed(params, ordered, "PipelineExecutionSummaries")


def describe_pipeline_definition_for_execution(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribePipelineDefinitionForExecution", params)
    _, execution = _execution(self, str(params["PipelineExecutionArn"]))
    raw = execution.pipeline_definition_for_execution
    return ActionResult(
        {
            "PipelineDefinition": raw if isinstance(raw, str) else json.dumps(raw),
            "CreationTime": aware_utc(execution.creation_time),
        }
    )


def list_pipeline_parameters_for_execution(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListPipelineParametersForExecution", params)
    _, execution = _execution(self, str(params["PipelineExecutionArn"]))
    return ActionResult({"PipelineParameters": list(execution.pipeline_parameters or [])})


# --------------------------------------------------------------------------------- hook
_STEP_SHAPE = "PipelineExecutionStep"
_RECORD_FIELDS = {
    "StepName",
    "StepDisplayName",
    "StepDescription",
    "StartTime",
    "EndTime",
    "StepStatus",
    "FailureReason",
    "Metadata",
    "AttemptCount",
    "CacheHitResult",
    "SelectiveExecutionResult",
    "IterationContext",
}


def record_step(execution_arn: str, step: Mapping[str, Any]) -> dict[str, Any]:
    """Append ``step`` to the execution ``execution_arn``'s steps, as ListPipelineExecutionSteps lists it.

    ``step`` is a PipelineExecutionStep (botocore's shape): ``StepName`` is required; ``StepStatus``
    defaults to ``Succeeded``, ``StartTime`` and ``EndTime`` to now, ``AttemptCount`` to 1; ``Metadata`` is
    kept as given (e.g. ``{"Lambda": {"Arn": ...}}`` or ``{"QualityCheck": {"CheckJobArn": ...}}``). The
    execution's status follows its steps: Failed (``Step failure: One or multiple steps failed.``) when one
    failed, Executing while one is Starting, Executing or Stopping. Returns the step as it will be listed.

    Raises LookupError when the execution does not exist and ValueError when ``step`` is not a valid
    PipelineExecutionStep. Works for the in-process emulator and for a server in the same process.
    """
    unknown = set(step) - _RECORD_FIELDS
    if unknown:
        raise ValueError(f"Not members of a PipelineExecutionStep: {sorted(unknown)}")
    if not step.get("StepName"):
        raise ValueError("A step needs a StepName.")
    values = {key: value for key, value in step.items() if key not in ("StartTime", "EndTime")}
    errors: list[str] = []
    _check(sagemaker_model().shape_for(_STEP_SHAPE), values, "step", errors)
    if errors:
        raise ValueError("; ".join(errors))
    parsed = parse_arn(execution_arn)
    try:
        backend = sagemaker_backends[parsed.account][parsed.region]
    except KeyError as error:
        raise LookupError(f"No pipeline execution {execution_arn}") from error
    pipeline = backend.pipelines.get(_pipeline_name(execution_arn))
    execution = pipeline.pipeline_executions.get(execution_arn) if pipeline is not None else None
    if execution is None:
        raise LookupError(f"No pipeline execution {execution_arn}")
    moment = now()
    record = StepRecord(
        name=str(step["StepName"]),
        status=str(step.get("StepStatus") or "Succeeded"),
        start=_moment(step.get("StartTime")) or moment,
        end=_moment(step.get("EndTime"))
        or (moment if step.get("StepStatus", "Succeeded") in _FINAL else None),
        display_name=step.get("StepDisplayName"),
        description=step.get("StepDescription"),
        failure_reason=step.get("FailureReason"),
        metadata=dict(step.get("Metadata") or {}),
        extra={
            key: step[key]
            for key in ("AttemptCount", "CacheHitResult", "SelectiveExecutionResult", "IterationContext")
            if key in step
        },
    )
    runs = runs_for(parsed.account, parsed.region)
    with runs.lock:
        run = runs.by_arn.setdefault(execution_arn, ExecutionRun(arn=execution_arn))
        run.steps.append(record)
        _settle(execution, run)
    return record.listed()


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else _timestamp(value)
    return aware_utc(moment)


HANDLERS: dict[str, Callable[[BaseResponse], ActionResult | EmptyResult]] = {
    "start_pipeline_execution": start_pipeline_execution,
    "describe_pipeline_execution": describe_pipeline_execution,
    "list_pipeline_execution_steps": list_pipeline_execution_steps,
    "list_pipeline_executions": list_pipeline_executions,
    "describe_pipeline_definition_for_execution": describe_pipeline_definition_for_execution,
    "list_pipeline_parameters_for_execution": list_pipeline_parameters_for_execution,
}
