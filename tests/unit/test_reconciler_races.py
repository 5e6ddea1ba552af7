"""Interleavings of writers of one entity's state, played out step by step over a fake SageMaker and the
in-memory state store: whichever order the writes land in, the newest revision stands in SageMaker."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lineage_recorder.apply.gateway import EntityState
from lineage_recorder.apply.reconciler import REVISION_PROPERTY, StateReconciler
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity
from lineage_recorder.state.entity_states import MemoryEntityStates

ARN = "arn:aws:sagemaker:us-east-1:123456789012:action/churn-1-approval"


def _approval(status: str, revision: str) -> PlannedEntity:
    return PlannedEntity(
        key=EntityKey(EntityKind.ACTION, "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/1"),
        entity_type="Approval",
        name="churn-1-approval",
        status="Completed",
        properties=(("ModelApprovalStatus", status),),
        reconcile=True,
        revision=revision,
    )


class FakeSageMaker:
    """One entity's state, as DescribeAction shows it and UpdateAction changes it. `while_updating` runs
    once, while the next update is in flight (other writers act before it lands)."""

    def __init__(self, properties: dict[str, str]) -> None:
        self.current = EntityState("Completed", dict(properties))
        self.while_updating: Callable[[], None] | None = None

    def state(self, kind: EntityKind, arn: str) -> EntityState:
        return EntityState(self.current.status, dict(self.current.properties))

    def update(
        self,
        kind: EntityKind,
        arn: str,
        *,
        status: str | None,
        properties: dict[str, str],
        removed_properties: list[str],
    ) -> None:
        if self.while_updating is not None:
            meanwhile, self.while_updating = self.while_updating, None
            meanwhile()
        merged = {**self.current.properties, **properties}
        self.current = EntityState(
            status or self.current.status, {k: v for k, v in merged.items() if k not in removed_properties}
        )

    def approval(self) -> tuple[str, str]:
        return self.current.properties["ModelApprovalStatus"], self.current.properties[REVISION_PROPERTY]


def _die() -> None:
    raise RuntimeError("the writer dies before its SageMaker write lands")


def test_a_finisher_whose_write_lands_after_a_newer_one_brings_sagemaker_back_to_the_newest() -> None:
    # Given SageMaker and the store at revision 1, and a writer that stored revision 2 pending and died
    sagemaker = FakeSageMaker({"ModelApprovalStatus": "Pending", REVISION_PROPERTY: "1"})
    store = MemoryEntityStates()
    first = StateReconciler(sagemaker, store)  # type: ignore[arg-type]
    first.reconcile(_approval("Pending", "1"), ARN)
    dying = FakeSageMaker({"ModelApprovalStatus": "Pending", REVISION_PROPERTY: "1"})
    dying.while_updating = _die
    with pytest.raises(RuntimeError):
        StateReconciler(dying, store).reconcile(_approval("Rejected", "2"), ARN)  # type: ignore[arg-type]
    # ... and, while a late writer (an old event, revision 1.5) finishes that pending write, a newer
    # writer records revision 3 in full
    newer = StateReconciler(sagemaker, store)  # type: ignore[arg-type]
    sagemaker.while_updating = lambda: newer.reconcile(_approval("Approved", "3"), ARN)
    # When the late writer's write of revision 2 lands last
    StateReconciler(sagemaker, store).reconcile(_approval("Pending", "1.5"), ARN)  # type: ignore[arg-type]
    # Then SageMaker shows revision 3, as the store does
    assert sagemaker.approval() == ("Approved", "3")


def test_a_creator_that_remembers_late_does_not_hide_a_newer_state() -> None:
    # Given an approval just created at revision 1, and another writer that reconciled revision 2 before
    # the creator stored its state
    sagemaker = FakeSageMaker({"ModelApprovalStatus": "Pending", REVISION_PROPERTY: "1"})
    store = MemoryEntityStates()
    reconciler = StateReconciler(sagemaker, store)  # type: ignore[arg-type]
    reconciler.reconcile(_approval("Approved", "2"), ARN)
    # When the creator remembers revision 1, and then a late event of revision 1.5 arrives
    reconciler.remember_created(_approval("Pending", "1"), ARN)
    reconciler.reconcile(_approval("Rejected", "1.5"), ARN)
    # Then revision 2 still stands
    assert sagemaker.approval() == ("Approved", "2")
