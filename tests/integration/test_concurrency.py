"""Many workers recording overlapping events at once never create two entities for one key.

SageMaker's CreateArtifact does not enforce a unique SourceUri; the recorder's key store must. Each
worker is an Applier with its own SageMaker client, as concurrent Lambda instances are. The emulator
gives every call a little latency, as real calls have, so workers interleave between lookup and
create the way real traffic does.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import sagemaker_lineage_emulator
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError
from lineage_recorder.errors import AwsCallError, ThrottledError
from lineage_recorder.families.training import TrainingJob, plan_training_job
from lineage_recorder.plan import Plan
from lineage_recorder.state import LineageState, in_memory_state, table_state

from tests.support.events import training_detail
from tests.support.graph import GraphSnapshot, snapshot
from tests.support.recording import applier_for
from tests.support.report import report
from tests.support.state_table import create_state_table

SOAK = os.environ.get("LINEAGE_SOAK") == "1"


def _overlapping_plans(jobs: int, shared: int) -> list[Plan]:
    """Training jobs that all share one image and draw their inputs from a few shared datasets."""
    image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"
    datasets = [f"s3://shared-data/set-{index}/" for index in range(shared)]
    plans = []
    for index in range(jobs):
        inputs = [datasets[index % shared], datasets[(index + 1) % shared]]
        detail = training_detail(
            f"job-{index}",
            inputs=inputs,
            image=image,
            output="s3://models/",
            model=f"s3://models/{index}.tar.gz",
        )
        plans.append(plan_training_job(TrainingJob.model_validate(detail)))
    return plans


def _run_workers(workers: int, plans: list[Plan], state_for: Callable[[int], LineageState]) -> None:
    def work(worker: int) -> None:
        applier = applier_for(boto3.client("sagemaker"), state_for(worker))
        # The same order for every worker: they reach each new key together, the hardest case.
        for plan in plans:
            applier.apply(plan)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for finished in [pool.submit(work, worker) for worker in range(workers)]:
            finished.result()


def _record_concurrently(state_for: Callable[[int], LineageState]) -> GraphSnapshot:
    workers = 16 if SOAK else 8
    plans = _overlapping_plans(jobs=200 if SOAK else 12, shared=10 if SOAK else 3)
    sagemaker_lineage_emulator.configure(latency=0.005, create_job_trial_components=False)
    _run_workers(workers, plans, state_for)
    sagemaker_lineage_emulator.configure(latency=0.0)
    return snapshot(boto3.client("sagemaker"))


def _shared_state_table() -> Callable[[int], LineageState]:
    dynamodb = boto3.client("dynamodb")
    table = create_state_table(dynamodb)
    return lambda worker: table_state(boto3.client("dynamodb"), table)


@pytest.mark.soak
def test_workers_sharing_the_state_table_create_each_key_once(emulator: None) -> None:
    # Given eight workers (sixteen under make soak) applying the same overlapping plans, with one state table
    state_for = _shared_state_table()
    # When they all run at once
    graph = _record_concurrently(state_for)
    # Then every (kind, SourceUri) has one entity and every pair one association
    duplicates = len(graph.duplicate_entities) + len(graph.duplicate_associations)
    report(f"concurrency: entities={sum(graph.entity_keys.values())} duplicates={duplicates}")
    assert graph.duplicate_entities == {}
    assert graph.duplicate_associations == {}
    assert len(graph.entity_keys) > 0


def test_without_the_shared_state_table_the_same_traffic_creates_duplicates(emulator: None) -> None:
    # Given the same workers, each with only its own in-memory state (no shared claims)
    # When they all run at once
    graph = _record_concurrently(lambda worker: in_memory_state())
    # Then some keys got two entities: the race the shared key store exists to stop is real
    assert graph.duplicate_entities != {}


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
def test_a_failed_creation_gives_its_claim_back_at_once(emulator: None, shared: bool) -> None:
    # Given a key store, and SageMaker refusing every CreateArtifact (throttled beyond the retries)
    state = _shared_state_table()(0) if shared else in_memory_state()
    plan = _overlapping_plans(jobs=1, shared=1)[0]
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"CreateArtifact"}))
    )
    sagemaker = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "max_attempts": 1}))
    # When a plan's first creation fails
    with pytest.raises(ThrottledError):
        applier_for(sagemaker, state).apply(plan)
    # Then no claim is left behind: another worker may create the key right away, not after the lease
    artifacts = [entity.key for entity in plan.entities if entity.key.kind == "artifact"]
    assert all(state.keys.claim(key, "next-worker") for key in artifacts)


LOST = frozenset({"CreateArtifact"})


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
def test_a_create_whose_answer_was_lost_is_adopted_not_repeated(emulator: None, shared: bool) -> None:
    # Given SageMaker making every CreateArtifact and then losing its answer (a server fault), and a
    # client with standard retries, which would repeat a failed create
    state = _shared_state_table()(0) if shared else in_memory_state()
    plan = _overlapping_plans(jobs=1, shared=1)[0]
    sagemaker_lineage_emulator.configure(
        lost_responses=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=LOST)
    )
    sagemaker = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "max_attempts": 4}))
    # When the plan is applied
    applier_for(sagemaker, state).apply(plan)
    sagemaker_lineage_emulator.configure(lost_responses=sagemaker_lineage_emulator.FaultInjection())
    # Then every artifact was created once and adopted: no twin for any key
    graph = snapshot(sagemaker)
    assert graph.duplicate_entities == {}
    artifacts = {entity.key.source_uri for entity in plan.entities if entity.key.kind == "artifact"}
    listed = [
        summary["Source"]["SourceUri"]
        for page in sagemaker.get_paginator("list_artifacts").paginate()
        for summary in page["ArtifactSummaries"]
    ]
    assert sorted(listed) == sorted(artifacts)


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
def test_a_create_of_unknown_outcome_is_looked_for_before_the_next_attempt_creates(
    emulator: None, shared: bool
) -> None:
    # Given a plan whose first CreateArtifact is made and its answer lost, and the network failing the
    # lookups that follow (so the attempt cannot find out whether it created the artifact)
    state = _shared_state_table()(0) if shared else in_memory_state()
    plan = _overlapping_plans(jobs=1, shared=1)[0]
    sagemaker_lineage_emulator.configure(
        lost_responses=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=LOST)
    )
    sagemaker = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "max_attempts": 1}))
    attempted: list[str] = []

    def network_down_after_a_create(**_: object) -> None:
        if attempted:
            raise EndpointConnectionError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com")

    sagemaker.meta.events.register("after-call.sagemaker.CreateArtifact", lambda **_: attempted.append("x"))
    sagemaker.meta.events.register("before-call.sagemaker.ListArtifacts", network_down_after_a_create)
    with pytest.raises(AwsCallError) as failed:
        applier_for(sagemaker, state).apply(plan)
    assert failed.value.operation == "CreateArtifact"
    assert failed.value.outcome_unknown
    sagemaker_lineage_emulator.configure(lost_responses=sagemaker_lineage_emulator.FaultInjection())
    sagemaker.meta.events.unregister("before-call.sagemaker.ListArtifacts", network_down_after_a_create)
    # When the plan is applied again (the record's redelivery), with SageMaker answering
    applier_for(sagemaker, state).apply(plan)
    # Then the artifact the lost attempt made is found and used: no twin
    assert snapshot(sagemaker).duplicate_entities == {}
    created = sagemaker.list_artifacts()["ArtifactSummaries"]
    assert len(created) == len({entity.key for entity in plan.entities if entity.key.kind == "artifact"})


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
def test_a_claim_says_when_an_earlier_attempt_may_have_created_the_key(emulator: None, shared: bool) -> None:
    # Given a key store and three keys: one whose creator gave its claim back after a plain failure, one
    # after a create of unknown outcome, and one never claimed
    state = _shared_state_table()(0) if shared else in_memory_state()
    plain, unknown, fresh = (
        entity.key
        for entity in _overlapping_plans(jobs=1, shared=1)[0].entities
        if entity.key.kind == "artifact"
    )
    for key, outcome_unknown in ((plain, False), (unknown, True)):
        assert state.keys.claim(key, "first-worker") is not None
        state.keys.release(key, "first-worker", outcome_unknown=outcome_unknown)
    # When another worker claims each
    claims = {key: state.keys.claim(key, "second-worker") for key in (plain, unknown, fresh)}
    # Then each claim is won, and only the one after the unknown outcome says to look first
    assert {key: claim is not None and claim.after_unknown_outcome for key, claim in claims.items()} == {
        plain: False,
        unknown: True,
        fresh: False,
    }
    # And once the key's ARN is recorded, the mark is gone with the claim
    state.keys.put(unknown, "arn:aws:sagemaker:us-east-1:123456789012:artifact/0123456789abcdef")
    assert state.keys.claim(unknown, "third-worker") is None


def test_creations_of_a_plan_that_fails_later_are_counted_once(emulator: None) -> None:
    # Given SageMaker refusing every AddAssociation (throttled beyond the retries) and a plan to apply
    state = in_memory_state()
    plan = _overlapping_plans(jobs=1, shared=1)[0]
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"AddAssociation"}))
    )
    sagemaker = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "max_attempts": 1}))
    # When it fails after creating its entities, and is applied again once SageMaker answers
    with pytest.raises(ThrottledError):
        applier_for(sagemaker, state).apply(plan)
    created_before_failure = {
        kind: state.counters.add(kind, 0) for kind in ("artifact", "action", "context", "association")
    }
    sagemaker_lineage_emulator.configure(faults=sagemaker_lineage_emulator.FaultInjection())
    totals = applier_for(sagemaker, state).apply(plan).created_totals
    # Then the entities made before the failure were counted then, and the totals match what exists
    graph = snapshot(sagemaker)
    artifacts = sum(count for (kind, _), count in graph.entity_keys.items() if kind == "artifact")
    assert created_before_failure["artifact"] == artifacts > 0
    assert totals["association"] == len(graph.edges)
    assert "artifact" not in totals  # nothing new was created by the retry


def test_when_twins_exist_every_later_record_uses_the_oldest(emulator: None) -> None:
    # Given two artifacts for one data set (made before this release, or by hand), the older one first
    sagemaker = boto3.client("sagemaker")
    uri = "s3://shared-data/set-0/"
    oldest = sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": uri})["ArtifactArn"]
    sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": uri})
    # When two jobs that read it are recorded, by two workers with their own state
    for plan, state in zip(
        _overlapping_plans(jobs=2, shared=1), (in_memory_state(), in_memory_state()), strict=True
    ):
        applier_for(sagemaker, state).apply(plan)
    # Then both jobs link the oldest twin, and no third artifact is made
    readers = {
        summary["SourceArn"]
        for page in sagemaker.get_paginator("list_associations").paginate(AssociationType="ContributedTo")
        for summary in page["AssociationSummaries"]
        if summary.get("SourceType") == "DataSet"
    }
    assert readers == {oldest}
    assert len(sagemaker.list_artifacts(SourceUri=uri)["ArtifactSummaries"]) == 2
