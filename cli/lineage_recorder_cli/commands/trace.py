"""``lineage-recorder trace``: the lineage graph around an entity, as a tree or QueryLineage JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder_cli.lineage_graph import (
    DIRECTIONS,
    StartNotFoundError,
    fetch,
    render_tree,
    resolve_start,
)

MAX_DEPTH = 10  # QueryLineage's own limit (botocore model: QueryLineageMaxDepth)


def _depth(text: str) -> int:
    value = int(text)
    if not 1 <= value <= MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"depth must be between 1 and {MAX_DEPTH}")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("trace", help="show the lineage around an entity ARN or SourceUri")
    parser.add_argument("start", metavar="ARN_OR_SOURCE_URI")
    parser.add_argument("--direction", choices=sorted(DIRECTIONS), default="ascendants")
    parser.add_argument(
        "--depth", type=_depth, default=MAX_DEPTH, help=f"1-{MAX_DEPTH} (default {MAX_DEPTH})"
    )
    parser.add_argument("--format", choices=["tree", "json"], default="tree")
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.set_defaults(run=run)


def trace(sagemaker: Any, start: str, *, direction: str, depth: int, output_format: str) -> str:
    start_arn = resolve_start(sagemaker, start)
    graph = fetch(sagemaker, start_arn, direction=direction, depth=depth)
    if output_format == "json":
        return json.dumps(graph.as_query_lineage(), indent=2)
    return render_tree(sagemaker, graph, direction)


def run(args: argparse.Namespace) -> int:
    from lineage_recorder import aws

    sagemaker = aws.client("sagemaker", args.endpoint_url)
    try:
        print(
            trace(
                sagemaker, args.start, direction=args.direction, depth=args.depth, output_format=args.format
            )
        )
    except StartNotFoundError as error:
        print(f"lineage-recorder trace: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"lineage-recorder trace: {error}", file=sys.stderr)
        return 1
    return 0
