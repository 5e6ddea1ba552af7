"""The lineage index's reading rules, against a fake SageMaker lister and the in-memory key store."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.apply.lineage_index import (
    DEFAULT_OVERLAP_SECONDS,
    PAGE_SIZE,
    RESUME_MARGIN_SECONDS,
    TRIAL_COMPONENT_FEED,
    IndexStuckError,
    LineageIndex,
    feeds_covering,
    next_start,
)
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity
from lineage_recorder.state.cursors import MemoryIndexCursors
from lineage_recorder.state.keys import MemoryKeyStore

EPOCH = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@dataclass
class FakeLister:
    """ListArtifacts / ListTrialComponents as SageMaker documents them: SortBy=CreationTime, pages of
    MaxResults with an opaque NextToken; CreatedAfter is "on or after" for lineage entities
    (API_ListArtifacts) and "after" for trial components (API_ListTrialComponents)."""

    artifacts: list[dict[str, Any]] = field(default_factory=list)
    trial_components: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def add_artifact(self, uri: str | None, seconds: float) -> str:
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:artifact/{len(self.artifacts):032x}"
        summary: dict[str, Any] = {"ArtifactArn": arn, "CreationTime": EPOCH + timedelta(seconds=seconds)}
        if uri is not None:
            summary["Source"] = {"SourceUri": uri}
        self.artifacts.append(summary)
        return arn

    def list_artifacts(self, **request: Any) -> dict[str, Any]:
        return self._page(self.artifacts, "ArtifactSummaries", request)

    def list_trial_components(self, **request: Any) -> dict[str, Any]:
        return self._page(self.trial_components, "TrialComponentSummaries", request, strictly_after=True)

    def _page(
        self, items: list[dict[str, Any]], key: str, request: dict[str, Any], strictly_after: bool = False
    ) -> dict[str, Any]:
        self.requests.append(dict(request))
        assert request["SortBy"] == "CreationTime" and request["SortOrder"] == "Ascending"
        after = request.get("CreatedAfter")

        def selected_by_time(item: dict[str, Any]) -> bool:
            if after is None:
                return True
            return bool(item["CreationTime"] > after if strictly_after else item["CreationTime"] >= after)

        selected = sorted(
            (item for item in items if selected_by_time(item)),
            key=lambda item: item["CreationTime"],
        )
        offset = int(request.get("NextToken", "0"))
        chunk = selected[offset : offset + request["MaxResults"]]
        response: dict[str, Any] = {key: chunk}
        if offset + request["MaxResults"] < len(selected):
            response["NextToken"] = str(offset + request["MaxResults"])
        return response


def index_over(lister: FakeLister, keys: MemoryKeyStore, **options: Any) -> LineageIndex:
    """The index reading `lister` through the gateway, into `keys`, with its own cursors."""
    return LineageIndex(SageMakerGateway(lister), keys, MemoryIndexCursors(), **options)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def artifact(uri: str) -> EntityKey:
    return EntityKey(EntityKind.ARTIFACT, uri)


def test_a_sync_records_the_oldest_entity_for_each_source_uri() -> None:
    # Given two artifacts for one URI, one for another, and one without a source
    lister = FakeLister()
    oldest = lister.add_artifact("s3://data/a", 5)
    lister.add_artifact("s3://data/a", 9)
    other = lister.add_artifact("s3://data/b", 7)
    lister.add_artifact(None, 8)
    registry = MemoryKeyStore()
    # When the artifact feed is synced
    read = index_over(lister, registry).sync("artifact")
    # Then each URI maps to its oldest artifact, and the feed has read up to now
    assert registry.get(artifact("s3://data/a")) == oldest
    assert registry.get(artifact("s3://data/b")) == other
    assert (read.entities_read, read.entities_added, read.caught_up) == (4, 2, True)


def test_a_key_the_registry_already_maps_is_left_alone() -> None:
    # Given a registry that maps a URI to the recorder's own artifact
    lister = FakeLister()
    lister.add_artifact("s3://data/a", 5)
    registry = MemoryKeyStore()
    registry.put(artifact("s3://data/a"), "arn:recorders-own")
    # When the feed reads a different artifact for the same URI
    index_over(lister, registry).sync("artifact")
    # Then the registry keeps its ARN
    assert registry.get(artifact("s3://data/a")) == "arn:recorders-own"


def test_trial_components_are_recorded_as_the_job_node_of_their_source_job() -> None:
    # Given SageMaker's trial component for a job, and one from Experiments with no source
    lister = FakeLister()
    job = "arn:aws:sagemaker:us-east-1:123456789012:training-job/j"
    lister.trial_components = [
        {
            "TrialComponentArn": "arn:tc/j-aws-training-job",
            "TrialComponentSource": {"SourceArn": job, "SourceType": "SageMakerTrainingJob"},
            "CreationTime": EPOCH,
        },
        {"TrialComponentArn": "arn:tc/manual", "CreationTime": EPOCH},
    ]
    registry = MemoryKeyStore()
    # When the trial-component feed is synced
    read = index_over(lister, registry).sync(TRIAL_COMPONENT_FEED)
    # Then the job's node key (action, job ARN) maps to SageMaker's trial component
    assert registry.get(EntityKey(EntityKind.ACTION, job)) == "arn:tc/j-aws-training-job"
    assert read.entities_added == 1


def test_a_feed_behind_by_more_than_a_sync_is_not_current_and_the_next_sync_goes_on() -> None:
    # Given an account with 2.5 pages of artifacts and an index reading 2 pages per sync
    lister = FakeLister()
    arns = [lister.add_artifact(f"s3://data/{n}", n) for n in range(PAGE_SIZE * 5 // 2)]
    registry = MemoryKeyStore()
    index = index_over(lister, registry, pages_per_sync=2)
    # When the index is asked whether the artifact feed is current
    first = index.current_feeds(["artifact"])
    # Then it is not: the first sync read 2 pages and stopped
    assert first == frozenset()
    assert len(lister.requests) == 2
    assert registry.get(artifact(f"s3://data/{2 * PAGE_SIZE}")) is None
    # When asked again
    second = index.current_feeds(["artifact"])
    # Then the next sync starts at the newest artifact read, not at the beginning, and catches up
    assert lister.requests[2]["CreatedAfter"] == EPOCH + timedelta(
        seconds=2 * PAGE_SIZE - 1 - RESUME_MARGIN_SECONDS
    )
    assert second == frozenset({"artifact"})
    assert registry.get(artifact(f"s3://data/{len(arns) - 1}")) == arns[-1]


def test_a_current_feed_is_trusted_until_the_next_invocation_or_its_maximum_age() -> None:
    # Given an index with a fake clock, synced once
    lister = FakeLister()
    lister.add_artifact("s3://data/a", 1)
    clock = FakeClock()
    index = index_over(lister, MemoryKeyStore(), max_age=60, clock=clock)
    assert index.current_feeds(["artifact"]) == frozenset({"artifact"})
    # When asked again within the invocation and the maximum age
    clock.now = 59
    index.current_feeds(["artifact"])
    # Then it does not read again
    assert len(lister.requests) == 1
    # When the maximum age has passed, and when a new invocation begins
    clock.now = 121
    index.current_feeds(["artifact"])
    index.expire()
    index.current_feeds(["artifact"])
    # Then each reads again, from the overlap before the newest artifact read
    assert len(lister.requests) == 3
    assert lister.requests[-1]["CreatedAfter"] == EPOCH + timedelta(seconds=1 - DEFAULT_OVERLAP_SECONDS)


def test_build_fails_clearly_when_one_instant_holds_more_than_a_sync_can_page_past() -> None:
    # Given more artifacts created at one instant than two pages hold
    lister = FakeLister()
    for n in range(2 * PAGE_SIZE + 1):
        lister.add_artifact(f"s3://data/{n}", 0)
    index = index_over(lister, MemoryKeyStore(), pages_per_sync=2)
    # When the index is built, Then it stops with an error saying what to change instead of looping
    with pytest.raises(IndexStuckError, match="LINEAGE_INDEX_PAGES"):
        index.build(["artifact"])


@pytest.mark.parametrize(
    ("start", "newest", "caught_up", "expected"),
    [
        (None, None, True, None),  # an empty account: nothing to remember yet
        (10.0, None, True, 10.0),  # nothing read: stay
        (10.0, 50.0, False, 50.0 - RESUME_MARGIN_SECONDS),  # behind: just before the newest read
        (10.0, 50.0, True, 50.0 - DEFAULT_OVERLAP_SECONDS),  # live edge: overlap for late-listed entities
        (49.0, 50.0, True, 49.0),  # never backwards
    ],
)
def test_where_a_feed_reads_from_next(
    start: float | None, newest: float | None, caught_up: bool, expected: float | None
) -> None:
    assert next_start(start, newest, caught_up) == expected


def test_a_job_node_needs_the_trial_component_feed_as_well_as_its_own() -> None:
    job = PlannedEntity(
        EntityKey(EntityKind.ACTION, "arn:job"),
        "TrainingJob",
        name="j",
        trial_component_name="j-aws-training-job",
    )
    data = PlannedEntity(artifact("s3://d"), "DataSet")
    assert feeds_covering(job) == {"action", TRIAL_COMPONENT_FEED}
    assert feeds_covering(data) == {"artifact"}


def test_a_wider_overlap_reads_further_back_at_the_live_edge() -> None:
    # Given an index told that SageMaker may list entities up to a minute late
    lister = FakeLister()
    lister.add_artifact("s3://data/a", 100)
    index = index_over(lister, MemoryKeyStore(), overlap=60)
    # When it syncs twice
    index.sync("artifact")
    index.sync("artifact")
    # Then the second read starts a minute before the newest artifact read
    assert lister.requests[-1]["CreatedAfter"] == EPOCH + timedelta(seconds=100 - 60)


def _trial_component(job: str, seconds: float) -> dict[str, Any]:
    return {
        "TrialComponentArn": f"arn:tc/{job}-aws-training-job",
        "TrialComponentSource": {"SourceArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{job}"},
        "CreationTime": EPOCH + timedelta(seconds=seconds),
    }


def test_entities_sharing_a_creation_time_across_pages_are_all_read_when_created_after_is_strict() -> None:
    # Given trial components (CreatedAfter strictly "after") whose first page ends inside a group of ten
    # created at the same instant
    lister = FakeLister()
    lister.trial_components = [_trial_component(f"early{n}", 1) for n in range(PAGE_SIZE - 5)]
    lister.trial_components += [_trial_component(f"same{n}", 2) for n in range(10)]
    registry = MemoryKeyStore()
    index = index_over(lister, registry, pages_per_sync=1)
    # When the index reads them one page per sync until it has caught up
    reads = index.build([TRIAL_COMPONENT_FEED])
    # Then every job's node is indexed, those after the page boundary included
    missing = [
        summary["TrialComponentArn"]
        for summary in lister.trial_components
        if registry.get(EntityKey(EntityKind.ACTION, summary["TrialComponentSource"]["SourceArn"])) is None
    ]
    assert missing == []
    assert reads[-1].caught_up


def test_sagemakers_trial_component_is_a_jobs_node_before_an_action_for_the_same_job() -> None:
    # Given a job with both SageMaker's trial component and an action for its ARN (decision 5's known gap)
    lister = FakeLister()
    component = _trial_component("both", 1)
    job = component["TrialComponentSource"]["SourceArn"]
    lister.trial_components = [component]
    lister.list_actions = lambda **request: {  # type: ignore[attr-defined]
        "ActionSummaries": [
            {"ActionArn": "arn:action/both", "Source": {"SourceUri": job}, "CreationTime": EPOCH}
        ]
    }
    registry = MemoryKeyStore()
    # When both feeds are brought up to now together
    index_over(lister, registry).current_feeds(["action", TRIAL_COMPONENT_FEED])
    # Then the job's node is SageMaker's trial component, as a lookup would have found it
    assert registry.get(EntityKey(EntityKind.ACTION, job)) == component["TrialComponentArn"]
