"""At run time, every SageMaker call the recorder makes leaves through the gateway.

The whole demo workflow goes through the handler as deployed (state table, replay guard, lineage index)
with a peer account configured, so the SameAs linker runs too; each SageMaker request is traced back to
the innermost frame of the recorder's package that made it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from lineage_recorder import handler
from lineage_recorder_cli.local_aws import LocalLambdaContext

from tests.support.events import ACCOUNT, REGION, sqs_batch
from tests.support.state_table import create_state_table
from tests.support.workflow import workflow_events

PACKAGE = Path(handler.__file__).resolve().parent
PEER = "111111111111"


def _caller_in_package() -> str | None:
    frame = sys._getframe(2)
    while frame is not None:
        path = Path(frame.f_code.co_filename).resolve()
        if PACKAGE in path.parents:
            return str(path.relative_to(PACKAGE))
        frame = frame.f_back  # type: ignore[assignment]
    return None


@pytest.fixture
def callers(emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, set[str]]]:
    """SageMaker operation -> the recorder modules that sent it (every client, peers' included)."""
    monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
    monkeypatch.setenv("LINEAGE_PEER_ACCOUNTS", PEER)
    handler.recorder.cache_clear()
    seen: dict[str, set[str]] = {}
    original = BaseClient._make_api_call

    def traced(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        if service in ("sagemaker", "sts"):
            caller = _caller_in_package()
            if caller is not None:
                seen.setdefault(f"{service}:{operation}", set()).add(caller)
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", traced)
    yield seen
    handler.recorder.cache_clear()


def test_every_sagemaker_call_of_a_whole_workflow_leaves_through_the_gateway(
    callers: dict[str, set[str]], sagemaker: Any
) -> None:
    # Given every event of the demo's workflow, in an account with a peer
    events = workflow_events(sagemaker)
    # When the handler records them
    for start in range(0, len(events), 10):
        response = handler.lambda_handler(
            sqs_batch(events[start : start + 10]), LocalLambdaContext(ACCOUNT, REGION)
        )
        assert response["batchItemFailures"] == []
    # Then it wrote lineage, described resources, and took the peer's role to ask it for twins
    assert callers.pop("sts:AssumeRole") == {"peers/directory.py"}
    assert {"CreateArtifact", "AddAssociation", "DescribeTrainingJob", "ListArtifacts"} <= {
        operation.split(":")[1] for operation in callers
    }
    # And the gateway sent every SageMaker call
    assert {caller for modules in callers.values() for caller in modules} == {"apply/gateway.py"}
