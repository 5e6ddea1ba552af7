"""The only place that writes lineage: turns any Plan into SageMaker calls.

- Entities are get-or-create by key (kind, SourceUri): an entity that SageMaker or an earlier event
  created for the same SourceUri is reused, the oldest one when there are several.
- A job's node is SageMaker's own trial component when it exists; otherwise an action the recorder
  creates (see docs/decisions.md, "The job node").
- Associations are added; exactly the "already exists" answer counts as success.
- Everything the recorder creates carries the tag MANAGED_TAG, so it can be told apart from
  SageMaker's own entities.
- Entities planned with `reconcile` (an approval, an endpoint's status) are updated in place when the
  resource changed, never duplicated; a plan made from an older state of the resource than the entity
  already shows changes nothing (events arrive in any order).
- A Supersession marks every other entity of its type linked to the anchor (earlier deployments of an
  endpoint); nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from lineage_recorder.plan import EntityKey, EntityKind, Plan, PlannedEntity, Supersession
from lineage_recorder.registry import KeyRegistry, MemoryRegistry

MANAGED_TAG = {"Key": "lineage-recorder:managed-by", "Value": "sagemaker-lineage-recorder"}

_LIST_OPERATION = {
    EntityKind.ARTIFACT: ("list_artifacts", "ArtifactSummaries", "ArtifactArn"),
    EntityKind.ACTION: ("list_actions", "ActionSummaries", "ActionArn"),
    EntityKind.CONTEXT: ("list_contexts", "ContextSummaries", "ContextArn"),
}


# The property that carries the revision (resource state time) a reconciled entity reflects.
REVISION_PROPERTY = "SourceLastModified"

# Waiting for another worker's creation of the same key: about 6 s in all, then the record is retried.
_CLAIM_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.0)


class CreationInProgressError(Exception):
    """Another worker claimed this key and has not finished creating it; retry the record later."""


@dataclass
class ApplyResult:
    created: list[tuple[EntityKey, str]] = field(default_factory=list)
    reused: list[tuple[EntityKey, str]] = field(default_factory=list)
    updated: list[tuple[EntityKey, str]] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    associations_created: int = 0
    associations_existing: int = 0
    arns: dict[EntityKey, str] = field(default_factory=dict)
    # Running totals of what the recorder has created, per kind, after this plan (for quota alarms).
    created_totals: dict[str, int] = field(default_factory=dict)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _already_exists(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return _error_code(error) == "ValidationException" and "already exists" in message


class Applier:
    def __init__(self, sagemaker: Any, registry: KeyRegistry | None = None) -> None:
        self._sagemaker = sagemaker
        self._registry: KeyRegistry = registry if registry is not None else MemoryRegistry()
        self._owner = uuid.uuid4().hex  # this applier's name on the claims it takes

    def apply(self, plan: Plan) -> ApplyResult:
        cached: dict[EntityKey, str] = {}
        try:
            return self._apply(plan, cached)
        except ClientError as error:
            if _error_code(error) != "ResourceNotFound" or not cached:
                raise
        # An ARN from the registry names an entity that no longer exists (deleted by hand): forget
        # what this plan read from the registry and apply it again, recreating what is gone.
        for key, arn in cached.items():
            self._registry.forget(key, arn)
        return self._apply(plan, {})

    def _apply(self, plan: Plan, cached: dict[EntityKey, str]) -> ApplyResult:
        result = ApplyResult()
        for entity in plan.entities:
            arn, created = self._resolve(entity, cached)
            if created:
                result.created_totals[entity.key.kind] = self._registry.count_created(entity.key.kind)
            result.arns[entity.key] = arn
            (result.created if created else result.reused).append((entity.key, arn))
            if entity.reconcile and created:
                state = _fingerprint(entity.status, _desired_properties(entity), entity.removed_properties)
                self._registry.put_state(arn, _KnownState(state, entity.revision).text())
            elif entity.reconcile and self._reconcile(entity, arn):
                result.updated.append((entity.key, arn))
        for edge in plan.edges:
            if self._associate(
                result.arns[edge.source], result.arns[edge.destination], edge.association_type
            ):
                result.associations_created += 1
                result.created_totals["association"] = self._registry.count_created("association")
            else:
                result.associations_existing += 1
        for supersession in plan.supersessions:
            result.superseded.extend(self._supersede(supersession, result.arns))
        return result

    # ------------------------------------------------------------------ entities
    def _resolve(self, entity: PlannedEntity, cached: dict[EntityKey, str]) -> tuple[str, bool]:
        known = self._registry.get(entity.key)
        if known is not None:
            cached[entity.key] = known
            return known, False
        found = self._find_trial_component(entity) or self._find_by_source_uri(entity.key)
        if found is not None:
            return self._registry.put(entity.key, found), False
        if entity.key.kind is EntityKind.ARTIFACT and not self._registry.claim(entity.key, self._owner):
            # Artifacts have no unique name to make a second creation fail: the claim is the lock.
            return self._wait_for(entity.key), False
        arn, created = self._create(entity)
        return self._registry.put(entity.key, arn), created

    def _wait_for(self, key: EntityKey) -> str:
        for pause in _CLAIM_WAITS:
            time.sleep(pause)
            arn = self._registry.get(key)
            if arn is not None:
                return arn
        raise CreationInProgressError(f"{key} is being created by another worker; the record will be retried")

    def _find_trial_component(self, entity: PlannedEntity) -> str | None:
        if entity.trial_component_name is None:
            return None
        try:
            described = self._sagemaker.describe_trial_component(
                TrialComponentName=entity.trial_component_name
            )
            source_arn = described.get("Source", {}).get("SourceArn")
            if source_arn in (None, entity.key.source_uri):
                return str(described["TrialComponentArn"])
        except ClientError as error:
            if _error_code(error) not in ("ValidationException", "ResourceNotFound"):
                raise
        summaries = self._sagemaker.list_trial_components(SourceArn=entity.key.source_uri).get(
            "TrialComponentSummaries", []
        )
        matching = [
            s
            for s in summaries
            if s.get("TrialComponentSource", {}).get("SourceArn") == entity.key.source_uri
        ]
        return str(matching[0]["TrialComponentArn"]) if matching else None

    def _find_by_source_uri(self, key: EntityKey) -> str | None:
        operation, summaries_key, arn_key = _LIST_OPERATION[key.kind]
        paginator = self._sagemaker.get_paginator(operation)
        pages = paginator.paginate(SourceUri=key.source_uri, SortBy="CreationTime", SortOrder="Ascending")
        for page in pages:
            for summary in page.get(summaries_key, []):
                if summary.get("Source", {}).get("SourceUri") == key.source_uri:
                    return str(summary[arn_key])
        return None

    def _create(self, entity: PlannedEntity) -> tuple[str, bool]:
        common: dict[str, Any] = {
            "Source": {"SourceUri": entity.key.source_uri},
            "Properties": _desired_properties(entity),
            "Tags": [MANAGED_TAG],
        }
        kind = entity.key.kind
        if kind is EntityKind.ARTIFACT:
            response = self._sagemaker.create_artifact(ArtifactType=entity.entity_type, **common)
            return str(response["ArtifactArn"]), True
        if entity.name is None:
            raise ValueError(f"a planned {kind} needs a name: {entity.key}")
        try:
            if kind is EntityKind.ACTION:
                if entity.status is not None:
                    common["Status"] = entity.status
                response = self._sagemaker.create_action(
                    ActionName=entity.name, ActionType=entity.entity_type, **common
                )
                return str(response["ActionArn"]), True
            response = self._sagemaker.create_context(
                ContextName=entity.name, ContextType=entity.entity_type, **common
            )
            return str(response["ContextArn"]), True
        except ClientError as error:
            if not _already_exists(error):
                raise
        # Another writer created the same deterministic name first: the name is the lock.
        return self._describe_by_name(kind, entity.name), False

    def _describe_by_name(self, kind: EntityKind, name: str) -> str:
        if kind is EntityKind.ACTION:
            return str(self._sagemaker.describe_action(ActionName=name)["ActionArn"])
        return str(self._sagemaker.describe_context(ContextName=name)["ContextArn"])

    # -------------------------------------------------------------- associations
    def _associate(self, source_arn: str, destination_arn: str, association_type: str) -> bool:
        if self._registry.has_association(source_arn, destination_arn):
            return False
        try:
            self._sagemaker.add_association(
                SourceArn=source_arn, DestinationArn=destination_arn, AssociationType=association_type
            )
        except ClientError as error:
            if not _already_exists(error):
                raise
            self._registry.put_association(source_arn, destination_arn)
            return False
        self._registry.put_association(source_arn, destination_arn)
        return True

    # ----------------------------------------------------------------- updates
    def _reconcile(self, entity: PlannedEntity, arn: str) -> bool:
        """Bring an existing entity to the planned state; True when it had to be updated.

        The registry remembers the state last written (a fingerprint and its revision), so a re-fired
        event with nothing new costs no call, and a newer state is written without reading first.
        Only an entity the registry knows nothing about is described before deciding.
        """
        desired = _desired_properties(entity)
        fingerprint = _fingerprint(entity.status, desired, entity.removed_properties)
        known = _KnownState.parse(self._registry.state(arn))
        if known is not None:
            if known.fingerprint == fingerprint or _older(entity.revision, known.revision):
                return False
            changes = desired, list(entity.removed_properties), entity.status
        else:
            current = _Current.read(self._sagemaker, entity.key.kind, arn)
            if _older(entity.revision, current.revision):
                self._registry.put_state(arn, _KnownState(None, current.revision).text())
                return False
            changed = {k: v for k, v in desired.items() if current.properties.get(k) != v}
            removed = [k for k in entity.removed_properties if k in current.properties]
            status = entity.status if entity.status not in (None, current.status) else None
            changes = changed, removed, status
        properties, removed, status = changes
        updated = bool(properties or removed or status)
        if updated:
            self._update(entity.key.kind, arn, status, properties, removed)
        self._registry.put_state(arn, _KnownState(fingerprint, entity.revision).text())
        return updated

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

    def _supersede(self, supersession: Supersession, arns: dict[EntityKey, str]) -> list[str]:
        anchor_arn, current_arn = arns[supersession.anchor], arns[supersession.current]
        fingerprint = _fingerprint(supersession.status, dict(supersession.properties), ())
        superseded: list[str] = []
        pages = self._sagemaker.get_paginator("list_associations").paginate(
            DestinationArn=anchor_arn, SourceType=supersession.source_type
        )
        for page in pages:
            for summary in page.get("AssociationSummaries", []):
                source_arn = str(summary["SourceArn"])
                known = _KnownState.parse(self._registry.state(source_arn))
                if source_arn == current_arn or (known is not None and known.fingerprint == fingerprint):
                    continue
                current = _Current.read(self._sagemaker, EntityKind.ACTION, source_arn)
                changed = {k: v for k, v in supersession.properties if current.properties.get(k) != v}
                if changed or current.status != supersession.status:
                    self._update(EntityKind.ACTION, source_arn, supersession.status, changed, [])
                    superseded.append(source_arn)
                self._registry.put_state(source_arn, _KnownState(fingerprint, None).text())
        return superseded


_DESCRIBE = {
    EntityKind.ARTIFACT: ("describe_artifact", "ArtifactArn"),
    EntityKind.ACTION: ("describe_action", "ActionName"),
    EntityKind.CONTEXT: ("describe_context", "ContextName"),
}


@dataclass(frozen=True)
class _Current:
    status: str | None
    properties: dict[str, str]

    @property
    def revision(self) -> str | None:
        return self.properties.get(REVISION_PROPERTY)

    @classmethod
    def read(cls, sagemaker: Any, kind: EntityKind, arn: str) -> _Current:
        operation, parameter = _DESCRIBE[kind]
        # Describe accepts the ARN in place of a name for actions and contexts.
        described = getattr(sagemaker, operation)(**{parameter: arn})
        return cls(status=described.get("Status"), properties=dict(described.get("Properties") or {}))


@dataclass(frozen=True)
class _KnownState:
    """What the registry remembers of a reconciled entity: the state written and its revision."""

    fingerprint: str | None
    revision: str | None

    def text(self) -> str:
        return json.dumps([self.fingerprint, self.revision])

    @classmethod
    def parse(cls, text: str | None) -> _KnownState | None:
        if text is None:
            return None
        fingerprint, revision = json.loads(text)
        return cls(fingerprint, revision)


def _older(planned: str | None, existing: str | None) -> bool:
    return planned is not None and existing is not None and planned < existing


def _desired_properties(entity: PlannedEntity) -> dict[str, str]:
    properties = dict(entity.properties)
    if entity.revision is not None:
        properties[REVISION_PROPERTY] = entity.revision
    return properties


def _fingerprint(status: str | None, properties: dict[str, str], removed: tuple[str, ...]) -> str:
    text = json.dumps([status, sorted(properties.items()), sorted(removed)], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()
