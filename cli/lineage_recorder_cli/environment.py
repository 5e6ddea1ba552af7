"""Settings every command shares: where AWS is, and quiet Powertools output for a terminal."""

from __future__ import annotations

import os

LOCAL_DEFAULTS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def quiet_powertools() -> None:
    """Powertools writes JSON logs and EMF metrics to stdout; a person at a terminal wants a summary."""
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "SageMakerLineageRecorder")


def use_local_credentials() -> None:
    """Fake credentials for the local emulator; never overrides real ones already set."""
    for key, value in LOCAL_DEFAULTS.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_REGION", os.environ["AWS_DEFAULT_REGION"])
