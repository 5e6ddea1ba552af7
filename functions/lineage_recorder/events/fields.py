"""Field types for the quirks of real SageMaker events (shared/DESIGN.md section 4)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_EPOCH_MILLIS_THRESHOLD = 10**11  # numbers above this are milliseconds, below are seconds
_ISO_FRACTION = re.compile(r"(\.\d{6})\d+")


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch-millis int, float or string, epoch seconds, or ISO-8601 (with nanoseconds too)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        seconds = value / 1000 if abs(value) > _EPOCH_MILLIS_THRESHOLD else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip()
        try:
            return parse_timestamp(float(text))
        except ValueError:
            pass
        text = _ISO_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))
        parsed = datetime.fromisoformat(text)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"unsupported timestamp {value!r}")


def parse_tags(value: Any) -> dict[str, str]:
    """Tags arrive as a flat map in most events and as a Key/Value list in the schema registry."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): str(item) for key, item in value.items()}
    if isinstance(value, list):
        tags: dict[str, str] = {}
        for item in value:
            if not isinstance(item, dict) or "Key" not in item:
                raise ValueError("a tag list item must be an object with Key and Value")
            tags[str(item["Key"])] = str(item.get("Value", ""))
        return tags
    raise ValueError("Tags must be a map or a list of Key/Value objects")


Timestamp = Annotated[datetime | None, BeforeValidator(parse_timestamp)]
TagMap = Annotated[dict[str, str], BeforeValidator(parse_tags)]
