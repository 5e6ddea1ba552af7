"""What recording a plan would write, without writing: the entities and associations missing from SageMaker.

It stands in for the applier (same ``apply(plan) -> ApplyResult`` contract): each planned entity is looked
up as the resolver would (the job's trial component, else the oldest entity with its SourceUri), and each
edge whose two ends exist is checked with ListAssociations. A missing entity is reported "created" under a
placeholder ARN (``would-create:<kind>:<SourceUri>``); every edge to one is missing too. Nothing is written.
"""

from __future__ import annotations

from lineage_recorder.apply.applier import Applier, ApplyResult
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.plan import EntityKey, Plan, Vertex

PLACEHOLDER = "would-create:"


class DryRunApplier(Applier):
    """An applier that only reads (the recorder takes any Applier)."""

    def __init__(self, gateway: SageMakerGateway) -> None:
        super().__init__(gateway)
        self._gateway = gateway

    def begin_invocation(self) -> None:
        return None

    def apply(self, plan: Plan) -> ApplyResult:
        result = ApplyResult()
        for entity in plan.entities:
            found = None
            if entity.trial_component_name is not None:
                found = self._gateway.find_job_trial_component(
                    entity.trial_component_name, entity.key.source_uri
                )
            found = found or self._gateway.find_by_source_uri(entity.key.kind, entity.key.source_uri)
            if found is not None:
                result.arns[entity.key] = found
                result.reused.append((entity.key, found))
            elif not entity.existing_only:
                placeholder = f"{PLACEHOLDER}{entity.key.kind}:{entity.key.source_uri}"
                result.arns[entity.key] = placeholder
                result.created.append((entity.key, placeholder))

        def arn_of(vertex: Vertex) -> str | None:
            return result.arns.get(vertex) if isinstance(vertex, EntityKey) else vertex.arn

        for edge in plan.edges:
            source, destination = arn_of(edge.source), arn_of(edge.destination)
            if source is None or destination is None:
                continue
            missing = source.startswith(PLACEHOLDER) or destination.startswith(PLACEHOLDER)
            if missing or not self._gateway.has_association(source, destination, str(edge.association_type)):
                result.associations_created.append((source, destination))
            else:
                result.associations_existing += 1
        return result
