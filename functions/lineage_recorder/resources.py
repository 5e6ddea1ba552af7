"""Per resource family: read the event, complete it with Describe*, and hand it to its planner."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lineage_recorder.describe import describe
from lineage_recorder.errors import invalid
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.jobs import Model, ProcessingJob, TrainingJob, TransformJob
from lineage_recorder.plan import Plan
from lineage_recorder.planners.builder import job_name_from_arn
from lineage_recorder.planners.processing import plan_processing_job
from lineage_recorder.planners.training import plan_training_job
from lineage_recorder.planners.transform import plan_transform_job

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Prepared:
    plan: Plan
    fallbacks: tuple[str, ...] = ()


def _detail_with_arn(event: SageMakerEvent, arn_field: str) -> dict[str, Any]:
    detail = dict(event.detail)
    if not detail.get(arn_field) and event.resources:
        # A few events name the resource only in the envelope (e.g. labeling jobs); accept that ARN.
        detail[arn_field] = event.resources[0]
    return detail


def _validated(model: type[M], body: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise invalid(f"{what} is not usable", error) from error


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
    from_event = _validated(model, _detail_with_arn(event, kind.arn_field), "the event detail")
    job_arn = str(getattr(from_event, kind.arn_field))
    described = describe(sagemaker, kind.operation, **{kind.name_param: job_name_from_arn(job_arn)})
    if described.body is None:
        return from_event, (described.reason or f"{kind.operation} returned nothing",)
    return _validated(model, described.body, f"the {kind.operation} response"), ()


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
        described = describe(sagemaker, "describe_model", ModelName=job.ModelName)
        if described.body is None:
            fallbacks = (*fallbacks, described.reason or "describe_model returned nothing")
        else:
            model = _validated(Model, described.body, "the describe_model response")
    return Prepared(plan_transform_job(job, model), fallbacks)


PREPARERS: dict[str, Callable[[SageMakerEvent, Any], Prepared]] = {
    "training": prepare_training,
    "processing": prepare_processing,
    "transform": prepare_transform,
}
