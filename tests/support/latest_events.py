"""What a recorder deployed late is told: each resource's latest event, and the graph recording them gives.
Shared by the backfill and reconcile tests, which must end with that graph."""

from __future__ import annotations

from typing import Any

import boto3
import sagemaker_lineage_emulator
from lineage_recorder import aws
from lineage_recorder.recorder import parse_event
from moto import mock_aws

from tests.support.graph import GraphSnapshot, snapshot
from tests.support.recording import recorder_for
from tests.support.workflow import workflow_events

WORKFLOWS = 2


def fresh_account() -> None:
    sagemaker_lineage_emulator.install()
    sagemaker_lineage_emulator.reset()
    aws.forget_clients()


def latest_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each resource's last event, in the order they came."""
    latest: dict[tuple[str, tuple[str, ...]], dict[str, Any]] = {}
    for event in events:
        key = (event["detail-type"], tuple(event["resources"]))
        latest.pop(key, None)
        latest[key] = event
    return list(latest.values())


def recorded_from_latest_events(workflows: int = WORKFLOWS) -> GraphSnapshot:
    """In a fresh account: `workflows` workflows, each resource's latest event recorded; the graph."""
    fresh_account()
    with mock_aws():
        sagemaker = boto3.client("sagemaker")
        recorder = recorder_for(sagemaker)
        for event in latest_events(workflow_events(sagemaker, workflows)):
            recorder.record(parse_event(event))
        return snapshot(sagemaker)
