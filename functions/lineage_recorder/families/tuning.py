"""Hyperparameter tuning jobs: a HyperParameterTuningJob context that every training job it launched is
AssociatedWith, its best training job named on it, and the tuning jobs it warm-started from DerivedFrom.

Direction (docs/decisions.md, "Tuning jobs and pipelines are contexts"): a tuning job groups training
jobs the way an endpoint groups its deployments and a model group its versions, and SageMaker's own graph
points each member at its group (ModelDeployment AssociatedWith Endpoint, package AssociatedWith
ModelGroup). So training job -> AssociatedWith -> tuning job.

Each training job links itself, from its own event (``TuningJobArn`` in DescribeTrainingJob, see
families/training.py): a tuning job of hundreds of training jobs costs one extra association per training
event and nothing at the tuning event, so it always fits the Lambda's time budget. The tuning event adds
the context's state (status, best training job and objective, job counts) and links the best training
job, so the best job is linked even before its own event is processed. Both sides derive the context
from the ARN alone (``tuning_context``), so whichever comes first creates it and the other resolves it.

Event: SageMaker HyperParameter Tuning Job State Change, when Completed, Failed or Stopped.
Describe: DescribeHyperParameterTuningJob.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import (
    DescribeCall,
    Describer,
    Family,
    confirmed_as,
    detail_with_arn,
    name_from_arn,
    validated,
)
from lineage_recorder.families.builder import (
    ASSOCIATED_WITH,
    PlanBuilder,
    job_node,
    revision_of,
    sibling_arn,
)
from lineage_recorder.families.jobs import FINAL_STATUSES, TRAINING
from lineage_recorder.families.reasons import CAPACITY, IDENTITY, INSIDE_THE_CONTAINER
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEntity

HYPER_PARAMETER_TUNING_JOB = "HyperParameterTuningJob"
RESOURCE_TYPE = "hyper-parameter-tuning-job"
# botocore: HyperParameterTuningJobName is at most 32 characters.
TUNING_JOB_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + RESOURCE_TYPE + "/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}$"

DESCRIBE_TUNING_JOB = DescribeCall(
    "DescribeHyperParameterTuningJob",
    RESOURCE_TYPE,
    "HyperParameterTuningJobName",
    not_lineage=(
        *(
            (f"{definition}.{path}", reason)
            for definition in ("TrainingJobDefinition", "TrainingJobDefinitions[]")
            for path, reason in (
                ("AlgorithmSpecification.TrainingImage", "each training job it launched records its image"),
                (
                    "AlgorithmSpecification.AlgorithmName",
                    "each training job it launched records its algorithm",
                ),
                ("RoleArn", IDENTITY),
                *(
                    (
                        f"InputDataConfig[].DataSource.{source}",
                        "each training job it launched records its data",
                    )
                    for source in (
                        "S3DataSource.S3Uri",
                        "S3DataSource.HubAccessConfig.HubContentArn",
                        "FileSystemDataSource.FileSystemId",
                        "FileSystemDataSource.DirectoryPath",
                        "DatasetSource.DatasetArn",
                    )
                ),
                ("OutputDataConfig.S3OutputPath", "each training job it launched records the model it wrote"),
                ("ResourceConfig.TrainingPlanArn", CAPACITY),
                ("CheckpointConfig.S3Uri", "each training job it launched records its checkpoints"),
                ("CheckpointConfig.LocalPath", INSIDE_THE_CONTAINER),
            )
        ),
        (
            "OverallBestTrainingJob.TrainingJobArn",
            "the best training job across this job and those it warm-started from: each is linked to its "
            "own tuning job (this one's best is BestTrainingJob, recorded)",
        ),
    ),
)


class TrainingJobSummarySpec(Tolerant):
    TrainingJobArn: str | None = None
    TrainingJobName: str | None = None
    FinalHyperParameterTuningJobObjectiveMetric: dict[str, object] | None = None


class ParentTuningJobSpec(Tolerant):
    HyperParameterTuningJobName: str | None = None


class WarmStartConfigSpec(Tolerant):
    ParentHyperParameterTuningJobs: list[ParentTuningJobSpec] | None = None
    WarmStartType: str | None = None


class TuningJob(Tolerant):
    HyperParameterTuningJobArn: str = Field(pattern=TUNING_JOB_ARN_PATTERN)
    HyperParameterTuningJobName: str | None = None
    HyperParameterTuningJobStatus: str | None = None
    HyperParameterTuningJobConfig: dict[str, object] | None = None
    BestTrainingJob: TrainingJobSummarySpec | None = None
    TrainingJobStatusCounters: dict[str, int] | None = None
    WarmStartConfig: WarmStartConfigSpec | None = None
    FailureReason: str | None = None
    CreationTime: Timestamp = None
    HyperParameterTuningEndTime: Timestamp = None
    LastModifiedTime: Timestamp = None


def tuning_context(
    tuning_job_arn: str,
    *,
    properties: tuple[tuple[str, str], ...] = (),
    revision: str | None = None,
    reference: bool = False,
) -> PlannedEntity:
    """The tuning job's context, as its own family plans it, or as a training job or a pipeline step
    references it (``reference``): key, type and name come from the ARN alone, so all resolve to one node."""
    return PlannedEntity(
        key=EntityKey(EntityKind.CONTEXT, tuning_job_arn),
        entity_type=HYPER_PARAMETER_TUNING_JOB,
        name=entity_name(name_from_arn(tuning_job_arn), "tuning-job"),
        properties=properties,
        reconcile=not reference,
        reference=reference,
        revision=revision,
    )


def tuning_job_arn(name_or_arn: str, like: str) -> str:
    """A tuning job named by name (a warm-start parent) is in the account of the ARN `like`; SageMaker
    writes job names in lower case in ARNs."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return sibling_arn(like, RESOURCE_TYPE, name_or_arn.lower())


def _objective(job: TuningJob) -> tuple[str | None, str | None]:
    config = job.HyperParameterTuningJobConfig or {}
    objective = config.get("HyperParameterTuningJobObjective")
    metric = objective.get("MetricName") if isinstance(objective, dict) else None
    final = job.BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric if job.BestTrainingJob else None
    value = final.get("Value") if isinstance(final, dict) else None
    return (str(metric) if metric is not None else None, str(value) if value is not None else None)


def plan_tuning_job(job: TuningJob) -> Plan:
    plan = PlanBuilder(job.HyperParameterTuningJobArn)
    best = job.BestTrainingJob
    metric, best_value = _objective(job)
    counters = job.TrainingJobStatusCounters or {}
    context = plan.add(
        tuning_context(
            job.HyperParameterTuningJobArn,
            properties=bounded_properties(
                [
                    ("HyperParameterTuningJobName", name_from_arn(job.HyperParameterTuningJobArn)),
                    ("Status", job.HyperParameterTuningJobStatus),
                    ("BestTrainingJobArn", best.TrainingJobArn if best else None),
                    ("BestTrainingJobName", best.TrainingJobName if best else None),
                    ("ObjectiveMetricName", metric),
                    ("BestObjectiveMetricValue", best_value),
                    ("WarmStartType", job.WarmStartConfig.WarmStartType if job.WarmStartConfig else None),
                    ("FailureReason", job.FailureReason),
                    *((f"TrainingJobs{status}", str(count)) for status, count in sorted(counters.items())),
                ]
            ),
            revision=revision_of(job.LastModifiedTime or job.HyperParameterTuningEndTime),
        )
    )
    best_arn = plan.checked_arn(
        "BestTrainingJob.TrainingJobArn", best.TrainingJobArn if best else None, TRAINING.resource_type
    )
    if best_arn is not None:
        plan.edge(plan.add(job_node(TRAINING, best_arn, reference=True)), context, ASSOCIATED_WITH)
    parents = job.WarmStartConfig.ParentHyperParameterTuningJobs if job.WarmStartConfig else None
    for parent in parents or []:
        if parent.HyperParameterTuningJobName:
            parent_arn = tuning_job_arn(
                parent.HyperParameterTuningJobName, like=job.HyperParameterTuningJobArn
            )
            parent_key = plan.add(tuning_context(parent_arn, reference=True))
            # DerivedFrom: "the destination is a modification of the source" (AddAssociation).
            plan.edge(parent_key, context, AssociationType.DERIVED_FROM)
    return plan.build()


def prepare_tuning_job(event: SageMakerEvent, describer: Describer) -> Plan:
    """The tuning job as SageMaker describes it; one it does not know is not recorded from the event."""
    from_event = validated(
        TuningJob, detail_with_arn(event, "HyperParameterTuningJobArn"), "the event detail"
    )
    arn = from_event.HyperParameterTuningJobArn
    described = confirmed_as(
        TuningJob,
        describer,
        DESCRIBE_TUNING_JOB,
        name_from_arn(arn),
        arn_field="HyperParameterTuningJobArn",
        claimed_arn=arn,
    )
    return plan_tuning_job(described)


FAMILY = Family(
    name="tuning",
    detail_type="SageMaker HyperParameter Tuning Job State Change",
    arn_field="HyperParameterTuningJobArn",
    status_field="HyperParameterTuningJobStatus",
    statuses=FINAL_STATUSES,
    describes=(DESCRIBE_TUNING_JOB,),
    prepare=prepare_tuning_job,
)
