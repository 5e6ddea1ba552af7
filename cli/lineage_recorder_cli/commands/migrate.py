"""``lineage-recorder migrate``: bring contexts and actions an earlier version created to today's shape.

Dry run by default: lists what would be replaced. ``--apply`` replaces them (see
``lineage_recorder.apply.migration``), writing a journal first so an interrupted run is finished by the
next one. Run it as a person with the permissions in README ("Upgrading"), never from the Lambda.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from lineage_recorder_cli.environment import quiet_powertools

DEFAULT_JOURNAL = Path(".lineage-recorder-migrate.json")


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "migrate",
        help="replace contexts and actions an earlier version created without Source.SourceType (dry run "
        "unless --apply)",
    )
    parser.add_argument("--apply", action="store_true", help="replace them (default: only list them)")
    parser.add_argument(
        "--journal",
        type=Path,
        default=DEFAULT_JOURNAL,
        help=f"where replacements in progress are kept (default: {DEFAULT_JOURNAL})",
    )
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lineage_recorder import aws
    from lineage_recorder.apply.gateway import SageMakerGateway
    from lineage_recorder.apply.migration import Journal, Migration
    from lineage_recorder.errors import RetryLaterError

    quiet_powertools()
    migration = Migration(SageMakerGateway(aws.client("sagemaker", args.endpoint_url)), Journal(args.journal))
    try:
        planned = migration.plan()
        pending = Journal(args.journal).pending()
        if not args.apply:
            listed = [(r.arn, f"{r.entity_type} {r.name}") for r in [*pending, *planned]]
            return _print(args, "would replace", listed, 0)
        report = migration.apply(planned)
    except RetryLaterError as error:
        print(f"lineage-recorder migrate: {error}; run it again to finish", file=sys.stderr)
        return 1
    except (OSError, ValueError) as error:
        print(f"lineage-recorder migrate: the journal {args.journal}: {error}", file=sys.stderr)
        return 2
    return _print(args, "replaced", report.replaced, report.associations_moved)


def _print(args: argparse.Namespace, verb: str, pairs: list[tuple[str, str]], moved: int) -> int:
    if args.json:
        json.dump(
            {verb.replace(" ", "_"): [list(pair) for pair in pairs], "associations_moved": moved}, sys.stdout
        )
        print()
        return 0
    for old, new in pairs:
        print(f"{verb} {old} -> {new}" if args.apply else f"{verb} {old} ({new})")
    print(f"{len(pairs)} {'entity' if len(pairs) == 1 else 'entities'} {verb}; {moved} associations moved")
    return 0
