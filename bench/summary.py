"""The figures of a bench run as one JSON-able document (what bench/results/<date>.json holds)."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.driver import PassResult
from bench.experiment import SystemRun
from bench.scaling import ScalingPoint, flatness

SCHEMA_VERSION = 1
REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("boto3", "botocore", "moto", "aws-lambda-powertools", "pydantic")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (0 < fraction <= 1) of ``values``; 0.0 when there are none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _ratio(numerator: float, denominator: float) -> float | None:
    return round(numerator / denominator, 3) if denominator else None


def pass_json(result: PassResult, floor_total: int | None = None) -> dict[str, Any]:
    calls = result.calls
    events = result.deliveries
    return {
        "deliveries": events,
        "failures": result.failures,
        "failure_reasons": result.reasons,
        "sagemaker": {
            "calls": calls.sagemaker,
            "reads": calls.sagemaker_reads,
            "writes": calls.sagemaker_writes,
            "by_operation": dict(sorted(calls.of("sagemaker").items())),
        },
        "other_services": calls.other_services(),
        "calls_per_event": _ratio(calls.sagemaker, events),
        "writes_per_event": _ratio(calls.sagemaker_writes, events),
        "ratio_to_floor": _ratio(calls.sagemaker, floor_total) if floor_total is not None else None,
        "seconds": round(result.seconds, 3),
        "events_per_second": _ratio(events, result.seconds),
        "latency_ms": {
            "p50": round(percentile(result.latencies, 0.50) * 1000, 2),
            "p95": round(percentile(result.latencies, 0.95) * 1000, 2),
            "max": round(max(result.latencies, default=0.0) * 1000, 2),
        },
        "latency_source": "per record" if result.per_record_timing else "invocation time / records",
    }


def system_json(run: SystemRun) -> dict[str, Any]:
    document: dict[str, Any] = {
        "first_pass": pass_json(run.first, run.floor.total),
        "floor": run.floor.to_json(),
    }
    if run.replay is not None:
        document["replay"] = {
            **pass_json(run.replay),
            "graph_changes": {
                **(run.replay_created.to_json() if run.replay_created else {}),
                "effective_updates": run.replay_effective_updates,
            },
        }
    return document


def comparison_json(recorder: SystemRun, baseline: SystemRun) -> dict[str, Any]:
    first = _ratio(baseline.first.calls.sagemaker, recorder.first.calls.sagemaker)
    both: float | None = None
    if recorder.replay is not None and baseline.replay is not None:
        both = _ratio(
            baseline.first.calls.sagemaker + baseline.replay.calls.sagemaker,
            recorder.first.calls.sagemaker + recorder.replay.calls.sagemaker,
        )
    return {
        "baseline_over_recorder_calls": first,
        "baseline_over_recorder_calls_with_replay": both,
        "same_graph": recorder.floor.created == baseline.floor.created,
    }


def scaling_json(points: Sequence[ScalingPoint], workload_size: int) -> dict[str, Any]:
    ratio = flatness(points)
    return {
        "workload_pipelines": workload_size,
        "points": [point.to_json() for point in points],
        "max_over_min_calls_per_event": round(ratio, 4) if ratio is not None else None,
    }


def _git() -> dict[str, Any]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--", "functions"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "functions_dirty": None}
    return {"commit": commit, "functions_dirty": bool(status.strip())}


def machine_json() -> dict[str, Any]:
    versions: dict[str, str | None] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "packages": versions,
        "git": _git(),
    }


def now() -> datetime:
    return datetime.now(UTC)
