"""AWS clients, created once per process and only when first needed (cold start matters)."""

from __future__ import annotations

import os
from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# botocore's own environment variables win when set; otherwise standard retries with a few more
# attempts than the default, because SageMaker's lineage APIs throttle under bursts.
DEFAULT_MAX_ATTEMPTS = 8


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
    return boto3.session.Session().client(service, endpoint_url=endpoint_url, config=client_config())


def forget_clients() -> None:
    """Drop every cached client (tests that switch between emulators)."""
    _client.cache_clear()
