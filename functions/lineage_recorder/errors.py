"""The errors that stop the recorder, and how pydantic's findings become a message."""

from __future__ import annotations

from pydantic import ValidationError

_MAX_PROBLEMS = 5
# Pydantic quotes the offending input in some messages; an event can carry megabytes in one field.
_MAX_PROBLEM_LENGTH = 200
_MAX_LOCATION_PART_LENGTH = 64


class InvalidEventError(ValueError):
    """The event cannot be recorded as it is; retrying will not help."""


class ConfigurationError(RuntimeError):
    """The recorder itself is misconfigured (an environment variable, or its own account is unknown).

    No event can be recorded until it is fixed, so this is never a per-record failure.
    """


def _bounded(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def invalid(what: str, error: ValidationError) -> InvalidEventError:
    """An InvalidEventError naming the first few fields pydantic refused, and why (bounded in size)."""
    problems = "; ".join(
        _bounded(
            f"{'.'.join(_bounded(str(part), _MAX_LOCATION_PART_LENGTH) for part in issue['loc']) or '(root)'}"
            f": {issue['msg']}",
            _MAX_PROBLEM_LENGTH,
        )
        for issue in error.errors(include_url=False, include_input=False)[:_MAX_PROBLEMS]
    )
    return InvalidEventError(f"{what}: {problems}")
