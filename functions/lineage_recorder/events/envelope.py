"""The EventBridge envelope of a SageMaker event, as it arrives in an SQS record body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from lineage_recorder.events.fields import Timestamp

EVENT_SOURCE = "aws.sagemaker"
# EventBridge's limit for a detail-type (PutEvents: DetailType, at most 128 characters).
MAX_DETAIL_TYPE_LENGTH = 128


class SageMakerEvent(BaseModel):
    """Strict on what the recorder relies on: the source, a detail-type, an account, a detail object.

    Any SageMaker detail-type is accepted here; one that no enabled family records is ignored with its
    reason by the recorder, not refused (an archive of mixed SageMaker events is normal input).
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    version: str | None = None
    id: str = Field(min_length=1, max_length=256)
    detail_type: str = Field(alias="detail-type", min_length=1, max_length=MAX_DETAIL_TYPE_LENGTH)
    source: str
    # [0-9], not \d: pydantic's regex engine is Unicode-aware, and \d would accept other scripts' digits.
    account: str = Field(pattern=r"^[0-9]{12}$")
    time: Timestamp = None
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-[0-9]$", max_length=32)
    resources: list[str] = Field(default_factory=list)
    detail: dict[str, Any]

    @field_validator("source")
    @classmethod
    def _from_sagemaker(cls, value: str) -> str:
        if value != EVENT_SOURCE:
            raise ValueError(f"source must be {EVENT_SOURCE!r}, not {value[:64]!r}")
        return value
