"""The issue's targets, each met, missed or not measured: never left out of the output."""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FLOOR_RATIO = 1.15
REPLAY_WRITES = 0
BASELINE_RATIO = 1.5
SCALING_FLATNESS = 1.10
RUNTIME_SECONDS = 300.0
TRACE_SPEEDUP = 5.0

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
}


@dataclass(frozen=True)
class Target:
    key: str
    description: str
    value: float | None  # None: not measured in this run
    comparison: str  # "<=", ">=" or "=="
    threshold: float
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.value is None:
            return None
        return _COMPARE[self.comparison](self.value, self.threshold)

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "N/A"}[self.met]

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "description": self.description,
            "value": self.value,
            "comparison": self.comparison,
            "threshold": self.threshold,
            "met": self.met,
            "note": self.note,
        }


def _get(document: dict[str, Any], *path: str) -> Any:
    value: Any = document
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def evaluate(results: dict[str, Any], *, default_run: bool) -> list[Target]:
    """The targets of ``results`` (the JSON document); ``default_run``: default size, nothing skipped."""
    not_measured = sorted(_get(results, "workload", "not_measured_deliveries") or {})
    coverage_note = f"without the families not measured: {', '.join(not_measured)}" if not_measured else ""
    scaling = _get(results, "scaling", "max_over_min_calls_per_event")
    runtime = _get(results, "duration_seconds")
    return [
        Target(
            "recorder_first_pass_vs_floor",
            "recorder's SageMaker calls on the first pass / floor",
            _get(results, "recorder", "first_pass", "ratio_to_floor"),
            "<=",
            FLOOR_RATIO,
            coverage_note,
        ),
        Target(
            "recorder_replay_writes",
            "recorder's SageMaker writes on a replay of the whole stream",
            _get(results, "recorder", "replay", "sagemaker", "writes"),
            "==",
            REPLAY_WRITES,
            coverage_note,
        ),
        Target(
            "baseline_over_recorder",
            "baseline's SageMaker calls / recorder's, over the whole stream (first pass)",
            _get(results, "comparison", "baseline_over_recorder_calls"),
            ">=",
            BASELINE_RATIO,
            coverage_note,
        ),
        Target(
            "scaling_flat",
            "max / min of the recorder's calls per event over the preloaded account sizes",
            scaling,
            "<=",
            SCALING_FLATNESS,
            "" if scaling is not None else "scaling skipped",
        ),
        Target(
            "trace_tree_speedup",
            "full descendant tree of a shared data set: one describe at a time / now",
            _get(results, "trace", "tree_speedup"),
            ">=",
            TRACE_SPEEDUP,
        ),
        Target(
            "default_size_runtime",
            "whole bench at the default size, in seconds",
            runtime if default_run else None,
            "<=",
            RUNTIME_SECONDS,
            "" if default_run else "only judged at the default size with nothing skipped",
        ),
    ]
