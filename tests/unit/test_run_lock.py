"""Table-less `record` runs take turns per account: a second run waits, then stops with a message."""

from __future__ import annotations

from pathlib import Path

import pytest
from lineage_recorder_cli.run_lock import RunLockTimeoutError, lock_path, one_run_at_a_time


def test_a_second_run_waits_its_turn_and_then_says_why_it_stopped(tmp_path: Path) -> None:
    # Given a run holding the lock for an account
    path = tmp_path / "run.lock"
    waited: list[bool] = []
    # When another run tries to take it for 0.3 s
    with (
        one_run_at_a_time(path, wait_seconds=5),
        pytest.raises(RunLockTimeoutError) as stopped,
        one_run_at_a_time(path, wait_seconds=0.3, on_wait=lambda: waited.append(True)),
    ):
        pass
    # Then it said it was waiting, and stopped naming what to do
    assert waited == [True]
    assert "set LINEAGE_STATE_TABLE" in str(stopped.value)
    # And once the first run is done, the next one takes its turn at once
    with one_run_at_a_time(path, wait_seconds=0):
        pass


def test_each_account_region_and_endpoint_has_its_own_lock() -> None:
    # Given two accounts, two Regions and two endpoints; When their lock files are named; Then all differ
    paths = {
        lock_path("111122223333", "us-east-1", None),
        lock_path("444455556666", "us-east-1", None),
        lock_path("111122223333", "eu-west-1", None),
        lock_path("111122223333", "us-east-1", "http://127.0.0.1:5000"),
    }
    assert len(paths) == 4
