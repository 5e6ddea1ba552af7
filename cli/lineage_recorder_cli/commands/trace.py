"""``lineage-recorder trace``: the lineage graph around an entity, as a tree or QueryLineage JSON.

Across accounts: ``--peer-role-arn`` (repeatable), or else LINEAGE_PEER_ACCOUNTS with
LINEAGE_TRACE_ROLE_NAME (default SageMakerLineageTraceReader, the stack's trace role), names roles to
assume in the peer accounts; the trace then follows SameAs links into them and says which account each
vertex belongs to.
``--collapse-same-as`` merges each set of twins into one vertex.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from lineage_recorder.errors import ConfigurationError

from lineage_recorder_cli.lineage_graph import (
    DIRECTIONS,
    EVERYTHING,
    LineageGraph,
    StartNotFoundError,
    VertexFilter,
    collapse_same_as,
    describe_all,
    fetch,
    render_csv,
    render_dot,
    render_list,
    render_mermaid,
    render_table,
    render_tree,
    resolve_start,
)

# Hops a trace walks at most: "all" (QueryLineage's own limit is ten per call; the trace goes on from
# where each call stopped, lineage_graph.HOPS_PER_CALL).
MAX_DEPTH = 1000
ALL = "all"


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 time (2026-11-01 or 2026-11-01T08:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _depth(text: str) -> int:
    if text == ALL:
        return MAX_DEPTH
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number: give 1 to {MAX_DEPTH}, or all") from None
    if not 1 <= value <= MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"depth must be between 1 and {MAX_DEPTH}, or all")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("trace", help="show the lineage around an entity ARN or SourceUri")
    parser.add_argument("start", metavar="ARN_OR_SOURCE_URI")
    parser.add_argument("--direction", choices=sorted(DIRECTIONS), default="ascendants")
    parser.add_argument(
        "--depth",
        type=_depth,
        default=MAX_DEPTH,
        help="hops to follow, 1-1000 or all (default all: to the end of the graph); a trace cut short by "
        "it says where",
    )
    parser.add_argument(
        "--format",
        choices=["tree", "json", "list", "table", "csv", "mermaid", "dot", "html"],
        default="tree",
        help="tree (default), json, list, table (aligned columns), csv, mermaid (a flowchart for Markdown), "
        "dot (Graphviz), or html (one self-contained page: pan, zoom, click for details)",
    )
    parser.add_argument(
        "--type",
        action="append",
        default=[],
        metavar="TYPE",
        help="only vertices of this type (repeatable), e.g. Endpoint, DataSet, TrainingJob; with "
        '--format list or json ("which endpoints use this dataset": --direction descendants --type '
        "Endpoint --format list)",
    )
    parser.add_argument(
        "--lineage-type",
        action="append",
        default=[],
        choices=["Artifact", "Action", "Context", "TrialComponent"],
        help="only vertices of this kind of lineage entity (repeatable); with --format list, csv or json",
    )
    parser.add_argument(
        "--created-after", type=_moment, metavar="TIME", help="only vertices created after this ISO-8601 time"
    )
    parser.add_argument(
        "--created-before",
        type=_moment,
        metavar="TIME",
        help="only vertices created before this ISO-8601 time",
    )
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.add_argument(
        "--peer-role-arn",
        action="append",
        default=[],
        metavar="ARN",
        help="a role to trace a peer account's lineage with (repeatable); default: LINEAGE_PEER_ACCOUNTS "
        "with LINEAGE_TRACE_ROLE_NAME (default SageMakerLineageTraceReader)",
    )
    parser.add_argument(
        "--collapse-same-as",
        action="store_true",
        help="merge SameAs twins into one vertex (as the SageMaker SDK)",
    )
    parser.set_defaults(run=run)


def trace(
    sagemaker: Any,
    start: str,
    *,
    direction: str,
    depth: int,
    output_format: str,
    peers: Mapping[str, Any] | None = None,
    collapse: bool = False,
    only: VertexFilter = EVERYTHING,
) -> str:
    """``peers`` (account -> SageMaker client there): follow SameAs into those accounts; ``only``: the
    vertices the list, CSV and JSON formats keep."""
    # The tree and the pictures show every vertex; the list, CSV and JSON only what `only` keeps.
    kept = only if output_format in FILTERED_FORMATS else EVERYTHING
    graph = traced_graph(
        sagemaker,
        start,
        direction=direction,
        depth=depth,
        peers=peers,
        collapse=collapse,
        only=kept,
        # The tree describes only what it shows (render_tree); every other format shows every vertex.
        describe=output_format != "tree",
    )
    return render(sagemaker, graph, output_format, direction=direction, peers=peers, only=only)


FILTERED_FORMATS = ("list", "table", "csv", "json")


def traced_graph(
    sagemaker: Any,
    start: str,
    *,
    direction: str,
    depth: int,
    peers: Mapping[str, Any] | None = None,
    collapse: bool = False,
    only: VertexFilter = EVERYTHING,
    describe: bool = True,
) -> LineageGraph:
    """The lineage around `start`, its vertices described (those `only` keeps; none without `describe`,
    for the tree, which describes what it shows), ready to render in any format (the demo draws one graph
    as a tree and as a page)."""
    start_arn = resolve_start(sagemaker, start)
    follow = peers if peers is not None else ({} if collapse else None)
    graph = fetch(sagemaker, start_arn, direction=direction, depth=depth, peers=follow)
    if collapse:
        graph = collapse_same_as(graph)
    if describe:
        describe_all(sagemaker, graph, peers, only=only)
    return graph


def render(
    sagemaker: Any,
    graph: LineageGraph,
    output_format: str,
    *,
    direction: str,
    peers: Mapping[str, Any] | None = None,
    only: VertexFilter = EVERYTHING,
) -> str:
    if output_format == "json":
        return json.dumps(graph.as_query_lineage(only), indent=2)
    if output_format == "list":
        return render_list(graph, only)
    if output_format == "csv":
        return render_csv(graph, only)
    if output_format == "table":
        return render_table(graph, only)
    if output_format == "mermaid":
        return render_mermaid(graph)
    if output_format == "dot":
        return render_dot(graph)
    if output_format == "html":
        from lineage_recorder_cli.html_view import render_html

        return render_html(graph)
    return render_tree(sagemaker, graph, direction, peers)


def peer_role_arns(given: list[str], environ: Mapping[str, str]) -> list[str]:
    """The roles given on the command line, else one per LINEAGE_PEER_ACCOUNTS: its trace role."""
    if given:
        return given
    from lineage_recorder.settings import DEFAULT_TRACE_ROLE_NAME, ENV_TRACE_ROLE_NAME, RecorderSettings

    settings = RecorderSettings.from_environment(environ)
    role_name = environ.get(ENV_TRACE_ROLE_NAME, "").strip() or DEFAULT_TRACE_ROLE_NAME
    return [f"arn:aws:iam::{account}:role/{role_name}" for account in sorted(settings.peer_accounts)]


def peer_clients(sts: Any, role_arns: list[str], endpoint_url: str | None) -> dict[str, Any]:
    """A SageMaker client per peer account, from the assumed roles; a role that fails is reported, skipped."""
    import boto3

    clients: dict[str, Any] = {}
    for role_arn in role_arns:
        try:
            credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName="lineage-recorder-trace")[
                "Credentials"
            ]
        except (ClientError, BotoCoreError) as error:
            print(f"lineage-recorder trace: cannot assume {role_arn}: {error}", file=sys.stderr)
            continue
        clients[role_arn.split(":")[4]] = boto3.client(
            "sagemaker",
            endpoint_url=endpoint_url,
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
        )
    return clients


def run(args: argparse.Namespace) -> int:
    from lineage_recorder import aws

    only = VertexFilter(
        types=frozenset(args.type),
        lineage_types=frozenset(args.lineage_type),
        created_after=args.created_after,
        created_before=args.created_before,
    )
    if only != EVERYTHING and args.format not in FILTERED_FORMATS:
        print(
            "lineage-recorder trace: --type, --lineage-type and --created-* pick vertices for --format list, "
            f"table, json or csv, not {args.format}",
            file=sys.stderr,
        )
        return 2
    sagemaker = aws.client("sagemaker", args.endpoint_url)
    try:
        roles = peer_role_arns(args.peer_role_arn, os.environ)
    except ConfigurationError as error:
        print(f"lineage-recorder trace: {error}", file=sys.stderr)
        return 2
    peers = peer_clients(aws.client("sts", args.endpoint_url), roles, args.endpoint_url) if roles else None
    try:
        print(
            trace(
                sagemaker,
                args.start,
                direction=args.direction,
                depth=args.depth,
                output_format=args.format,
                peers=peers,
                collapse=args.collapse_same_as,
                only=only,
            )
        )
    except StartNotFoundError as error:
        print(f"lineage-recorder trace: {error}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as error:
        print(f"lineage-recorder trace: {error}", file=sys.stderr)
        return 1
    return 0
