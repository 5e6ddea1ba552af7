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
from botocore.exceptions import BotoCoreError, ClientError
from botocore.retries.standard import RetryContext, ThrottledRetryableChecker

from lineage_recorder.errors import AwsCallError, ThrottledError

# botocore's own environment variables win when set; otherwise standard retries with a few more
# attempts than the default, because SageMaker's lineage APIs throttle under bursts.
DEFAULT_MAX_ATTEMPTS = 8

# botocore's own list of the error codes that mean "throttled", as its standard retry mode uses it.
_THROTTLED = ThrottledRetryableChecker()


def client_config() -> Config:
    retries: dict[str, Any] = {
        "mode": os.environ.get("AWS_RETRY_MODE", "standard"),
        "max_attempts": int(os.environ.get("AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)),
    }
    return Config(retries=retries, connect_timeout=5, read_timeout=30)


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


def call_failed(service: str, operation: str, error: ClientError | BotoCoreError) -> AwsCallError:
    """The recorder's error for a call that failed after botocore's retries."""
    if isinstance(error, BotoCoreError):
        return AwsCallError(service, operation, "", str(error))
    error_class = ThrottledError if is_throttling(error) else AwsCallError
    return error_class(service, operation, error_code(error), error_message(error))
