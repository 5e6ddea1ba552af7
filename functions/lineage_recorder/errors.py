"""The errors that stop the recorder, and how pydantic's findings become a message.

Three outcomes of a failed record, one class each (and UnconfirmedResourceError, an event about a resource
SageMaker does not know: ignored with its reason, never recorded from its body):
- InvalidEventError: the event itself is wrong; retrying will not help (the record fails alone, to the DLQ).
- RetryLaterError: the record could not be finished now (throttling that outlasted botocore's retries, a
  fault, another worker creating the same entity, a reached quota); SQS delivers it again. The handler and
  the CLI catch this one class; the subclasses say why.
- ConfigurationError: the recorder itself is misconfigured; no record can succeed until it is fixed.
"""

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


class UnconfirmedResourceError(Exception):
    """SageMaker does not know the resource the event is about: nothing is recorded from the event alone.

    Describe* is the source of truth; an event's body is untrusted input (anyone who may send to the
    queue can write one). The event is ignored with this reason, and counted (EventsUnconfirmed).
    """


class RetryLaterError(Exception):
    """The record could not be recorded now; delivered again later, it can be."""


class AwsCallError(RetryLaterError):
    """An AWS call failed after botocore's retries (throttling, a fault, the network, access denied).

    ``service`` and ``operation`` name the call, ``code`` the AWS error code ("" for a network fault).
    """

    def __init__(self, service: str, operation: str, code: str, message: str) -> None:
        super().__init__(f"{service} {operation} failed: {code or 'no response'}: {message}"[:1024])
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        # The call may have done its work (a server fault, a connection lost after sending): a create
        # must look for what it may have made before it is tried again.
        self.outcome_unknown = False


class ThrottledError(AwsCallError):
    """Throttling outlasted botocore's retries."""


class QuotaExceededError(AwsCallError):
    """SageMaker refused to create lineage: an account quota for lineage entities is reached.

    Retrying soon does not help; the record rests in the DLQ until the quota is raised and it is redriven.
    """


class CreationInProgressError(RetryLaterError):
    """Another worker claimed this key and has not finished creating it; retry the record later."""


class UnprocessedItemsError(RetryLaterError):
    """DynamoDB kept leaving part of a batch unprocessed: the table is throttled."""


class EventInProgressError(RetryLaterError):
    """The same event is being recorded by another worker right now (the replay guard's lock)."""


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
