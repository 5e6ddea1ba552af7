"""``make bench``: the whole benchmark, its tables on stdout and its figures in bench/results/<date>.json.

    python -m bench.run [--size N] [--seed N] [--output PATH] [--skip-scaling] [--skip-cold-start] [--strict]

Exit status: 0 when the bench ran, whether or not the targets were met (the output and the JSON say
which were, under ``targets``); 1 when the bench itself failed; 3 with ``--strict`` when a target was
missed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Any

from bench import asset, cold_start
from bench.counting import COUNTER
from bench.emulator import configure_environment
from bench.workload import DEFAULT_DUPLICATE_RATE, generate

DEFAULT_SIZE = 60
# The trace is measured on a larger estate: the size at which the CLI's tree used to take minutes.
DEFAULT_TRACE_SIZE = 400
DEFAULT_SEED = 8
RESULTS_DIR = Path(__file__).resolve().parent / "results"
EXIT_ERROR = 1
EXIT_TARGET_MISSED = 3


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--size", type=int, default=DEFAULT_SIZE, help=f"pipelines in the estate (default {DEFAULT_SIZE})"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"workload seed (default {DEFAULT_SEED})"
    )
    parser.add_argument(
        "--duplicate-rate",
        type=float,
        default=DEFAULT_DUPLICATE_RATE,
        help=f"share of deliveries that are duplicates (default {DEFAULT_DUPLICATE_RATE})",
    )
    parser.add_argument(
        "--trace-size",
        type=int,
        default=DEFAULT_TRACE_SIZE,
        help=f"pipelines in the estate the trace is measured on (default {DEFAULT_TRACE_SIZE})",
    )
    parser.add_argument("--output", type=Path, help="results file (default bench/results/<YYYY-MM-DD>.json)")
    parser.add_argument("--skip-scaling", action="store_true", help="leave out the preloaded-account runs")
    parser.add_argument("--skip-cold-start", action="store_true", help="leave out the cold-start processes")
    parser.add_argument(
        "--cold-start-runs", type=int, default=cold_start.DEFAULT_RUNS, help="processes per side"
    )
    parser.add_argument(
        "--strict", action="store_true", help=f"exit {EXIT_TARGET_MISSED} when a target is missed"
    )
    return parser.parse_args(argv)


def _progress(message: str, started: float) -> None:
    print(f"[bench {perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


def _measure(args: argparse.Namespace, started: float) -> dict[str, Any]:
    # The Lambda's environment and the call counter must be in place before the handler is imported.
    configure_environment()
    COUNTER.install()
    import sagemaker_lineage_emulator

    from bench import scaling, summary
    from bench.baseline import Baseline
    from bench.experiment import run_system
    from bench.lambda_driver import LambdaRecorder

    workload = generate(args.size, args.seed, args.duplicate_rate)
    _progress(f"workload: {len(workload.steps)} events, {len(workload.deliveries)} deliveries", started)
    _progress("recorder: first pass and replay through the Lambda handler", started)
    recorder = run_system(LambdaRecorder(), workload)
    _progress("baseline: first pass and replay", started)
    baseline = run_system(Baseline(), workload)
    results: dict[str, Any] = {
        "schema_version": summary.SCHEMA_VERSION,
        "date": date.today().isoformat(),
        "generated_at": summary.now().isoformat(timespec="seconds"),
        "machine": summary.machine_json(),
        "config": {
            "size": args.size,
            "seed": args.seed,
            "duplicate_rate": args.duplicate_rate,
            "batch_size": 10,
            "scaling_sizes": list(scaling.PRELOAD_SIZES) if not args.skip_scaling else [],
            "cold_start_runs": 0 if args.skip_cold_start else args.cold_start_runs,
            # LINEAGE_EMULATOR_LATENCY_SECONDS slows every emulated SageMaker call (timings only).
            "emulator_latency_seconds": getattr(sagemaker_lineage_emulator.current(), "latency", 0.0),
        },
        "workload": {
            **workload.summary(),
            "coverage": recorder.coverage.to_json(),
            "not_measured_deliveries": recorder.coverage.not_measured,
        },
        "recorder": summary.system_json(recorder),
        "baseline": summary.system_json(baseline),
        "comparison": summary.comparison_json(recorder, baseline),
    }
    if not args.skip_scaling:
        _progress(
            f"scaling: preloading {', '.join(f'{n:,}' for n in scaling.PRELOAD_SIZES)} entities", started
        )
        points = scaling.run_scaling(LambdaRecorder, generate(scaling.WORKLOAD_SIZE, args.seed))
        results["scaling"] = summary.scaling_json(points, scaling.WORKLOAD_SIZE)
    if not args.skip_cold_start:
        _progress(f"cold start: {args.cold_start_runs} fresh processes per side", started)
        results["cold_start"] = cold_start.measure(args.cold_start_runs).to_json()
    from bench import trace_speed

    trace_workload = generate(args.trace_size, args.seed, 0.0)
    _progress(
        f"trace: an estate of {args.trace_size} pipelines ({len(trace_workload.steps)} events) recorded, "
        "then the descendants of its most-read raw data set",
        started,
    )
    results["trace"] = trace_speed.measure(trace_speed.InProcessRecorder(), trace_workload).to_json()
    results["asset"] = asset.measure().to_json()
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    started = perf_counter()
    from bench.experiment import BenchError
    from bench.report import render
    from bench.targets import evaluate

    try:
        results = _measure(args, started)
    except BenchError as error:
        print(f"bench: {error}", file=sys.stderr)
        return EXIT_ERROR
    results["duration_seconds"] = round(perf_counter() - started, 1)
    default_run = (
        args.size == DEFAULT_SIZE
        and args.duplicate_rate == DEFAULT_DUPLICATE_RATE
        and not args.skip_scaling
        and not args.skip_cold_start
        and args.cold_start_runs >= cold_start.DEFAULT_RUNS
    )
    targets = evaluate(results, default_run=default_run)
    results["targets"] = [target.to_json() for target in targets]
    output: Path = args.output or RESULTS_DIR / f"{results['date']}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    print(f"\nResults written to {output}")
    if args.strict and any(target.met is False for target in targets):
        return EXIT_TARGET_MISSED
    return 0


if __name__ == "__main__":
    sys.exit(main())
