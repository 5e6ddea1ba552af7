"""Reading events from files or stdin: one event, a JSON array of events, or JSON Lines.

Every file is read and decoded before anything is recorded, so a missing file, a directory, a file that
is not UTF-8 text, or one with no events at all stops the command with one line saying which and why
(``InputError``), and nothing is half-done. A pretty-printed document with a syntax error is one error
at its line and column, not one per line.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

STDIN = "-"


class InputError(ValueError):
    """A file the user named cannot be read as events: the message says which and why."""


@dataclass(frozen=True)
class EventSource:
    location: str  # file, and index or line when the file holds several
    raw: Any  # the decoded JSON value, or the undecodable text
    error: str | None = None


def read_all(names: list[str], stdin: TextIO | None = None) -> list[EventSource]:
    """The events of every file named (``-``: standard input), read before any is recorded."""
    sources: list[EventSource] = []
    for name in names:
        sources.extend(read_events(name, stdin))
    return sources


def read_events(name: str | Path, stdin: TextIO | None = None) -> list[EventSource]:
    label = "stdin" if str(name) == STDIN else str(name)
    text = _text(str(name), stdin)
    if not text.strip():
        raise InputError(f"{label} holds no events (an empty file)")
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        return _json_lines(label, text, error)
    except RecursionError:
        return [EventSource(label, text[:200], error="not usable: JSON nested too deeply")]
    if isinstance(document, list):
        if not document:
            raise InputError(f"{label} holds no events (an empty JSON array)")
        return [EventSource(f"{label}[{index}]", item) for index, item in enumerate(document)]
    return [EventSource(label, document)]


def _text(name: str, stdin: TextIO | None) -> str:
    if name == STDIN:
        stream = stdin or sys.stdin
        try:
            return stream.read()
        except UnicodeDecodeError as error:
            raise InputError(f"stdin is not UTF-8 text (byte {error.start})") from error
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name} is a directory: name the event files in it")
    try:
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise InputError(f"{name}: no such file") from error
    except OSError as error:
        raise InputError(f"{name} cannot be read: {error.strerror or error}") from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name} is not UTF-8 text (byte {error.start}): is it an event file?") from error


def _json_lines(label: str, text: str, document_error: json.JSONDecodeError) -> list[EventSource]:
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) > 1 and not any(_is_json(line) for _, line in lines):
        # One document over several lines (pretty-printed) with a mistake in it: one error, where it is.
        where = f"line {document_error.lineno} column {document_error.colno}"
        return [EventSource(label, text[:200], error=f"not JSON: {document_error.msg} at {where}")]
    sources = []
    for number, line in lines:
        try:
            sources.append(EventSource(f"{label}:{number}", json.loads(line)))
        except json.JSONDecodeError as error:
            sources.append(EventSource(f"{label}:{number}", line[:200], error=f"not JSON: {error.msg}"))
        except RecursionError:
            sources.append(
                EventSource(f"{label}:{number}", line[:200], error="not usable: nested too deeply")
            )
    return sources


def _is_json(line: str) -> bool:
    try:
        json.loads(line)
    except (json.JSONDecodeError, RecursionError):
        return False
    return True
