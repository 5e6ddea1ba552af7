"""Entity names and property values within SageMaker's limits, derived deterministically.

Names must match ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}``; values of Properties are kept to 256 characters
and at most 30 properties are sent (botocore's model allows more per value, the recorder stays well
inside so that every entity it writes can also be updated later). Property values must also match the
model's ``.*``, a Java pattern whose ``.`` stops at line breaks: a multi-line FailureReason is written on
one line.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_NAME_LENGTH = 120
MAX_PROPERTIES = 30
MAX_PROPERTY_KEY_LENGTH = 128
MAX_PROPERTY_VALUE_LENGTH = 256
_INVALID_NAME_CHARACTERS = re.compile(r"[^a-zA-Z0-9]+")
_DIGEST_LENGTH = 10
# Control characters (Cc), lone surrogates (Cs) and line or paragraph separators (Zl, Zp): none can be
# written in a property value.
_UNWRITABLE_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _digest(text: str) -> str:
    # surrogatepass: a lone surrogate from a hostile event still digests, it never raises here.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:_DIGEST_LENGTH]


def _writable(value: str) -> str:
    """``value`` with every run of unwritable characters replaced by one space."""
    if not any(unicodedata.category(character) in _UNWRITABLE_CATEGORIES for character in value):
        return value
    kept: list[str] = []
    for character in value:
        if unicodedata.category(character) not in _UNWRITABLE_CATEGORIES:
            kept.append(character)
        elif not kept or kept[-1] != " ":
            kept.append(" ")
    return "".join(kept).strip()


def entity_name(*parts: str) -> str:
    """A valid, deterministic entity name for ``parts`` joined by '-'.

    Valid names pass through unchanged. Anything else is sanitised, and a digest of the original
    text is appended whenever information was lost, so two different inputs never share a name.
    """
    original = "-".join(parts)
    sanitised = _INVALID_NAME_CHARACTERS.sub("-", original).strip("-")
    if original and sanitised == original and len(original) <= MAX_NAME_LENGTH:
        return original
    digest = _digest(original)
    room = MAX_NAME_LENGTH - _DIGEST_LENGTH - 1
    head = sanitised[:room].strip("-")
    return f"{head}-{digest}" if head else digest


def bounded_value(value: str) -> str:
    """A writable property value: on one line, without control characters, at most 256 characters."""
    writable = _writable(value)
    if len(writable) <= MAX_PROPERTY_VALUE_LENGTH:
        return writable
    digest = _digest(value)
    return writable[: MAX_PROPERTY_VALUE_LENGTH - _DIGEST_LENGTH - 4] + "...#" + digest


def bounded_properties(pairs: Iterable[tuple[str, str | None]]) -> tuple[tuple[str, str], ...]:
    """The first 30 non-empty pairs, with keys and values made writable and cut to the limits."""
    kept: dict[str, str] = {}
    for key, value in pairs:
        if value is None or len(kept) >= MAX_PROPERTIES:
            continue
        bounded = bounded_value(str(value))
        if bounded:
            kept.setdefault(_writable(key)[:MAX_PROPERTY_KEY_LENGTH], bounded)
    return tuple(kept.items())
