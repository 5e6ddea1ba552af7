"""Jobs: the event names the job; DescribeTrainingJob (and the like) completes it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lineage_recorder.describe import describe
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.jobs import Model, ProcessingJob, TrainingJob, TransformJob
from lineage_recorder.planners.builder import job_name_from_arn
from lineage_recorder.planners.processing import plan_processing_job
from lineage_recorder.planners.training import plan_training_job
from lineage_recorder.planners.transform import plan_transform_job
from lineage_recorder.preparers.common import M, Prepared, described_model, detail_with_arn, validated


@dataclass(frozen=True)
class JobKind:
    """Where one kind of job keeps its ARN, and how to describe it."""

    arn_field: str
    operation: str
    name_param: str


TRAINING = JobKind("TrainingJobArn", "describe_training_job", "TrainingJobName")
PROCESSING = JobKind("ProcessingJobArn", "describe_processing_job", "ProcessingJobName")
TRANSFORM = JobKind("TransformJobArn", "describe_transform_job", "TransformJobName")


def _job(event: SageMakerEvent, sagemaker: Any, kind: JobKind, model: type[M]) -> tuple[M, tuple[str, ...]]:
    from_event = validated(model, detail_with_arn(event, kind.arn_field), "the event detail")
    job_arn = str(getattr(from_event, kind.arn_field))
    described = describe(sagemaker, kind.operation, **{kind.name_param: job_name_from_arn(job_arn)})
    if described.body is None:
        return from_event, (described.reason or f"{kind.operation} returned nothing",)
    return validated(model, described.body, f"the {kind.operation} response"), ()


def prepare_training(event: SageMakerEvent, sagemaker: Any) -> Prepared:
    job, fallbacks = _job(event, sagemaker, TRAINING, TrainingJob)
    return Prepared(plan_training_job(job), fallbacks)


def prepare_processing(event: SageMakerEvent, sagemaker: Any) -> Prepared:
    job, fallbacks = _job(event, sagemaker, PROCESSING, ProcessingJob)
    return Prepared(plan_processing_job(job), fallbacks)


def prepare_transform(event: SageMakerEvent, sagemaker: Any) -> Prepared:
    job, fallbacks = _job(event, sagemaker, TRANSFORM, TransformJob)
    model: Model | None = None
    if job.ModelName:
        model, reason = described_model(sagemaker, job.ModelName)
        fallbacks = fallbacks if reason is None else (*fallbacks, reason)
    return Prepared(plan_transform_job(job, model), fallbacks)
