"""Deleting lineage the recorder made and nobody needs: safely, and a dry run first.

SageMaker's quotas for lineage made by hand are small (6,000 artifacts, 3,000 actions, 500 contexts,
6,000 associations) and its quota error says to delete unused entities. Prune deletes only entities that
carry the recorder's tag (never SageMaker's own, nor anyone else's), picked by age, type, SourceUri prefix,
or because the SageMaker resource they stand for is gone (``orphaned``). It keeps an entity that an
entity the recorder did not make still points at (an incoming association), unless forced: someone else's
lineage depends on it. (A job's trial component is SageMaker's, but its edges to what the job read and
wrote are the recorder's: they go with the entity.) Associations go first, then the entity; the state
table forgets the entity's key and state, so a later record looks the key up again and recreates it rather
than reuse a deleted ARN.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lineage_recorder.apply.gateway import SageMakerGateway, is_trial_component
from lineage_recorder.plan import EntityKey, EntityKind
from lineage_recorder.state import LineageState

_LISTS = {
    EntityKind.ARTIFACT: (
        "list_artifacts",
        "ArtifactSummaries",
        "ArtifactArn",
        "ArtifactType",
        "ArtifactName",
    ),
    EntityKind.ACTION: ("list_actions", "ActionSummaries", "ActionArn", "ActionType", "ActionName"),
    EntityKind.CONTEXT: ("list_contexts", "ContextSummaries", "ContextArn", "ContextType", "ContextName"),
}
SAMPLE = 5


@dataclass(frozen=True)
class Candidate:
    kind: EntityKind
    arn: str
    name: str
    entity_type: str
    source_uri: str
    created: datetime | None


@dataclass
class PruneReport:
    matched: int = 0
    deleted: int = 0
    associations_deleted: int = 0
    # ARN -> the entities the recorder did not make that point at it (kept unless forced)
    kept: dict[str, list[str]] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    sample: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def candidates(
    sagemaker: Any,
    gateway: SageMakerGateway,
    *,
    older_than: datetime | None = None,
    types: frozenset[str] = frozenset(),
    source_uri_prefix: str | None = None,
    orphaned: Callable[[str], bool] | None = None,
) -> Iterator[Candidate]:
    """The recorder's entities matching every given filter (the tag is checked last: a call each)."""
    for kind, (method, key, arn_key, type_key, name_key) in _LISTS.items():
        params: dict[str, Any] = {"CreatedBefore": older_than} if older_than is not None else {}
        for page in sagemaker.get_paginator(method).paginate(**params):
            for summary in page.get(key, []):
                entity_type = str(summary.get(type_key) or "")
                uri = str((summary.get("Source") or {}).get("SourceUri") or "")
                if types and entity_type not in types:
                    continue
                if source_uri_prefix is not None and not uri.startswith(source_uri_prefix):
                    continue
                if orphaned is not None and not orphaned(uri):
                    continue
                arn = str(summary[arn_key])
                if not gateway.is_managed(arn):
                    continue
                created = summary.get("CreationTime")
                yield Candidate(
                    kind,
                    arn,
                    str(summary.get(name_key) or arn),
                    entity_type,
                    uri,
                    created if isinstance(created, datetime) else None,
                )


def prune(
    sagemaker: Any,
    gateway: SageMakerGateway,
    state: LineageState,
    *,
    apply: bool,
    force: bool = False,
    **filters: Any,
) -> PruneReport:
    """Delete (with `apply`), or count (dry run), the recorder's entities the filters pick."""
    report = PruneReport()
    picked = list(candidates(sagemaker, gateway, **filters))
    picked_arns = {candidate.arn for candidate in picked}
    managed: dict[str, bool] = {}

    def made_by_recorder(arn: str) -> bool:
        if arn not in managed:
            managed[arn] = arn in picked_arns or gateway.is_managed(arn)
        return managed[arn]

    for candidate in picked:
        report.matched += 1
        associations = list(gateway.associations(candidate.arn))
        foreign = sorted(
            {
                source
                for source, destination, _ in associations
                if destination == candidate.arn
                and not is_trial_component(source)
                and not made_by_recorder(source)
            }
        )
        if foreign and not force:
            report.kept[candidate.arn] = foreign
            continue
        report.by_type[candidate.entity_type] = report.by_type.get(candidate.entity_type, 0) + 1
        if len(report.sample) < SAMPLE:
            report.sample.append(f"{candidate.entity_type} {candidate.source_uri or candidate.arn}")
        if not apply:
            continue
        for source, destination, _ in associations:
            gateway.disassociate(source, destination)
            report.associations_deleted += 1
        gateway.delete_entity(
            candidate.kind, candidate.arn if candidate.kind is EntityKind.ARTIFACT else candidate.name
        )
        report.deleted += 1
        # The state must not hand the deleted ARN out again: the key is looked up (and recreated) next time.
        if candidate.source_uri:
            state.keys.forget(EntityKey(candidate.kind, candidate.source_uri), candidate.arn)
        state.entity_states.forget(candidate.arn)
    return report
