"""Mutable lineage state: reconciled entities updated in place, earlier deployments superseded.

- Entities planned with `reconcile` (an approval, an endpoint's status) are updated in place when the
  resource changed, never duplicated; a plan made from an older state of the resource than the entity
  already shows (its REVISION_PROPERTY) changes nothing, so events can arrive in any order.
- A Supersession marks every other entity of its type linked to the anchor (earlier deployments of an
  endpoint); nothing is ever deleted.
- The entity-state store remembers each such entity's state as last written or read, so a re-fired event
  with nothing new costs no call, and a newer state is written without reading first.
"""

from __future__ import annotations

import json

from lineage_recorder.apply.gateway import EntityState, SageMakerGateway
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity, Supersession
from lineage_recorder.state.entity_states import EntityStateStore

# The property that carries the revision (resource state time) a reconciled entity reflects.
REVISION_PROPERTY = "SourceLastModified"


class StateReconciler:
    def __init__(self, gateway: SageMakerGateway, states: EntityStateStore) -> None:
        self._gateway = gateway
        self._states = states

    def remember_created(self, entity: PlannedEntity, arn: str, *, keep_existing: bool = False) -> None:
        state = _text(EntityState(entity.status, desired_properties(entity)))
        if keep_existing:
            self._states.put_if_absent(arn, state)
        else:
            self._states.put(arn, state)

    def reconcile(self, entity: PlannedEntity, arn: str) -> bool:
        """Bring an existing entity to the planned state; True when it had to be updated. Only an entity
        the state store does not know is described first."""
        known = self._known_state(entity.key.kind, arn)
        if _older(entity.revision, known.properties.get(REVISION_PROPERTY)):
            return False
        return self._write_changes(
            entity.key.kind,
            arn,
            known,
            status=entity.status,
            properties=desired_properties(entity),
            removed_properties=entity.removed_properties,
        )

    def supersede(self, supersession: Supersession, arns: dict[EntityKey, str]) -> list[str]:
        anchor_arn = arns[supersession.anchor]
        current_arn = None if supersession.current is None else arns[supersession.current]
        superseded: list[str] = []
        for source_arn in self._gateway.sources_of(anchor_arn, supersession.source_type):
            if source_arn == current_arn:
                continue
            known = self._known_state(EntityKind.ACTION, source_arn)
            if self._write_changes(
                EntityKind.ACTION,
                source_arn,
                known,
                status=supersession.status,
                properties=dict(supersession.properties),
            ):
                superseded.append(source_arn)
        return superseded

    def _known_state(self, kind: EntityKind, arn: str) -> EntityState:
        remembered = self._states.get(arn)
        if remembered is not None:
            return _parse(remembered)
        current = self._gateway.state(kind, arn)
        self._states.put(arn, _text(current))
        return current

    def _write_changes(
        self,
        kind: EntityKind,
        arn: str,
        known: EntityState,
        *,
        status: str | None,
        properties: dict[str, str],
        removed_properties: tuple[str, ...] = (),
    ) -> bool:
        changed = {key: value for key, value in properties.items() if known.properties.get(key) != value}
        removed = [key for key in removed_properties if key in known.properties]
        new_status = status if status is not None and status != known.status else None
        if not (changed or removed or new_status):
            return False
        self._gateway.update(kind, arn, status=new_status, properties=changed, removed_properties=removed)
        merged = {k: v for k, v in {**known.properties, **changed}.items() if k not in removed}
        self._states.put(arn, _text(EntityState(new_status or known.status, merged)))
        return True


def _text(state: EntityState) -> str:
    return json.dumps({"status": state.status, "properties": state.properties}, sort_keys=True)


def _parse(text: str) -> EntityState:
    state = json.loads(text)
    return EntityState(status=state["status"], properties=dict(state["properties"]))


def _older(planned: str | None, existing: str | None) -> bool:
    return planned is not None and existing is not None and planned < existing


def desired_properties(entity: PlannedEntity) -> dict[str, str]:
    """The planned properties, with the revision they reflect."""
    properties = dict(entity.properties)
    if entity.revision is not None:
        properties[REVISION_PROPERTY] = entity.revision
    return properties
