"""Renders a results document (bench/results/<date>.json) as the tables ``make bench`` prints.

python -m bench.report bench/results/2026-11-21.json    # print a saved run again
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

SYSTEMS = ("recorder", "baseline")
PASSES = (("first_pass", "first"), ("replay", "replay"))


def _number(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> list[str]:
    """Columns padded to their widest cell: the first and any marked "l" in ``align`` to the left."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows, strict=True)]
    lefts = {0} | {index for index, mark in enumerate(align) if mark == "l"}
    lines = []
    for row in (header, *rows):
        cells = [
            str(cell).ljust(width) if index in lefts else str(cell).rjust(width)
            for index, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  " + "  ".join(cells).rstrip())
    return lines


def _passes(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    columns = []
    for system in SYSTEMS:
        for key, label in PASSES:
            document = results.get(system, {}).get(key)
            if document is not None:
                columns.append((f"{system} {label}", document))
    return columns


def _workload(results: dict[str, Any]) -> list[str]:
    workload = results["workload"]
    lines = [
        f"Workload: {workload['pipelines']} pipelines, {workload['events']} events, "
        f"{workload['deliveries']} deliveries ({workload['duplicate_deliveries']} duplicates, "
        f"{workload['duplicate_share']:.1%}), shuffled; seed {workload['seed']}"
    ]
    rows = []
    for kind, coverage in workload["coverage"].items():
        by_kind = workload["by_kind"][kind]
        status = "measured" if coverage["measured"] else "NOT MEASURED: the recorder has no family for it yet"
        if coverage["filtered_by_rule_deliveries"]:
            status += f" ({coverage['filtered_by_rule_deliveries']} deliveries dropped by its rule)"
        rows.append([kind, _number(by_kind["events"]), _number(by_kind["deliveries"]), status])
    lines += _table(["kind", "events", "deliveries", "status"], rows, align="lrrl")
    return lines


def _calls(results: dict[str, Any]) -> list[str]:
    columns = _passes(results)
    operations = sorted({op for _, doc in columns for op in doc["sagemaker"]["by_operation"]})
    rows = [
        [op, *(_number(doc["sagemaker"]["by_operation"].get(op, 0)) for _, doc in columns)]
        for op in operations
    ]
    rows.append(["total SageMaker calls", *(_number(doc["sagemaker"]["calls"]) for _, doc in columns)])
    rows.append(["  reads", *(_number(doc["sagemaker"]["reads"]) for _, doc in columns)])
    rows.append(["  writes", *(_number(doc["sagemaker"]["writes"]) for _, doc in columns)])
    others = sorted(
        {f"{svc}:{op}" for _, doc in columns for svc, ops in doc["other_services"].items() for op in ops}
    )
    for name in others:
        service, operation = name.split(":", 1)
        rows.append(
            [
                f"({service}) {operation}",
                *(_number(doc["other_services"].get(service, {}).get(operation, 0)) for _, doc in columns),
            ]
        )
    return [
        "SageMaker calls by operation (other AWS services in parentheses, not in the totals)",
        *_table(["operation", *(label for label, _ in columns)], rows),
    ]


def _per_event(results: dict[str, Any]) -> list[str]:
    columns = _passes(results)
    floors = {system: results.get(system, {}).get("floor", {}) for system in SYSTEMS}
    rows = [
        ["deliveries", *(_number(doc["deliveries"]) for _, doc in columns)],
        ["failed records", *(_number(doc["failures"]) for _, doc in columns)],
        ["SageMaker calls / event", *(_number(doc["calls_per_event"]) for _, doc in columns)],
        ["SageMaker writes / event", *(_number(doc["writes_per_event"]) for _, doc in columns)],
        [
            "floor (calls)",
            *(
                _number(floors[label.split()[0]].get("total")) if label.endswith("first") else "0"
                for label, _ in columns
            ),
        ],
        [
            "ratio to floor",
            *(_number(doc["ratio_to_floor"]) + ("x" if doc["ratio_to_floor"] else "") for _, doc in columns),
        ],
        ["events / s (in process)", *(_number(doc["events_per_second"], 1) for _, doc in columns)],
        ["latency p50 (ms)", *(_number(doc["latency_ms"]["p50"]) for _, doc in columns)],
        ["latency p95 (ms)", *(_number(doc["latency_ms"]["p95"]) for _, doc in columns)],
    ]
    lines = ["Per event", *_table(["", *(label for label, _ in columns)], rows)]
    floor = floors["recorder"]
    if floor:
        lines.append(
            f"  floor = {floor['describes']:,} describes + {floor['entities_created']:,} entities + "
            f"{floor['associations_created']:,} associations + {floor['effective_updates']:,} updates "
            "(see bench/README.md); a replay's floor is 0"
        )
    comparison = results.get("comparison", {})
    first = _number(comparison.get("baseline_over_recorder_calls"))
    both = _number(comparison.get("baseline_over_recorder_calls_with_replay"))
    lines.append(
        f"  baseline / recorder calls: {first}x first pass, {both}x with the replay; "
        f"same graph: {comparison.get('same_graph')}"
    )
    replay = results.get("recorder", {}).get("replay", {}).get("graph_changes")
    if replay:
        lines.append(
            f"  the recorder's replay added {replay.get('entities', 0)} entities, "
            f"{replay.get('associations', 0)} associations and made "
            f"{replay.get('effective_updates', 0)} effective updates"
        )
    for system in SYSTEMS:
        for key, label in PASSES:
            reasons = results.get(system, {}).get(key, {}).get("failure_reasons")
            if reasons:
                lines.append(f"  FAILED RECORDS ({system} {label}), first reasons: " + " | ".join(reasons))
    return lines


def _scaling(results: dict[str, Any]) -> list[str]:
    scaling = results.get("scaling")
    if not scaling:
        return ["Scaling: skipped"]
    rows = [
        [
            _number(p["preloaded_entities"]),
            _number(p["preloaded_associations"]),
            _number(p["deliveries"]),
            _number(p["calls_per_event"], 3),
            _number(p["failures"]),
            _number(p.get("index_build_calls")),
        ]
        for p in scaling["points"]
    ]
    pipelines = scaling["workload_pipelines"]
    return [
        f"Scaling: the recorder on a fixed {pipelines}-pipeline workload, account preloaded",
        *_table(
            [
                "preloaded entities",
                "associations",
                "deliveries",
                "calls / event",
                "failed",
                "index build (once)",
            ],
            rows,
        ),
        f"  max / min calls per event: {_number(scaling['max_over_min_calls_per_event'], 3)}",
        "  index build: SageMaker calls of `lineage-recorder index`, run once before the events "
        "(not per event)",
    ]


def _cold_start(results: dict[str, Any]) -> list[str]:
    cold = results.get("cold_start")
    if not cold:
        return ["Cold start: skipped"]
    handler, boto3 = cold["handler_import_and_setup"], cold["boto3_import_and_client"]
    rows = [
        [
            "handler import + first-invocation set-up",
            _number(handler["median_ms"], 1),
            _number(handler["process_median_ms"], 1),
        ],
        [
            "import boto3 + one SageMaker client",
            _number(boto3["median_ms"], 1),
            _number(boto3["process_median_ms"], 1),
        ],
    ]
    return [
        f"Cold start: median of {cold['runs']} fresh processes",
        *_table(["", "in process (ms)", "whole process (ms)"], rows),
        f"  ratio: {_number(cold['ratio'])}x",
    ]


def _trace(results: dict[str, Any]) -> list[str]:
    trace = results.get("trace")
    if not trace:
        return ["Trace: not measured"]
    return [
        f"Trace: on an estate of {trace.get('pipelines', '?')} pipelines "
        f"({trace.get('events', '?')} events), "
        f"the descendants of {trace['start_uri']} ({trace['vertices']} vertices, {trace['tree_lines']} "
        f"tree lines), every SageMaker call {trace['latency_seconds_per_call'] * 1000:.0f} ms",
        f"  full tree, every vertex described one at a time (as before) "
        f"{trace['tree_sequential_seconds']:8.2f} s  "
        f"({trace.get('tree_calls_before', '?')} calls)",
        f"  full tree, what it shows described eight at a time (now)   "
        f"{trace['tree_concurrent_seconds']:8.2f} s  "
        f"({trace['tree_speedup']:.1f}x, {trace['tree_calls']} calls)",
        f"  which endpoints use it (--type Endpoint --format list): {trace['endpoints_found']} endpoints, "
        f"{trace['endpoints_calls']} calls",
    ]


def _asset(results: dict[str, Any]) -> list[str]:
    asset = results["asset"]
    return [
        f"Lambda asset ({asset['package']}/): {asset['files']} files, {asset['bytes'] / 1024:,.1f} KiB, "
        f"{asset['zipped_bytes'] / 1024:,.1f} KiB zipped"
    ]


def _targets(results: dict[str, Any]) -> list[str]:
    lines = ["Targets"]
    for target in results["targets"]:
        value = target["value"]
        shown = "not measured" if value is None else _number(value, 3)
        note = f"  ({target['note']})" if target["note"] else ""
        verdict = {True: "PASS", False: "FAIL", None: "N/A "}[target["met"]]
        lines.append(
            f"  {verdict}  {target['description']}: {shown} (target {target['comparison']} "
            f"{_number(target['threshold'])}){note}"
        )
    not_measured = results["workload"].get("not_measured_deliveries") or {}
    if not_measured:
        lines.append(
            "  NOT MEASURED: "
            + ", ".join(f"{kind} ({n} deliveries)" for kind, n in sorted(not_measured.items()))
            + ": the recorder does not handle these detail-types yet; every figure above leaves them out"
        )
    return lines


def render(results: dict[str, Any]) -> str:
    machine = results["machine"]
    title = (
        f"SageMaker lineage recorder benchmark, {results['date']}: python {machine['python']}, "
        f"{machine['cpu_count']} CPUs, {results['duration_seconds']:.0f} s"
    )
    sections = [
        [title, "=" * len(title)],
        _workload(results),
        _calls(results),
        _per_event(results),
        _scaling(results),
        _cold_start(results),
        _trace(results),
        _asset(results),
        _targets(results),
    ]
    return "\n\n".join("\n".join(section) for section in sections)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if len(arguments) != 1:
        print("usage: python -m bench.report RESULTS.json", file=sys.stderr)
        return 2
    print(render(json.loads(Path(arguments[0]).read_text(encoding="utf-8"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
