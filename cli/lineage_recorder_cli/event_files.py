"""Reading events from files: one event, a JSON array of events, or JSON Lines."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class EventSource:
    location: str  # file, and index or line when the file holds several
    raw: Any  # the decoded JSON value, or the undecodable text
    error: str | None = None


def read_events(path: Path) -> list[EventSource]:
    text = path.read_text(encoding="utf-8")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        return _json_lines(path, text)
    if isinstance(document, list):
        return [EventSource(f"{path}[{index}]", item) for index, item in enumerate(document)]
    return [EventSource(str(path), document)]


def _json_lines(path: Path, text: str) -> list[EventSource]:
    sources = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            sources.append(EventSource(f"{path}:{number}", json.loads(line)))
        except json.JSONDecodeError as error:
            sources.append(EventSource(f"{path}:{number}", line[:200], error=f"not JSON: {error.msg}"))
    return sources
