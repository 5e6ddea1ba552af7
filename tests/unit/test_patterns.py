"""The EventBridge patterns, from each family's own definition: what the stack and the demo share."""

from __future__ import annotations

from lineage_recorder.families import BY_NAME
from lineage_recorder.patterns import all_event_patterns, event_pattern


def test_every_family_pattern_matches_only_sagemaker_and_its_terminal_statuses() -> None:
    for name, family in BY_NAME.items():
        pattern = event_pattern(name)
        assert pattern["source"] == ["aws.sagemaker"]
        assert pattern["detail-type"] == [family.detail_type]
        if family.status_field is None:
            # A family without statuses (models) acts on every event of its detail-type
            assert "detail" not in pattern and family.statuses == ()
        else:
            assert "InProgress" not in pattern["detail"][family.status_field]


def test_job_families_act_on_completed_failed_and_stopped() -> None:
    for name in ("training", "processing", "transform"):
        assert set(event_pattern(name)["detail"][BY_NAME[name].status_field]) == {
            "Completed",
            "Failed",
            "Stopped",
        }


def test_a_subset_of_families_can_be_selected() -> None:
    assert list(all_event_patterns(["training"])) == ["training"]
    assert set(all_event_patterns()) == set(BY_NAME)
