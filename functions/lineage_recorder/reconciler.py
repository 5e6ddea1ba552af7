"""Mutable lineage state: reconciled entities updated in place, earlier deployments superseded.

- Entities planned with `reconcile` (an approval, an endpoint's status) are updated in place when the
  resource changed, never duplicated; a plan made from an older state of the resource than the entity
  already shows (its REVISION_PROPERTY) changes nothing, so events can arrive in any order.
- A Supersession marks every other entity of its type linked to the anchor (earlier deployments of an
  endpoint); nothing is ever deleted.
- The registry remembers each such entity's state as last written or read, so a re-fired event with
  nothing new costs no call, and a newer state is written without reading first.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity, Supersession
from lineage_recorder.registry import KeyRegistry

# The property that carries the revision (resource state time) a reconciled entity reflects.
REVISION_PROPERTY = "SourceLastModified"


class StateReconciler:
    def __init__(self, sagemaker: Any, registry: KeyRegistry) -> None:
        self._sagemaker = sagemaker
        self._registry = registry

    def remember_created(self, entity: PlannedEntity, arn: str) -> None:
        self._registry.put_state(arn, _EntityState(entity.status, desired_properties(entity)).text())

    def reconcile(self, entity: PlannedEntity, arn: str) -> bool:
        """Bring an existing entity to the planned state; True when it had to be updated. Only an entity
        the registry does not know is described first."""
        known = self._known_state(entity.key.kind, arn)
        if _older(entity.revision, known.revision):
            return False
        return self._write_changes(
            entity.key.kind,
            arn,
            known,
            status=entity.status,
            properties=desired_properties(entity),
            removed_properties=entity.removed_properties,
        )

    def _known_state(self, kind: EntityKind, arn: str) -> _EntityState:
        remembered = self._registry.state(arn)
        if remembered is not None:
            return _EntityState.parse(remembered)
        current = _EntityState.read(self._sagemaker, kind, arn)
        self._registry.put_state(arn, current.text())
        return current

    def _write_changes(
        self,
        kind: EntityKind,
        arn: str,
        known: _EntityState,
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
        self._update(kind, arn, new_status, changed, removed)
        merged = {k: v for k, v in {**known.properties, **changed}.items() if k not in removed}
        self._registry.put_state(arn, _EntityState(new_status or known.status, merged).text())
        return True

    def _update(
        self, kind: EntityKind, arn: str, status: str | None, properties: dict[str, str], removed: list[str]
    ) -> None:
        changes: dict[str, Any] = {}
        if properties:
            changes["Properties"] = properties
        if removed:
            changes["PropertiesToRemove"] = removed
        if kind is EntityKind.ARTIFACT:
            self._sagemaker.update_artifact(ArtifactArn=arn, **changes)
            return
        name = arn.rsplit("/", 1)[-1]
        if kind is EntityKind.ACTION:
            if status is not None:
                changes["Status"] = status
            self._sagemaker.update_action(ActionName=name, **changes)
            return
        self._sagemaker.update_context(ContextName=name, **changes)

    def supersede(self, supersession: Supersession, arns: dict[EntityKey, str]) -> list[str]:
        anchor_arn, current_arn = arns[supersession.anchor], arns[supersession.current]
        superseded: list[str] = []
        pages = self._sagemaker.get_paginator("list_associations").paginate(
            DestinationArn=anchor_arn, SourceType=supersession.source_type
        )
        for page in pages:
            for summary in page.get("AssociationSummaries", []):
                source_arn = str(summary["SourceArn"])
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


_DESCRIBE = {
    EntityKind.ARTIFACT: ("describe_artifact", "ArtifactArn"),
    EntityKind.ACTION: ("describe_action", "ActionName"),
    EntityKind.CONTEXT: ("describe_context", "ContextName"),
}


@dataclass(frozen=True)
class _EntityState:
    status: str | None
    properties: dict[str, str]

    @property
    def revision(self) -> str | None:
        return self.properties.get(REVISION_PROPERTY)

    def text(self) -> str:
        return json.dumps({"status": self.status, "properties": self.properties}, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> _EntityState:
        state = json.loads(text)
        return cls(status=state["status"], properties=dict(state["properties"]))

    @classmethod
    def read(cls, sagemaker: Any, kind: EntityKind, arn: str) -> _EntityState:
        operation, parameter = _DESCRIBE[kind]
        # Describe accepts the ARN in place of a name for actions and contexts.
        described = getattr(sagemaker, operation)(**{parameter: arn})
        return cls(status=described.get("Status"), properties=dict(described.get("Properties") or {}))


def _older(planned: str | None, existing: str | None) -> bool:
    return planned is not None and existing is not None and planned < existing


def desired_properties(entity: PlannedEntity) -> dict[str, str]:
    """The planned properties, with the revision they reflect."""
    properties = dict(entity.properties)
    if entity.revision is not None:
        properties[REVISION_PROPERTY] = entity.revision
    return properties
