"""State items that do not read as what their store keeps: logged, counted, and treated as absent.

Every item in the state table is a cache of what SageMaker holds, or work that can be done again (a
deferred link): an item of the wrong type or shape (written by hand, by an older release, or damaged) is
never a reason to fail every record that touches it. The store that finds one reports it here, drops or
repairs it, and goes on as if it were not there; the handler publishes the count (StateItemsCorrupt).
"""

from __future__ import annotations

import threading

from lineage_recorder.observability import logger

_lock = threading.Lock()
_found = 0


def report_corrupt(item_id: str, holds: str, problem: str) -> None:
    """Log and count one corrupt item: `holds` says what the store keeps in it, `problem` what is wrong."""
    global _found  # noqa: PLW0603 - a process-wide tally, published and reset by the handler
    logger.warning(
        "State item corrupt; treated as absent",
        extra={"item_id": item_id, "holds": holds, "reason": problem[:512]},
    )
    with _lock:
        _found += 1


def take_corrupt_count() -> int:
    """How many corrupt items were found since the last call (and reset the tally)."""
    global _found
    with _lock:
        found, _found = _found, 0
        return found
