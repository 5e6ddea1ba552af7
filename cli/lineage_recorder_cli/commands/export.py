"""``lineage-recorder export``: the recorded job runs as OpenLineage RunEvents, for Marquez, DataHub,
Dataplex or Amazon DataZone.

One event per run, one per line (JSON Lines, as OpenLineage's file transport writes them), to stdout or
``--output``; with ``--url``, each is also posted with the OpenLineage client's HTTP transport
(``<url>/api/v1/lineage``, Marquez's and DataHub's endpoint). Exporting again gives the same events: run
ids come from the job ARNs (openlineage_events.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, TextIO

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder_cli.commands.trace import _moment

DEFAULT_ENDPOINT = "api/v1/lineage"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "export", help="write the recorded job runs as OpenLineage RunEvents (JSON Lines), or post them"
    )
    parser.add_argument("--format", choices=["openlineage"], default="openlineage")
    parser.add_argument(
        "--since", type=_moment, metavar="TIME", help="only runs recorded after this ISO-8601 time"
    )
    parser.add_argument(
        "--until", type=_moment, metavar="TIME", help="only runs recorded before this ISO-8601 time"
    )
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the events to FILE (default: standard output)"
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("OPENLINEAGE_URL") or None,
        help="also post each event to this OpenLineage endpoint, e.g. Marquez at http://localhost:5000 "
        "(default: OPENLINEAGE_URL)",
    )
    parser.add_argument(
        "--url-endpoint",
        default=os.environ.get("OPENLINEAGE_ENDPOINT") or DEFAULT_ENDPOINT,
        help=f"the path events are posted to (default: OPENLINEAGE_ENDPOINT or {DEFAULT_ENDPOINT})",
    )
    parser.add_argument(
        "--api-key",
        default=os.environ.get("OPENLINEAGE_API_KEY") or None,
        help="a bearer token for --url (default: OPENLINEAGE_API_KEY)",
    )
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.set_defaults(run=run)


def _transport(url: str, endpoint: str, api_key: str | None) -> Any:
    from openlineage.client.transport.http import HttpConfig, HttpTransport

    auth = {"type": "api_key", "apiKey": api_key} if api_key else {}
    return HttpTransport(HttpConfig.from_dict({"url": url, "endpoint": endpoint, "auth": auth}))


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("sagemaker-lineage-recorder")
    except metadata.PackageNotFoundError:
        return "0"


def export(
    sagemaker: Any,
    out: TextIO,
    *,
    since: Any = None,
    until: Any = None,
    transport: Any = None,
) -> tuple[int, list[str]]:
    """Writes (and with `transport`, posts) one event per recorded run. Returns the number of events and
    the edge ends that could not be read."""
    from lineage_recorder_cli.openlineage_events import PRODUCER_PREFIX, as_json, run_event
    from lineage_recorder_cli.recorded_runs import recorded_runs

    exported = recorded_runs(sagemaker, since=since, until=until)
    producer = PRODUCER_PREFIX + _version()
    for run in exported.runs:
        event = run_event(run, producer)
        out.write(as_json(event) + "\n")
        if transport is not None:
            transport.emit(event)
    out.flush()
    return len(exported.runs), exported.unread


def run(args: argparse.Namespace) -> int:
    try:
        import openlineage.client  # noqa: F401 (the cli extra installs it)
        import requests
    except ImportError:
        print(
            "lineage-recorder export: the OpenLineage client is not installed: "
            "pip install 'sagemaker-lineage-recorder[cli]'",
            file=sys.stderr,
        )
        return 2
    from lineage_recorder import aws

    if args.since and args.until and args.since >= args.until:
        print("lineage-recorder export: --since must be before --until", file=sys.stderr)
        return 2
    if args.api_key and not args.url:
        print(
            "lineage-recorder export: --api-key is for --url: give the OpenLineage endpoint", file=sys.stderr
        )
        return 2
    transport = _transport(args.url, args.url_endpoint, args.api_key) if args.url else None
    sagemaker = aws.client("sagemaker", args.endpoint_url)
    try:
        out: TextIO = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115
    except OSError as error:
        print(f"lineage-recorder export: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 2
    try:
        count, unread = export(sagemaker, out, since=args.since, until=args.until, transport=transport)
    except (ClientError, BotoCoreError) as error:
        print(f"lineage-recorder export: {error}", file=sys.stderr)
        return 1
    except requests.RequestException as error:
        print(
            f"lineage-recorder export: posting to {args.url} failed: {error}; check --url and --api-key",
            file=sys.stderr,
        )
        return 1
    finally:
        if out is not sys.stdout:
            out.close()
    where = f" to {args.output}" if args.output else ""
    posted = f", posted to {args.url}" if transport is not None else ""
    print(f"lineage-recorder export: {count} OpenLineage run events{where}{posted}", file=sys.stderr)
    for entity in unread:
        print(f"lineage-recorder export: left out, not readable: {entity}", file=sys.stderr)
    return 1 if unread else 0
