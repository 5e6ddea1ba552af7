"""Bringing contexts and actions an earlier version created to today's shape (``lineage-recorder migrate``).

Earlier versions created contexts and actions keyed by an ARN (Endpoint and ModelGroup contexts, Approval
actions, job actions) with no ``Source.SourceType``; SageMaker's own carry ``"ARN"``, and DataHub's
SageMaker source reads Endpoint and ModelGroup contexts only then. SageMaker cannot change a Source after
creation (UpdateContext and UpdateAction take none), so such an entity is *replaced*: same name, type,
status and properties, the new Source, every association moved to it. Nothing else changes, and only
entities carrying the recorder's tag are touched.

A replacement deletes before it recreates (the name must be free), so it is written to a journal first;
an interrupted run is finished by the next one, from the journal, and every step is idempotent. The
recorder's state table needs no change: an ARN it remembers that no longer exists is looked up again by
SourceUri on its next use.

Associations stored in *another* account that point at a replaced entity (a peer's SameAs to a ModelGroup
context) are not visible here and keep the old ARN; this account's own SameAs links are moved.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.plan import EntityKey, EntityKind

_NAME_KEY = {EntityKind.ACTION: "ActionName", EntityKind.CONTEXT: "ContextName"}
_ARN_KEY = {EntityKind.ACTION: "ActionArn", EntityKind.CONTEXT: "ContextArn"}
_TYPE_KEY = {EntityKind.ACTION: "ActionType", EntityKind.CONTEXT: "ContextType"}


@dataclass(frozen=True)
class Replacement:
    """One entity to replace, as it was before anything was changed: enough to recreate it."""

    kind: EntityKind
    arn: str
    name: str
    entity_type: str
    source_uri: str
    source_type: str
    status: str | None
    properties: dict[str, str]
    # (source ARN, destination ARN, association type), with the entity's own ARN at one end.
    associations: tuple[tuple[str, str, str], ...]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Replacement:
        return cls(
            kind=EntityKind(data["kind"]),
            arn=data["arn"],
            name=data["name"],
            entity_type=data["entity_type"],
            source_uri=data["source_uri"],
            source_type=data["source_type"],
            status=data.get("status"),
            properties=dict(data.get("properties") or {}),
            associations=tuple((s, d, t) for s, d, t in data["associations"]),
        )


@dataclass
class MigrationReport:
    replaced: list[tuple[str, str]] = field(default_factory=list)  # (old ARN, new ARN)
    associations_moved: int = 0
    resumed: int = 0


class Journal:
    """Replacements begun and not finished, in a JSON file: written before anything is deleted."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def pending(self) -> list[Replacement]:
        if not self._path.exists():
            return []
        entries: list[dict[str, Any]] = json.loads(self._path.read_text(encoding="utf-8"))
        return [Replacement.from_json(entry) for entry in entries]

    def _write(self, replacements: list[Replacement]) -> None:
        if not replacements:
            self._path.unlink(missing_ok=True)
            return
        temporary = self._path.with_suffix(self._path.suffix + ".tmp")
        temporary.write_text(json.dumps([asdict(r) for r in replacements], indent=1), encoding="utf-8")
        temporary.replace(self._path)

    def begin(self, replacement: Replacement) -> None:
        self._write([*[r for r in self.pending() if r.arn != replacement.arn], replacement])

    def finish(self, replacement: Replacement) -> None:
        self._write([r for r in self.pending() if r.arn != replacement.arn])


class Migration:
    def __init__(self, gateway: SageMakerGateway, journal: Journal) -> None:
        self._gateway = gateway
        self._journal = journal

    def plan(self) -> list[Replacement]:
        """Every recorder-created context and action whose Source lacks the SourceType its key implies."""
        return list(self._outdated())

    def _outdated(self) -> Iterator[Replacement]:
        for kind in (EntityKind.CONTEXT, EntityKind.ACTION):
            for summary in self._gateway.summaries(kind):
                source = summary.get("Source") or {}
                wanted = EntityKey(kind, str(source.get("SourceUri", ""))).source_type
                if wanted is None or source.get("SourceType") == wanted:
                    continue
                arn = str(summary[_ARN_KEY[kind]])
                if not self._gateway.is_managed(arn):
                    continue  # SageMaker's or someone else's: never touched
                described = self._gateway.describe_entity(kind, arn)
                yield Replacement(
                    kind=kind,
                    arn=arn,
                    name=str(described[_NAME_KEY[kind]]),
                    entity_type=str(described[_TYPE_KEY[kind]]),
                    source_uri=str(source["SourceUri"]),
                    source_type=wanted,
                    status=described.get("Status"),
                    properties=dict(described.get("Properties") or {}),
                    associations=tuple(sorted(set(self._gateway.associations(arn)))),
                )

    def apply(self, replacements: list[Replacement]) -> MigrationReport:
        """Finish what an interrupted run began, then replace each of `replacements`."""
        report = MigrationReport()
        pending = self._journal.pending()
        report.resumed = len(pending)
        done: set[str] = set()
        for replacement in pending:
            self._record(report, replacement, self._replace(replacement))
            done.add(replacement.arn)
        for planned in replacements:
            if planned.arn in done:
                continue
            # Associations as they are now: an earlier replacement may have moved one end of them.
            current = replace(
                planned, associations=tuple(sorted(set(self._gateway.associations(planned.arn))))
            )
            self._record(report, current, self._replace(current))
        return report

    @staticmethod
    def _record(report: MigrationReport, replacement: Replacement, new_arn: str) -> None:
        report.replaced.append((replacement.arn, new_arn))
        report.associations_moved += len(replacement.associations)

    def _replace(self, replacement: Replacement) -> str:
        self._journal.begin(replacement)
        for source, destination, _ in replacement.associations:
            self._gateway.disassociate(source, destination)
        self._gateway.delete_entity(replacement.kind, replacement.name)
        new_arn, _ = self._gateway.create(
            replacement.kind,
            source_uri=replacement.source_uri,
            entity_type=replacement.entity_type,
            name=replacement.name,
            status=replacement.status,
            properties=replacement.properties,
            source_type=replacement.source_type,
        )
        for source, destination, association_type in replacement.associations:
            self._gateway.associate(
                new_arn if source == replacement.arn else source,
                new_arn if destination == replacement.arn else destination,
                association_type,
            )
        self._journal.finish(replacement)
        return new_arn
