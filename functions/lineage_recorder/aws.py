"""AWS clients, created once per process and only when first needed (cold start matters), and how their
errors read.

Every module that calls AWS turns a failed call into one of the recorder's errors with
:func:`call_failed`, so the handler and the CLI catch ``RetryLaterError`` and never a botocore class.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, ConnectTimeoutError, EndpointConnectionError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

from lineage_recorder.errors import AwsCallError, ThrottledError

# botocore's own environment variables win when set; otherwise standard retries with a few more
# attempts than the default, because SageMaker's lineage APIs throttle under bursts.
DEFAULT_MAX_ATTEMPTS = 8

# botocore's own list of the error codes that mean "throttled", as its standard retry mode uses it.
_THROTTLED = ThrottledRetryableChecker()


CONNECT_TIMEOUT_SECONDS = 5
READ_TIMEOUT_SECONDS = 30
# botocore's standard and adaptive modes never sleep longer than this between two attempts.
MAX_BACKOFF_SECONDS = 20


def max_attempts() -> int:
    return int(os.environ.get("AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def client_config() -> Config:
    # total_max_attempts counts the first attempt, as AWS_MAX_ATTEMPTS does (botocore's max_attempts
    # counts retries only).
    retries: dict[str, Any] = {
        "mode": os.environ.get("AWS_RETRY_MODE", "standard"),
        "total_max_attempts": max_attempts(),
    }
    return Config(retries=retries, connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS)


def worst_call_seconds(attempts: int, connect_timeout: float, read_timeout: float) -> int:
    """How long one call can take with every attempt timing out, and the longest sleeps between them
    (botocore's standard backoff before retry k is at most min(2**k, 20) s)."""
    sleeps = sum(min(2**retry, MAX_BACKOFF_SECONDS) for retry in range(1, attempts))
    return int(attempts * (connect_timeout + read_timeout) + sleeps)


def longest_call_seconds() -> int:
    """How long one of the recorder's calls can take with every retry."""
    return worst_call_seconds(max_attempts(), CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS)


def client(service: str, endpoint_url: str | None = None) -> Any:
    """One client per (service, endpoint) for the process, however the arguments are spelled."""
    return _client(service, endpoint_url)


@cache
def _client(service: str, endpoint_url: str | None) -> Any:
    # AWS_REGION wins over AWS_DEFAULT_REGION and the profile, as the AWS CLI and the other SDKs read it
    # (botocore reads only AWS_DEFAULT_REGION); in Lambda both are set to the function's Region.
    region = os.environ.get("AWS_REGION", "").strip() or None
    return boto3.session.Session(region_name=region).client(
        service, endpoint_url=endpoint_url, config=client_config()
    )


def forget_clients() -> None:
    """Drop every cached client (tests that switch between emulators)."""
    _client.cache_clear()


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def error_message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", ""))


def is_throttling(error: ClientError) -> bool:
    return bool(_THROTTLED.is_retryable(RetryContext(attempt_number=1, parsed_response=error.response)))


def outcome_unknown(error: ClientError | BotoCoreError) -> bool:
    """Whether the call may have done its work although it failed: a server fault (5xx) or a connection
    lost after the request was sent. Throttling and a request that never left (no connection) did not."""
    if isinstance(error, ClientError):
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return status >= 500 and not is_throttling(error)
    return not isinstance(error, EndpointConnectionError | ConnectTimeoutError)


def call_failed(service: str, operation: str, error: ClientError | BotoCoreError) -> AwsCallError:
    """The recorder's error for a call that failed after botocore's retries."""
    if isinstance(error, BotoCoreError):
        failed = AwsCallError(service, operation, "", str(error))
    else:
        error_class = ThrottledError if is_throttling(error) else AwsCallError
        failed = error_class(service, operation, error_code(error), error_message(error))
    failed.outcome_unknown = outcome_unknown(error)
    return failed


def _no_blind_retry(response: Any = None, caught_exception: Exception | None = None, **_: Any) -> bool | None:
    """botocore's needs-retry hook for a call that is not idempotent: False (do not retry) when the first
    attempt may have done its work; None (let the retry mode decide) when it was throttled or never
    sent. botocore takes the first answer that is not None, and the most specific event is asked first."""
    if caught_exception is not None:
        return None if isinstance(caught_exception, EndpointConnectionError | ConnectTimeoutError) else False
    if response is None:
        return None
    status = int(getattr(response[0], "status_code", 0) or 0)
    if status < 500:
        return None
    parsed = response[1] if isinstance(response[1], dict) else {}
    throttled = _THROTTLED.is_retryable(RetryContext(attempt_number=1, parsed_response=parsed))
    return None if throttled else False


def never_retry_blindly(client: Any, operations: tuple[str, ...]) -> None:
    """Stop botocore repeating `operations` (creates with no idempotency token) after a failure that may
    have created something: a second attempt would create a twin. Throttled calls are still retried."""
    events = getattr(getattr(client, "meta", None), "events", None)
    if events is None:
        return  # not a botocore client (a test's fake)
    service = client.meta.service_model.service_id.hyphenize()
    for operation in operations:
        events.register_first(
            f"needs-retry.{service}.{operation}", _no_blind_retry, unique_id=f"no-blind-retry-{operation}"
        )
