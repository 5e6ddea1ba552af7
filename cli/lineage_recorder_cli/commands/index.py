"""``lineage-recorder index``: read the account's lineage into the state table's index now.

The recorder builds its index by itself, a few pages per invocation, looking keys up one by one until
the index has caught up. In an account that already holds many lineage entities, running this once
after deploying makes the index complete from the first event on.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from lineage_recorder_cli.environment import quiet_powertools


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "index", help="read the account's lineage entities into the recorder's index (LINEAGE_STATE_TABLE)"
    )
    parser.add_argument("--endpoint-url", help="AWS endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.add_argument("--json", action="store_true", help="print what was read as JSON")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lineage_recorder.apply.lineage_index import IndexStuckError
    from lineage_recorder.composition import build_index
    from lineage_recorder.errors import ConfigurationError, RetryLaterError
    from lineage_recorder.settings import RecorderSettings

    quiet_powertools()
    try:
        reads = build_index(RecorderSettings.from_environment(), args.endpoint_url).build()
    except ConfigurationError as error:
        print(f"lineage-recorder index: {error}", file=sys.stderr)
        return 2
    except (IndexStuckError, RetryLaterError) as error:
        print(f"lineage-recorder index: {error}", file=sys.stderr)
        return 1
    totals: dict[str, dict[str, int]] = {}
    for read in reads:
        feed = totals.setdefault(read.feed, {"calls": 0, "entities_read": 0, "entities_added": 0})
        feed["calls"] += read.pages
        feed["entities_read"] += read.entities_read
        feed["entities_added"] += read.entities_added
    if args.json:
        json.dump(totals, sys.stdout, indent=2)
        print()
        return 0
    print(f"{'feed':<18}{'calls':>8}{'read':>10}{'added':>10}")
    for name, feed in totals.items():
        print(f"{name:<18}{feed['calls']:>8,}{feed['entities_read']:>10,}{feed['entities_added']:>10,}")
    return 0
