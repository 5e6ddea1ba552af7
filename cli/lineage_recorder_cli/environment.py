"""Settings every command shares: where AWS is, and quiet Powertools output for a terminal."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lineage_recorder.settings import RecorderSettings

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


def require_state_table(settings: RecorderSettings, endpoint_url: str | None) -> None:
    """ConfigurationError, saying what to do, when LINEAGE_STATE_TABLE names a table that does not exist
    where the credentials point (the Lambda's table is created by the stack; a person can mistype it)."""
    if settings.state_table is None:
        return
    from botocore.exceptions import ClientError
    from lineage_recorder import aws
    from lineage_recorder.errors import ConfigurationError

    dynamodb = aws.client("dynamodb", endpoint_url)
    try:
        dynamodb.describe_table(TableName=settings.state_table)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise ConfigurationError(
                f"cannot read the state table {settings.state_table!r} (LINEAGE_STATE_TABLE): {error}"
            ) from error
        region = dynamodb.meta.region_name
        raise ConfigurationError(
            f"the state table {settings.state_table!r} (LINEAGE_STATE_TABLE) does not exist in {region}: "
            "use the deployed stack's table (its StateTableName output), or unset LINEAGE_STATE_TABLE"
        ) from error
