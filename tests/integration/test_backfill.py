"""`lineage-recorder backfill`: resources that existed before the recorder are recorded as if each one's
latest state-change event had arrived, and a second run writes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from lineage_recorder import aws
from lineage_recorder.backfill import backfill
from moto import mock_aws
from sagemaker_lineage_emulator.server import EmulatorServer

from tests.support.cli import run_cli, served_emulator
from tests.support.events import ACCOUNT, REGION
from tests.support.graph import GraphSnapshot, snapshot
from tests.support.latest_events import WORKFLOWS, fresh_account, recorded_from_latest_events
from tests.support.recording import recorder_for
from tests.support.workflow import CallCounter, workflow_events


def test_backfill_records_the_graph_the_latest_events_would_and_a_second_run_writes_nothing() -> None:
    # Given the graph that recording each resource's latest event gives, for two workflows (processing,
    # training through a pipeline with a tuning step, packages approved, a model, an updated endpoint)
    expected = recorded_from_latest_events()
    # ... and the same workflows created in a fresh account before any recording
    fresh_account()
    with mock_aws():
        sagemaker = boto3.client("sagemaker")
        workflow_events(sagemaker, WORKFLOWS)
        recorder = recorder_for(sagemaker)
        # When backfill runs over the account
        summary = backfill(sagemaker, recorder, account=ACCOUNT, region=REGION)
        graph = snapshot(sagemaker)
        # Then it records the same graph, nothing failed, and each family says what it did
        assert graph.nodes == expected.nodes
        assert graph.edges == expected.edges
        assert graph.duplicate_entities == {}
        assert all(tally.failed == 0 for tally in summary.families.values()), summary.as_dict()
        assert summary.families["training"].recorded > 0
        assert summary.families["endpoint"].recorded == WORKFLOWS
        assert "inference-component" in summary.not_backfilled
        # When it runs again (with the recorder's state kept, as the state table keeps it)
        counter = CallCounter().attach(sagemaker)
        backfill(sagemaker, recorder, account=ACCOUNT, region=REGION)
        # Then it writes nothing
        assert counter.writes == 0
        assert snapshot(sagemaker) == graph


def test_a_window_picks_resources_by_creation_time(emulator: None) -> None:
    # Given a workflow created now
    from datetime import UTC, datetime, timedelta

    sagemaker = boto3.client("sagemaker")
    workflow_events(sagemaker, 1)
    # When backfill is asked only for what was created before yesterday
    summary = backfill(
        sagemaker,
        recorder_for(sagemaker),
        account=ACCOUNT,
        region=REGION,
        until=datetime.now(UTC) - timedelta(days=1),
    )
    # Then nothing is listed or recorded
    assert sum(tally.listed for tally in summary.families.values()) == 0
    assert snapshot(sagemaker).nodes == frozenset()


@pytest.fixture
def server() -> Iterator[EmulatorServer]:
    yield from served_emulator()


def test_the_installed_cli_backfills_and_says_what_it_did(server: EmulatorServer, tmp_path: Path) -> None:
    # Given an account with one workflow's resources and no lineage recorded yet
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    workflow_events(sagemaker, 1)
    # When `lineage-recorder backfill --json` runs, with only two families and no rate limit
    result = run_cli(
        "backfill", "--families", "training,endpoint", "--max-rps", "0", "--json", endpoint=server.url
    )
    # Then it ends well, and its summary names what it recorded
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert set(summary["families"]) == {"training", "endpoint"}
    assert summary["families"]["endpoint"]["recorded"] == 1
    # And a family that does not exist is a one-line usage error
    wrong = run_cli("backfill", "--families", "trainng", endpoint=server.url)
    assert wrong.returncode == 2
    assert "no family trainng" in wrong.stderr and "Traceback" not in wrong.stderr


def _backfilled_with_state_table(
    stop_after: int | None, monkeypatch: pytest.MonkeyPatch
) -> tuple[GraphSnapshot, int, GraphSnapshot | None]:
    """Backfill two workflows' account with a state table: once (stopped after `stop_after` resources
    when given), then again to the end. (final graph, SageMaker calls of the last run, graph when
    stopped)."""
    from lineage_recorder_cli.commands.record import local_recorder

    from tests.support.state_table import create_state_table

    fresh_account()
    with mock_aws():
        monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
        sagemaker = boto3.client("sagemaker")
        workflow_events(sagemaker, WORKFLOWS)
        stopped_graph = None
        if stop_after is not None:
            seen = [0]

            def stop() -> None:
                seen[0] += 1
                if seen[0] > stop_after:
                    raise KeyboardInterrupt

            with local_recorder(None) as (recorder, _), pytest.raises(KeyboardInterrupt):
                backfill(sagemaker, recorder, account=ACCOUNT, region=REGION, on_resource=stop)
            stopped_graph = snapshot(sagemaker)
        counter = CallCounter().attach(aws.client("sagemaker"))
        with local_recorder(None) as (recorder, _):
            backfill(aws.client("sagemaker"), recorder, account=ACCOUNT, region=REGION)
        return snapshot(sagemaker), sum(counter.calls.values()), stopped_graph


def test_a_backfill_stopped_half_way_and_run_again_ends_the_same_with_fewer_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given the graph and the calls of one whole backfill with a state table
    whole, fresh_calls, _ = _backfilled_with_state_table(None, monkeypatch)
    # When a backfill is stopped after three resources (Ctrl-C, a killed process) and run again
    resumed, resumed_calls, stopped = _backfilled_with_state_table(3, monkeypatch)
    # Then the first run had recorded part of it, and the second ends with the same graph, no duplicate
    assert stopped is not None and stopped.edges and stopped.edges < whole.edges
    assert (resumed.nodes, resumed.edges) == (whole.nodes, whole.edges)
    assert resumed.duplicate_entities == {}
    # And the second run cost fewer SageMaker calls than a fresh run (what was recorded is not again)
    assert resumed_calls < fresh_calls


def test_a_dry_run_says_what_a_backfill_would_create_and_writes_nothing(
    server: EmulatorServer,
) -> None:
    # Given an account with one workflow's resources and no lineage recorded yet
    sagemaker = boto3.client(
        "sagemaker",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    workflow_events(sagemaker, 1)
    before = snapshot(sagemaker)
    # When a dry run is asked for, and then the backfill itself
    dry = run_cli("backfill", "--dry-run", "--max-rps", "0", "--json", endpoint=server.url)
    unchanged = snapshot(sagemaker)
    real = run_cli("backfill", "--max-rps", "0", "--json", endpoint=server.url)
    # Then the dry run wrote nothing, and said, family by family, what the backfill then created
    assert dry.returncode == 0, dry.stderr
    assert unchanged == before
    would = json.loads(dry.stdout)["families"]
    did = json.loads(real.stdout)["families"]
    assert would["training"]["entities_created"] > 0
    assert would["endpoint"]["associations_created"] > 0
    # (entities shared by several resources are counted under each resource that needs them in a dry
    # run, and once in the real run: the dry run's figures are an upper bound)
    total_would = sum(tally["entities_created"] for tally in would.values())
    total_did = sum(tally["entities_created"] for tally in did.values())
    assert total_did <= total_would
    assert len(snapshot(sagemaker).nodes) > len(before.nodes)


def test_a_resource_deleted_between_its_listing_and_its_describe_is_skipped_not_fatal(emulator: None) -> None:
    # Given a workflow, and one of its models deleted as soon as the models are listed
    sagemaker = boto3.client("sagemaker")
    workflow_events(sagemaker, 1)
    (victim, *_) = [model["ModelName"] for model in sagemaker.list_models()["Models"]]

    def delete_after_listing(**_: Any) -> None:
        sagemaker.delete_model(ModelName=victim)

    sagemaker.meta.events.register_first("after-call.sagemaker.ListModels", delete_after_listing)
    # When backfill runs
    summary = backfill(sagemaker, recorder_for(sagemaker), account=ACCOUNT, region=REGION)
    # Then the model it could no longer describe is skipped with why, and every other family is recorded
    models = summary.families["model"]
    assert models.skipped >= 1 and any("gone since it was listed" in note for note in models.examples)
    assert summary.families["endpoint"].recorded == 1
    assert all(tally.failed == 0 for tally in summary.families.values())


def test_a_cli_backfill_goes_on_from_the_family_it_was_in_and_forgets_the_window_when_done(
    emulator: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a workflow, and the checkpoint of an earlier run of the same window that finished training
    import argparse

    from lineage_recorder.families import ALL
    from lineage_recorder.trust import home_from_sts
    from lineage_recorder_cli.commands import backfill as command

    sagemaker = boto3.client("sagemaker")
    workflow_events(sagemaker, 1)
    args = argparse.Namespace(
        since=None, until=None, families=None, max_rps=0.0, endpoint_url=None, json=True, dry_run=False
    )
    families = tuple(ALL)
    checkpoint = command._checkpoint(args, home_from_sts(boto3.client("sts")), families)
    assert checkpoint is not None
    checkpoint.save(frozenset({"training"}))
    # When the backfill runs again
    assert command.run(args) == 0
    summary = json.loads(capsys.readouterr().out)
    # Then it skipped the family the earlier run finished, did the others, and left no checkpoint behind
    assert "training" not in summary["families"]
    assert summary["families"]["endpoint"]["recorded"] == 1
    assert checkpoint.done() == frozenset()
