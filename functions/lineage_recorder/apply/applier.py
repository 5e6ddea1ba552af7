"""The only place that writes lineage: turns any Plan into SageMaker calls, through the gateway.

For a plan, inside one state snapshot (one batched read of what the state table knows of its keys):
1. resolve each entity to an ARN (resolver.py): reuse what exists, create what does not;
2. reconcile the mutable ones it owns (reconciler.py): update in place when the resource changed;
3. add each edge's association; "already exists" counts as success;
4. mark superseded entities (an endpoint's earlier deployments);
5. count what was created, for the quota alarms (also when the plan fails part way: what was created
   before the failure exists, and a retry reuses it without counting it again).

Entities another family owns (``reference``) are resolved, or created with what the plan knows, and never
updated here; their owner's plan fills them in. Edges may also end at an ``ExistingEntity`` (a peer
account's twin), which is neither resolved nor created.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass, field

from lineage_recorder.apply.gateway import EntityGoneError, SageMakerGateway, is_trial_component
from lineage_recorder.apply.lineage_index import LineageIndex
from lineage_recorder.apply.reconciler import StateReconciler
from lineage_recorder.apply.resolver import EntityResolver
from lineage_recorder.errors import RetryLaterError
from lineage_recorder.plan import EntityKey, Plan, Vertex
from lineage_recorder.state import LineageState, Snapshot, in_memory_state


@dataclass
class ApplyResult:
    created: list[tuple[EntityKey, str]] = field(default_factory=list)
    reused: list[tuple[EntityKey, str]] = field(default_factory=list)
    updated: list[tuple[EntityKey, str]] = field(default_factory=list)
    superseded: list[str] = field(default_factory=list)
    associations_created: list[tuple[str, str]] = field(default_factory=list)
    associations_existing: int = 0
    arns: dict[EntityKey, str] = field(default_factory=dict)
    # Running totals of what the recorder has created, per kind, after this plan (for quota alarms).
    created_totals: dict[str, int] = field(default_factory=dict)


class Applier:
    def __init__(
        self,
        gateway: SageMakerGateway,
        state: LineageState | None = None,
        index: LineageIndex | None = None,
    ) -> None:
        self._gateway = gateway
        self._state = state if state is not None else in_memory_state()
        self._resolver = EntityResolver(gateway, self._state.keys, index)
        self._states = StateReconciler(gateway, self._state.entity_states)

    def begin_invocation(self) -> None:
        """A new batch of events: nothing read from the account for earlier ones is trusted."""
        self._resolver.begin_invocation()

    def apply(self, plan: Plan) -> ApplyResult:
        from_store: dict[EntityKey, str] = {}
        try:
            return self._apply(plan, from_store, use_index=True)
        except EntityGoneError:
            if not from_store:
                raise
        # An ARN from the key store names an entity that no longer exists (deleted by hand): forget what
        # this plan read from the store and apply it again, recreating what is gone. Without the index:
        # another entity for the same key may be left, and only a lookup finds it.
        for key, arn in from_store.items():
            self._state.keys.forget(key, arn)
            self._state.entity_states.forget(arn)
            self._state.associations.forget(arn)
        return self._apply(plan, {}, use_index=False)

    def _apply(self, plan: Plan, from_store: dict[EntityKey, str], use_index: bool) -> ApplyResult:
        result = ApplyResult()
        try:
            self._resolve_and_write(plan, from_store, use_index, result)
        except RetryLaterError:
            # What was created before the failure exists, and counts against the quotas: count it now (a
            # retry reuses it and does not count it again). A count that fails too must not hide the error.
            with suppress(RetryLaterError):
                self._count(result)
            raise
        result.created_totals = self._count(result)
        return result

    def _count(self, result: ApplyResult) -> dict[str, int]:
        """Add what `result` created to the running totals, per kind; the totals after it."""
        created_counts: dict[str, int] = {}
        for key, _ in result.created:
            created_counts[key.kind] = created_counts.get(key.kind, 0) + 1
        if result.associations_created:
            created_counts["association"] = len(result.associations_created)
        return {kind: self._state.counters.add(kind, count) for kind, count in created_counts.items()}

    def _resolve_and_write(
        self, plan: Plan, from_store: dict[EntityKey, str], use_index: bool, result: ApplyResult
    ) -> None:
        with self._state.snapshot() as known:
            known.read(keys=[entity.key for entity in plan.entities])
            current_feeds = self._resolver.current_feeds(plan, known) if use_index else frozenset()
            for entity in plan.entities:
                resolved = self._resolver.resolve(entity, current_feeds)
                if resolved is None:
                    continue  # existing_only, and it does not exist: nothing to bring up to date
                if resolved.from_store:
                    from_store[entity.key] = resolved.arn
                result.arns[entity.key] = resolved.arn
                if resolved.created:
                    result.created.append((entity.key, resolved.arn))
                    if entity.reconcile or entity.reference:
                        # Remembered: a later reconcile (the owner's, for a reference) need not read it.
                        # A reference's state never replaces one the owner may have written meanwhile.
                        self._states.remember_created(entity, resolved.arn, keep_existing=entity.reference)
                    continue
                result.reused.append((entity.key, resolved.arn))
                owned_and_ours = not entity.reference and not is_trial_component(resolved.arn)
                if entity.reconcile and owned_and_ours and self._states.reconcile(entity, resolved.arn):
                    result.updated.append((entity.key, resolved.arn))
            self._write_edges(plan, result, known)
        for supersession in plan.supersessions:
            current_known = supersession.current is None or supersession.current in result.arns
            if supersession.anchor in result.arns and current_known:
                result.superseded.extend(self._states.supersede(supersession, result.arns))

    def _write_edges(self, plan: Plan, result: ApplyResult, known: Snapshot) -> None:
        def arn_of(vertex: Vertex) -> str | None:
            return result.arns.get(vertex) if isinstance(vertex, EntityKey) else vertex.arn

        pairs = []
        for edge in plan.edges:
            source, destination = arn_of(edge.source), arn_of(edge.destination)
            # An end that is `existing_only` and does not exist leaves its edges out.
            if source is not None and destination is not None:
                pairs.append((source, destination, edge.association_type))
        known.read(pairs=[(source, destination) for source, destination, _ in pairs])
        associations = self._state.associations
        for source, destination, association_type in pairs:
            if associations.has(source, destination):
                result.associations_existing += 1
                continue
            if self._gateway.associate(source, destination, association_type):
                result.associations_created.append((source, destination))
            else:
                result.associations_existing += 1
            associations.add(source, destination)
