"""Which events reach the recorder: the EventBridge rules the stack builds, decided at run time.

An event reaches the queue when a rule built from its family's pattern (``lineage_recorder.families.ALL``)
matches it, exactly as in the stack. Events of a detail-type no family handles yet are "not measured":
counted and reported, never delivered to either side.
"""

from __future__ import annotations

from typing import Any

from lineage_recorder.families import ALL, BY_NAME


def handled_families() -> dict[str, str]:
    """detail-type -> family name, for every family the recorder handles in this checkout."""
    return {family.detail_type: family.name for family in ALL}


def _value_matches(condition: Any, value: Any) -> bool:
    if not isinstance(condition, dict):
        return bool(condition == value)
    if "prefix" in condition:
        return isinstance(value, str) and value.startswith(str(condition["prefix"]))
    if "anything-but" in condition:
        excluded = condition["anything-but"]
        return value not in (excluded if isinstance(excluded, list) else [excluded])
    if "exists" in condition:
        return (value is not None) is bool(condition["exists"])
    raise ValueError(f"event pattern condition the bench cannot evaluate: {condition}")


def matches(pattern: dict[str, Any], event: dict[str, Any]) -> bool:
    """EventBridge matching for the pattern forms the stack uses: nested objects, lists of values and the
    prefix / anything-but / exists filters."""
    for key, expected in pattern.items():
        value = event.get(key)
        if isinstance(expected, dict):
            if not isinstance(value, dict) or not matches(expected, value):
                return False
            continue
        values = value if isinstance(value, list) else [value]
        if not any(_value_matches(condition, item) for condition in expected for item in values):
            return False
    return True


def family_for(event: dict[str, Any], handled: dict[str, str]) -> str | None:
    """The family whose rule delivers ``event`` to the recorder, or None when no rule does."""
    family = handled.get(str(event.get("detail-type")))
    if family is None or not matches(BY_NAME[family].event_pattern(), event):
        return None
    return family
