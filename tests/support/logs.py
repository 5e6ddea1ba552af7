"""The recorder's log lines, as Lambda would write them, collected for assertions."""

from __future__ import annotations

import json
import logging
from typing import Any


class LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[dict[str, Any]] = []

    def emit(self, record: logging.LogRecord) -> None:
        # Formatted by the recorder's own Powertools formatter: exactly the JSON line Lambda would log.
        self.lines.append(json.loads(self.format(record)))
