"""The recorder, driven exactly as the Lambda runs it: SQS-shaped batches into
``lineage_recorder.handler.lambda_handler`` with a Lambda context.

Import this module only after ``bench.emulator.configure_environment()``: the handler module reads its
environment when it is imported. Its log lines and EMF metrics are still produced (they cost what they
cost in the Lambda) but written to /dev/null instead of the terminal.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, redirect_stdout
from time import perf_counter
from typing import Any

from lineage_recorder import handler
from lineage_recorder.observability import SERVICE
from lineage_recorder_cli.local_aws import LocalLambdaContext

from bench.driver import BatchOutcome
from bench.workload import ACCOUNT, REGION

QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:lineage-recorder-queue"


def forget_process_state() -> None:
    """What a new Lambda container starts without: every functools cache of the runtime package (the
    recorder, its clients and registries). The DynamoDB state table is not touched."""
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "lineage_recorder" or name.startswith("lineage_recorder.")):
            continue
        for value in list(vars(module).values()):
            cache_clear = getattr(value, "cache_clear", None)
            if callable(cache_clear) and hasattr(value, "cache_info"):
                cache_clear()


def sqs_event(bodies: Sequence[dict[str, Any]], first_message: int) -> dict[str, Any]:
    return {
        "Records": [
            {
                "messageId": f"message-{first_message + offset}",
                "receiptHandle": f"handle-{first_message + offset}",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": QUEUE_ARN,
                "awsRegion": REGION,
            }
            for offset, body in enumerate(bodies)
        ]
    }


@contextmanager
def _quiet() -> Iterator[None]:
    """Send the handler's stdout (EMF metrics) and its logger's stream to /dev/null."""
    with open(os.devnull, "w", encoding="utf-8") as sink:
        swapped: list[tuple[logging.StreamHandler[Any], Any]] = []
        for log_handler in logging.getLogger(SERVICE).handlers:
            if isinstance(log_handler, logging.StreamHandler):
                swapped.append((log_handler, log_handler.setStream(sink)))
        try:
            with redirect_stdout(sink):
                yield
        finally:
            for log_handler, stream in swapped:
                log_handler.setStream(stream)


@contextmanager
def _timed_records(latencies: list[float]) -> Iterator[bool]:
    """Time each record by wrapping the module's ``record_handler`` (the function the handler gives
    Powertools' batch processor). Yields False when the handler has no such function."""
    original: Callable[..., Any] | None = getattr(handler, "record_handler", None)
    if original is None or not callable(original):
        yield False
        return
    inner = original

    @functools.wraps(inner)
    def timed(*args: Any, **kwargs: Any) -> Any:
        start = perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            latencies.append(perf_counter() - start)

    handler.record_handler = timed
    try:
        yield True
    finally:
        handler.record_handler = original


_processors: list[Any] = []


def _tracking_processors() -> None:
    """Keep the batch processor each invocation makes, to read why its records failed."""
    make = getattr(handler, "new_batch_processor", None)
    if make is None or getattr(make, "tracked", False):
        return

    def tracked() -> Any:
        processor = make()
        _processors[:] = [processor]
        return processor

    tracked.tracked = True  # type: ignore[attr-defined]
    handler.new_batch_processor = tracked


def _failure_reasons() -> list[str]:
    last = _processors[-1] if _processors else getattr(handler, "processor", None)
    exceptions = getattr(last, "exceptions", [])
    reasons: list[str] = []
    for info in exceptions:
        error = info[1] if isinstance(info, tuple) and len(info) > 1 else info
        reasons.append(f"{type(error).__name__}: {str(error)[:300]}")
    return reasons


class LambdaRecorder:
    """The system under test: the Lambda handler, one invocation per SQS batch."""

    name = "recorder"

    def __init__(self) -> None:
        self._messages = 0

    def cold_start(self) -> None:
        forget_process_state()

    def prepare_account(self) -> None:
        """`lineage-recorder index`: read the account's existing lineage into the state table's index."""
        from lineage_recorder.composition import build_index
        from lineage_recorder.settings import RecorderSettings

        build_index(RecorderSettings.from_environment()).build()
        forget_process_state()

    def deliver(self, events: Sequence[dict[str, Any]]) -> BatchOutcome:
        _tracking_processors()
        batch = sqs_event(events, self._messages)
        self._messages += len(events)
        latencies: list[float] = []
        start = perf_counter()
        with _timed_records(latencies) as timed, _quiet():
            response = handler.lambda_handler(batch, LocalLambdaContext(ACCOUNT, REGION))
        elapsed = perf_counter() - start
        per_record = timed and len(latencies) == len(events)
        if not per_record:
            # The handler no longer runs records through record_handler: share the invocation's time.
            latencies = [elapsed / len(events)] * len(events)
        failed = len(response.get("batchItemFailures", []))
        reasons = (_failure_reasons() or [f"{failed} records failed, no reason reported"]) if failed else []
        return BatchOutcome(
            latencies=latencies, failures=failed, reasons=reasons, per_record_timing=per_record
        )
