"""One table-less `record` at a time per account and endpoint on this machine.

Without a state table, each process has its own in-memory claims: two `record` runs at once against the
same account would both create an artifact for a new S3 URI. They take turns instead, through an
exclusive lock on a file (``fcntl.flock``: released by the kernel when the process ends, however it
ends, so a killed run never leaves it held). A run that cannot take its turn within ``wait_seconds``
stops with a message. Runs with a state table need no lock: the table's claims serve every process.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

POLL_SECONDS = 0.2


class RunLockTimeoutError(RuntimeError):
    pass


def lock_path(account: str, region: str, endpoint_url: str | None) -> Path:
    digest = hashlib.sha256(f"{account}|{region}|{endpoint_url or ''}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"lineage-recorder-{digest}.lock"


@contextmanager
def one_run_at_a_time(
    path: Path, wait_seconds: float, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait_seconds
        told = False
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise RunLockTimeoutError(
                        f"another lineage-recorder record without a state table is running against this "
                        f"account (lock {path}); wait for it to finish, or set LINEAGE_STATE_TABLE so "
                        "runs can share the work"
                    ) from None
                if not told and on_wait is not None:
                    on_wait()
                    told = True
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(descriptor)  # closing the descriptor releases the lock
