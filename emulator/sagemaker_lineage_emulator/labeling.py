"""Ground Truth labeling jobs, which moto does not have.

The emulator keeps them per account and Region on moto's SageMaker backend, like its other resources, so
moto's reset clears them. Like moto's jobs, a one-time labeling job is done as soon as it is created: no
worker is asked, and the output manifest is said, not written.

The rules, and where they come from (SageMaker API reference and Developer Guide):

- API_CreateLabelingJob: the request is checked against the operation's model (required LabelingJobName,
  LabelAttributeName, InputConfig, OutputConfig, RoleArn, HumanTaskConfig with its WorkteamArn, UiConfig,
  TaskTitle, TaskDescription, NumberOfHumanWorkersPerDataObject and TaskTimeLimitInSeconds; lengths,
  patterns, ranges). "LabelingJobName is not case sensitive. For example, Example-job and example-job are
  considered the same labeling job name": a second job whose name differs only in case is ResourceInUse (the
  operation's documented error), Describe finds a job whatever the case, and the ARN names it in lower case
  (``arn:aws:sagemaker:<region>:<account>:labeling-job/<name in lower case>``).
- LabelAttributeName: "The name can't end with "-metadata""; for the image semantic segmentation, video
  frame object detection and tracking, and 3D point cloud semantic segmentation and object tracking task
  types (and their adjustment jobs) "the attribute name must end with "-ref"",
  VerificationSemanticSegmentation "must not", and (Developer Guide, "Labeling job output data") "For any
  other type of job, the attribute name can't end with -ref". The task type is read from
  HumanTaskConfig.PreHumanTaskLambdaArn's ``PRE-<task type>`` function name (the ARNs the reference lists
  for the built-in task types).
- InputConfig.DataSource: "You must specify at least one of the following: S3DataSource or SnsDataSource."
  With an SnsDataSource the job is a streaming job, which runs until stopped ("If you do not specify and SNS
  input topic ARN, Ground Truth will create a one-time labeling job that stops after all data objects in the
  input manifest file have been labeled"): it stays InProgress until StopLabelingJob.
- DescribeLabelingJob: LabelingJobStatus (a one-time job Completed), LabelCounters (TotalLabeled and
  HumanLabeled are the input manifest's lines when the manifest is in the emulator's S3, else 0),
  CreationTime, LastModifiedTime, JobReferenceCode, and the request echoed (LabelAttributeName, InputConfig,
  OutputConfig, RoleArn, LabelCategoryConfigS3Uri, StoppingConditions, LabelingJobAlgorithmsConfig,
  HumanTaskConfig, Tags). LabelingJobOutput.OutputDatasetS3Uri is
  ``<OutputConfig.S3OutputPath>/<LabelingJobName>/manifests/output/output.manifest`` (Developer Guide,
  "Output Directories": "The top-level directory for a labeling job is given the same name as your labeling
  job"; "The output directory contains the output manifest file for your labeling job. The file is named
  output.manifest"). A job that does not exist is ResourceNotFound.
- StopLabelingJob: "Stops a running labeling job ... Any results obtained before the job is stopped are
  placed in the Amazon S3 output bucket": a running job becomes Stopped with its LabelingJobOutput; a job
  that has ended stays as it is; one that does not exist is ResourceNotFound.
- ListLabelingJobs: NameContains, StatusEquals, CreationTimeAfter / CreationTimeBefore,
  LastModifiedTimeAfter / LastModifiedTimeBefore ("created after", "before": strict); SortBy "The default is
  CreationTime" (Name | CreationTime | Status); SortOrder "The default is Ascending"; MaxResults 10 unless
  asked (docs/decisions.md 3); botocore's paginators-1.json pages it on NextToken / MaxResults /
  LabelingJobSummaryList. A LabelingJobSummary has the job's WorkteamArn, PreHumanTaskLambdaArn,
  AnnotationConsolidationLambdaArn, LabelingJobOutput and InputConfig.
- Tags given at creation are listed by ListTags and changed by AddTags / DeleteTags on the job's ARN.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.s3.models import s3_backends
from moto.utilities.utils import get_partition

from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.responses import (
    _params,
    listed,
    time_window,
)
from sagemaker_lineage_emulator.store import backend_state, next_sequence, now
from sagemaker_lineage_emulator.validation import validate_request

RESOURCE_TYPE = "labeling-job"
# Task types whose label attribute "must end with -ref" (API_CreateLabelingJob LabelAttributeName).
REF_TASK_TYPES = frozenset(
    {
        "SemanticSegmentation",
        "AdjustmentSemanticSegmentation",
        "VideoObjectDetection",
        "AdjustmentVideoObjectDetection",
        "VideoObjectTracking",
        "AdjustmentVideoObjectTracking",
        "3DPointCloudSemanticSegmentation",
        "Adjustment3DPointCloudSemanticSegmentation",
        "3DPointCloudObjectTracking",
        "Adjustment3DPointCloudObjectTracking",
    }
)
_ECHOED = (
    "LabelAttributeName",
    "InputConfig",
    "OutputConfig",
    "RoleArn",
    "LabelCategoryConfigS3Uri",
    "StoppingConditions",
    "LabelingJobAlgorithmsConfig",
    "HumanTaskConfig",
)
_ENDED = frozenset({"Completed", "Failed", "Stopped"})


class ResourceInUse(ServiceException):
    code = "ResourceInUse"


@dataclass
class LabelingJob:
    name: str
    arn: str
    request: dict[str, Any]
    status: str
    label_counters: dict[str, int]
    tags: list[dict[str, str]] = field(default_factory=list)
    creation_time: datetime = field(default_factory=now)
    last_modified_time: datetime = field(default_factory=now)
    job_reference_code: str = field(default_factory=lambda: secrets.token_hex(16))
    sequence: int = field(default_factory=next_sequence)

    @property
    def output(self) -> dict[str, str] | None:
        """LabelingJobOutput: where the output manifest is, once the job has labeled what it will."""
        if self.status not in ("Completed", "Stopped"):
            return None
        path = str(self.request["OutputConfig"]["S3OutputPath"]).rstrip("/")
        return {"OutputDatasetS3Uri": f"{path}/{self.name}/manifests/output/output.manifest"}

    def described(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "LabelingJobStatus": self.status,
            "LabelCounters": dict(self.label_counters),
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "JobReferenceCode": self.job_reference_code,
            "LabelingJobName": self.name,
            "LabelingJobArn": self.arn,
            **{key: self.request[key] for key in _ECHOED if self.request.get(key) is not None},
        }
        if self.tags:
            body["Tags"] = list(self.tags)
        if self.output is not None:
            body["LabelingJobOutput"] = self.output
        return body

    def summary(self) -> dict[str, Any]:
        """A LabelingJobSummary (ListLabelingJobs)."""
        task = self.request["HumanTaskConfig"]
        summary: dict[str, Any] = {
            "LabelingJobName": self.name,
            "LabelingJobArn": self.arn,
            "CreationTime": self.creation_time,
            "LastModifiedTime": self.last_modified_time,
            "LabelingJobStatus": self.status,
            "LabelCounters": dict(self.label_counters),
            "WorkteamArn": task["WorkteamArn"],
            "InputConfig": self.request["InputConfig"],
        }
        if task.get("PreHumanTaskLambdaArn"):
            summary["PreHumanTaskLambdaArn"] = task["PreHumanTaskLambdaArn"]
        consolidation = (task.get("AnnotationConsolidationConfig") or {}).get(
            "AnnotationConsolidationLambdaArn"
        )
        if consolidation:
            summary["AnnotationConsolidationLambdaArn"] = consolidation
        if self.output is not None:
            summary["LabelingJobOutput"] = self.output
        return summary


class LabelingJobs:
    """The labeling jobs of one account and Region, by name in lower case (names are case-insensitive)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.by_key: dict[str, LabelingJob] = {}


def jobs_for(account_id: str, region_name: str) -> LabelingJobs:
    """The jobs of an account and Region; they live on moto's backend, so moto's reset drops them."""
    return backend_state(account_id, region_name, "_labeling_jobs", LabelingJobs)


def _jobs(response: BaseResponse) -> LabelingJobs:
    return jobs_for(response.current_account, response.region)


def _arn(response: BaseResponse, name: str) -> str:
    region, account = response.region, response.current_account
    return f"arn:{get_partition(region)}:sagemaker:{region}:{account}:{RESOURCE_TYPE}/{name.lower()}"


def _get(response: BaseResponse, name: str) -> LabelingJob:
    job = _jobs(response).by_key.get(name.lower())
    if job is None:
        raise ResourceNotFound(f"Could not find labeling job '{_arn(response, name)}'.")
    return job


# ------------------------------------------------------------------------------ checks
def _task_type(request: dict[str, Any]) -> str | None:
    """The built-in task type a PRE-<task type> Lambda names (arn:...:function:PRE-BoundingBox)."""
    arn = str(request["HumanTaskConfig"].get("PreHumanTaskLambdaArn") or "")
    function = arn.rsplit(":function:", 1)[-1] if ":function:" in arn else ""
    return function.removeprefix("PRE-") if function.startswith("PRE-") else None


def _check_label_attribute(request: dict[str, Any]) -> None:
    name = str(request["LabelAttributeName"])
    if name.endswith("-metadata"):
        raise ValidationError(f'LabelAttributeName "{name}" can\'t end with "-metadata".')
    task_type = _task_type(request)
    if task_type in REF_TASK_TYPES and not name.endswith("-ref"):
        raise ValidationError(
            f'LabelAttributeName "{name}" must end with "-ref" for a {task_type} labeling job.'
        )
    if task_type not in REF_TASK_TYPES and name.endswith("-ref"):
        raise ValidationError(
            f'LabelAttributeName "{name}" can\'t end with "-ref" for a {task_type or "custom"} labeling job.'
        )


def _check_data_source(request: dict[str, Any]) -> None:
    source = request["InputConfig"]["DataSource"]
    if not source.get("S3DataSource") and not source.get("SnsDataSource"):
        raise ValidationError(
            "InputConfig.DataSource must specify at least one of S3DataSource or SnsDataSource."
        )


def _manifest_lines(response: BaseResponse, manifest: str | None) -> int:
    """The number of data objects in the input manifest (one JSON line each), 0 when it is not in S3."""
    if not manifest or not manifest.startswith("s3://"):
        return 0
    bucket, _, key = manifest.removeprefix("s3://").partition("/")
    try:
        found = s3_backends[response.current_account][get_partition(response.region)].get_object(bucket, key)
    except Exception:  # noqa: BLE001 - no such bucket or key: a manifest the emulator cannot read
        return 0
    if found is None:
        return 0
    return sum(1 for line in bytes(found.value).decode("utf-8", "replace").splitlines() if line.strip())


# --------------------------------------------------------------------------- operations
def create_labeling_job(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("CreateLabelingJob", params)
    _check_label_attribute(params)
    _check_data_source(params)
    name = str(params["LabelingJobName"])
    source = params["InputConfig"]["DataSource"]
    streaming = bool(source.get("SnsDataSource"))
    objects = _manifest_lines(self, (source.get("S3DataSource") or {}).get("ManifestS3Uri"))
    labeled = 0 if streaming else objects
    jobs = _jobs(self)
    with jobs.lock:
        if name.lower() in jobs.by_key:
            raise ResourceInUse(
                f"A labeling job with the name {name} already exists. Choose a different name."
            )
        job = LabelingJob(
            name=name,
            arn=_arn(self, name),
            request={key: params[key] for key in _ECHOED if params.get(key) is not None},
            status="InProgress" if streaming else "Completed",
            label_counters={
                "TotalLabeled": labeled,
                "HumanLabeled": labeled,
                "MachineLabeled": 0,
                "FailedNonRetryableError": 0,
                "Unlabeled": objects - labeled,
            },
            tags=[dict(tag) for tag in params.get("Tags") or []],
        )
        jobs.by_key[name.lower()] = job
    return ActionResult({"LabelingJobArn": job.arn})


def describe_labeling_job(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeLabelingJob", params)
    jobs = _jobs(self)
    with jobs.lock:
        return ActionResult(_get(self, str(params["LabelingJobName"])).described())


def stop_labeling_job(self: BaseResponse) -> EmptyResult:
    params = _params(self)
    validate_request("StopLabelingJob", params)
    jobs = _jobs(self)
    with jobs.lock:
        job = _get(self, str(params["LabelingJobName"]))
        if job.status not in _ENDED:
            job.status = "Stopped"
            job.last_modified_time = now()
    return EmptyResult()


_SORT_KEYS: dict[str, Callable[[LabelingJob], Any]] = {
    "CreationTime": lambda job: (job.creation_time, job.sequence),
    "Name": lambda job: (job.name, job.sequence),
    "Status": lambda job: (job.status, job.creation_time, job.sequence),
}


def list_labeling_jobs(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListLabelingJobs", params)
    within = time_window(params)
    jobs = _jobs(self)
    with jobs.lock:
        candidates = list(jobs.by_key.values())
    matching = [
        job
        for job in candidates
        if (not params.get("NameContains") or params["NameContains"] in job.name)
        and (not params.get("StatusEquals") or job.status == params["StatusEquals"])
        and within(job.creation_time, job.last_modified_time)
    ]
    # "The default is Ascending" (API_ListLabelingJobs SortOrder).
    ordered = sorted(
        matching,
        key=_SORT_KEYS[params.get("SortBy") or "CreationTime"],
        reverse=params.get("SortOrder") == "Descending",
    )
    return listed(params, ordered, "LabelingJobSummaryList", lambda item: item.summary())


# ------------------------------------------------------------------------------- tags
def job_for_arn(arn: str) -> LabelingJob | None:
    """The labeling job a ``labeling-job/`` ARN names, or None (for AddTags / ListTags / DeleteTags)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith(f"{RESOURCE_TYPE}/"):
        return None
    try:
        jobs = jobs_for(parts[4], parts[3])
    except KeyError:
        return None
    with jobs.lock:
        return jobs.by_key.get(parts[5].split("/", 1)[1].lower())


def resource_from_arn(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's backend finds tagged resources by ARN; this lets it find labeling jobs too."""

    def find(backend: Any, arn: str) -> Any:
        job = job_for_arn(arn)
        if job is not None:
            return job
        return original(backend, arn)

    return find


HANDLERS: dict[str, Callable[[BaseResponse], ActionResult | EmptyResult]] = {
    "create_labeling_job": create_labeling_job,
    "describe_labeling_job": describe_labeling_job,
    "stop_labeling_job": stop_labeling_job,
    "list_labeling_jobs": list_labeling_jobs,
}
