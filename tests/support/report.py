"""Summary lines of the traffic tests, shown by `make soak` even while pytest captures output."""

from __future__ import annotations

import sys


def report(line: str) -> None:
    """Write past pytest's sys-level capture (make soak runs pytest with --capture=sys)."""
    stream = sys.__stdout__
    if stream is not None:
        stream.write(f"\n{line}\n")
        stream.flush()
