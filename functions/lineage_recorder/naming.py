"""Entity names and property values within SageMaker's limits, derived deterministically.

Names must match ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}``; values of Properties are kept to 256 characters
and at most 30 properties are sent (botocore's model allows more per value, the recorder stays well
inside so that every entity it writes can also be updated later).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable

MAX_NAME_LENGTH = 120
MAX_PROPERTIES = 30
MAX_PROPERTY_KEY_LENGTH = 128
MAX_PROPERTY_VALUE_LENGTH = 256
_INVALID_NAME_CHARACTERS = re.compile(r"[^a-zA-Z0-9]+")
_DIGEST_LENGTH = 10


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:_DIGEST_LENGTH]


def entity_name(*parts: str) -> str:
    """A valid, deterministic entity name for ``parts`` joined by '-'.

    Valid names pass through unchanged. Anything else is sanitised, and a digest of the original
    text is appended whenever information was lost, so two different inputs never share a name.
    """
    original = "-".join(parts)
    sanitised = _INVALID_NAME_CHARACTERS.sub("-", original).strip("-")
    if sanitised == original and len(original) <= MAX_NAME_LENGTH:
        return original
    digest = _digest(original)
    room = MAX_NAME_LENGTH - _DIGEST_LENGTH - 1
    head = sanitised[:room].strip("-")
    return f"{head}-{digest}" if head else digest


def bounded_value(value: str) -> str:
    if len(value) <= MAX_PROPERTY_VALUE_LENGTH:
        return value
    digest = _digest(value)
    return value[: MAX_PROPERTY_VALUE_LENGTH - _DIGEST_LENGTH - 4] + "...#" + digest


def bounded_properties(pairs: Iterable[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    """The first 30 non-empty pairs, with keys and values cut to the limits."""
    kept: dict[str, str] = {}
    for key, value in pairs:
        if value is None or value == "" or len(kept) >= MAX_PROPERTIES:
            continue
        kept.setdefault(key[:MAX_PROPERTY_KEY_LENGTH], bounded_value(str(value)))
    return tuple(kept.items())
