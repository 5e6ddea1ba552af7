"""The redelivery schedule outlasts a twelve-hour storm within the queue's receives and retention."""

from __future__ import annotations

from lineage_recorder.redelivery import (
    MAX_PAUSE_SECONDS,
    MAX_RECEIVE_COUNT,
    STORM_SECONDS,
    patience_seconds,
    pause_seconds,
)


def test_pauses_double_from_a_minute_up_to_an_hour() -> None:
    # Given the first receives; When their pauses are asked; Then 1, 2, 4, ... minutes, capped at an hour
    assert [pause_seconds(receives) for receives in range(1, 9)] == [60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert max(pause_seconds(receives) for receives in range(1, 100)) == MAX_PAUSE_SECONDS


def test_a_record_failing_for_twelve_hours_is_still_retried() -> None:
    # Given the queue's receives before the DLQ; When their pauses are added up
    patience = patience_seconds()
    # Then a record that keeps failing for twelve hours has receives left, and the queue keeps it 4 days
    assert patience >= STORM_SECONDS
    assert patience < 4 * 24 * 3600
    assert MAX_RECEIVE_COUNT == 20
