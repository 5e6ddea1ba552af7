"""Reading the whole lineage graph of an account, in a form tests can compare exactly."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from lineage_recorder.families.jobs import JOB_KINDS

JOB_SOURCE_TYPES = {kind.trial_component_source_type: kind.node_type for kind in JOB_KINDS}

Node = tuple[str, str]  # (type, key): key is the SourceUri, or the job ARN for a job node
Edge = tuple[Node, Node, str]


@dataclass(frozen=True)
class GraphSnapshot:
    nodes: frozenset[Node]
    edges: frozenset[Edge]
    entity_keys: Counter[tuple[str, str]]  # (kind, SourceUri) -> how many entities carry it
    association_pairs: Counter[tuple[str, str]]

    @property
    def duplicate_entities(self) -> dict[tuple[str, str], int]:
        return {key: count for key, count in self.entity_keys.items() if count > 1}

    @property
    def duplicate_associations(self) -> dict[tuple[str, str], int]:
        return {pair: count for pair, count in self.association_pairs.items() if count > 1}


def _all(sagemaker: Any, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for page in sagemaker.get_paginator(operation).paginate(**params):
        items.extend(page[key])
    return items


def snapshot(sagemaker: Any) -> GraphSnapshot:
    node_by_arn: dict[str, Node] = {}
    entity_keys: Counter[tuple[str, str]] = Counter()
    for operation, key, arn_key, type_key, kind in (
        ("list_artifacts", "ArtifactSummaries", "ArtifactArn", "ArtifactType", "artifact"),
        ("list_actions", "ActionSummaries", "ActionArn", "ActionType", "action"),
        ("list_contexts", "ContextSummaries", "ContextArn", "ContextType", "context"),
    ):
        for summary in _all(sagemaker, operation, key):
            uri = summary["Source"]["SourceUri"]
            node_by_arn[summary[arn_key]] = (summary[type_key], uri)
            entity_keys[(kind, uri)] += 1
    for summary in _all(sagemaker, "list_trial_components", "TrialComponentSummaries"):
        source = summary.get("TrialComponentSource")
        if source:
            node_by_arn[summary["TrialComponentArn"]] = (
                JOB_SOURCE_TYPES[source["SourceType"]],
                source["SourceArn"],
            )
            # A job has one node, whether SageMaker's trial component or the recorder's action.
            entity_keys[("action", source["SourceArn"])] += 1
    edges: set[Edge] = set()
    pairs: Counter[tuple[str, str]] = Counter()
    for association in _all(sagemaker, "list_associations", "AssociationSummaries"):
        source, destination = association["SourceArn"], association["DestinationArn"]
        pairs[(source, destination)] += 1
        edges.add((node_by_arn[source], node_by_arn[destination], association.get("AssociationType", "")))
    used = {node for edge in edges for node in edge[:2]}
    return GraphSnapshot(
        nodes=frozenset(
            used | {node for node in node_by_arn.values() if node[0] not in JOB_SOURCE_TYPES.values()}
        ),
        edges=frozenset(edges),
        entity_keys=entity_keys,
        association_pairs=pairs,
    )
