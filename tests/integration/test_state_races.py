"""Two recorder instances reconciling one entity at once: whatever the interleaving of their reads and
writes, the entity ends in the newest state (a revision never moves backwards)."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from lineage_recorder.apply.reconciler import REVISION_PROPERTY
from lineage_recorder.plan import EntityKey, EntityKind, Plan, PlannedEntity
from lineage_recorder.state import LineageState, in_memory_state, table_state

from tests.support.recording import applier_for
from tests.support.state_table import create_state_table

PACKAGE = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1"


def _approval(status: str, revision: str) -> PlannedEntity:
    return PlannedEntity(
        key=EntityKey(EntityKind.ACTION, PACKAGE),
        entity_type="ModelPackageApproval",
        name="churn-1-approval",
        status="Completed",
        properties=(("ModelApprovalStatus", status),),
        reconcile=True,
        revision=revision,
    )


def _states(shared: bool) -> tuple[LineageState, LineageState]:
    if not shared:
        state = in_memory_state()
        return state, state  # two threads of one process (the CLI without a state table)
    table = create_state_table(boto3.client("dynamodb"))
    return table_state(boto3.client("dynamodb"), table), table_state(boto3.client("dynamodb"), table)


def _held_updates(sagemaker: Any) -> threading.Event:
    """The first update to reach SageMaker waits until the second has been made (or 2 s have passed):
    two instances that both decided to write land in the worse order."""
    second_done = threading.Event()
    arrived: list[str] = []
    lock = threading.Lock()

    def before(**_: Any) -> None:
        with lock:
            arrived.append(threading.current_thread().name)
            first = len(arrived) == 1
        if first:
            second_done.wait(timeout=2)

    def after(**_: Any) -> None:
        with lock:
            if len(arrived) >= 2:
                second_done.set()

    sagemaker.meta.events.register("before-call.sagemaker.UpdateAction", before)
    sagemaker.meta.events.register("after-call.sagemaker.UpdateAction", after)
    return second_done


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
@pytest.mark.parametrize("newer_first", [True, False], ids=["newer-reads-first", "older-reads-first"])
def test_concurrent_reconciles_never_move_a_revision_backwards(
    sagemaker: Any, shared: bool, newer_first: bool
) -> None:
    # Given an approval recorded as pending, and two instances that each read it before either writes
    first_state, second_state = _states(shared)
    applier_for(sagemaker, first_state).apply(
        Plan(PACKAGE, entities=(_approval("PendingManualApproval", "2026-11-01T00:00:00.000000Z"),))
    )
    newer = _approval("Approved", "2026-11-03T00:00:00.000000Z")
    older = _approval("Rejected", "2026-11-02T00:00:00.000000Z")
    plans = [newer, older] if newer_first else [older, newer]
    _held_updates(sagemaker)
    # When both reconcile at once, the first to reach SageMaker's update landing last
    threads = [
        threading.Thread(
            target=lambda entity=entity, state=state: applier_for(sagemaker, state).apply(
                Plan(PACKAGE, entities=(entity,))
            ),
            name=f"instance-{index}",
        )
        for index, (entity, state) in enumerate(zip(plans, (first_state, second_state), strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then the approval shows the newest state, with its revision
    (summary,) = sagemaker.list_actions(ActionType="ModelPackageApproval")["ActionSummaries"]
    properties = sagemaker.describe_action(ActionName=summary["ActionArn"])["Properties"]
    assert (properties["ModelApprovalStatus"], properties[REVISION_PROPERTY]) == (
        "Approved",
        "2026-11-03T00:00:00.000000Z",
    )


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
def test_a_state_stored_but_not_written_to_sagemaker_is_written_by_the_next_attempt(
    sagemaker: Any, shared: bool
) -> None:
    # Given an approval recorded as pending, and SageMaker refusing the update that approves it (throttled
    # beyond the retries) after the state table has taken the new state
    import sagemaker_lineage_emulator
    from botocore.config import Config
    from lineage_recorder.errors import ThrottledError

    state, _ = _states(shared)
    applier_for(sagemaker, state).apply(
        Plan(PACKAGE, entities=(_approval("PendingManualApproval", "2026-11-01T00:00:00.000000Z"),))
    )
    approved = Plan(PACKAGE, entities=(_approval("Approved", "2026-11-03T00:00:00.000000Z"),))
    refusing = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"UpdateAction"}))
    )
    with pytest.raises(ThrottledError):
        applier_for(refusing, state).apply(approved)
    sagemaker_lineage_emulator.configure(faults=sagemaker_lineage_emulator.FaultInjection())
    # When the record is tried again (SQS delivers it again)
    applier_for(sagemaker, state).apply(approved)
    # Then SageMaker shows the approval: the state stored first did not stand in for the write
    (summary,) = sagemaker.list_actions(ActionType="ModelPackageApproval")["ActionSummaries"]
    properties = sagemaker.describe_action(ActionName=summary["ActionArn"])["Properties"]
    assert properties["ModelApprovalStatus"] == "Approved"


@pytest.mark.parametrize("shared", [True, False], ids=["dynamodb", "memory"])
def test_a_state_left_pending_is_written_by_whichever_record_reads_it_next(
    sagemaker: Any, shared: bool
) -> None:
    # Given the same refused approval, and then a different, older event for the same package arriving
    import sagemaker_lineage_emulator
    from botocore.config import Config
    from lineage_recorder.errors import ThrottledError

    state, _ = _states(shared)
    applier_for(sagemaker, state).apply(
        Plan(PACKAGE, entities=(_approval("PendingManualApproval", "2026-11-01T00:00:00.000000Z"),))
    )
    refusing = boto3.client("sagemaker", config=Config(retries={"mode": "standard", "total_max_attempts": 1}))
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"UpdateAction"}))
    )
    with pytest.raises(ThrottledError):
        applier_for(refusing, state).apply(
            Plan(PACKAGE, entities=(_approval("Approved", "2026-11-03T00:00:00.000000Z"),))
        )
    sagemaker_lineage_emulator.configure(faults=sagemaker_lineage_emulator.FaultInjection())
    # When the older event is recorded (it changes nothing itself: its revision is older)
    applier_for(sagemaker, state).apply(
        Plan(PACKAGE, entities=(_approval("Rejected", "2026-11-02T00:00:00.000000Z"),))
    )
    # Then the newest state, left pending, was written to SageMaker on the way
    (summary,) = sagemaker.list_actions(ActionType="ModelPackageApproval")["ActionSummaries"]
    properties = sagemaker.describe_action(ActionName=summary["ActionArn"])["Properties"]
    assert (properties["ModelApprovalStatus"], properties[REVISION_PROPERTY]) == (
        "Approved",
        "2026-11-03T00:00:00.000000Z",
    )
