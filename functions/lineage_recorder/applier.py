"""The only place that writes lineage: turns any Plan into SageMaker calls.

- Entities are get-or-create by key (kind, SourceUri): an entity that SageMaker or an earlier event
  created for the same SourceUri is reused, the oldest one when there are several. With a lineage index
  (lineage_index.py) that has read the account up to now, a key the registry does not know is created
  without a lookup; otherwise it is looked up by SourceUri first.
- A job's node is SageMaker's own trial component when it exists; otherwise an action the recorder
  creates (see docs/decisions.md, "The job node").
- Associations are added; exactly the "already exists" answer counts as success.
- Everything the recorder creates carries the tag MANAGED_TAG, so it can be told apart from
  SageMaker's own entities.
- Reconciled entities and supersessions are handed to the StateReconciler (reconciler.py).
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.lineage_index import LineageIndex, feeds_covering
from lineage_recorder.plan import EntityKey, EntityKind, Plan, PlannedEntity
from lineage_recorder.reconciler import StateReconciler, desired_properties
from lineage_recorder.registry import KeyRegistry, MemoryRegistry

MANAGED_TAG = {"Key": "lineage-recorder:managed-by", "Value": "sagemaker-lineage-recorder"}

_LIST_OPERATION = {
    EntityKind.ARTIFACT: ("list_artifacts", "ArtifactSummaries", "ArtifactArn"),
    EntityKind.ACTION: ("list_actions", "ActionSummaries", "ActionArn"),
    EntityKind.CONTEXT: ("list_contexts", "ContextSummaries", "ContextArn"),
}

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
    def __init__(
        self, sagemaker: Any, registry: KeyRegistry | None = None, index: LineageIndex | None = None
    ) -> None:
        self._sagemaker = sagemaker
        self._registry: KeyRegistry = registry if registry is not None else MemoryRegistry()
        self._states = StateReconciler(sagemaker, self._registry)
        self._index = index

    def begin_invocation(self) -> None:
        """A new batch of events: what the index read for earlier ones is read again before it is trusted."""
        if self._index is not None:
            self._index.expire()

    def apply(self, plan: Plan) -> ApplyResult:
        cached: dict[EntityKey, str] = {}
        try:
            return self._apply(plan, cached, use_index=True)
        except ClientError as error:
            if _error_code(error) != "ResourceNotFound" or not cached:
                raise
        # An ARN from the registry names an entity that no longer exists (deleted by hand): forget
        # what this plan read from the registry and apply it again, recreating what is gone. Without the
        # index: another entity for the same key may be left, and only a lookup finds it.
        for key, arn in cached.items():
            self._registry.forget(key, arn)
        return self._apply(plan, {}, use_index=False)

    def _apply(self, plan: Plan, cached: dict[EntityKey, str], use_index: bool) -> ApplyResult:
        try:
            return self._apply_with_prefetch(plan, cached, use_index)
        finally:
            self._registry.end_prefetch()

    def _current_feeds(self, plan: Plan) -> frozenset[str]:
        """The index feeds that have read the account up to now, synced for this plan's unknown keys."""
        if self._index is None:
            return frozenset()
        unknown = [entity for entity in plan.entities if self._registry.get(entity.key) is None]
        if not unknown:
            return frozenset()
        current = self._index.current_feeds(feed for entity in unknown for feed in feeds_covering(entity))
        if current:
            # What was prefetched predates the sync: another instance (or thread) may have recorded
            # these keys and moved the feeds on meanwhile. Read them again, after the feeds' starts.
            self._registry.end_prefetch()
            self._registry.prefetch(keys=[entity.key for entity in plan.entities])
        return current

    def _apply_with_prefetch(self, plan: Plan, cached: dict[EntityKey, str], use_index: bool) -> ApplyResult:
        result = ApplyResult()
        created_counts: dict[str, int] = {}
        # One batched read of what the registry knows of this plan's keys, instead of one read per key.
        self._registry.prefetch(keys=[entity.key for entity in plan.entities])
        current_feeds = self._current_feeds(plan) if use_index else frozenset()
        for entity in plan.entities:
            arn, created = self._resolve(entity, cached, current_feeds)
            if created:
                created_counts[entity.key.kind] = created_counts.get(entity.key.kind, 0) + 1
            result.arns[entity.key] = arn
            (result.created if created else result.reused).append((entity.key, arn))
            if entity.reconcile and created:
                self._states.remember_created(entity, arn)
            elif entity.reconcile and self._states.reconcile(entity, arn):
                result.updated.append((entity.key, arn))
        self._registry.prefetch(
            pairs=[(result.arns[edge.source], result.arns[edge.destination]) for edge in plan.edges]
        )
        for edge in plan.edges:
            if self._associate(
                result.arns[edge.source], result.arns[edge.destination], edge.association_type
            ):
                result.associations_created += 1
            else:
                result.associations_existing += 1
        if result.associations_created:
            created_counts["association"] = result.associations_created
        for supersession in plan.supersessions:
            result.superseded.extend(self._states.supersede(supersession, result.arns))
        for kind, count in created_counts.items():
            result.created_totals[kind] = self._registry.count_created(kind, count)
        return result

    # ------------------------------------------------------------------ entities
    def _resolve(
        self, entity: PlannedEntity, cached: dict[EntityKey, str], current_feeds: frozenset[str]
    ) -> tuple[str, bool]:
        known = self._registry.get(entity.key)
        if known is not None:
            cached[entity.key] = known
            return known, False
        if not feeds_covering(entity) <= current_feeds:
            # The index cannot vouch that nothing exists for this key: look it up.
            found = self._find_trial_component(entity) or self._find_by_source_uri(entity.key)
            if found is not None:
                return self._registry.put(entity.key, found), False
        if entity.key.kind is not EntityKind.ARTIFACT:
            # Actions and contexts have unique names: a second creation fails, the name is the lock.
            arn, created = self._create(entity)
            return self._registry.put(entity.key, arn), created
        # Artifacts have no unique name, so a claim is the lock. Each creation attempt claims under its
        # own name (one applier may serve several threads), and gives the claim back if it fails, so
        # that the next attempt (this record's redelivery, or another worker) need not wait for the lease.
        owner = uuid.uuid4().hex
        if not self._registry.claim(entity.key, owner):
            return self._wait_for(entity.key), False
        try:
            arn, created = self._create(entity)
        except (ClientError, BotoCoreError):
            self._registry.release(entity.key, owner)
            raise
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
            "Properties": desired_properties(entity),
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
