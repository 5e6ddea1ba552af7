"""``lineage-recorder backfill``: lineage for the resources that existed before the recorder was deployed.

Each resource SageMaker lists (jobs, models, packages, endpoints, feature groups, model cards, pipeline
executions) is recorded as if its latest state-change event had arrived, through the same recorder as the
Lambda (backfill.py says what is and is not recorded). Run it once after deploying into an account with
history (after ``lineage-recorder index``); running it again records nothing new.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder_cli.commands.trace import _moment

PROGRESS_EVERY = 100


class FamilyCheckpoint:
    """The families a backfill of this window finished, so a run stopped half way goes on from the family
    it was in: in the state table when there is one (shared with other runs), else in a local file."""

    def __init__(self, key: str, table: Any | None) -> None:
        import hashlib
        import tempfile
        from pathlib import Path

        digest = hashlib.sha256(key.encode()).hexdigest()[:24]
        self._table = table
        self._item_id = f"backfill#{digest}"
        self._path = Path(tempfile.gettempdir()) / f"lineage-backfill-{digest}.json"

    def done(self) -> frozenset[str]:
        try:
            if self._table is not None:
                item = self._table.get_fresh(self._item_id)
                text = item["done"]["S"] if item else "[]"
            else:
                text = self._path.read_text(encoding="utf-8") if self._path.exists() else "[]"
            return frozenset(str(name) for name in json.loads(text))
        except (KeyError, TypeError, ValueError, OSError):
            return frozenset()  # unreadable: start the window again (what is recorded is not again)

    def save(self, done: frozenset[str]) -> None:
        text = json.dumps(sorted(done))
        if self._table is not None:
            self._table.put({"id": {"S": self._item_id}, "done": {"S": text}})
        else:
            self._path.write_text(text, encoding="utf-8")

    def clear(self) -> None:
        if self._table is not None:
            self._table.delete(self._item_id)
        else:
            self._path.unlink(missing_ok=True)


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of resources per second") from None
    if value < 0:
        raise argparse.ArgumentTypeError("--max-rps must be 0 (no limit) or more")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "backfill", help="record the lineage of resources that existed before the recorder was deployed"
    )
    parser.add_argument("--since", type=_moment, metavar="TIME", help="only resources created after this")
    parser.add_argument("--until", type=_moment, metavar="TIME", help="only resources created before this")
    parser.add_argument(
        "--families",
        metavar="NAMES",
        help="comma-separated families (default: every enabled family), e.g. training,endpoint",
    )
    parser.add_argument(
        "--max-rps",
        type=_rate,
        default=5.0,
        help="resources recorded per second at most (default 5; 0: no limit)",
    )
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="write nothing: print, per family, the entities and associations the backfill would create",
    )
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.set_defaults(run=run)


def _families(names: str | None) -> tuple[Any, ...]:
    from lineage_recorder.errors import ConfigurationError
    from lineage_recorder.families import ALL
    from lineage_recorder.settings import RecorderSettings

    enabled = RecorderSettings.from_environment().enabled_families
    if names is None:
        return tuple(enabled)
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    known = {family.name: family for family in ALL}
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ConfigurationError(
            f"--families: no family {', '.join(unknown)}; the families are {', '.join(sorted(known))}"
        )
    return tuple(known[name] for name in wanted)


@contextmanager
def _recorder(args: argparse.Namespace) -> Iterator[tuple[Any, Any]]:
    """The recorder that backfills: the Lambda's (local_recorder), or for --dry-run one that only reads."""
    from lineage_recorder_cli.commands.record import local_recorder

    if not args.dry_run:
        with local_recorder(args.endpoint_url, "backfill") as built:
            yield built
        return
    from lineage_recorder import aws
    from lineage_recorder.apply.gateway import SageMakerGateway
    from lineage_recorder.recorder import Recorder
    from lineage_recorder.settings import RecorderSettings
    from lineage_recorder.trust import TrustedAccounts, home_from_sts

    from lineage_recorder_cli.dry_run import DryRunApplier

    settings = RecorderSettings.from_environment()
    home = home_from_sts(aws.client("sts", args.endpoint_url))
    gateway = SageMakerGateway(aws.client("sagemaker", args.endpoint_url))
    trusted = TrustedAccounts(
        home.account, settings.peer_accounts, region=home.region, partition=home.partition
    )
    applier = DryRunApplier(gateway)
    yield Recorder(gateway, applier, trusted_accounts=trusted, families=settings.enabled_families), home


def _checkpoint(args: argparse.Namespace, home: Any, families: tuple[Any, ...]) -> FamilyCheckpoint | None:
    """Where this window's finished families are kept; none for a dry run (it records nothing)."""
    if args.dry_run:
        return None
    from lineage_recorder import aws
    from lineage_recorder.settings import RecorderSettings
    from lineage_recorder.state.table import StateTable

    settings = RecorderSettings.from_environment()
    table = (
        StateTable(aws.client("dynamodb", args.endpoint_url), settings.state_table)
        if settings.state_table
        else None
    )
    key = "|".join(
        [
            home.account,
            home.region,
            args.endpoint_url or "",
            str(args.since),
            str(args.until),
            ",".join(family.name for family in families),
        ]
    )
    return FamilyCheckpoint(key, table)


def run(args: argparse.Namespace) -> int:
    from lineage_recorder import aws
    from lineage_recorder.backfill import backfill
    from lineage_recorder.errors import ConfigurationError, RetryLaterError

    from lineage_recorder_cli.commands.record import record_waiting_for_others
    from lineage_recorder_cli.environment import quiet_powertools
    from lineage_recorder_cli.run_lock import RunLockTimeoutError

    quiet_powertools()
    if args.since and args.until and args.since >= args.until:
        print("lineage-recorder backfill: --since must be before --until", file=sys.stderr)
        return 2
    try:
        families = _families(args.families)
        sagemaker = aws.client("sagemaker", args.endpoint_url)
        seen = [0]
        started = time.monotonic()

        def tick() -> None:
            seen[0] += 1
            if seen[0] % PROGRESS_EVERY == 0:
                rate = seen[0] / max(time.monotonic() - started, 1e-6)
                print(
                    f"lineage-recorder backfill: {seen[0]} resources so far ({rate:.1f}/s)", file=sys.stderr
                )

        with _recorder(args) as (recorder, home):
            checkpoint = _checkpoint(args, home, families)
            finished = set(checkpoint.done()) if checkpoint is not None else set()

            def family_done(name: str) -> None:
                finished.add(name)
                if checkpoint is not None:
                    checkpoint.save(frozenset(finished))

            summary = backfill(
                sagemaker,
                recorder,
                account=home.account,
                region=home.region,
                families=families,
                since=args.since,
                until=args.until,
                max_per_second=args.max_rps,
                on_resource=tick,
                record=lambda event: record_waiting_for_others(recorder, event),
                done_families=frozenset(finished),
                on_family_done=family_done,
            )
            if checkpoint is not None and summary.finished:
                checkpoint.clear()
    except ConfigurationError as error:
        print(f"lineage-recorder backfill: {error}", file=sys.stderr)
        return 2
    except RunLockTimeoutError as error:
        print(f"lineage-recorder backfill: {error}", file=sys.stderr)
        return 75
    except (ClientError, BotoCoreError, RetryLaterError) as error:
        print(f"lineage-recorder backfill: listing failed: {error}; run it again", file=sys.stderr)
        return 1
    if args.json:
        json.dump(summary.as_dict(), sys.stdout, indent=2)
        print()
    else:
        created = "would create" if args.dry_run else "created"
        print(f"{'family':<20} {'listed':>7} {'recorded':>9} {'skipped':>8} {'failed':>7}   {created}")
        for name, tally in summary.families.items():
            print(
                f"{name:<20} {tally.listed:>7} {tally.recorded:>9} {tally.skipped:>8} {tally.failed:>7}   "
                f"{tally.entities_created} entities, {tally.associations_created} associations"
            )
            for example in tally.examples:
                print(f"  {example}")
        for name, reason in summary.not_backfilled.items():
            print(f"{name:<20} not backfilled: {reason}")
    return 1 if any(tally.failed for tally in summary.families.values()) else 0
