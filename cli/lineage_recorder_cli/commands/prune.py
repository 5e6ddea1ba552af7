"""``lineage-recorder prune``: delete lineage the recorder made that is no longer wanted (prune.py says
what is and is never deleted). A dry run unless ``--apply``."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError


def _days(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of days (1 or more)")
    return int(text)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "prune", help="delete lineage entities the recorder made (a dry run unless --apply)"
    )
    parser.add_argument("--older-than", type=_days, metavar="DAYS", help="only entities created before then")
    parser.add_argument(
        "--type", action="append", default=[], metavar="TYPE", help="only entities of this type (repeatable)"
    )
    parser.add_argument(
        "--source-uri-prefix", metavar="PREFIX", help="only entities whose SourceUri starts so"
    )
    parser.add_argument(
        "--orphaned",
        action="store_true",
        help="only entities that stand for a SageMaker resource that no longer exists (an ARN SourceUri)",
    )
    parser.add_argument("--apply", action="store_true", help="delete (default: only say what would go)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="also delete entities that lineage the recorder did not make still points at",
    )
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.set_defaults(run=run)


def _orphaned(gateway: Any) -> Any:
    """Whether a SourceUri names a SageMaker resource SageMaker no longer describes."""
    from lineage_recorder.families import ALL

    describes = {call.resource_type: call for family in ALL for call in family.describes}

    def gone(uri: str) -> bool:
        if not uri.startswith("arn:") or ":sagemaker:" not in uri:
            return False
        resource = uri.split(":", 5)[5].split("?", 1)[0]
        resource_type, _, name = resource.partition("/")
        call = describes.get(resource_type)
        if call is None or not name:
            return False
        argument = uri.split("?", 1)[0] if call.name_parameter.endswith("Arn") else name.split("/", 1)[0]
        described = gateway.describe_resource(call.operation, **{call.name_parameter: argument})
        return described.body is None

    return gone


def run(args: argparse.Namespace) -> int:
    from lineage_recorder import aws
    from lineage_recorder.apply.gateway import SageMakerGateway
    from lineage_recorder.composition import build_state
    from lineage_recorder.errors import RetryLaterError
    from lineage_recorder.settings import RecorderSettings

    from lineage_recorder_cli.environment import quiet_powertools
    from lineage_recorder_cli.prune import prune

    quiet_powertools()
    if not any((args.older_than, args.type, args.source_uri_prefix, args.orphaned)):
        print(
            "lineage-recorder prune: say what to prune: --older-than, --type, --source-uri-prefix or "
            "--orphaned (nothing is pruned by default)",
            file=sys.stderr,
        )
        return 2
    sagemaker = aws.client("sagemaker", args.endpoint_url)
    gateway = SageMakerGateway(sagemaker)
    older_than = datetime.now(UTC) - timedelta(days=args.older_than) if args.older_than else None
    try:
        report = prune(
            sagemaker,
            gateway,
            build_state(RecorderSettings.from_environment(), args.endpoint_url),
            apply=args.apply,
            force=args.force,
            older_than=older_than,
            types=frozenset(args.type),
            source_uri_prefix=args.source_uri_prefix,
            orphaned=_orphaned(gateway) if args.orphaned else None,
        )
    except (ClientError, BotoCoreError, RetryLaterError) as error:
        print(f"lineage-recorder prune: {error}; run it again to finish", file=sys.stderr)
        return 1
    if args.json:
        json.dump(report.as_dict(), sys.stdout, indent=2)
        print()
        return 0
    verb = "deleted" if args.apply else "would delete"
    count = report.deleted if args.apply else sum(report.by_type.values())
    kinds = ", ".join(f"{number} {entity_type}" for entity_type, number in sorted(report.by_type.items()))
    print(f"{verb} {count} entities ({kinds or 'none'})")
    for line in report.sample:
        print(f"  e.g. {line}")
    if report.kept:
        print(
            f"kept {len(report.kept)} that lineage the recorder did not make points at (--force deletes them)"
        )
    if args.apply:
        print(f"{report.associations_deleted} associations deleted first")
    else:
        print("nothing deleted: run again with --apply")
    return 0
