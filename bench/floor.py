"""The floor: the fewest SageMaker calls that could have recorded what a pass recorded.

    floor = D + C + A + U

- D: one Describe* per distinct event delivered to the recorder, of the resource the event is about,
  plus one per resource its lineage needs described (a transform job's model; an endpoint's config and
  each model it serves). Duplicate deliveries add nothing: an idempotent recorder can drop them unread.
- C: lineage entities (artifacts, actions, contexts) the pass created, counted in the emulator.
- A: associations the pass created, counted in the emulator.
- U: Update* calls that actually changed an entity (its status or properties), counted in the emulator.

Everything else is overhead against the floor: lookups of entities that already exist (List*,
DescribeTrialComponent, Describe* before an update), AddAssociation calls that find the association
already there, Update* calls that change nothing, and any call made for a duplicate delivery.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bench.emulator import LineageCounts


@dataclass(frozen=True)
class Floor:
    describes: int
    created: LineageCounts
    effective_updates: int

    @property
    def writes(self) -> int:
        return self.created.entities + self.created.associations + self.effective_updates

    @property
    def total(self) -> int:
        return self.describes + self.writes

    def to_json(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "describes": self.describes,
            "entities_created": self.created.entities,
            "associations_created": self.created.associations,
            "effective_updates": self.effective_updates,
            "writes": self.writes,
            "created": self.created.to_json(),
        }
