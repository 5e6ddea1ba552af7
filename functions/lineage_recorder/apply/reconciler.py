"""Mutable lineage state: reconciled entities updated in place, earlier deployments superseded.

- Entities planned with `reconcile` (an approval, an endpoint's status) are updated in place when the
  resource changed, never duplicated; a plan made from an older state of the resource than the entity
  already shows (its REVISION_PROPERTY) changes nothing, so events can arrive in any order.
- A Supersession marks every other entity of its type linked to the anchor (earlier deployments of an
  endpoint); nothing is ever deleted.
- The entity-state store remembers each such entity's state as last written or read, so a re-fired event
  with nothing new costs no call, and a newer state is written without reading first.
- Concurrent writers take turns through the store: a writer moves the stored state on from the state it
  read (compare and set) before it writes to SageMaker, and decides again from the new state when another
  writer got there first, so an older revision never wins by writing last. After its SageMaker write it
  reads the store again: if a later writer moved it on meanwhile (and its write may have landed first),
  SageMaker is brought to the stored state, so the newest state stands whatever the order of the writes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from lineage_recorder.apply.gateway import EntityState, SageMakerGateway
from lineage_recorder.errors import RetryLaterError
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity, Supersession
from lineage_recorder.state.corrupt import report_corrupt
from lineage_recorder.state.entity_states import EntityStateStore
from lineage_recorder.state.table import state_id

# The property that carries the revision (resource state time) a reconciled entity reflects.
REVISION_PROPERTY = "SourceLastModified"
# Turns a writer waits for other writers of the same entity before the record is retried later.
MAX_TURNS = 8


class StateContendedError(RetryLaterError):
    """Other writers kept changing an entity's state while this one tried to write it."""


class StateReconciler:
    def __init__(self, gateway: SageMakerGateway, states: EntityStateStore) -> None:
        self._gateway = gateway
        self._states = states

    def remember_created(self, entity: PlannedEntity, arn: str, *, keep_existing: bool = False) -> None:
        """Store the state an entity was just created with, unless a state is stored already: another
        writer (the owner, or a newer event) reconciled it meanwhile. The owner then reconciles against
        that state, so the revision check decides (never a blind overwrite)."""
        state = _text(EntityState(entity.status, desired_properties(entity)))
        if self._states.replace(arn, None, state) or keep_existing:
            return
        self.reconcile(entity, arn)

    def reconcile(self, entity: PlannedEntity, arn: str) -> bool:
        """Bring an existing entity to the planned state; True when it had to be updated. Only an entity
        the state store does not know is described first."""

        def wanted(known: EntityState) -> _Change | None:
            if _older(entity.revision, known.properties.get(REVISION_PROPERTY)):
                return None
            return _change(
                known,
                status=entity.status,
                properties=desired_properties(entity),
                removed_properties=entity.removed_properties,
            )

        return self._write(entity.key.kind, arn, wanted)

    def supersede(self, supersession: Supersession, arns: dict[EntityKey, str]) -> list[str]:
        anchor_arn = arns[supersession.anchor]
        current_arn = None if supersession.current is None else arns[supersession.current]
        superseded: list[str] = []
        for source_arn in self._gateway.sources_of(anchor_arn, supersession.source_type):
            if source_arn == current_arn:
                continue
            if self._write(
                EntityKind.ACTION,
                source_arn,
                lambda known: _change(
                    known, status=supersession.status, properties=dict(supersession.properties)
                ),
            ):
                superseded.append(source_arn)
        return superseded

    def _known_state(self, kind: EntityKind, arn: str) -> tuple[EntityState, str]:
        """The entity's state as the store holds it (read from SageMaker into the store when it has none),
        and the stored text a write must replace. A state another writer stored but may not have written
        to SageMaker (marked pending: it failed, or is still writing) is written to SageMaker first."""
        for _ in range(MAX_TURNS):
            stored = self._states.get(arn)
            parsed = None if stored is None else self._parsed(arn, stored)
            if stored is not None and parsed is not None:
                state, pending = parsed
                if not pending:
                    return state, stored
                finished = self._finish(kind, arn, stored, state)
                if finished is not None:
                    return state, finished
                continue
            current = _text(self._gateway.state(kind, arn))
            if self._states.replace(arn, None, current):
                return _parse(current), current
        raise StateContendedError(f"{arn}: its state kept changing under other writers; retried later")

    def _finish(self, kind: EntityKind, arn: str, stored: str, state: EntityState) -> str | None:
        """Bring SageMaker to a pending stored state, then store it as written; the stored text, or None
        when another writer moved the store on meanwhile."""
        self._bring_to(kind, arn, self._gateway.state(kind, arn), state)
        written = _text(state)
        if self._states.replace(arn, stored, written):
            return written
        # Another writer moved the store on meanwhile: this write may have landed after theirs.
        self._settle(kind, arn, state)
        return None

    def _bring_to(self, kind: EntityKind, arn: str, actual: EntityState, state: EntityState) -> None:
        change = _change(
            actual,
            status=state.status,
            properties=state.properties,
            removed_properties=tuple(set(actual.properties) - set(state.properties)),
        )
        if change is not None:
            self._gateway.update(
                kind,
                arn,
                status=change.status,
                properties=change.properties,
                removed_properties=change.removed,
            )

    def _parsed(self, arn: str, text: str) -> tuple[EntityState, bool] | None:
        """The stored state and whether it is pending; None (reported, and dropped so it is read again)
        when it does not parse."""
        try:
            return _parse(text), _is_pending(text)
        except (ValueError, KeyError, TypeError) as error:
            report_corrupt(state_id(arn), "the last state of an entity", f"{text[:200]!r}: {error}")
            self._states.forget(arn)
            return None

    def _write(self, kind: EntityKind, arn: str, wanted: Callable[[EntityState], _Change | None]) -> bool:
        """Write what `wanted` asks of the entity's state, taking turns with other writers: the store is
        moved on first, marked pending, then SageMaker is written, then the mark is cleared. A write that
        fails in between leaves the mark, and whoever reads the state next writes it to SageMaker."""
        known, stored = self._known_state(kind, arn)
        for _ in range(MAX_TURNS):
            change = wanted(known)
            if change is None:
                return False
            pending = _text(change.result, pending=True)
            if not self._states.replace(arn, stored, pending) and self._states.get_fresh(arn) != pending:
                # Another writer moved the state on since it was read: decide again from its state.
                # (Finding our own pending text means our write landed and only its answer was lost.)
                known, stored = self._known_state(kind, arn)
                continue
            self._gateway.update(
                kind,
                arn,
                status=change.status,
                properties=change.properties,
                removed_properties=change.removed,
            )
            written = _text(change.result)
            self._states.replace(arn, pending, written)  # False: moved on already; _settle sees to it
            self._settle(kind, arn, change.result)
            return True
        raise StateContendedError(f"{arn}: its state kept changing under other writers; retried later")

    def _settle(self, kind: EntityKind, arn: str, written: EntityState) -> None:
        """After a SageMaker write: if another writer moved the stored state on meanwhile, its SageMaker
        write may have landed before this one; bring SageMaker to the stored state."""
        for _ in range(MAX_TURNS):
            stored = self._states.get_fresh(arn)
            parsed = None if stored is None else self._parsed(arn, stored)
            if stored is None or parsed is None:
                return
            newer, pending = parsed
            if newer == written:
                if pending:
                    self._states.replace(arn, stored, _text(newer))
                return
            self._bring_to(kind, arn, written, newer)
            if pending:
                self._states.replace(arn, stored, _text(newer))
            written = newer


@dataclass(frozen=True)
class _Change:
    status: str | None
    properties: dict[str, str]
    removed: list[str]
    result: EntityState


def _change(
    known: EntityState,
    *,
    status: str | None,
    properties: dict[str, str],
    removed_properties: tuple[str, ...] = (),
) -> _Change | None:
    """What must be written to bring `known` to the given status and properties; None when nothing."""
    changed = {key: value for key, value in properties.items() if known.properties.get(key) != value}
    removed = [key for key in removed_properties if key in known.properties]
    new_status = status if status is not None and status != known.status else None
    if not (changed or removed or new_status):
        return None
    merged = {k: v for k, v in {**known.properties, **changed}.items() if k not in removed}
    return _Change(new_status, changed, removed, EntityState(new_status or known.status, merged))


def _text(state: EntityState, *, pending: bool = False) -> str:
    stored: dict[str, object] = {"status": state.status, "properties": state.properties}
    if pending:
        # Stored, but maybe not yet written to SageMaker (see StateReconciler._write).
        stored["pending"] = True
    return json.dumps(stored, sort_keys=True)


def _parse(text: str) -> EntityState:
    state = json.loads(text)
    return EntityState(status=state["status"], properties=dict(state["properties"]))


def _is_pending(text: str) -> bool:
    return bool(json.loads(text).get("pending"))


def _older(planned: str | None, existing: str | None) -> bool:
    return planned is not None and existing is not None and planned < existing


def desired_properties(entity: PlannedEntity) -> dict[str, str]:
    """The planned properties, with the revision they reflect."""
    properties = dict(entity.properties)
    if entity.revision is not None:
        properties[REVISION_PROPERTY] = entity.revision
    return properties
