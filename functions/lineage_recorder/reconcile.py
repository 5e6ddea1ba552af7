"""The scheduled reconcile: what no event recorded in the last window is recorded, and counted.

SageMaker delivers its events best effort, a rule can be disabled, a message can expire in the DLQ. Once a
day (EventBridge Scheduler, ``lineage:reconcileSchedule``) this function runs the backfill
(backfill.py) over the resources created in the last ``LINEAGE_RECONCILE_WINDOW_HOURS`` (48), through the
recorder the queue's function uses. A resource whose recording writes anything had an event that was
never recorded: ``MissedEvents`` counts them (an alarm fires when it is not zero two days in a row).

It stops starting resources when less than ``RESERVED_MILLIS`` of its time is left, and keeps a checkpoint
in the state table (the window, and the families finished in it): the next run finishes that window first.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from lineage_recorder import aws, handler
from lineage_recorder.backfill import backfill
from lineage_recorder.errors import ConfigurationError
from lineage_recorder.observability import logger, metrics
from lineage_recorder.outcome_metrics import Metric, publish
from lineage_recorder.replay_guard import ReplayGuardedRecorder
from lineage_recorder.settings import RecorderSettings
from lineage_recorder.state.table import StateTable
from lineage_recorder.trust import home_from_function_arn

ENV_WINDOW_HOURS = "LINEAGE_RECONCILE_WINDOW_HOURS"
DEFAULT_WINDOW_HOURS = 48
RESERVED_MILLIS = 60_000
# Resources recorded per second at most: a reconcile must leave SageMaker's API rate to the live recorder.
MAX_PER_SECOND = 5.0
CHECKPOINT_ID = "reconcile#window"
# A checkpoint older than this is dropped: its window was never finished and a new one covers it.
CHECKPOINT_MAX_AGE = timedelta(days=7)


def window_hours(environ: dict[str, str] | None = None) -> int:
    raw = (environ if environ is not None else dict(os.environ)).get(ENV_WINDOW_HOURS, "").strip()
    if not raw:
        return DEFAULT_WINDOW_HOURS
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 90:
        raise ConfigurationError(f"{ENV_WINDOW_HOURS}: {raw[:32]!r} is not a number of hours (1 to 2160)")
    return int(raw)


class Checkpoint:
    """The window being reconciled and the families finished in it, in the state table."""

    def __init__(self, table: StateTable | None) -> None:
        self._table = table

    def load(self, now: datetime) -> tuple[datetime, datetime, frozenset[str]] | None:
        if self._table is None:
            return None
        item = self._table.get_fresh(CHECKPOINT_ID)
        if item is None:
            return None
        try:
            saved = json.loads(item["window"]["S"])
            start, end = datetime.fromisoformat(saved["since"]), datetime.fromisoformat(saved["until"])
            done = frozenset(str(name) for name in saved["done"])
        except (KeyError, TypeError, ValueError) as error:
            logger.warning(
                "Reconcile checkpoint unreadable; starting a new window", extra={"reason": str(error)}
            )
            return None
        if now - end > CHECKPOINT_MAX_AGE:
            return None
        return start, end, done

    def save(self, since: datetime, until: datetime, done: frozenset[str]) -> None:
        if self._table is None:
            return
        text = json.dumps({"since": since.isoformat(), "until": until.isoformat(), "done": sorted(done)})
        self._table.put({"id": {"S": CHECKPOINT_ID}, "window": {"S": text}})

    def clear(self) -> None:
        if self._table is not None:
            self._table.delete(CHECKPOINT_ID)


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    settings = RecorderSettings.from_environment()
    hours = window_hours()
    home = home_from_function_arn(context.invoked_function_arn)
    recording = handler.recorder(home).recording
    if isinstance(recording, ReplayGuardedRecorder):
        recording.register_lambda_context(context)
    recording.begin_invocation()
    table = StateTable(aws.client("dynamodb"), settings.state_table) if settings.state_table else None
    checkpoint = Checkpoint(table)
    now = datetime.now(UTC)
    saved = checkpoint.load(now)
    since, until, done = saved if saved is not None else (now - timedelta(hours=hours), now, frozenset())
    finished: set[str] = set(done)

    def family_done(name: str) -> None:
        finished.add(name)
        checkpoint.save(since, until, frozenset(finished))

    summary = backfill(
        aws.client("sagemaker"),
        recording,
        account=home.account,
        region=home.region,
        families=settings.enabled_families,
        since=since,
        until=until,
        max_per_second=MAX_PER_SECOND,
        keep_going=lambda: context.get_remaining_time_in_millis() > RESERVED_MILLIS,
        done_families=done,
        on_family_done=family_done,
    )
    if summary.finished:
        checkpoint.clear()
    else:
        checkpoint.save(since, until, frozenset(finished))
    publish(metrics, {Metric.MISSED_EVENTS: summary.missed})
    logger.info(
        "Reconcile done" if summary.finished else "Reconcile stopped for time; the next run goes on",
        extra={
            "since": since.isoformat(),
            "until": until.isoformat(),
            "missed": summary.missed,
            "families": {name: tally.__dict__ for name, tally in summary.families.items()},
        },
    )
    return summary.as_dict()
