"""Training jobs: job node; the Image and every DataSet channel ContributedTo it; it Produced the Model
(``ModelArtifacts.S3ModelArtifacts``, else ``OutputDataConfig.S3OutputPath``) and the Checkpoint.

Event: SageMaker Training Job State Change, when Completed, Failed or Stopped. Describe: DescribeTrainingJob.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import Describer
from lineage_recorder.families.builder import CHECKPOINT, DATASET, MODEL, PlanBuilder
from lineage_recorder.families.jobs import (
    SUCCESSFUL_STATUSES,
    TRAINING,
    DataSourceSpec,
    Job,
    describe_job,
    job_family,
)
from lineage_recorder.plan import AssociationType, Plan


class ChannelSpec(Tolerant):
    ChannelName: str | None = None
    DataSource: DataSourceSpec | None = None


class AlgorithmSpecificationSpec(Tolerant):
    TrainingImage: str | None = None
    AlgorithmName: str | None = None


class OutputDataConfigSpec(Tolerant):
    S3OutputPath: str | None = None


class ModelArtifactsSpec(Tolerant):
    S3ModelArtifacts: str | None = None


class CheckpointConfigSpec(Tolerant):
    S3Uri: str | None = None


class TrainingJob(Job):
    TrainingJobArn: str = Field(pattern=TRAINING.arn_pattern)
    TrainingJobName: str | None = None
    TrainingJobStatus: str | None = None
    AlgorithmSpecification: AlgorithmSpecificationSpec | None = None
    InputDataConfig: list[ChannelSpec] | None = None
    OutputDataConfig: OutputDataConfigSpec | None = None
    ModelArtifacts: ModelArtifactsSpec | None = None
    CheckpointConfig: CheckpointConfigSpec | None = None
    TrainingStartTime: Timestamp = None
    TrainingEndTime: Timestamp = None


def plan_training_job(job: TrainingJob) -> Plan:
    plan = PlanBuilder(job.TrainingJobArn)
    node = plan.job_node(
        TRAINING, job.TrainingJobArn, status=job.TrainingJobStatus, failure_reason=job.FailureReason
    )
    algorithm = job.AlgorithmSpecification
    image = plan.image_artifact(
        "AlgorithmSpecification.TrainingImage", algorithm.TrainingImage if algorithm else None
    )
    plan.edge(image, node, AssociationType.CONTRIBUTED_TO)
    for index, channel in enumerate(job.InputDataConfig or []):
        source = channel.DataSource.S3DataSource if channel.DataSource else None
        dataset = plan.s3_artifact(
            f"InputDataConfig[{index}].DataSource.S3DataSource.S3Uri",
            source.S3Uri if source else None,
            DATASET,
        )
        plan.edge(dataset, node, AssociationType.CONTRIBUTED_TO)

    if job.TrainingJobStatus in SUCCESSFUL_STATUSES:
        model_uri = job.ModelArtifacts.S3ModelArtifacts if job.ModelArtifacts else None
        field = "ModelArtifacts.S3ModelArtifacts"
        if not model_uri and job.OutputDataConfig:
            model_uri, field = job.OutputDataConfig.S3OutputPath, "OutputDataConfig.S3OutputPath"
        plan.edge(node, plan.s3_artifact(field, model_uri, MODEL), AssociationType.PRODUCED)
        checkpoint = job.CheckpointConfig.S3Uri if job.CheckpointConfig else None
        plan.edge(
            node, plan.s3_artifact("CheckpointConfig.S3Uri", checkpoint, CHECKPOINT), AssociationType.PRODUCED
        )
    return plan.build()


def prepare_training_job(event: SageMakerEvent, describer: Describer) -> Plan:
    return plan_training_job(describe_job(event, describer, TRAINING, TrainingJob))


FAMILY = job_family(TRAINING, prepare_training_job)
