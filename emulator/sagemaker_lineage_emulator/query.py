"""QueryLineage: a breadth-first walk over associations, with SageMaker's filters applied to the result.

The start entities are among the vertices when they pass the Filters (or, with IncludeEdges, when a
returned path starts at them): the SageMaker Python SDK marks the vertex whose ARN is a start ARN as the
start of its graph (``LineageQueryResult._covert_vertices_to_tuples``), and its real-AWS test of that
(tests/integ/sagemaker/lineage/test_lineage_visualize.py, test_graph_visualize) counts the start among the
five nodes of an unfiltered query; its ``EndpointContext.models_v2`` test (tests/integ/sagemaker/lineage/
test_endpoint_context.py, test_model_v2, passing in aws/sagemaker-python-sdk#2800) expects exactly one
model, so a start that fails the Filters is not returned.

Choices where the API reference is silent (recorded in docs/decisions.md):
- start entities come first, in StartArns order;
- ``Both`` is the union of the ascendant and the descendant walks, not a walk that changes direction;
- filters select which vertices are returned, but the walk goes on through vertices that do not match;
- with ``IncludeEdges`` the vertices on the path from a start entity to each match are returned too,
  and every association the walk met between returned entities;
- a start ARN that does not exist answers ResourceNotFound (the operation's only documented error).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sagemaker_lineage_emulator.store import Association, VertexInfo, describe_vertex, parse_arn, store_for


@dataclass(frozen=True)
class LineageFilters:
    types: frozenset[str] = frozenset()
    lineage_types: frozenset[str] = frozenset()
    created_before: datetime | None = None
    created_after: datetime | None = None
    modified_before: datetime | None = None
    modified_after: datetime | None = None
    properties: tuple[tuple[str, str], ...] = ()

    def matches(self, vertex: VertexInfo) -> bool:
        if self.types and vertex.vertex_type not in self.types:
            return False
        if self.lineage_types and vertex.lineage_type not in self.lineage_types:
            return False
        if not _within(vertex.creation_time, self.created_after, self.created_before):
            return False
        if not _within(vertex.last_modified_time, self.modified_after, self.modified_before):
            return False
        # "an entity is included in the results if it matches any of the provided pairs" (QueryFilters)
        if not self.properties:
            return True
        return any(vertex.properties.get(key) == value for key, value in self.properties)


def _within(moment: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    if moment is None:
        return False
    return (after is None or moment > after) and (before is None or moment < before)


def _associations_at(arn: str, caller_account: str, *, downstream: bool) -> list[Association]:
    """Edges touching ``arn``: those recorded by the caller's account and by the account owning ``arn``."""
    parsed = parse_arn(arn)
    seen: dict[tuple[str, str], Association] = {}
    for account in dict.fromkeys((caller_account, parsed.account)):
        for association in store_for(account, parsed.region).neighbours(arn, downstream=downstream):
            seen[(association.source_arn, association.destination_arn)] = association
    return list(seen.values())


@dataclass
class _Walk:
    parent_edge: dict[str, Association]
    order: list[str]
    # Every association met while walking, also those leading to a vertex already reached.
    traversed: list[Association]


def _walk(start: str, caller_account: str, max_depth: int, *, downstream: bool) -> _Walk:
    walk = _Walk(parent_edge={}, order=[], traversed=[])
    visited = {start}
    frontier: deque[tuple[str, int]] = deque([(start, 0)])
    while frontier:
        arn, depth = frontier.popleft()
        if depth >= max_depth:
            continue
        for association in _associations_at(arn, caller_account, downstream=downstream):
            nxt = association.destination_arn if downstream else association.source_arn
            walk.traversed.append(association)
            if nxt in visited:
                continue
            visited.add(nxt)
            walk.parent_edge[nxt] = association
            walk.order.append(nxt)
            frontier.append((nxt, depth + 1))
    return walk


def query_lineage(
    start_arns: list[str],
    *,
    direction: str,
    max_depth: int,
    include_edges: bool,
    filters: LineageFilters,
    caller_account: str,
) -> tuple[list[VertexInfo], list[Association]]:
    kept_vertices: dict[str, VertexInfo] = {}
    kept_edges: dict[tuple[str, str], Association] = {}
    starts = set(start_arns)
    start_vertices: dict[str, VertexInfo] = {}
    for start in start_arns:
        vertex = describe_vertex(start)
        if vertex is not None:
            start_vertices.setdefault(start, vertex)
            if filters.matches(vertex):
                kept_vertices.setdefault(start, vertex)
    for start in start_arns:
        walks = []
        if direction in ("Descendants", "Both"):
            walks.append((_walk(start, caller_account, max_depth, downstream=True), True))
        if direction in ("Ascendants", "Both"):
            walks.append((_walk(start, caller_account, max_depth, downstream=False), False))
        for walk, downstream in walks:
            for arn in walk.order:
                vertex = describe_vertex(arn)
                if vertex is None or not filters.matches(vertex):
                    continue
                kept_vertices.setdefault(arn, vertex)
                if include_edges:
                    _keep_path(
                        arn,
                        walk,
                        downstream=downstream,
                        starts=starts,
                        kept_vertices=kept_vertices,
                        kept_edges=kept_edges,
                    )
        if include_edges:
            # Edges between returned entities that the walk met off its shortest paths (a shared
            # image, a dataset two jobs read) belong to the answer too.
            ends = set(kept_vertices) | starts
            for walk, _ in walks:
                for edge in walk.traversed:
                    if edge.source_arn in ends and edge.destination_arn in ends:
                        kept_edges.setdefault((edge.source_arn, edge.destination_arn), edge)
    edges = list(kept_edges.values()) if include_edges else []
    # A start that an edge of the answer leaves from is on that path (IncludeEdges returns "the lineage
    # entities on the path"), so it is returned even when it does not pass the Filters.
    on_paths = {arn for edge in edges for arn in (edge.source_arn, edge.destination_arn)}
    ordered = {
        arn: vertex for arn, vertex in start_vertices.items() if arn in kept_vertices or arn in on_paths
    }
    for arn, vertex in kept_vertices.items():
        ordered.setdefault(arn, vertex)
    return list(ordered.values()), edges


def _keep_path(
    arn: str,
    walk: _Walk,
    *,
    downstream: bool,
    starts: set[str],
    kept_vertices: dict[str, VertexInfo],
    kept_edges: dict[tuple[str, str], Association],
) -> None:
    current = arn
    while current in walk.parent_edge:
        edge = walk.parent_edge[current]
        kept_edges[(edge.source_arn, edge.destination_arn)] = edge
        previous = edge.source_arn if downstream else edge.destination_arn
        if previous in starts:
            return
        vertex = describe_vertex(previous)
        if vertex is not None:
            kept_vertices.setdefault(previous, vertex)
        current = previous


def vertex_json(vertex: VertexInfo) -> dict[str, Any]:
    body: dict[str, Any] = {"Arn": vertex.arn, "LineageType": vertex.lineage_type}
    if vertex.vertex_type is not None:
        body["Type"] = vertex.vertex_type
    return body


def edge_json(edge: Association) -> dict[str, Any]:
    body: dict[str, Any] = {"SourceArn": edge.source_arn, "DestinationArn": edge.destination_arn}
    if edge.association_type is not None:
        body["AssociationType"] = edge.association_type
    return body
