"""What SageMaker's jobs share: the one table of job kinds, the job description model, and the preparer.

The job-kind table is the single source of the facts SageMaker ties to each kind of job: its ARN
resource type, Describe* call, event, status field, and the trial component SageMaker creates for it
(``<job>-aws-<kind>-job``, source type ``SageMaker<Kind>Job``). The recorder, the emulator, the CLI and
the tests all read it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TypeVar

from pydantic import Field

from lineage_recorder.events.base import RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import TagMap, Timestamp
from lineage_recorder.families.base import (
    DescribeCall,
    Describer,
    Family,
    confirmed_as,
    detail_with_arn,
    name_from_arn,
    validated,
)
from lineage_recorder.naming import entity_name
from lineage_recorder.plan import Plan

# What a job event is acted on: its final states. A job that did not finish well records what it read,
# never what it may have half-written.
FINAL_STATUSES = ("Completed", "Failed", "Stopped")
SUCCESSFUL_STATUSES = frozenset({"Completed"})
NODE_STATUSES = frozenset({"Completed", "Failed", "Stopped", "InProgress", "Stopping"})


@dataclass(frozen=True)
class JobKind:
    name: str  # "training"; "hyper-parameter-tuning" for HyperParameterTuningJob
    title: str  # "Training": how SageMaker's names and events spell the kind

    @property
    def resource_type(self) -> str:
        """The ARN's resource type: training-job."""
        return f"{self.name}-job"

    @property
    def node_type(self) -> str:
        """The job node's type: the action type the recorder creates, QueryLineage's vertex type."""
        return f"{self.title}Job"

    @property
    def trial_component_source_type(self) -> str:
        """The SourceType of SageMaker's trial component for the job."""
        return f"SageMaker{self.title}Job"

    @property
    def arn_field(self) -> str:
        return f"{self.title}JobArn"

    @property
    def name_field(self) -> str:
        return f"{self.title}JobName"

    @property
    def status_field(self) -> str:
        return f"{self.title}JobStatus"

    @property
    def detail_type(self) -> str:
        return f"SageMaker {self.title} Job State Change"

    @property
    def describe(self) -> DescribeCall:
        return DescribeCall(f"Describe{self.title}Job", self.resource_type, self.name_field)

    @property
    def create_operation(self) -> str:
        return f"Create{self.title}Job"

    def trial_component_name(self, job_name: str) -> str:
        """The name SageMaker gives the job's trial component."""
        return entity_name(job_name, f"aws-{self.name}-job")

    def node_name(self, job_name: str) -> str:
        """The name of the action the recorder creates for the job when SageMaker has no trial component."""
        return entity_name(job_name, f"{self.name}-job")

    @property
    def arn_pattern(self) -> str:
        return SAGEMAKER_ARN_PREFIX + self.resource_type + "/" + RESOURCE_NAME + "$"


TRAINING = JobKind("training", "Training")
PROCESSING = JobKind("processing", "Processing")
TRANSFORM = JobKind("transform", "Transform")
# The jobs SageMaker creates a trial component for.
JOB_KINDS = (TRAINING, PROCESSING, TRANSFORM)
# Ground Truth labeling jobs: no trial component, and their event is "SageMaker Ground Truth Labeling Job
# State Change" (families/labeling.py).
LABELING = JobKind("labeling", "Labeling")


def kind_of_trial_component(source_type: str) -> JobKind | None:
    """The job kind of a trial component's SourceType (SageMakerTrainingJob -> TRAINING)."""
    return next((kind for kind in JOB_KINDS if kind.trial_component_source_type == source_type), None)


class Job(Tolerant):
    """What every job description has. The same models read an event's detail and a Describe* response
    (the keys are the same PascalCase), so planners see one shape whichever source completed the picture.
    Unknown fields are kept, optional fields may be null; only the job ARN is required."""

    FailureReason: str | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None
    Tags: TagMap = Field(default_factory=dict)


class HubAccessConfigSpec(Tolerant):
    HubContentArn: str | None = None


class S3DataSourceSpec(Tolerant):
    S3Uri: str | None = None
    # Data from a SageMaker hub (JumpStart): the hub content it is.
    HubAccessConfig: HubAccessConfigSpec | None = None


class FileSystemDataSourceSpec(Tolerant):
    FileSystemId: str | None = None
    FileSystemType: str | None = None  # EFS | FSxLustre
    DirectoryPath: str | None = None


class DatasetSourceSpec(Tolerant):
    DatasetArn: str | None = None


class DataSourceSpec(Tolerant):
    """A training channel's or transform input's data: in S3, on a file system, or a SageMaker dataset."""

    S3DataSource: S3DataSourceSpec | None = None
    FileSystemDataSource: FileSystemDataSourceSpec | None = None
    DatasetSource: DatasetSourceSpec | None = None


J = TypeVar("J", bound=Job)


def describe_job(event: SageMakerEvent, describer: Describer, kind: JobKind, model: type[J]) -> J:
    """The job as Describe* shows it. SageMaker never deletes a job, so one it does not know was never
    its: nothing is recorded from the event alone (UnconfirmedResourceError)."""
    from_event = validated(model, detail_with_arn(event, kind.arn_field), "the event detail")
    job_arn = str(getattr(from_event, kind.arn_field))
    return confirmed_as(
        model, describer, kind.describe, name_from_arn(job_arn), arn_field=kind.arn_field, claimed_arn=job_arn
    )


def job_family(
    kind: JobKind,
    prepare: Callable[[SageMakerEvent, Describer], Plan],
    *,
    also_describes: tuple[DescribeCall, ...] = (),
    not_lineage: tuple[tuple[str, str], ...] = (),
) -> Family:
    """`not_lineage`: the job description's fields that name a resource but are not lineage, with why."""
    return Family(
        name=kind.name,
        detail_type=kind.detail_type,
        arn_field=kind.arn_field,
        status_field=kind.status_field,
        statuses=FINAL_STATUSES,
        describes=(replace(kind.describe, not_lineage=not_lineage), *also_describes),
        prepare=prepare,
    )
