"""The state-change event SageMaker sends for a resource, built from its Describe* response.

Real events carry the Describe* view of the resource, timestamps as epoch milliseconds (docs/
architecture.md, "What real events look like"). Backfill and the daily reconcile send the event of each
resource's current state through the recorder; the demo and the tests build theirs the same way. These
shape a Describe* answer (read through the gateway, the only code that calls SageMaker).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any


def event_detail(description: dict[str, Any]) -> dict[str, Any]:
    """A Describe* response shaped like an event's detail: timestamps as epoch milliseconds."""

    def convert(value: Any) -> Any:
        if isinstance(value, datetime):
            return int(value.timestamp() * 1000)
        if isinstance(value, dict):
            return {key: convert(item) for key, item in value.items() if key != "ResponseMetadata"}
        if isinstance(value, list):
            return [convert(item) for item in value]
        return value

    converted: dict[str, Any] = convert(description)
    return converted


def upper_snake(status: str) -> str:
    """InService -> IN_SERVICE: endpoint events spell statuses so, unlike DescribeEndpoint."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", status).upper()


def model_detail(description: dict[str, Any]) -> dict[str, Any]:
    """The detail of a model's event (its creation): its DescribeModel view."""
    return event_detail(description)


def model_package_detail(
    description: dict[str, Any], updated_fields: list[str] | None = None
) -> dict[str, Any]:
    detail = event_detail(description)
    if updated_fields:
        # SageMaker fires the event again on every update and says which fields changed.
        detail["UpdatedModelPackageFields"] = updated_fields
    return detail


def endpoint_detail(description: dict[str, Any]) -> dict[str, Any]:
    """The detail of an endpoint reaching its current status (IN_SERVICE after a create or update)."""
    detail = event_detail(description)
    detail["EndpointStatus"] = upper_snake(str(detail["EndpointStatus"]))
    return detail
