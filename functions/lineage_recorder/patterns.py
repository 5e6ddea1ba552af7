"""The EventBridge patterns of the enabled families: one definition for the stack and the local demo.

The CDK stack builds one rule per family from :func:`event_pattern`, and the local demo routes events
through rules built from the same function, so the two cannot drift apart. The families themselves say
which events they record (``lineage_recorder.families``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lineage_recorder.events.envelope import EVENT_SOURCE
from lineage_recorder.families import ALL, BY_DETAIL_TYPE, BY_NAME

__all__ = ["EVENT_SOURCE", "all_event_patterns", "event_pattern", "family_names"]


def family_names() -> tuple[str, ...]:
    return tuple(family.name for family in ALL)


def event_pattern(family_name: str, account: str | None = None) -> dict[str, Any]:
    """The EventBridge pattern of one resource family, filtered to the statuses the recorder acts on and,
    when given, to the recorder's own account."""
    return BY_NAME[family_name].event_pattern(account)


def all_event_patterns(families: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    names = list(families) if families is not None else list(family_names())
    return {name: event_pattern(name) for name in names}


def handled_detail_types() -> frozenset[str]:
    return frozenset(BY_DETAIL_TYPE)
