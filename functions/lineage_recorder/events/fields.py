"""Field types for the quirks of real SageMaker events (docs/architecture.md, "What real events look
like")."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

_EPOCH_MILLIS_THRESHOLD = 10**11  # numbers above this are milliseconds, below are seconds
_ISO_FRACTION = re.compile(r"(\.[0-9]{6})[0-9]+")
_MAX_TIMESTAMP_TEXT = 64  # the longest ISO-8601 text with nanoseconds and an offset is ~35 characters
_MAX_ECHOED = 64


def _from_epoch(value: float) -> datetime:
    seconds = value / 1000 if abs(value) > _EPOCH_MILLIS_THRESHOLD else value
    return datetime.fromtimestamp(seconds, UTC)


def parse_timestamp(value: Any) -> datetime | None:
    """Epoch-millis int, float or string, epoch seconds, or ISO-8601 (with nanoseconds too)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError("a boolean is not a timestamp")
    if isinstance(value, int | float):
        try:
            return _from_epoch(value)
        except (OverflowError, OSError) as error:
            # Python raises these (not ValueError) for epochs beyond year 9999 or the platform's time_t;
            # pydantic only turns ValueError into a validation error.
            raise ValueError(f"timestamp {str(value)[:_MAX_ECHOED]} is out of range") from error
    if isinstance(value, str):
        text = value.strip()
        if len(text) > _MAX_TIMESTAMP_TEXT:
            raise ValueError(f"a timestamp is at most {_MAX_TIMESTAMP_TEXT} characters, not {len(text)}")
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            return parse_timestamp(number)
        text = _ISO_FRACTION.sub(r"\1", text.replace("Z", "+00:00"))
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{text[:_MAX_ECHOED]!r} is neither epoch time nor ISO-8601") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"a timestamp must be a number or a string, not {type(value).__name__}")


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
