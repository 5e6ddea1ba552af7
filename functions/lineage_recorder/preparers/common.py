"""What every preparer shares: the result type and validation of a description into its model."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lineage_recorder.describe import describe
from lineage_recorder.errors import invalid
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.jobs import Model
from lineage_recorder.plan import Plan

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Prepared:
    plan: Plan
    fallbacks: tuple[str, ...] = ()


def detail_with_arn(event: SageMakerEvent, arn_field: str) -> dict[str, Any]:
    detail = dict(event.detail)
    if not detail.get(arn_field) and event.resources:
        # A few events name the resource only in the envelope (e.g. labeling jobs); accept that ARN.
        detail[arn_field] = event.resources[0]
    return detail


def validated(model: type[M], body: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise invalid(f"{what} is not usable", error) from error


def described_model(sagemaker: Any, model_name: str) -> tuple[Model | None, str | None]:
    """DescribeModel, or None and the reason when the model is gone (lineage then lacks its containers)."""
    described = describe(sagemaker, "describe_model", ModelName=model_name)
    if described.body is None:
        return None, described.reason or "describe_model returned nothing"
    return validated(Model, described.body, "the describe_model response"), None
