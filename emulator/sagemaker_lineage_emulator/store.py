"""Lineage state of one account and region, and the rules SageMaker enforces on it.

A store hangs off moto's per-account, per-region SageMaker backend, so moto's reset (leaving
``mock_aws()``, or ``POST /moto-api/reset``) clears it together with the jobs it refers to, and
credentials assumed into another account see that account's lineage only.
"""

from __future__ import annotations

import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from lineage_recorder.families.jobs import JOB_KINDS
from moto.sagemaker.models import SageMakerModelBackend, sagemaker_backends

from sagemaker_lineage_emulator import settings
from sagemaker_lineage_emulator.errors import ResourceLimitExceeded, ResourceNotFound, ValidationError

ENTITY_KINDS = ("artifact", "action", "context")
LINEAGE_TYPE_BY_KIND = {
    "artifact": "Artifact",
    "action": "Action",
    "context": "Context",
    "experiment-trial-component": "TrialComponent",
}
# A job's trial component shows SageMaker's source type in ListAssociations and the job kind in
# QueryLineage (SageMaker Developer Guide, "Querying Lineage Entities"; SageMaker Python SDK query.py).
VERTEX_TYPE_BY_SOURCE_TYPE = {kind.trial_component_source_type: kind.node_type for kind in JOB_KINDS}


_sequence = itertools.count()


def now() -> datetime:
    """The current time as SageMaker reports it: UTC, to the millisecond.

    Truncating on storage keeps the inclusive list filters ("created on or before") consistent with
    the CreationTime a caller reads back: filtering on an entity's own CreationTime finds it.
    """
    moment = datetime.now(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def aware_utc(moment: datetime | None) -> datetime | None:
    """moto keeps naive UTC datetimes; make them comparable with the filters' aware ones."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def next_sequence() -> int:
    # Breaks ties between resources created within the same millisecond, so sorting is total. One counter
    # for every kind the emulator keeps (itertools.count is atomic under the GIL).
    return next(_sequence)


@dataclass
class LineageEntity:
    kind: str
    arn: str
    name: str | None
    entity_type: str
    source: dict[str, Any]
    properties: dict[str, str] = field(default_factory=dict)
    metadata_properties: dict[str, str] | None = None
    description: str | None = None
    status: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    creation_time: datetime = field(default_factory=now)
    last_modified_time: datetime = field(default_factory=now)
    sequence: int = field(default_factory=next_sequence)

    @property
    def source_uri(self) -> str:
        return str(self.source.get("SourceUri", ""))


@dataclass
class Association:
    source_arn: str
    destination_arn: str
    association_type: str | None
    creation_time: datetime = field(default_factory=now)
    sequence: int = field(default_factory=next_sequence)


@dataclass(frozen=True)
class ParsedArn:
    partition: str
    region: str
    account: str
    resource_type: str
    resource_id: str


def parse_arn(arn: str) -> ParsedArn:
    parts = arn.split(":", 5)
    if len(parts) != 6 or "/" not in parts[5]:
        raise ValidationError(f"Invalid ARN: {arn}")
    resource_type, resource_id = parts[5].split("/", 1)
    return ParsedArn(parts[1], parts[3], parts[4], resource_type, resource_id)


@dataclass(frozen=True)
class VertexInfo:
    """What ListAssociations and QueryLineage report about one end of an edge."""

    arn: str
    name: str | None
    lineage_type: str
    association_type_string: str | None
    vertex_type: str | None
    properties: dict[str, str]
    creation_time: datetime | None
    last_modified_time: datetime | None


class LineageStore:
    def __init__(self, account_id: str, region_name: str, backend: SageMakerModelBackend) -> None:
        self.account_id = account_id
        self.region_name = region_name
        self.backend = backend
        self.lock = threading.RLock()
        self.entities: dict[str, LineageEntity] = {}
        self.arn_by_name: dict[tuple[str, str], str] = {}
        self.arns_by_source_uri: dict[tuple[str, str], list[str]] = {}
        self.associations: dict[tuple[str, str], Association] = {}
        self.outgoing: dict[str, set[str]] = {}
        self.incoming: dict[str, set[str]] = {}
        self.trial_component_sources: dict[str, dict[str, str]] = {}

    # ----------------------------------------------------------------- entities
    def arn_for(self, kind: str, resource_id: str) -> str:
        return f"arn:aws:sagemaker:{self.region_name}:{self.account_id}:{kind}/{resource_id}"

    def _count(self, kind: str) -> int:
        return sum(1 for entity in self.entities.values() if entity.kind == kind)

    def _check_quota(self, kind: str, current_count: int) -> None:
        limit = settings.current().quotas.get(kind)
        if limit is not None and current_count >= limit:
            raise ResourceLimitExceeded(
                f"The account-level service limit for {kind}s is {limit}; you have reached it. "
                "Delete unused lineage entities or request a quota increase."
            )

    def create_entity(
        self,
        kind: str,
        *,
        name: str | None,
        entity_type: str,
        source: dict[str, Any],
        properties: dict[str, str] | None,
        metadata_properties: dict[str, str] | None,
        description: str | None,
        status: str | None,
        tags: list[dict[str, str]] | None,
    ) -> LineageEntity:
        with self.lock:
            if kind != "artifact" and name is not None and (kind, name) in self.arn_by_name:
                existing = self.arn_by_name[(kind, name)]
                raise ValidationError(f"{kind.capitalize()} already exists with name {name}: {existing}")
            self._check_quota(kind, self._count(kind))
            resource_id = uuid.uuid4().hex if kind == "artifact" else str(name)
            entity = LineageEntity(
                kind=kind,
                arn=self.arn_for(kind, resource_id),
                name=name,
                entity_type=entity_type,
                source=dict(source),
                properties=dict(properties or {}),
                metadata_properties=dict(metadata_properties) if metadata_properties else None,
                description=description,
                status=status,
                tags=list(tags or []),
            )
            self.entities[entity.arn] = entity
            if name is not None:
                self.arn_by_name.setdefault((kind, name), entity.arn)
            self.arns_by_source_uri.setdefault((kind, entity.source_uri), []).append(entity.arn)
            return entity

    def get_entity(self, kind: str, arn_or_name: str) -> LineageEntity:
        with self.lock:
            arn = arn_or_name if arn_or_name.startswith("arn:") else self.arn_by_name.get((kind, arn_or_name))
            entity = self.entities.get(arn or "")
            if entity is None or entity.kind != kind:
                shown = arn or self.arn_for(kind, arn_or_name)
                raise ResourceNotFound(f"{kind.capitalize()} '{shown}' does not exist.")
            return entity

    def update_entity(
        self,
        entity: LineageEntity,
        *,
        name: str | None = None,
        description: str | None = None,
        status: str | None = None,
        properties: dict[str, str] | None = None,
        properties_to_remove: list[str] | None = None,
    ) -> LineageEntity:
        with self.lock:
            merged = {**entity.properties, **(properties or {})}
            for key in properties_to_remove or []:
                merged.pop(key, None)
            if len(merged) > 30:
                raise ValidationError(
                    f"1 validation error detected: the update would leave {len(merged)} properties on "
                    f"{entity.arn}; Member must have length less than or equal to 30"
                )
            entity.properties = merged
            if name is not None:
                entity.name = name
            if description is not None:
                entity.description = description
            if status is not None:
                entity.status = status
            entity.last_modified_time = now()
            return entity

    def check_deletable(self, entity: LineageEntity) -> None:
        with self.lock:
            if self.outgoing.get(entity.arn) or self.incoming.get(entity.arn):
                raise ValidationError(
                    f"Cannot delete {entity.arn} because it has associations. Delete its associations first."
                )

    def delete_entity(self, entity: LineageEntity) -> None:
        with self.lock:
            self.check_deletable(entity)
            del self.entities[entity.arn]
            if entity.name is not None and self.arn_by_name.get((entity.kind, entity.name)) == entity.arn:
                del self.arn_by_name[(entity.kind, entity.name)]
            uri_key = (entity.kind, entity.source_uri)
            remaining = [arn for arn in self.arns_by_source_uri.get(uri_key, []) if arn != entity.arn]
            if remaining:
                self.arns_by_source_uri[uri_key] = remaining
            else:
                self.arns_by_source_uri.pop(uri_key, None)

    def list_entities(
        self,
        kind: str,
        *,
        source_uri: str | None,
        entity_type: str | None,
        created_after: datetime | None,
        created_before: datetime | None,
    ) -> list[LineageEntity]:
        with self.lock:
            if source_uri is not None:
                arns = self.arns_by_source_uri.get((kind, source_uri), [])
                candidates = [self.entities[arn] for arn in arns]
            else:
                candidates = [entity for entity in self.entities.values() if entity.kind == kind]
        return [
            entity
            for entity in candidates
            if (entity_type is None or entity.entity_type == entity_type)
            and (created_after is None or entity.creation_time >= created_after)
            and (created_before is None or entity.creation_time <= created_before)
        ]

    # ------------------------------------------------------------ associations
    def add_association(
        self, source_arn: str, destination_arn: str, association_type: str | None
    ) -> Association:
        with self.lock:
            for arn in (source_arn, destination_arn):
                if describe_vertex(arn) is None:
                    raise ResourceNotFound(f"Resource {arn} does not exist.")
            key = (source_arn, destination_arn)
            if key in self.associations:
                raise ValidationError(
                    f"Association already exists between source {source_arn} "
                    f"and destination {destination_arn}."
                )
            self._check_quota("association", len(self.associations))
            association = Association(source_arn, destination_arn, association_type)
            self.associations[key] = association
            self.outgoing.setdefault(source_arn, set()).add(destination_arn)
            self.incoming.setdefault(destination_arn, set()).add(source_arn)
            return association

    def delete_association(self, source_arn: str, destination_arn: str) -> None:
        with self.lock:
            if self.associations.pop((source_arn, destination_arn), None) is None:
                raise ResourceNotFound(
                    f"Association between source {source_arn} "
                    f"and destination {destination_arn} does not exist."
                )
            self.outgoing[source_arn].discard(destination_arn)
            self.incoming[destination_arn].discard(source_arn)

    def neighbours(self, arn: str, *, downstream: bool) -> list[Association]:
        with self.lock:
            if downstream:
                return [self.associations[(arn, dst)] for dst in sorted(self.outgoing.get(arn, ()))]
            return [self.associations[(src, arn)] for src in sorted(self.incoming.get(arn, ()))]


_registry_lock = threading.Lock()
S = TypeVar("S")


def backend_state(account_id: str, region_name: str, attribute: str, create: Callable[[], S]) -> S:
    """What the emulator keeps beside moto's SageMaker backend of an account and Region (the lineage
    store, inference components, labeling jobs, runs): on the backend itself, so moto's reset drops it."""
    backend = sagemaker_backends[account_id][region_name]
    with _registry_lock:
        state = backend.__dict__.get(attribute)
        if state is None:
            state = create()
            backend.__dict__[attribute] = state
    return cast(S, state)


def store_for(account_id: str, region_name: str) -> LineageStore:
    backend = sagemaker_backends[account_id][region_name]
    return backend_state(
        account_id, region_name, "_lineage_store", lambda: LineageStore(account_id, region_name, backend)
    )


def describe_vertex(arn: str) -> VertexInfo | None:
    """Look ``arn`` up in the state of the account and region it names; None when it does not exist."""
    parsed = parse_arn(arn)
    try:
        store = store_for(parsed.account, parsed.region)
    except KeyError:
        # A region moto does not know (or none at all): nothing can exist there.
        return None
    if parsed.resource_type in ENTITY_KINDS:
        entity = store.entities.get(arn)
        if entity is None:
            return None
        return VertexInfo(
            arn=arn,
            name=entity.name,
            lineage_type=LINEAGE_TYPE_BY_KIND[entity.kind],
            association_type_string=entity.entity_type,
            vertex_type=entity.entity_type,
            properties=entity.properties,
            creation_time=entity.creation_time,
            last_modified_time=entity.last_modified_time,
        )
    if parsed.resource_type == "experiment-trial-component":
        component = store.backend.trial_components.get(parsed.resource_id)
        if component is None:
            return None
        source_type = store.trial_component_sources.get(parsed.resource_id, {}).get("SourceType")
        return VertexInfo(
            arn=arn,
            name=parsed.resource_id,
            lineage_type="TrialComponent",
            association_type_string=source_type,
            vertex_type=VERTEX_TYPE_BY_SOURCE_TYPE.get(source_type or ""),
            properties={},
            creation_time=aware_utc(component.creation_time),
            last_modified_time=aware_utc(component.last_modified_time),
        )
    if parsed.resource_type == "experiment":
        experiment = store.backend.experiments.get(parsed.resource_id)
        if experiment is None:
            return None
        # Vertex.LineageType is one of TrialComponent | Artifact | Context | Action, and "conceptually,
        # experiments and trials are contexts" (Lineage Tracking Entities); the Type is left out.
        return VertexInfo(
            arn=arn,
            name=parsed.resource_id,
            lineage_type="Context",
            association_type_string=None,
            vertex_type=None,
            properties={},
            creation_time=aware_utc(experiment.creation_time),
            last_modified_time=aware_utc(experiment.last_modified_time),
        )
    return None
