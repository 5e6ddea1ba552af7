"""Progress of long work on stderr: a bar with rate and time left at a terminal (rich), a line now and
then otherwise (a log, a CI job), nothing for a few events."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, TaskID, TaskProgressColumn, TimeRemainingColumn
from rich.progress import Progress as Bar

# Fewer events than this finish before a person would want to know how far along they are.
SHOWN_FROM = 50
# Without a terminal: a line every this many events, or this many seconds, whichever comes first.
LINE_EVERY_EVENTS = 100
LINE_EVERY_SECONDS = 30.0


class Progress:
    def __init__(self, total: int, what: str = "events") -> None:
        self._total = total
        self._what = what
        self._bar: Bar | None = None
        self._task: TaskID | None = None
        self._last_line = (0, time.monotonic())

    def __enter__(self) -> Progress:
        if self._total >= SHOWN_FROM and sys.stderr.isatty():
            self._bar = Bar(
                "recording",
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                TimeRemainingColumn(),
                transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("recording", total=self._total)
        return self

    def update(self, done: int, total: int) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=done)
            return
        if total < SHOWN_FROM:
            return
        last_done, last_time = self._last_line
        if done - last_done >= LINE_EVERY_EVENTS or time.monotonic() - last_time >= LINE_EVERY_SECONDS:
            print(f"lineage-recorder: {done} of {total} {self._what} done", file=sys.stderr, flush=True)
            self._last_line = (done, time.monotonic())

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
