"""The bench's targets: a missed or unmeasured target is printed as such, never left out (issue 8)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from bench.report import render
from bench.targets import evaluate

# The newest committed run: a complete results document to vary.
REFERENCE_RUN = max((Path(__file__).resolve().parents[2] / "bench" / "results").glob("*.json"))


@pytest.fixture
def results() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(REFERENCE_RUN.read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def _with_targets(results: dict[str, Any], *, default_run: bool = True) -> str:
    results["targets"] = [target.to_json() for target in evaluate(results, default_run=default_run)]
    return render(results)


def test_a_missed_target_is_printed_as_fail_with_its_value(results: dict[str, Any]) -> None:
    # Given a run whose first pass is 1.31x the floor
    results["recorder"]["first_pass"]["ratio_to_floor"] = 1.31
    # When its targets are evaluated and printed
    verdicts = {target.key: target.met for target in evaluate(results, default_run=True)}
    printed = _with_targets(results)
    # Then that target is missed, and the output says so with the value and the threshold
    assert verdicts["recorder_first_pass_vs_floor"] is False
    assert "FAIL  recorder's SageMaker calls on the first pass / floor: 1.310 (target <= 1.15)" in printed


def test_an_unmeasured_target_is_printed_as_not_applicable_with_the_reason(results: dict[str, Any]) -> None:
    # Given a run without the scaling part, not at the default size
    del results["scaling"]
    # When its targets are evaluated and printed
    printed = _with_targets(results, default_run=False)
    # Then both targets are listed as N/A with why, not dropped
    assert "N/A   max / min of the recorder's calls per event" in printed
    assert "(scaling skipped)" in printed
    assert "(only judged at the default size with nothing skipped)" in printed
