"""A plan: the lineage a resource description implies, as plain data.

Planners build plans without any AWS access; the applier turns any plan into SageMaker calls.
Entities are identified inside a plan by their key (kind, SourceUri), which is also how the applier
deduplicates them against what already exists in the account.

Two kinds of nodes a plan does not own (docs/decisions.md, "Nodes another family owns"):
- a *reference* (``PlannedEntity(reference=True)``): a node another family owns, such as the training job
  a tuning job launched. The applier resolves it like any key; when it does not exist yet, it creates it
  with what this plan knows, and never updates it. The owner's own plan fills it in (``reconcile``).
- an ``ExistingEntity``: a node known only by its ARN (a peer account's twin); nothing is resolved or
  created, only edges to it are written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# An ARN and nothing else (no query, no fragment): SageMaker's own contexts and actions keyed by one say
# so with Source.SourceType "ARN", which DataHub's SageMaker source requires of Endpoint and ModelGroup
# contexts.
_ARN = re.compile(r"arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:[0-9]{0,12}:[^?#\s]+")
ARN_SOURCE_TYPE = "ARN"


class EntityKind(StrEnum):
    ARTIFACT = "artifact"
    ACTION = "action"
    CONTEXT = "context"


class AssociationType(StrEnum):
    CONTRIBUTED_TO = "ContributedTo"
    ASSOCIATED_WITH = "AssociatedWith"
    DERIVED_FROM = "DerivedFrom"
    PRODUCED = "Produced"
    SAME_AS = "SameAs"


@dataclass(frozen=True, order=True)
class EntityKey:
    kind: EntityKind
    source_uri: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.source_uri}"

    @property
    def source_type(self) -> str | None:
        """Source.SourceType, as SageMaker writes it: "ARN" for an action or context keyed by an ARN
        (artifacts carry SourceTypes, a list of ids, instead)."""
        if self.kind is not EntityKind.ARTIFACT and _ARN.fullmatch(self.source_uri):
            return ARN_SOURCE_TYPE
        return None


@dataclass(frozen=True)
class PlannedEntity:
    key: EntityKey
    entity_type: str
    # Actions and contexts need a name; it is derived deterministically from the resource.
    name: str | None = None
    properties: tuple[tuple[str, str], ...] = ()
    status: str | None = None
    # SageMaker's own trial component for a job; when it exists it is used instead of creating `key`.
    trial_component_name: str | None = None
    # Mutable state (an approval, an endpoint's status): an existing entity is updated to match the
    # plan, unless it already reflects a newer state of the resource than `revision` (a sortable UTC
    # timestamp of the resource state the plan was made from).
    reconcile: bool = False
    revision: str | None = None
    removed_properties: tuple[str, ...] = ()
    # MetadataProperties (GeneratedBy, ProjectId, Repository, CommitId), where SageMaker and its tools put
    # them: set when an artifact or action is created (SageMaker offers no way to change them later).
    metadata: tuple[tuple[str, str], ...] = ()
    # Owned by another family: resolved, or created with what this plan knows; never updated by this plan.
    reference: bool = False
    # Only brought up to date when it exists; never created (a deletion SageMaker confirms may mark what
    # was recorded, but must not invent what never was). Edges to it are left out when it does not exist.
    existing_only: bool = False


@dataclass(frozen=True, order=True)
class ExistingEntity:
    """An entity known by its ARN (a peer account's twin): nothing to resolve or create."""

    arn: str


# Either end of a planned edge.
Vertex = EntityKey | ExistingEntity


@dataclass(frozen=True)
class Supersession:
    """Exactly one current entity of `source_type` is associated with `anchor`: the others are marked.

    An endpoint has one live deployment; earlier deployments stay in the graph (lineage is audit
    history) with `status` and `properties` saying they were superseded.
    """

    anchor: EntityKey
    # None: there is no current one any more (a deleted endpoint), every one is marked.
    current: EntityKey | None
    source_type: str
    status: str
    properties: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class PlannedEdge:
    source: Vertex
    destination: Vertex
    association_type: AssociationType


@dataclass(frozen=True)
class SkippedValue:
    """A value from the resource that could not become lineage, and why."""

    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class Plan:
    resource_arn: str
    entities: tuple[PlannedEntity, ...] = ()
    edges: tuple[PlannedEdge, ...] = ()
    skipped: tuple[SkippedValue, ...] = ()
    supersessions: tuple[Supersession, ...] = ()

    def entity(self, key: EntityKey) -> PlannedEntity:
        for entity in self.entities:
            if entity.key == key:
                return entity
        raise KeyError(str(key))
