"""The error that fails one record for good, and how pydantic's findings become its message."""

from __future__ import annotations

from pydantic import ValidationError

_MAX_PROBLEMS = 5


class InvalidEventError(ValueError):
    """The event cannot be recorded as it is; retrying will not help."""


def invalid(what: str, error: ValidationError) -> InvalidEventError:
    """An InvalidEventError naming the first few fields pydantic refused, and why."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in issue['loc']) or '(root)'}: {issue['msg']}"
        for issue in error.errors()[:_MAX_PROBLEMS]
    )
    return InvalidEventError(f"{what}: {problems}")
