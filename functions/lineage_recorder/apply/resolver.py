"""The ARN of each planned entity: found in the key store, vouched absent by the lineage index, looked up
in SageMaker, or created under a claim.

- An entity that SageMaker or an earlier event created for the same key is reused, the oldest one when
  there are several. A job's node is SageMaker's own trial component when it exists; otherwise an action
  the recorder creates (docs/decisions.md, "The job node").
- With a lineage index that has read the account up to now, a key the store does not know is created
  without a lookup; otherwise it is looked up by SourceUri first.
- Actions and contexts have unique names: a second creation fails, and the name is the lock. Artifacts
  have none, so a claim in the key store is the lock; a worker that loses it waits for the winner's ARN.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.apply.lineage_index import LineageIndex, feeds_covering
from lineage_recorder.apply.reconciler import desired_properties
from lineage_recorder.errors import AwsCallError, CreationInProgressError, RetryLaterError
from lineage_recorder.plan import EntityKey, EntityKind, Plan, PlannedEntity
from lineage_recorder.state import Snapshot
from lineage_recorder.state.keys import KeyStore

# Waiting for another worker's creation of the same key: about 6 s in all, then the record is retried.
CLAIM_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8, 1.6, 3.0)


@dataclass(frozen=True)
class Resolved:
    arn: str
    created: bool
    # The ARN came from the key store (it may name an entity deleted since).
    from_store: bool = False


class EntityResolver:
    def __init__(self, gateway: SageMakerGateway, keys: KeyStore, index: LineageIndex | None = None) -> None:
        self._gateway = gateway
        self._keys = keys
        self._index = index

    def begin_invocation(self) -> None:
        """A new batch of events: what the index read for earlier ones is read again before it is trusted."""
        if self._index is not None:
            self._index.expire()

    def current_feeds(self, plan: Plan, known: Snapshot) -> frozenset[str]:
        """The index feeds that have read the account up to now, synced for this plan's unknown keys."""
        if self._index is None:
            return frozenset()
        unknown = [entity for entity in plan.entities if self._keys.get(entity.key) is None]
        if not unknown:
            return frozenset()
        current = self._index.current_feeds(feed for entity in unknown for feed in feeds_covering(entity))
        if current:
            # What the snapshot read predates the sync: another instance (or thread) may have recorded these
            # keys and moved the feeds on meanwhile. Read them again, after the feeds' starts.
            known.read_again(entity.key for entity in plan.entities)
        return current

    def resolve(self, entity: PlannedEntity, current_feeds: frozenset[str]) -> Resolved | None:
        """The entity's ARN; None for an `existing_only` entity that does not exist (nothing is created)."""
        known = self._keys.get(entity.key)
        if known is not None:
            return Resolved(known, created=False, from_store=True)
        if not feeds_covering(entity) <= current_feeds:
            # The index cannot vouch that nothing exists for this key: look it up.
            found = self._find(entity)
            if found is not None:
                return Resolved(self._keys.put(entity.key, found), created=False)
        if entity.existing_only:
            return None
        if entity.key.kind is not EntityKind.ARTIFACT:
            arn, created = self._create(entity)
            return Resolved(self._keys.put(entity.key, arn), created)
        # Each creation attempt claims under its own name (one resolver may serve several threads), and
        # gives the claim back if it fails, so that the next attempt (this record's redelivery, or another
        # worker) need not wait for the lease.
        owner = uuid.uuid4().hex
        claim = self._keys.claim(entity.key, owner)
        if claim is None:
            return Resolved(self._wait_for(entity.key), created=False)
        try:
            if claim.after_unknown_outcome:
                # An earlier attempt may have created it (its answer was lost, or its worker died).
                found = self._find(entity)
                if found is not None:
                    return Resolved(self._keys.put(entity.key, found), created=False)
            arn, created = self._create(entity)
        except AwsCallError as error:
            # (a failed lookup after an unknown outcome leaves the outcome as unknown as it was)
            unknown = error.outcome_unknown or claim.after_unknown_outcome
            self._keys.release(entity.key, owner, outcome_unknown=unknown)
            raise
        except RetryLaterError:
            self._keys.release(entity.key, owner)
            raise
        return Resolved(self._keys.put(entity.key, arn), created)

    def _find(self, entity: PlannedEntity) -> str | None:
        if entity.trial_component_name is not None:
            found = self._gateway.find_job_trial_component(entity.trial_component_name, entity.key.source_uri)
            if found is not None:
                return found
        return self._gateway.find_by_source_uri(entity.key.kind, entity.key.source_uri)

    def _create(self, entity: PlannedEntity) -> tuple[str, bool]:
        return self._gateway.create(
            entity.key.kind,
            source_uri=entity.key.source_uri,
            entity_type=entity.entity_type,
            name=entity.name,
            status=entity.status,
            properties=desired_properties(entity),
            source_type=entity.key.source_type,
            metadata=dict(entity.metadata),
        )

    def _wait_for(self, key: EntityKey) -> str:
        for pause in CLAIM_WAITS:
            time.sleep(pause)
            arn = self._keys.get(key)
            if arn is not None:
                return arn
        raise CreationInProgressError(f"{key} is being created by another worker; the record will be retried")
