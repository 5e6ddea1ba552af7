"""Completes an event with Describe*: the event alone is not guaranteed to be the full description.

When the resource is gone, or its name cannot be described, the event's own detail is used instead and
the caller is told (it logs and counts a fallback). Throttling and other faults propagate after
botocore's retries, so the record is retried by SQS rather than recorded from partial data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

_UNDESCRIBABLE_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException", "ValidationException"})


@dataclass(frozen=True)
class Described:
    body: dict[str, Any] | None
    reason: str | None = None  # why there is no description


def _cannot_be_described(error: ClientError) -> bool:
    """Gone, or a name SageMaker rejects outright: describing again will not help.

    SageMaker answers a missing job with ValidationException ("Requested resource not found"), the same
    code it uses for a malformed name, so the code alone decides.
    """
    return str(error.response.get("Error", {}).get("Code", "")) in _UNDESCRIBABLE_CODES


def describe(sagemaker: Any, operation: str, **params: str) -> Described:
    try:
        response: dict[str, Any] = getattr(sagemaker, operation)(**params)
    except ClientError as error:
        if _cannot_be_described(error):
            return Described(
                None, f"{operation} failed: {error.response.get('Error', {}).get('Message', error)}"
            )
        raise
    response.pop("ResponseMetadata", None)
    return Described(response)
