"""Hyperparameter tuning jobs that launch the training jobs SageMaker would, which moto does not.

moto's CreateHyperParameterTuningJob stores the request, launches nothing and describes a fixed
``FakeTrainingJobArn`` as the best training job. Here the tuning job completes at once (like moto's jobs)
after launching its training jobs in moto's training backend, so DescribeTrainingJob, ListTrainingJobs, the
jobs' trial components and ListTags all see them.

The rules, and where they come from (SageMaker API reference unless said otherwise):

- API_CreateHyperParameterTuningJob HyperParameterTuningJobName: "This name is the prefix for the names of
  all training jobs that this tuning job launches"; "The name is not case sensitive" (a second job whose
  name differs only in case is ResourceInUse, and Describe finds a job whatever the case). A training job is
  named ``<tuning job name>-<3-digit index>-<8 hex digits>`` as SageMaker names them (a DescribeTrainingJob
  quoted in "Mastering Machine Learning on AWS", chapter 14: ``xgboost-190407-1532-005-0e830ada`` with
  TuningJobArn ``...:hyper-parameter-tuning-job/xgboost-190407-1532``, its continuous hyperparameters
  written as Python writes floats, ``'0.4630125855085939'``); 32 + 13 characters stay within
  TrainingJobName's 63.
- API_ResourceLimits MaxNumberOfTrainingJobs: "The maximum number of training jobs that a hyperparameter
  tuning job can launch"; the tuning job launches that many. Without it, a Grid search launches one job per
  combination of its categorical values (a grid tries each combination once; the emulator's reading) and any
  other strategy MaxParallelTrainingJobs (the emulator's choice). The emulator launches at most
  ``MAX_TRAINING_JOBS`` (500) per tuning job, to keep creation cheap.
- API_HyperParameterTuningJobWarmStartConfig: "All training jobs launched by parent hyperparameter tuning
  jobs and the new hyperparameter tuning jobs count against the limit of training jobs for the tuning job";
  the parents' jobs are subtracted from the limit. OverallBestTrainingJob is described only for a warm start
  job (API_DescribeHyperParameterTuningJob: "If the hyperparameter tuning job is an warm start tuning job
  ..., this is the TrainingJobSummary for the training job with the best objective metric value of all
  training jobs launched by this tuning job and all parent jobs").
- TrainingJobDefinition or each of TrainingJobDefinitions (API_HyperParameterTrainingJobDefinition): the
  jobs are spread over the definitions in turn. Each job runs the definition's AlgorithmSpecification
  (TrainingImage or AlgorithmName, TrainingInputMode, MetricDefinitions), RoleArn, InputDataConfig,
  VpcConfig, OutputDataConfig, ResourceConfig (or HyperParameterTuningResourceConfig, its first
  InstanceConfigs entry when it names no InstanceType), StoppingCondition, network and encryption flags,
  CheckpointConfig, RetryStrategy and Environment. Its HyperParameters are the StaticHyperParameters plus
  one value per range of HyperParameterRanges (ParameterRanges: an integer or a number within [MinValue,
  MaxValue], a categorical value, an AutoParameter's ValueHint), drawn as a random search does (Developer
  Guide, "How Hyperparameter Tuning Works": it "chooses a random combination of values from within the
  ranges that you specify for hyperparameters for each training job it launches") from a generator seeded
  with RandomSeed ("A value used to initialize a pseudo-random number generator") or the job's name. "Tags
  that you specify for the tuning job are also added to all training jobs that the tuning job launches."
- API_DescribeTrainingJob TuningJobArn: "The Amazon Resource Name (ARN) of the associated hyperparameter
  tuning job if the training job was launched by a hyperparameter tuning job". Each job is Completed, its
  ModelArtifacts.S3ModelArtifacts ``<S3OutputPath>/<training job name>/output/model.tar.gz`` (moto's, as
  SageMaker writes it) and its FinalMetricDataList holds the objective metric.
- The objective metric of a job (the definition's TuningObjective, else HyperParameterTuningJobObjective) is
  a value in [0, 1] derived from the job's name, so it is stable; BestTrainingJob is the job with the
  highest value (Maximize) or the lowest (Minimize), as a HyperParameterTrainingJobSummary with
  TrainingJobName, TrainingJobArn, TunedHyperParameters and FinalHyperParameterTuningJobObjectiveMetric. A
  job without an objective reports ObjectiveStatus Failed ("the training job ... did not emit an objective
  metric") and is never the best. TrainingJobStatusCounters and ObjectiveStatusCounters count the jobs.
- API_ListTrainingJobsForHyperParameterTuningJob: "the training jobs that a hyperparameter tuning job
  launched"; StatusEquals; SortBy "The default is Name. If the value of this field is
  FinalObjectiveMetricValue, any training jobs that did not return an objective metric are not listed";
  SortOrder "The default is Ascending"; MaxResults "The default value is 10"; a missing tuning job is
  ResourceNotFound (the operation's documented error), as is DescribeHyperParameterTuningJob's.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse

from sagemaker_lineage_emulator import calls
from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.responses import _params, listed
from sagemaker_lineage_emulator.store import aware_utc, backend_state
from sagemaker_lineage_emulator.validation import validate_request

MAX_TRAINING_JOBS = 500
RESOURCE_IN_USE = "ResourceInUse"

# Members of HyperParameterTrainingJobDefinition that a CreateTrainingJob request takes as they are.
_COPIED = (
    "RoleArn",
    "InputDataConfig",
    "VpcConfig",
    "OutputDataConfig",
    "StoppingCondition",
    "EnableNetworkIsolation",
    "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining",
    "CheckpointConfig",
)
# Members moto's CreateTrainingJob does not keep; set on its job so DescribeTrainingJob shows them.
_KEPT_AFTERWARDS = {"RetryStrategy": "retry_strategy", "Environment": "environment"}


class ResourceInUse(ServiceException):
    code = RESOURCE_IN_USE


@dataclass
class Trial:
    """One training job a tuning job launched."""

    name: str
    arn: str
    definition_name: str | None
    tuned: dict[str, str]
    objective: dict[str, str] | None
    value: float | None
    tuning_job_name: str

    @property
    def metric(self) -> dict[str, Any] | None:
        if self.objective is None or self.value is None:
            return None
        return {
            "Type": self.objective["Type"],
            "MetricName": self.objective["MetricName"],
            "Value": self.value,
        }

    def better_than(self, other: Trial) -> bool:
        assert self.value is not None and other.value is not None and self.objective is not None
        if self.objective["Type"] == "Minimize":
            return self.value < other.value
        return self.value > other.value


@dataclass
class TuningRun:
    """What a tuning job launched (kept beside moto's HyperParameterTuningJob)."""

    name: str
    arn: str
    trials: list[Trial] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)


class TuningRuns:
    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.by_name: dict[str, TuningRun] = {}


def runs_for(account_id: str, region_name: str) -> TuningRuns:
    """The runs of an account and Region; they live on moto's backend, so moto's reset drops them."""
    return backend_state(account_id, region_name, "_tuning_runs", TuningRuns)


def _runs(response: BaseResponse) -> TuningRuns:
    return runs_for(response.current_account, response.region)


def _moto_job(response: BaseResponse, name: str) -> Any:
    """moto's tuning job named ``name`` in any case ("The name is not case sensitive"), or None."""
    jobs = response.sagemaker_backend.hyper_parameter_tuning_jobs  # type: ignore[attr-defined]
    if name in jobs:
        return jobs[name]
    return next((job for key, job in list(jobs.items()) if key.lower() == name.lower()), None)


def _missing(name: str) -> ResourceNotFound:
    return ResourceNotFound(f"Could not find hyper parameter tuning job '{name}'.")


# --------------------------------------------------------------------------- choosing
def _number(value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError as error:
        raise ValidationError(f"The {what} '{value}' of a hyperparameter range is not a number.") from error


def _bounds(item: dict[str, Any]) -> tuple[float, float]:
    low, high = _number(item["MinValue"], "MinValue"), _number(item["MaxValue"], "MaxValue")
    if low > high:
        raise ValidationError(
            f"The MinValue {item['MinValue']} of hyperparameter {item['Name']} is greater than its MaxValue."
        )
    return low, high


def _check_ranges(ranges: dict[str, Any]) -> None:
    for item in (ranges.get("IntegerParameterRanges") or []) + (
        ranges.get("ContinuousParameterRanges") or []
    ):
        _bounds(item)


def _continuous(item: dict[str, Any], rng: random.Random) -> str:
    low, high = _bounds(item)
    if item.get("ScalingType") in ("Logarithmic", "ReverseLogarithmic") and low > 0:
        value = math.exp(rng.uniform(math.log(low), math.log(high)))
    else:
        value = rng.uniform(low, high)
    return repr(min(max(value, low), high))


def _tuned(ranges: dict[str, Any], rng: random.Random, grid_point: dict[str, str] | None) -> dict[str, str]:
    """One value per range: the hyperparameters the tuning job tried for one training job."""
    tuned: dict[str, str] = {}
    for item in ranges.get("IntegerParameterRanges") or []:
        low, high = _bounds(item)
        tuned[item["Name"]] = str(rng.randint(math.ceil(low), math.floor(high)))
    for item in ranges.get("ContinuousParameterRanges") or []:
        tuned[item["Name"]] = _continuous(item, rng)
    for item in ranges.get("CategoricalParameterRanges") or []:
        values = list(item.get("Values") or [])
        if grid_point is not None and item["Name"] in grid_point:
            tuned[item["Name"]] = grid_point[item["Name"]]
        elif values:
            tuned[item["Name"]] = rng.choice(values)
    for item in ranges.get("AutoParameters") or []:
        tuned[item["Name"]] = item["ValueHint"]
    return tuned


def _grid(ranges: dict[str, Any]) -> list[dict[str, str]]:
    """Every combination of the categorical values, in order (a Grid search tries each once)."""
    categorical = [
        (item["Name"], list(item.get("Values") or []))
        for item in ranges.get("CategoricalParameterRanges") or []
    ]
    names = [name for name, _ in categorical]
    return [
        dict(zip(names, combination, strict=True))
        for combination in itertools.product(*(v for _, v in categorical))
    ]


def launched_job_name(tuning_job_name: str, index: int) -> str:
    """The name of the `index`th (from 1) training job a tuning job launches: SageMaker's shape, with the
    8 hex digits derived from the tuning job's name and the index (the emulator's choice: reproducible,
    so a benchmark or a test can know the names before the jobs exist)."""
    digest = hashlib.sha256(f"{tuning_job_name.lower()}/{index}".encode()).hexdigest()[:8]
    return f"{tuning_job_name}-{index:03d}-{digest}"


def _objective_value(training_job_name: str) -> float:
    """A stable objective metric value in [0, 1] for a training job."""
    digest = hashlib.sha256(training_job_name.encode()).digest()
    return round(int.from_bytes(digest[:4], "big") / 0xFFFFFFFF, 6)


def _ranges(config: dict[str, Any], definition: dict[str, Any]) -> dict[str, Any]:
    ranges = definition.get("HyperParameterRanges") or config.get("ParameterRanges") or {}
    return dict(ranges)


# ----------------------------------------------------------------------------- launch
def _resource_config(definition: dict[str, Any]) -> dict[str, Any] | None:
    if definition.get("ResourceConfig") is not None:
        return dict(definition["ResourceConfig"])
    tuning = definition.get("HyperParameterTuningResourceConfig")
    if tuning is None:
        return None
    resource = {
        key: tuning[key]
        for key in ("InstanceType", "InstanceCount", "VolumeSizeInGB", "VolumeKmsKeyId")
        if tuning.get(key) is not None
    }
    configs = tuning.get("InstanceConfigs") or []
    if "InstanceType" not in resource and configs:
        resource.update({key: configs[0][key] for key in ("InstanceType", "InstanceCount", "VolumeSizeInGB")})
    return resource


def _algorithm(definition: dict[str, Any]) -> dict[str, Any]:
    spec = definition["AlgorithmSpecification"]
    return {
        key: spec[key]
        for key in ("TrainingImage", "AlgorithmName", "TrainingInputMode", "MetricDefinitions")
        if spec.get(key) is not None
    }


def _training_request(
    name: str, definition: dict[str, Any], tuned: dict[str, str], tags: list[dict[str, str]]
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "TrainingJobName": name,
        "HyperParameters": {**(definition.get("StaticHyperParameters") or {}), **tuned},
        "AlgorithmSpecification": _algorithm(definition),
        **{key: definition[key] for key in _COPIED if definition.get(key) is not None},
    }
    resource = _resource_config(definition)
    if resource is not None:
        request["ResourceConfig"] = resource
    if tags:
        request["Tags"] = [dict(tag) for tag in tags]
    return request


def _launch(
    response: BaseResponse,
    run: TuningRun,
    *,
    definition: dict[str, Any],
    objective: dict[str, str] | None,
    tuned: dict[str, str],
    index: int,
    tags: list[dict[str, str]],
) -> Trial:
    name = launched_job_name(run.name, index)
    calls.call(response, "create_training_job", _training_request(name, definition, tuned, tags))
    job = response.sagemaker_backend.training_jobs[name]  # type: ignore[attr-defined]
    job.tuning_job_arn = run.arn
    # moto replaces the job's MetricDefinitions with one of its own; the job runs the definition's.
    job.algorithm_specification = _algorithm(definition)
    for member, attribute in _KEPT_AFTERWARDS.items():
        if definition.get(member) is not None:
            setattr(job, attribute, definition[member])
    value = _objective_value(name) if objective is not None else None
    if objective is not None and value is not None:
        job.final_metric_data_list = [
            {"MetricName": objective["MetricName"], "Value": value, "Timestamp": job.training_end_time}
        ]
    return Trial(
        name=name,
        arn=job.arn,
        definition_name=definition.get("DefinitionName"),
        tuned=tuned,
        objective=objective,
        value=value,
        tuning_job_name=run.name,
    )


def _job_count(config: dict[str, Any], definitions: list[dict[str, Any]], parents: int) -> int:
    limits = config["ResourceLimits"]
    maximum = limits.get("MaxNumberOfTrainingJobs")
    if config.get("Strategy") == "Grid":
        combinations = sum(len(_grid(_ranges(config, d))) for d in definitions)
        maximum = combinations if maximum is None else min(maximum, combinations)
    elif maximum is None:
        maximum = limits["MaxParallelTrainingJobs"]
    return max(0, min(int(maximum) - parents, MAX_TRAINING_JOBS))


def _trials_of(response: BaseResponse, names: list[str]) -> list[Trial]:
    runs = _runs(response)
    with runs.lock:
        return [trial for name in names if name in runs.by_name for trial in runs.by_name[name].trials]


def _best(trials: list[Trial]) -> Trial | None:
    best: Trial | None = None
    for trial in trials:
        if trial.value is None:
            continue
        if best is None or trial.better_than(best):
            best = trial
    return best


def create_hyper_parameter_tuning_job(original: Callable[[Any], Any]) -> Callable[[BaseResponse], Any]:
    def create(self: BaseResponse) -> Any:
        params = _params(self)
        validate_request("CreateHyperParameterTuningJob", params)
        name = str(params["HyperParameterTuningJobName"])
        if params.get("TrainingJobDefinition") is None and not params.get("TrainingJobDefinitions"):
            raise ValidationError("Either TrainingJobDefinition or TrainingJobDefinitions must be specified.")
        if params.get("TrainingJobDefinition") is not None and params.get("TrainingJobDefinitions"):
            raise ValidationError("Specify either TrainingJobDefinition or TrainingJobDefinitions, not both.")
        existing = _moto_job(self, name)
        if existing is not None:
            raise ResourceInUse(
                f"Resource Already Exists: Hyper Parameter Tuning Job with name {name} already exists. "
                "Choose a different name."
            )
        config = params["HyperParameterTuningJobConfig"]
        definitions = (
            [params["TrainingJobDefinition"]]
            if params.get("TrainingJobDefinition")
            else list(params["TrainingJobDefinitions"])
        )
        for definition in definitions:
            _check_ranges(_ranges(config, definition))
        parents = [
            p["HyperParameterTuningJobName"]
            for p in (params.get("WarmStartConfig") or {}).get("ParentHyperParameterTuningJobs") or []
        ]
        for parent in parents:
            if _moto_job(self, parent) is None:
                raise ValidationError(f"The parent hyperparameter tuning job {parent} does not exist.")
        result = original(self)
        moto_job = self.sagemaker_backend.hyper_parameter_tuning_jobs[name]  # type: ignore[attr-defined]
        # ListTags of a job created without tags lists none (moto keeps None, and fails on it).
        moto_job.tags = list(moto_job.tags or [])
        run = TuningRun(
            name=name,
            arn=moto_job.arn,
            parents=[_moto_job(self, p).hyper_parameter_tuning_job_name for p in parents],
        )
        runs = _runs(self)
        with runs.lock:
            runs.by_name[name] = run
        seed = config.get("RandomSeed", name)
        grids = [_grid(_ranges(config, d)) if config.get("Strategy") == "Grid" else [] for d in definitions]
        count = _job_count(config, definitions, len(_trials_of(self, run.parents)))
        tags = list(params.get("Tags") or [])
        for index in range(count):
            which = index % len(definitions)
            definition = definitions[which]
            round_ = index // len(definitions)
            grid = grids[which]
            point = grid[round_] if round_ < len(grid) else None
            if config.get("Strategy") == "Grid" and point is None:
                continue
            rng = random.Random(f"{seed}:{index}")
            tuned = _tuned(_ranges(config, definition), rng, point)
            objective = definition.get("TuningObjective") or config.get("HyperParameterTuningJobObjective")
            run.trials.append(
                _launch(
                    self,
                    run,
                    definition=definition,
                    objective=objective,
                    tuned=tuned,
                    index=index + 1,
                    tags=tags,
                )
            )
        _settle(self, moto_job, run)
        return result

    return create


def _settle(response: BaseResponse, moto_job: Any, run: TuningRun) -> None:
    """Make moto's tuning job describe what was launched (its List summary reads these too)."""
    measured = sum(1 for trial in run.trials if trial.value is not None)
    moto_job.training_job_status_counters = {
        "Completed": len(run.trials),
        "InProgress": 0,
        "RetryableError": 0,
        "NonRetryableError": 0,
        "Stopped": 0,
    }
    moto_job.objective_status_counters = {
        "Succeeded": measured,
        "Pending": 0,
        "Failed": len(run.trials) - measured,
    }
    jobs = response.sagemaker_backend.training_jobs  # type: ignore[attr-defined]
    best = _best(run.trials)
    moto_job.best_training_job = _summary(best, jobs.get(best.name)) if best else None
    if run.parents:
        overall = _best(run.trials + _trials_of(response, run.parents))
        moto_job.OverallBestTrainingJob = _summary(overall, jobs.get(overall.name)) if overall else None
    else:
        moto_job.OverallBestTrainingJob = None
    moto_job.failure_reason = None
    moto_job.tuning_job_completion_details = None
    moto_job.consumed_resources = None


def _summary(trial: Trial, job: Any) -> dict[str, Any]:
    """A HyperParameterTrainingJobSummary."""
    summary: dict[str, Any] = {
        "TrainingJobName": trial.name,
        "TrainingJobArn": trial.arn,
        "TuningJobName": trial.tuning_job_name,
        "TunedHyperParameters": dict(trial.tuned),
        "ObjectiveStatus": "Succeeded" if trial.value is not None else "Failed",
    }
    if trial.definition_name:
        summary["TrainingJobDefinitionName"] = trial.definition_name
    if job is not None:
        summary["CreationTime"] = aware_utc(job.creation_time)
        summary["TrainingStartTime"] = aware_utc(job.training_start_time)
        summary["TrainingEndTime"] = aware_utc(job.training_end_time)
        summary["TrainingJobStatus"] = job.training_job_status
        if getattr(job, "failure_reason", None):
            summary["FailureReason"] = job.failure_reason
    if trial.metric is not None:
        summary["FinalHyperParameterTuningJobObjectiveMetric"] = trial.metric
    return summary


# ----------------------------------------------------------------------------- describe
def describe_hyper_parameter_tuning_job(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeHyperParameterTuningJob", params)
    name = str(params["HyperParameterTuningJobName"])
    job = _moto_job(self, name)
    if job is None:
        raise _missing(name)
    body = {key: value for key, value in job.describe().items() if value is not None}
    return ActionResult(body)


_SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "Name": lambda s: s["TrainingJobName"],
    "CreationTime": lambda s: (s.get("CreationTime") or datetime.min, s["TrainingJobName"]),
    "Status": lambda s: (s.get("TrainingJobStatus") or "", s["TrainingJobName"]),
    "FinalObjectiveMetricValue": lambda s: (
        s["FinalHyperParameterTuningJobObjectiveMetric"]["Value"],
        s["TrainingJobName"],
    ),
}


def list_training_jobs_for_hyper_parameter_tuning_job(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListTrainingJobsForHyperParameterTuningJob", params)
    name = str(params["HyperParameterTuningJobName"])
    job = _moto_job(self, name)
    if job is None:
        raise _missing(name)
    runs = _runs(self)
    with runs.lock:
        run = runs.by_name.get(job.hyper_parameter_tuning_job_name)
        trials = list(run.trials) if run is not None else []
    jobs = self.sagemaker_backend.training_jobs  # type: ignore[attr-defined]
    summaries = [_summary(trial, jobs.get(trial.name)) for trial in trials if trial.name in jobs]
    if params.get("StatusEquals"):
        summaries = [s for s in summaries if s.get("TrainingJobStatus") == params["StatusEquals"]]
    sort_by = params.get("SortBy") or "Name"
    if sort_by == "FinalObjectiveMetricValue":
        summaries = [s for s in summaries if "FinalHyperParameterTuningJobObjectiveMetric" in s]
    ordered = sorted(summaries, key=_SORT_KEYS[sort_by], reverse=params.get("SortOrder") == "Descending")
    return listed(params, ordered, "TrainingJobSummaries")


HANDLERS: dict[str, Callable[[BaseResponse], Any]] = {
    "describe_hyper_parameter_tuning_job": describe_hyper_parameter_tuning_job,
    "list_training_jobs_for_hyper_parameter_tuning_job": list_training_jobs_for_hyper_parameter_tuning_job,
}

# moto's handlers this module wraps: name -> wrapper of moto's handler.
WRAPPERS: dict[str, Callable[[Callable[[Any], Any]], Callable[[BaseResponse], Any]]] = {
    "create_hyper_parameter_tuning_job": create_hyper_parameter_tuning_job,
}
