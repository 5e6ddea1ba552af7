"""``lineage-recorder record``: EventBridge events from files, through the same code as the Lambda."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from lineage_recorder_cli.environment import quiet_powertools, require_state_table
from lineage_recorder_cli.event_files import EventSource, InputError, read_all
from lineage_recorder_cli.local_aws import LocalLambdaContext
from lineage_recorder_cli.progress import Progress
from lineage_recorder_cli.run_lock import RunLockTimeoutError, lock_path, one_run_at_a_time

# How long one event may take to record before the replay guard lets another run record it.
EVENT_BUDGET_MILLIS = 120_000
# Waits for an event another process is recording at the same moment, before it is reported in progress.
IN_PROGRESS_WAITS = (0.25, 0.5, 1.0, 2.0, 4.0)
# How long a run without a state table waits for another such run against the same account to finish.
RUN_LOCK_WAIT_SECONDS = 600.0


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("record", help="record lineage for SageMaker events read from files")
    parser.add_argument(
        "files",
        nargs="+",
        metavar="FILE",
        help="one event, a JSON array, or JSON Lines; - reads standard input",
    )
    parser.add_argument("--endpoint-url", help="SageMaker endpoint (default: AWS_ENDPOINT_URL or AWS itself)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="list every ignored, skipped or failed event (by default they are grouped by reason)",
    )
    parser.set_defaults(run=run)


@dataclass
class Summary:
    events: int = 0
    recorded: int = 0
    ignored: list[dict[str, str]] = field(default_factory=list)
    already_recorded: int = 0
    entities_created: int = 0
    entities_reused: int = 0
    associations_created: int = 0
    associations_existing: int = 0
    skipped_values: list[dict[str, str]] = field(default_factory=list)
    describe_fallbacks: list[dict[str, str]] = field(default_factory=list)
    recalled: list[dict[str, str]] = field(default_factory=list)
    failed: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def record_sources(files: list[Path] | list[str], endpoint_url: str | None) -> Summary:
    """Record every event in ``files``; InputError when a file cannot be read as events (before anything
    is recorded); ConfigurationError when the LINEAGE_* settings, the state table or the account the
    credentials belong to (STS, same endpoint) cannot be read."""
    sources = read_all([str(name) for name in files])
    return record_events(sources, endpoint_url, Summary())


def record_events(
    sources: list[EventSource],
    endpoint_url: str | None,
    summary: Summary,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Record `sources` into `summary` (so an interrupted run still has what it did); `progress` is told
    after each event how many of how many are done."""
    with local_recorder(endpoint_url) as (recorder, _):
        return _record_all(sources, recorder, summary, progress)


@contextmanager
def local_recorder(endpoint_url: str | None, command: str = "record") -> Iterator[tuple[Any, Any]]:
    """The recorder as the Lambda builds it, for a command run here, and the account and Region it records
    in (STS, same endpoint). With a state table: each event has a time budget, so an interrupted run never
    holds one "in progress" for a day. Without one: runs against the same account on this machine take
    turns (their claims are per process)."""
    from aws_lambda_powertools.utilities.typing import LambdaContext
    from lineage_recorder import aws
    from lineage_recorder.composition import build_recording
    from lineage_recorder.replay_guard import ReplayGuardedRecorder
    from lineage_recorder.settings import RecorderSettings
    from lineage_recorder.trust import TrustedAccounts, home_from_sts

    settings = RecorderSettings.from_environment()
    require_state_table(settings, endpoint_url)
    home = home_from_sts(aws.client("sts", endpoint_url))
    trusted = TrustedAccounts(
        home.account, settings.peer_accounts, region=home.region, partition=home.partition
    )
    recorder = build_recording(settings, trusted, endpoint_url)
    if isinstance(recorder, ReplayGuardedRecorder):
        budget = LocalLambdaContext(home.account, home.region, remaining_millis=EVENT_BUDGET_MILLIS)
        # Powertools reads only get_remaining_time_in_millis of it (the Lambda's context duck type).
        recorder.register_lambda_context(cast("LambdaContext", budget))
        yield recorder, home
        return
    with one_run_at_a_time(
        lock_path(home.account, home.region, endpoint_url),
        RUN_LOCK_WAIT_SECONDS,
        on_wait=lambda: print(
            f"lineage-recorder {command}: waiting for another run without a state table to finish",
            file=sys.stderr,
        ),
    ):
        yield recorder, home


def _record_all(
    sources: list[EventSource],
    recorder: Any,
    summary: Summary,
    progress: Callable[[int, int], None] | None,
) -> Summary:
    from lineage_recorder.errors import InvalidEventError, RetryLaterError
    from lineage_recorder.recorder import parse_event

    for source in sources:
        if progress is not None and summary.events:
            progress(summary.events, len(sources))
        summary.events += 1
        if source.error is not None:
            summary.failed.append({"event": source.location, "reason": source.error})
            continue
        try:
            outcome = record_waiting_for_others(recorder, parse_event(source.raw))
        except InvalidEventError as error:
            summary.failed.append({"event": source.location, "reason": str(error)})
            continue
        except RetryLaterError as error:
            summary.failed.append(
                {"event": source.location, "reason": f"not recorded now, retry later: {error}"}
            )
            continue
        if outcome is None:
            summary.already_recorded += 1
            continue
        if outcome.ignored:
            summary.ignored.append({"event": source.location, "reason": str(outcome.ignored_reason)})
            continue
        summary.recorded += 1
        summary.entities_created += len(outcome.created)
        summary.entities_reused += len(outcome.reused)
        summary.associations_created += outcome.associations_created
        summary.associations_existing += outcome.associations_existing
        summary.skipped_values.extend(
            {"event": source.location, "field": s.field, "value": s.value, "reason": s.reason}
            for s in outcome.skipped
        )
        summary.describe_fallbacks.extend({"event": source.location, "reason": r} for r in outcome.fallbacks)
        summary.recalled.extend({"event": source.location, "reason": r} for r in outcome.recalled)
    return summary


def record_waiting_for_others(recorder: Any, event: Any) -> Any:
    """Record `event`; when another process is recording the same event right now, wait for it a little
    (its outcome then answers this one too) before reporting it in progress."""
    from lineage_recorder.errors import EventInProgressError

    for pause in IN_PROGRESS_WAITS:
        try:
            return recorder.record(event)
        except EventInProgressError:
            time.sleep(pause)
    return recorder.record(event)


def _grouped(
    items: list[dict[str, str]], verbose: bool, label: str, text: Callable[[dict[str, str]], str]
) -> None:
    """Each item on its own line (verbose), or one line per distinct reason with how many and an example."""
    if verbose:
        for item in items:
            print(f"  {label:<8} {item['event']}: {text(item)}")
        return
    groups: dict[str, list[dict[str, str]]] = {}
    for item in items:
        groups.setdefault(text(item), []).append(item)
    for reason, members in sorted(groups.items(), key=lambda pair: -len(pair[1])):
        example = members[0]["event"]
        more = f" (e.g. {example}; -v lists all)" if len(members) > 1 else f" ({example})"
        print(f"  {label:<8} {len(members)} x {reason}{more}")


def print_summary(summary: Summary, verbose: bool = False) -> None:
    print(f"events read:           {summary.events}")
    print(f"recorded:              {summary.recorded}")
    print(f"ignored:               {len(summary.ignored)}")
    print(f"already recorded:      {summary.already_recorded}")
    print(f"entities created:      {summary.entities_created}")
    print(f"entities reused:       {summary.entities_reused}")
    print(f"associations created:  {summary.associations_created}")
    print(f"associations existing: {summary.associations_existing}")
    _grouped(summary.ignored, verbose, "ignored", lambda item: item["reason"])
    _grouped(
        summary.skipped_values,
        verbose,
        "warning",
        lambda item: f"skipped {item['field']}={item['value']!r} ({item['reason']})",
    )
    _grouped(
        summary.describe_fallbacks,
        verbose,
        "warning",
        lambda item: f"recorded without a resource it names ({item['reason']})",
    )
    _grouped(summary.recalled, verbose, "note", lambda item: item["reason"])
    print(f"failed:                {len(summary.failed)}")
    _grouped(summary.failed, verbose, "FAILED", lambda item: item["reason"])


def run(args: argparse.Namespace) -> int:
    from lineage_recorder.errors import ConfigurationError

    quiet_powertools()
    summary = Summary()
    sources: list[EventSource] = []
    try:
        sources = read_all(args.files)
        with Progress(len(sources)) as progress:
            record_events(sources, args.endpoint_url, summary, progress.update)
    except InputError as error:
        print(f"lineage-recorder record: {error}", file=sys.stderr)
        return 2
    except ConfigurationError as error:
        print(f"lineage-recorder record: {error}", file=sys.stderr)
        return 2
    except RunLockTimeoutError as error:
        print(f"lineage-recorder record: {error}", file=sys.stderr)
        return 75  # EX_TEMPFAIL: try again later
    except KeyboardInterrupt:
        _report(summary, as_json=args.json, verbose=args.verbose)
        print(
            f"lineage-recorder record: interrupted after {summary.events} of {len(sources)} events; "
            "the summary above is what was done (run it again: what was recorded is not recorded twice)",
            file=sys.stderr,
        )
        return 130
    _report(summary, as_json=args.json, verbose=args.verbose)
    return 1 if summary.failed else 0


def _report(summary: Summary, *, as_json: bool, verbose: bool) -> None:
    if as_json:
        json.dump(summary.as_dict(), sys.stdout, indent=2)
        print()
    else:
        print_summary(summary, verbose)
