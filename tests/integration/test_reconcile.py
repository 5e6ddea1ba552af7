"""The scheduled reconcile records what no event recorded, and counts it (MissedEvents)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import boto3
import pytest
from lineage_recorder import aws, handler, reconcile
from lineage_recorder.recorder import parse_event
from lineage_recorder_cli.local_aws import LocalLambdaContext
from moto import mock_aws

from tests.support.graph import snapshot
from tests.support.latest_events import WORKFLOWS, fresh_account, latest_events, recorded_from_latest_events
from tests.support.recording import recorder_for
from tests.support.state_table import STATE_TABLE, create_state_table
from tests.support.workflow import workflow_events

CONTEXT = LocalLambdaContext("123456789012", "us-east-1", remaining_millis=900_000)


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(reconcile, "MAX_PER_SECOND", 0.0)
    handler.recorder.cache_clear()
    yield
    handler.recorder.cache_clear()


def _missed_events(capsys: pytest.CaptureFixture[str]) -> int:
    """The MissedEvents the run published (Powertools writes its metrics as EMF lines on stdout)."""
    (emitted,) = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    value = emitted["MissedEvents"]
    return int(sum(value) if isinstance(value, list) else value)


def test_dropped_events_are_recorded_by_the_reconcile_and_counted(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given two workflows whose every tenth event was lost (the others recorded by the live function)
    expected = recorded_from_latest_events()
    fresh_account()
    with mock_aws():
        monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
        sagemaker = boto3.client("sagemaker")
        events = latest_events(workflow_events(sagemaker, WORKFLOWS))
        dropped = events[::10]
        live = recorder_for(sagemaker)
        for event in events:
            if event not in dropped:
                live.record(parse_event(event))
        assert snapshot(sagemaker) != expected
        capsys.readouterr()
        # When the reconcile runs
        result = reconcile.lambda_handler({}, CONTEXT)
        # Then the graph is whole, as if no event had been lost
        graph = snapshot(sagemaker)
        assert (graph.nodes, graph.edges) == (expected.nodes, expected.edges)
        assert graph.duplicate_entities == {}
        assert result["finished"] is True
        # And MissedEvents counts the resources it had to record: at least one, at most the dropped
        assert 1 <= _missed_events(capsys) <= len(dropped)
        # When it runs again the next day
        again = reconcile.lambda_handler({}, CONTEXT)
        # Then nothing was missed
        assert _missed_events(capsys) == 0
        assert again["finished"] is True


def test_a_reconcile_out_of_time_keeps_its_window_and_the_next_run_finishes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an account whose events were all lost, and a first run with almost no time
    expected = recorded_from_latest_events()
    fresh_account()
    with mock_aws():
        monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
        sagemaker = boto3.client("sagemaker")
        workflow_events(sagemaker, WORKFLOWS)
        short = LocalLambdaContext(
            "123456789012", "us-east-1", remaining_millis=reconcile.RESERVED_MILLIS - 1
        )
        # When it runs out of time, and then a run with time enough follows
        first = reconcile.lambda_handler({}, short)
        second = reconcile.lambda_handler({}, CONTEXT)
        # Then the first stopped and said so, and the second finished the same window: the graph is whole
        assert first["finished"] is False
        assert second["finished"] is True
        graph = snapshot(sagemaker)
        assert (graph.nodes, graph.edges) == (expected.nodes, expected.edges)
        assert (
            aws.client("dynamodb")
            .get_item(TableName=STATE_TABLE, Key={"id": {"S": reconcile.CHECKPOINT_ID}})
            .get("Item")
            is None
        )
