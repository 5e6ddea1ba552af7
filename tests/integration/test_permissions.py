"""Every AWS call the deployed recorder makes is one its IAM role grants.

The stack derives its policies from the gateway's and the families' declarations (infra/permissions.py),
and the infra tests pin them; this test ties them to what the code really calls, by running a whole
workflow through the handler as deployed (state table, replay guard, lineage index) and checking each
operation it sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from lineage_recorder import aws, handler
from lineage_recorder.apply.gateway import LIST_GRANTS
from lineage_recorder.families import ALL
from lineage_recorder_cli.local_aws import LocalLambdaContext

from infra.permissions import STATE_TABLE_ACTIONS, sagemaker_grants
from tests.support.events import ACCOUNT, REGION, sqs_batch
from tests.support.state_table import create_state_table
from tests.support.workflow import workflow_events

GRANTED = {
    *LIST_GRANTS,
    *STATE_TABLE_ACTIONS,
    *(action for actions in sagemaker_grants(ALL).values() for action in actions),
}


@pytest.fixture
def called(emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[set[str]]:
    """IAM action names ("service:Operation") of every call the handler's clients send."""
    monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
    handler.recorder.cache_clear()
    actions: set[str] = set()

    def on_call(model: Any, **_: Any) -> None:
        actions.add(f"{model.service_model.signing_name}:{model.name}")

    for service in ("sagemaker", "dynamodb"):
        aws.client(service).meta.events.register("before-call", on_call)
    yield actions
    handler.recorder.cache_clear()


def test_every_call_of_a_whole_workflow_is_granted_to_the_function(called: set[str], sagemaker: Any) -> None:
    # Given every event of the demo's workflow, twice (the second time answered from the state table)
    events = workflow_events(sagemaker)
    # When the handler records them as deployed
    for start in range(0, len(events), 10):
        response = handler.lambda_handler(
            sqs_batch(events[start : start + 10] * 2), LocalLambdaContext(ACCOUNT, REGION)
        )
        assert response["batchItemFailures"] == []
    # Then it used its registry, its replay guard and its index
    assert {"dynamodb:BatchGetItem", "dynamodb:PutItem", "sagemaker:ListTrialComponents"} <= called
    # And the function's role grants every action it called
    assert called - GRANTED == set()
