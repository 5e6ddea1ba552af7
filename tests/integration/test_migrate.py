"""`lineage-recorder migrate`: a graph an earlier version wrote converges to today's shapes, with nothing
lost or duplicated, even when a run is interrupted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sagemaker_lineage_emulator
from lineage_recorder.plan import EntityKey, EntityKind
from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder_cli.main import main

from tests.support.graph import snapshot
from tests.support.workflow import workflow_events


def _keyed_by_an_arn(source: dict[str, str]) -> bool:
    return EntityKey(EntityKind.CONTEXT, source["SourceUri"]).source_type == "ARN"


def _sources(sagemaker: Any) -> dict[str, dict[str, str]]:
    """Context and action name -> its Source."""
    found: dict[str, dict[str, str]] = {}
    for summary in sagemaker.get_paginator("list_contexts").paginate():
        for context in summary["ContextSummaries"]:
            found[context["ContextName"]] = context["Source"]
    for summary in sagemaker.get_paginator("list_actions").paginate():
        for action in summary["ActionSummaries"]:
            found[action["ActionName"]] = action["Source"]
    return found


@pytest.fixture
def old_graph(
    recorder: Recorder, sagemaker: Any, trial_components: bool, monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """The demo's workflow recorded as the previous version did: no Source.SourceType anywhere."""
    events = workflow_events(sagemaker)
    with monkeypatch.context() as previous_version:
        previous_version.setattr(EntityKey, "source_type", property(lambda self: None))
        for event in events:
            recorder.record(parse_event(event))
    return events


def _migrate(tmp_path: Path, capsys: pytest.CaptureFixture[str], *options: str) -> tuple[int, dict[str, Any]]:
    status = main(["migrate", "--json", "--journal", str(tmp_path / "journal.json"), *options])
    return status, json.loads(capsys.readouterr().out)


def test_an_old_graph_is_listed_then_replaced_with_nothing_lost_or_duplicated(
    old_graph: list[dict[str, Any]],
    recorder: Recorder,
    sagemaker: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a graph whose ARN-keyed contexts and actions have no SourceType
    before = snapshot(sagemaker)
    outdated = {name for name, source in _sources(sagemaker).items() if _keyed_by_an_arn(source)}
    assert outdated and all("SourceType" not in _sources(sagemaker)[name] for name in outdated)
    # When migrate runs without --apply
    status, listed = _migrate(tmp_path, capsys)
    # Then it lists exactly those, and changes nothing
    assert status == 0
    assert len(listed["would_replace"]) == len(outdated)
    assert snapshot(sagemaker) == before
    # When it runs with --apply
    status, applied = _migrate(tmp_path, capsys, "--apply")
    # Then each is replaced by one with the same name and Source.SourceType "ARN"
    assert status == 0 and len(applied["replaced"]) == len(outdated)
    sources = _sources(sagemaker)
    assert {name for name, source in sources.items() if _keyed_by_an_arn(source)} == outdated
    assert all(sources[name]["SourceType"] == "ARN" for name in outdated)
    # And the graph is the same graph: every node, edge and type, no duplicate
    after = snapshot(sagemaker)
    assert after == before
    assert after.duplicate_entities == {} and after.duplicate_associations == {}
    # And nothing is left to do: a second run replaces nothing
    assert _migrate(tmp_path, capsys, "--apply")[1]["replaced"] == []
    # And the recorder goes on with the replaced entities: replaying every event adds nothing
    for event in old_graph:
        recorder.record(parse_event(event))
    assert snapshot(sagemaker) == before


def test_an_interrupted_migration_is_finished_by_the_next_run(
    old_graph: list[dict[str, Any]],
    sagemaker: Any,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given an old graph, and SageMaker refusing every CreateContext (after the first context was deleted)
    before = snapshot(sagemaker)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"CreateContext"}))
    )
    # When migrate --apply runs
    status = main(["migrate", "--apply", "--journal", str(tmp_path / "journal.json")])
    # Then it stops, says to run it again, and keeps what it was doing in its journal
    assert status == 1
    assert "run it again" in capsys.readouterr().err
    (pending,) = json.loads((tmp_path / "journal.json").read_text())
    assert pending["kind"] == "context" and pending["associations"]
    # When SageMaker recovers and migrate runs again
    sagemaker_lineage_emulator.configure(faults=sagemaker_lineage_emulator.FaultInjection())
    status, applied = _migrate(tmp_path, capsys, "--apply")
    # Then the interrupted replacement is finished first, with its associations, and the rest follow
    assert status == 0
    assert applied["replaced"][0][0] == pending["arn"]
    assert snapshot(sagemaker) == before
    assert not (tmp_path / "journal.json").exists()
    assert all(
        source.get("SourceType") == "ARN"
        for source in _sources(sagemaker).values()
        if _keyed_by_an_arn(source)
    )
