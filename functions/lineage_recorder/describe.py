"""Completes an event with Describe*: the event alone is not guaranteed to be the full description.

When the resource is gone, or its name cannot be described, the event's own detail is used instead and
the caller is told (it logs and counts a fallback). Throttling and other faults propagate after
botocore's retries, so the record is retried by SQS rather than recorded from partial data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})
_NOT_FOUND_PHRASES = ("could not find", "not found", "does not exist")


@dataclass(frozen=True)
class Described:
    body: dict[str, Any] | None
    reason: str | None = None  # why there is no description


def _is_not_found(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    if code in _NOT_FOUND_CODES:
        return True
    # SageMaker answers a missing job with ValidationException ("Requested resource not found").
    return code == "ValidationException" and any(phrase in message for phrase in _NOT_FOUND_PHRASES)


def _is_undescribable(error: ClientError) -> bool:
    """A name SageMaker rejects outright (pattern, length) can never be described."""
    return str(error.response.get("Error", {}).get("Code", "")) == "ValidationException"


def describe(sagemaker: Any, operation: str, **params: str) -> Described:
    try:
        response: dict[str, Any] = getattr(sagemaker, operation)(**params)
    except ClientError as error:
        if _is_not_found(error) or _is_undescribable(error):
            return Described(
                None, f"{operation} failed: {error.response.get('Error', {}).get('Message', error)}"
            )
        raise
    response.pop("ResponseMetadata", None)
    return Described(response)
