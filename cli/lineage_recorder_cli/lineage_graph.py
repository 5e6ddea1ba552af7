"""Reading the lineage around an entity with QueryLineage, and showing it.

Across accounts (``peers``: account -> SageMaker client acting there): every vertex's SameAs links are
read in both directions with its owner's client, and the lineage of each twin in another account is
queried there and merged, so a trace from a prod endpoint reaches the training data in dev.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError
from lineage_recorder.families.jobs import JOB_KINDS

# A job's trial component, by its SourceType, is shown as its kind's node type (QueryLineage does the same).
JOB_VERTEX_TYPES = {kind.trial_component_source_type: kind.node_type for kind in JOB_KINDS}
DIRECTIONS = {"ascendants": "Ascendants", "descendants": "Descendants", "both": "Both"}
SAME_AS = "SameAs"
# Twins followed into other accounts per trace, at most (each costs a QueryLineage and two List calls).
MAX_TWINS = 100
# Contexts that group the work that made something (a tuning job its training jobs, a pipeline execution
# its steps' jobs and packages, a pipeline its executions). Members point at their group, so the group is
# downstream of what an ascendants trace walks: the trace adds, for each vertex that can be a member, the
# groups it is AssociatedWith ("part of").
GROUP_TYPES = frozenset({"HyperParameterTuningJob", "PipelineExecution", "Pipeline"})
_MEMBER_TYPES = frozenset(
    {"TrainingJob", "ProcessingJob", "TransformJob", "LabelingJob", "Model", *GROUP_TYPES}
)
ASSOCIATED_WITH = "AssociatedWith"


class StartNotFoundError(LookupError):
    pass


@dataclass(frozen=True)
class VertexFilter:
    """Which vertices the list, CSV and JSON formats keep (the start entity always): by type (Endpoint,
    DataSet, ...), lineage type (Artifact, Action, Context, TrialComponent) and creation time."""

    types: frozenset[str] = frozenset()
    lineage_types: frozenset[str] = frozenset()
    created_after: datetime | None = None
    created_before: datetime | None = None

    def keeps(self, vertex: Mapping[str, Any], created: datetime | None) -> bool:
        if self.types and vertex.get("Type") not in self.types:
            return False
        if self.lineage_types and vertex.get("LineageType") not in self.lineage_types:
            return False
        if self.created_after is not None and (created is None or created <= self.created_after):
            return False
        return not (self.created_before is not None and (created is None or created >= self.created_before))


EVERYTHING = VertexFilter()


@dataclass
class LineageGraph:
    start_arn: str
    vertices: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    # Describe* answers already read for a vertex, so each one is described at most once.
    described: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Other names of a collapsed vertex (its SameAs twins), when the graph was collapsed.
    twins: dict[str, list[str]] = field(default_factory=dict)
    # vertex -> the group contexts it is part of (GROUP_TYPES), when an ascendants trace asked for them.
    groups: dict[str, list[str]] = field(default_factory=dict)
    # Vertices whose groups could not be read (access denied in a peer account), with the error code.
    unreadable: list[str] = field(default_factory=list)
    # How many hops the walk went, and the vertices it stopped at because the depth asked for was reached
    # (they may have more lineage): the trace says so rather than cutting silently.
    depth_reached: int = 0
    frontier: list[str] = field(default_factory=list)

    def kept(self, arn: str, only: VertexFilter) -> bool:
        created = self.described.get(arn, {}).get("Created")
        return arn == self.start_arn or only.keeps(self.vertices.get(arn, {}), created)

    def as_query_lineage(self, only: VertexFilter = EVERYTHING) -> dict[str, Any]:
        """QueryLineage's shape; each vertex also says its SourceUri, name, state and account (when it has
        been described: `describe_all`). `only`: the vertices kept (and the edges between them), as
        QueryLineage's Filters would."""
        vertices = {
            arn: {**vertex, **self.details(arn)}
            for arn, vertex in self.vertices.items()
            if self.kept(arn, only)
        }
        return {
            "StartArn": self.start_arn,
            "Vertices": list(vertices.values()),
            "Edges": [
                edge
                for (source, destination), edge in self.edges.items()
                if source in vertices and destination in vertices
            ],
            "DepthReached": self.depth_reached,
            "Truncated": bool(self.frontier),
            "Frontier": list(self.frontier),
        }

    def details(self, arn: str) -> dict[str, str | None]:
        described = self.described.get(arn)
        if described is None:
            return {"Account": account_of(arn)}
        created = described.get("Created")
        return {
            "SourceUri": described.get("Uri") or None,
            "Name": described.get("Name"),
            "State": described.get("State"),
            "Created": created.isoformat() if isinstance(created, datetime) else None,
            "Account": account_of(arn),
        }


DESCRIBE_WORKERS = 8


def describe_all(
    sagemaker: Any,
    graph: LineageGraph,
    peers: Mapping[str, Any] | None,
    workers: int = DESCRIBE_WORKERS,
    only: VertexFilter = EVERYTHING,
) -> None:
    """Describe every vertex not described yet, several at once (each once per trace). With `only` by type
    or lineage type, the vertices it leaves out are not described at all: QueryLineage already said what
    they are, so "which endpoints use this data set" costs a describe per endpoint, not per vertex."""
    typed_only = VertexFilter(types=only.types, lineage_types=only.lineage_types)
    describe_some(
        sagemaker,
        graph,
        peers,
        [
            arn
            for arn, vertex in graph.vertices.items()
            if arn == graph.start_arn or typed_only.keeps(vertex, None)
        ],
        workers,
    )


def describe_some(
    sagemaker: Any,
    graph: LineageGraph,
    peers: Mapping[str, Any] | None,
    arns: list[str],
    workers: int = DESCRIBE_WORKERS,
) -> None:
    """Describe those of `arns` not described yet, several at once."""
    pending = list(dict.fromkeys(arn for arn in arns if arn not in graph.described))
    if not pending:
        return
    if len(pending) == 1 or workers <= 1:
        for arn in pending:
            graph.described[arn] = describe_vertex(client_for(sagemaker, peers, arn), arn)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(pending))) as pool:
        answers = pool.map(lambda arn: describe_vertex(client_for(sagemaker, peers, arn), arn), pending)
        for arn, answer in zip(pending, answers, strict=True):
            graph.described[arn] = answer


def render_list(graph: LineageGraph, only: VertexFilter = EVERYTHING) -> str:
    """One line per vertex `only` keeps: type, SourceUri and state, in natural order."""
    rows = [
        (vertex.get("Type") or vertex.get("LineageType") or "?", graph.details(arn))
        for arn, vertex in graph.vertices.items()
        if arn != graph.start_arn and graph.kept(arn, only)
    ]
    lines = [
        f"{kind} {details.get('SourceUri') or _name(details)}"
        + (f" ({details['State']})" if details.get("State") else "")
        for kind, details in sorted(rows, key=lambda row: (row[0], _natural(str(row[1].get("SourceUri")))))
    ]
    if graph.frontier:
        lines.append(
            f"(stopped at depth {graph.depth_reached}: {len(graph.frontier)} vertices have more lineage)"
        )
    return "\n".join(lines) if lines else "(nothing found)"


CSV_COLUMNS = ("Arn", "Type", "LineageType", "SourceUri", "Name", "State", "Created", "Account")


def render_csv(graph: LineageGraph, only: VertexFilter = EVERYTHING) -> str:
    """The vertices as CSV (one row each, with a header), for a spreadsheet."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for vertex in graph.as_query_lineage(only)["Vertices"]:
        writer.writerow({column: vertex.get(column) or "" for column in CSV_COLUMNS})
    return out.getvalue().rstrip("\n")


TABLE_COLUMNS = ("Type", "SourceUri", "Name", "State", "Account", "Created")


def render_table(graph: LineageGraph, only: VertexFilter = EVERYTHING) -> str:
    """The vertices `only` keeps as an aligned table (type, SourceUri, name, state, account, created), in
    natural order: for reading at a terminal. Drawn by rich, never wrapped (a long URI stays whole)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    table = Table(*TABLE_COLUMNS, box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    vertices = [
        vertex for vertex in graph.as_query_lineage(only)["Vertices"] if vertex["Arn"] != graph.start_arn
    ]
    for vertex in sorted(vertices, key=lambda v: (v.get("Type") or "", _natural(str(v.get("SourceUri"))))):
        kind = vertex.get("Type") or vertex.get("LineageType") or "?"
        table.add_row(kind, *(str(vertex.get(column) or "") for column in TABLE_COLUMNS[1:]))
    out = io.StringIO()
    Console(file=out, width=100_000, color_system=None, highlight=False).print(table)
    lines = [line.rstrip() for line in out.getvalue().splitlines()]
    if graph.frontier:
        lines.append(
            f"(stopped at depth {graph.depth_reached}: {len(graph.frontier)} vertices have more lineage)"
        )
    return "\n".join(lines) if vertices else "(nothing found)"


def _caption(graph: LineageGraph, arn: str) -> str:
    vertex, details = graph.vertices.get(arn, {}), graph.details(arn)
    kind = vertex.get("Type") or vertex.get("LineageType") or "?"
    return f"{kind}: {details.get('SourceUri') or details.get('Name') or arn}"


def render_mermaid(graph: LineageGraph) -> str:
    """A Mermaid flowchart (GitHub, GitLab and most wikis draw it), data flowing left to right."""
    ids = {arn: f"v{index}" for index, arn in enumerate(graph.vertices)}
    lines = ["flowchart LR"]
    for arn, node in ids.items():
        text = _caption(graph, arn).replace('"', "#quot;")
        lines.append(f'    {node}["{text}"]')
    for (source, destination), edge in graph.edges.items():
        if source in ids and destination in ids:
            lines.append(f"    {ids[source]} -->|{edge['AssociationType']}| {ids[destination]}")
    lines.append(f"    style {ids[graph.start_arn]} stroke-width:4px")
    return "\n".join(lines)


def render_dot(graph: LineageGraph) -> str:
    """Graphviz DOT (`dot -Tsvg`), data flowing left to right, the start entity in bold."""

    def quoted(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph lineage {", "    rankdir=LR;", "    node [shape=box];"]
    for arn in graph.vertices:
        style = ", style=bold" if arn == graph.start_arn else ""
        lines.append(f"    {quoted(arn)} [label={quoted(_caption(graph, arn))}{style}];")
    for (source, destination), edge in graph.edges.items():
        lines.append(
            f"    {quoted(source)} -> {quoted(destination)} [label={quoted(edge['AssociationType'])}];"
        )
    lines.append("}")
    return "\n".join(lines)


def _name(details: dict[str, str | None]) -> str:
    return str(details.get("Name") or "")


def _natural(text: str) -> list[Any]:
    """Sort key that orders step-2 before step-10."""
    return [int(part) if part.isdigit() else part for part in re.split(r"([0-9]+)", text)]


def _lineage_type(arn: str) -> str:
    resource_type = arn.split(":", 5)[-1].split("/", 1)[0]
    return {
        "artifact": "Artifact",
        "action": "Action",
        "context": "Context",
        "experiment-trial-component": "TrialComponent",
    }.get(resource_type, resource_type)


def resolve_start(sagemaker: Any, arn_or_source_uri: str) -> str:
    """An entity ARN as given; a job ARN's node; or the oldest entity recorded for a SourceUri."""
    if arn_or_source_uri.startswith("arn:") and ":sagemaker:" in arn_or_source_uri:
        kind = _lineage_type(arn_or_source_uri)
        if kind in ("Artifact", "Action", "Context", "TrialComponent"):
            if not _exists(sagemaker, arn_or_source_uri, kind):
                raise StartNotFoundError(
                    f"no lineage entity {arn_or_source_uri!r} in this account and Region: check the ARN, "
                    "and the credentials and Region you trace with"
                )
            return arn_or_source_uri
        if kind.endswith("-job"):
            components = sagemaker.list_trial_components(SourceArn=arn_or_source_uri).get(
                "TrialComponentSummaries", []
            )
            if components:
                return str(components[0]["TrialComponentArn"])
    for operation, key, arn_key in (
        ("list_artifacts", "ArtifactSummaries", "ArtifactArn"),
        ("list_contexts", "ContextSummaries", "ContextArn"),
        ("list_actions", "ActionSummaries", "ActionArn"),
    ):
        summaries = getattr(sagemaker, operation)(
            SourceUri=arn_or_source_uri, SortBy="CreationTime", SortOrder="Ascending"
        ).get(key, [])
        if summaries:
            return str(summaries[0][arn_key])
    raise StartNotFoundError(f"no lineage entity has SourceUri {arn_or_source_uri!r}")


def _exists(sagemaker: Any, arn: str, kind: str) -> bool:
    """Whether the entity `arn` can be described; other failures (throttling, access) raise."""
    try:
        if kind == "TrialComponent":
            sagemaker.describe_trial_component(TrialComponentName=arn.rsplit("/", 1)[-1])
        else:
            operation, parameter, _ = _DESCRIBE[kind]
            getattr(sagemaker, operation)(**{parameter: arn})
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code")
        if code in ("ResourceNotFound", "ResourceNotFoundException", "ValidationException"):
            return False
        raise
    return True


_DESCRIBE = {
    # lineage type -> (operation, the parameter that takes the ARN, the prefix of its response fields)
    "Artifact": ("describe_artifact", "ArtifactArn", "Artifact"),
    "Action": ("describe_action", "ActionName", "Action"),
    "Context": ("describe_context", "ContextName", "Context"),
}


# Properties that say what state a vertex is in: shown next to it in the tree.
STATE_PROPERTIES = ("ModelApprovalStatus", "EndpointStatus", "SupersededBy")


def _state(body: dict[str, Any]) -> str | None:
    properties = body.get("Properties") or {}
    parts = [f"{key}={properties[key]}" for key in STATE_PROPERTIES if properties.get(key)]
    if body.get("Status") and body["Status"] != "Completed":
        parts.insert(0, str(body["Status"]))
    return ", ".join(parts) or None


def describe_vertex(sagemaker: Any, arn: str) -> dict[str, Any]:
    """Type, name and SourceUri of one vertex, read with the matching Describe call."""
    kind = _lineage_type(arn)
    try:
        if kind in _DESCRIBE:
            operation, parameter, prefix = _DESCRIBE[kind]
            body = getattr(sagemaker, operation)(**{parameter: arn})
            return {
                "Type": body.get(f"{prefix}Type"),
                "Name": body.get(f"{prefix}Name"),
                "Uri": body["Source"]["SourceUri"],
                "State": _state(body),
                "Created": body.get("CreationTime"),
            }
        if kind == "TrialComponent":
            name = arn.rsplit("/", 1)[-1]
            body = sagemaker.describe_trial_component(TrialComponentName=name)
            source = body.get("Source", {})
            job_type = JOB_VERTEX_TYPES.get(source.get("SourceType", ""))
            return {
                "Type": job_type,
                "Name": name,
                "Uri": source.get("SourceArn", ""),
                "Created": body.get("CreationTime"),
            }
    except ClientError as error:
        return {"Type": None, "Name": None, "Uri": f"(not readable: {error.response['Error'].get('Code')})"}
    return {"Type": None, "Name": None, "Uri": ""}


def account_of(arn: str) -> str:
    parts = arn.split(":")
    return parts[4] if len(parts) > 4 else ""


def client_for(sagemaker: Any, peers: Mapping[str, Any] | None, arn: str) -> Any:
    """The client to read ``arn`` with: its owner's when that is a peer given to the trace, else local."""
    return (peers or {}).get(account_of(arn), sagemaker)


def fetch(
    sagemaker: Any,
    start_arn: str,
    *,
    direction: str,
    depth: int,
    peers: Mapping[str, Any] | None = None,
) -> LineageGraph:
    """QueryLineage from ``start_arn``; with ``peers`` (possibly empty), SameAs twins are followed too."""
    graph = _query(sagemaker, start_arn, direction=direction, depth=depth)
    if peers is not None:
        _follow_twins(sagemaker, graph, direction=direction, depth=depth, peers=peers)
    if direction in ("ascendants", "both"):
        _add_groups(sagemaker, graph, peers)
    return graph


def _add_groups(sagemaker: Any, graph: LineageGraph, peers: Mapping[str, Any] | None) -> None:
    """For each vertex that can be part of a group, the group contexts it is AssociatedWith (and theirs),
    as vertices and edges of the graph."""
    pending = [arn for arn, vertex in graph.vertices.items() if vertex.get("Type") in _MEMBER_TYPES]
    asked: set[str] = set()
    while pending:
        arn = pending.pop()
        if arn in asked:
            continue
        asked.add(arn)
        client = client_for(sagemaker, peers, arn)
        try:
            summaries = [
                summary
                for page in client.get_paginator("list_associations").paginate(
                    SourceArn=arn, AssociationType=ASSOCIATED_WITH
                )
                for summary in page.get("AssociationSummaries", [])
            ]
        except ClientError as error:
            # Not readable with the credentials at hand: shown without its groups, and said.
            graph.unreadable.append(f"{arn}: {error.response.get('Error', {}).get('Code')}")
            continue
        if summaries:
            for summary in summaries:
                group_type = summary.get("DestinationType", "")
                if group_type not in GROUP_TYPES:
                    continue
                group = summary["DestinationArn"]
                graph.vertices.setdefault(group, {"Arn": group, "Type": group_type, "LineageType": "Context"})
                graph.edges[(arn, group)] = {
                    "SourceArn": arn,
                    "DestinationArn": group,
                    "AssociationType": ASSOCIATED_WITH,
                }
                graph.groups.setdefault(arn, []).append(group)
                pending.append(group)


def _follow_twins(
    sagemaker: Any, graph: LineageGraph, *, direction: str, depth: int, peers: Mapping[str, Any]
) -> None:
    start_arn = graph.start_arn
    expanded = {start_arn}
    checked: set[str] = set()
    while len(expanded) <= MAX_TWINS:
        pending = [arn for arn in list(graph.vertices) if arn not in checked]
        if not pending:
            break
        for arn in pending:
            checked.add(arn)
            for twin in _same_as_twins(client_for(sagemaker, peers, arn), arn, graph):
                if twin in expanded or len(expanded) > MAX_TWINS:
                    continue
                expanded.add(twin)
                try:
                    found = _query(client_for(sagemaker, peers, twin), twin, direction=direction, depth=depth)
                except ClientError:
                    continue  # not readable with the credentials at hand: the twin stays a leaf
                for vertex_arn, vertex in found.vertices.items():
                    graph.vertices.setdefault(vertex_arn, vertex)
                graph.edges.update(found.edges)
                for vertex_arn, described in found.described.items():
                    graph.described.setdefault(vertex_arn, described)
                graph.frontier = sorted({*graph.frontier, *found.frontier})


def _same_as_twins(sagemaker: Any, arn: str, graph: LineageGraph) -> list[str]:
    """The SameAs neighbours of ``arn`` either way round, added to ``graph`` as vertices and edges."""
    twins: list[str] = []
    for this_end, other_end in (("SourceArn", "DestinationArn"), ("DestinationArn", "SourceArn")):
        try:
            summaries = sagemaker.list_associations(**{this_end: arn, "AssociationType": SAME_AS}).get(
                "AssociationSummaries", []
            )
        except ClientError:
            continue
        for summary in summaries:
            other = str(summary[other_end])
            other_type = summary.get("DestinationType" if other_end == "DestinationArn" else "SourceType", "")
            graph.vertices.setdefault(
                other, {"Arn": other, "Type": other_type or "", "LineageType": _lineage_type(other)}
            )
            source, destination = str(summary["SourceArn"]), str(summary["DestinationArn"])
            graph.edges[(source, destination)] = {
                "SourceArn": source,
                "DestinationArn": destination,
                "AssociationType": SAME_AS,
            }
            twins.append(other)
    return twins


def collapse_same_as(graph: LineageGraph) -> LineageGraph:
    """One vertex per set of SameAs twins, as the SageMaker SDK shows cross-account lineage.

    The representative is the twin in the start entity's account when there is one, else the smallest
    ARN; SameAs edges disappear, and every other edge is moved onto the representatives.
    """
    parent = {arn: arn for arn in graph.vertices}
    parent.setdefault(graph.start_arn, graph.start_arn)

    def root(arn: str) -> str:
        parent.setdefault(arn, arn)
        while parent[arn] != arn:
            parent[arn] = parent[parent[arn]]
            arn = parent[arn]
        return arn

    home = account_of(graph.start_arn)

    def better(a: str, b: str) -> str:
        if graph.start_arn in (a, b):
            return graph.start_arn
        return min(a, b, key=lambda arn: (account_of(arn) != home, arn))

    for (source, destination), edge in graph.edges.items():
        if edge["AssociationType"] == SAME_AS:
            a, b = root(source), root(destination)
            if a != b:
                keep = better(a, b)
                parent[a] = parent[b] = keep
    collapsed = LineageGraph(
        graph.start_arn,
        described=graph.described,
        depth_reached=graph.depth_reached,
        frontier=list(graph.frontier),
    )
    for arn, vertex in graph.vertices.items():
        representative = root(arn)
        if representative == arn or representative not in graph.vertices:
            collapsed.vertices.setdefault(representative, graph.vertices.get(representative, vertex))
        if representative != arn:
            collapsed.twins.setdefault(representative, []).append(arn)
    for (source, destination), edge in graph.edges.items():
        a, b = root(source), root(destination)
        if edge["AssociationType"] == SAME_AS or a == b:
            continue
        collapsed.edges.setdefault((a, b), {**edge, "SourceArn": a, "DestinationArn": b})
    for member, groups in graph.groups.items():
        kept = collapsed.groups.setdefault(root(member), [])
        kept.extend(root(group) for group in groups if root(group) not in kept)
    return collapsed


# QueryLineage walks at most this many hops per call (botocore: QueryLineageMaxDepth) and takes one start.
HOPS_PER_CALL = 10


def _query(sagemaker: Any, start_arn: str, *, direction: str, depth: int) -> LineageGraph:
    """The lineage `depth` hops around `start_arn`, past QueryLineage's ten hops per call: each vertex the
    walk reached at a call's last hop is queried again from there, until the graph ends or `depth` is
    reached. Vertices the walk stopped at (the depth was reached) are the graph's `frontier`."""
    graph = LineageGraph(start_arn)
    start = graph.described[start_arn] = describe_vertex(sagemaker, start_arn)
    graph.vertices[start_arn] = {
        "Arn": start_arn,
        "Type": start["Type"] or "",
        "LineageType": _lineage_type(start_arn),
    }
    reached = {start_arn: 0}  # vertex -> the fewest hops it is from the start
    pending = [start_arn]
    queried: set[str] = set()
    while pending:
        origin = pending.pop(0)
        if origin in queried:
            continue
        queried.add(origin)
        hops = min(HOPS_PER_CALL, depth - reached[origin])
        found = _query_once(sagemaker, origin, direction=direction, hops=hops, graph=graph)
        for arn, distance in _distances(origin, found, direction).items():
            total = reached[origin] + distance
            if total < reached.get(arn, total + 1):
                reached[arn] = total
            if distance == hops and arn not in queried and total < depth:
                pending.append(arn)  # QueryLineage stopped here, the trace goes on
    graph.depth_reached = max(reached.values())
    at_limit = sorted(arn for arn, total in reached.items() if total >= depth)
    checked = at_limit[:MAX_FRONTIER_CHECKS]
    graph.frontier = [arn for arn in checked if _has_more(sagemaker, graph, arn, direction)]
    graph.frontier += at_limit[MAX_FRONTIER_CHECKS:]  # not asked: said as possibly having more
    return graph


# Siblings of one type shown under a vertex in the tree; the rest are one "+N more" line.
SIBLINGS_SHOWN = 20
# Vertices at the depth limit asked whether their lineage goes on (one QueryLineage each), at most.
MAX_FRONTIER_CHECKS = 50


def _has_more(sagemaker: Any, graph: LineageGraph, arn: str, direction: str) -> bool:
    """Whether the lineage goes on past `arn` (an edge the trace does not hold yet, one hop away)."""
    response = sagemaker.query_lineage(
        StartArns=[arn], Direction=DIRECTIONS[direction], IncludeEdges=True, MaxDepth=1
    )
    known = graph.edges
    return any((edge["SourceArn"], edge["DestinationArn"]) not in known for edge in response.get("Edges", []))


def _query_once(
    sagemaker: Any, origin: str, *, direction: str, hops: int, graph: LineageGraph
) -> set[tuple[str, str]]:
    """One QueryLineage from `origin` (every page), merged into `graph`; the edges it returned."""
    request: dict[str, Any] = {
        "StartArns": [origin],
        "Direction": DIRECTIONS[direction],
        "IncludeEdges": True,
        "MaxDepth": hops,
    }
    found: set[tuple[str, str]] = set()
    while True:
        response = sagemaker.query_lineage(**request)
        for vertex in response.get("Vertices", []):
            graph.vertices.setdefault(
                vertex["Arn"],
                {
                    "Arn": vertex["Arn"],
                    "Type": vertex.get("Type", ""),
                    "LineageType": vertex.get("LineageType", ""),
                },
            )
        for edge in response.get("Edges", []):
            key = (edge["SourceArn"], edge["DestinationArn"])
            found.add(key)
            graph.edges[key] = {
                "SourceArn": edge["SourceArn"],
                "DestinationArn": edge["DestinationArn"],
                "AssociationType": edge.get("AssociationType", ""),
            }
        if not response.get("NextToken"):
            return found
        request["NextToken"] = response["NextToken"]


def _distances(origin: str, edges: set[tuple[str, str]], direction: str) -> dict[str, int]:
    """Hops from `origin` to each vertex over `edges`, walked as QueryLineage walks them: against the edges
    for ascendants, along them for descendants, either way for both."""
    neighbours: dict[str, list[str]] = defaultdict(list)
    for source, destination in edges:
        if direction in ("ascendants", "both"):
            neighbours[destination].append(source)
        if direction in ("descendants", "both"):
            neighbours[source].append(destination)
    distances = {origin: 0}
    queue = [origin]
    for arn in queue:
        for other in neighbours[arn]:
            if other not in distances:
                distances[other] = distances[arn] + 1
                queue.append(other)
    return distances


Neighbours = dict[str, list[tuple[str, dict[str, str]]]]


def _tree_walks(graph: LineageGraph, direction: str) -> list[tuple[str, Neighbours]]:
    """(arrow, each vertex's neighbours) for each way the tree walks from the start entity."""
    upstream: Neighbours = defaultdict(list)
    downstream: Neighbours = defaultdict(list)
    group_edges = {(member, group) for member, groups in graph.groups.items() for group in groups}
    for (source, destination), edge in graph.edges.items():
        if (source, destination) in group_edges:
            continue  # shown as "part of" under the member, not as lineage it fed
        upstream[destination].append((source, edge))
        downstream[source].append((destination, edge))
        if edge["AssociationType"] == SAME_AS:
            # Twins are the same thing: the walk crosses a SameAs edge whichever way it points.
            upstream[source].append((destination, edge))
            downstream[destination].append((source, edge))
    walks = []
    if direction in ("ascendants", "both"):
        walks.append(("<-", upstream))
    if direction in ("descendants", "both"):
        walks.append(("->", downstream))
    return walks


def _shown_siblings(
    siblings: list[tuple[str, dict[str, str]]], label: Any, came_from: str
) -> tuple[list[tuple[str, dict[str, str]]], dict[str, int]]:
    """The siblings a tree line shows (natural order, SIBLINGS_SHOWN per type), and how many of each type
    it folds into "+N more"."""
    shown: list[tuple[str, dict[str, str]]] = []
    shown_of_type: dict[str, int] = defaultdict(int)
    hidden_of_type: dict[str, int] = defaultdict(int)
    for other, edge in sorted(siblings, key=lambda pair: _natural(label(pair[0]))):
        if other == came_from and edge["AssociationType"] == SAME_AS:
            continue  # the twin the walk just crossed from
        kind = label(other).split(" ", 1)[0]
        if shown_of_type[kind] >= SIBLINGS_SHOWN:
            hidden_of_type[kind] += 1
            continue
        shown_of_type[kind] += 1
        shown.append((other, edge))
    return shown, hidden_of_type


def render_tree(
    sagemaker: Any,
    graph: LineageGraph,
    direction: str,
    peers: Mapping[str, Any] | None = None,
    workers: int = DESCRIBE_WORKERS,
) -> str:
    """An indented tree from the start entity; ascendants list what fed into each vertex.

    Only what the tree shows is described: level by level from the start, each shown vertex's neighbours
    (to sort them) and groups, several at once. The lineage folded under a "+N more" line is never read,
    so a shared data set's tree costs a fraction of its graph's describes.

    When the graph spans several accounts, each line starts with the account its vertex belongs to
    (a collapsed vertex also names the accounts of its twins); SameAs edges show as ``[SameAs]``.
    """
    labels: dict[str, str] = {}
    accounts = {account_of(arn) for arn in [graph.start_arn, *graph.vertices]}
    for twins in graph.twins.values():
        accounts.update(account_of(arn) for arn in twins)
    several = len(accounts) > 1

    def label(arn: str) -> str:
        if arn not in labels:
            if arn not in graph.described:
                graph.described[arn] = describe_vertex(client_for(sagemaker, peers, arn), arn)
            info = graph.described[arn]
            vertex = graph.vertices.get(arn, {})
            kind = info["Type"] or vertex.get("Type") or vertex.get("LineageType") or "?"
            state = f" ({info['State']})" if info.get("State") else ""
            owner = ""
            if several:
                names = [account_of(arn), *(account_of(twin) for twin in graph.twins.get(arn, []))]
                owner = f"[{'='.join(dict.fromkeys(names))}] "
            labels[arn] = f"{owner}{kind} {info['Uri'] or info['Name'] or arn}{state}"
        return labels[arn]

    walks = _tree_walks(graph, direction)
    _describe_what_the_tree_shows(sagemaker, graph, walks, label, peers=peers, workers=workers)
    lines = [label(graph.start_arn)]

    def part_of(arn: str, indent: int, shown: set[str]) -> None:
        """The groups `arn` is part of (a tuning job, a pipeline execution and its pipeline)."""
        for group in sorted(graph.groups.get(arn, []), key=label):
            lines.append(f"{'    ' * indent}in [{ASSOCIATED_WITH}] {label(group)}")
            if group not in shown:
                shown.add(group)
                part_of(group, indent + 1, shown)

    def walk(
        arn: str, indent: int, arrow: str, neighbours: Neighbours, seen: set[str], *, came_from: str = ""
    ) -> None:
        shown, hidden_of_type = _shown_siblings(neighbours[arn], label, came_from)
        for other, edge in shown:
            repeated = other in seen
            seen.add(other)
            suffix = " (see above)" if repeated else ""
            lines.append(f"{'    ' * indent}{arrow} [{edge['AssociationType']}] {label(other)}{suffix}")
            if not repeated:
                part_of(other, indent + 1, set())
                walk(other, indent + 1, arrow, neighbours, seen, came_from=arn)
        for kind, hidden in sorted(hidden_of_type.items()):
            lines.append(
                f"{'    ' * indent}{arrow} ... +{hidden} more {kind} "
                f"(--format list --type {kind} lists them all)"
            )

    part_of(graph.start_arn, 1, set())
    for arrow, neighbours in walks:
        walk(graph.start_arn, 1, arrow, neighbours, {graph.start_arn})
    if graph.frontier:
        lines.append(
            f"(stopped at depth {graph.depth_reached}: {len(graph.frontier)} vertices have more lineage; "
            "give a larger --depth, or trace from one of them)"
        )
    if graph.unreadable:
        shown = ", ".join(graph.unreadable[:3])
        lines.append(f"(groups not readable for {len(graph.unreadable)} vertices: {shown})")
    return "\n".join(lines)


def _describe_what_the_tree_shows(
    sagemaker: Any,
    graph: LineageGraph,
    walks: list[tuple[str, Neighbours]],
    label: Any,
    *,
    peers: Mapping[str, Any] | None,
    workers: int,
) -> None:
    """Describe, a level at a time and several at once, every vertex the tree may show: the neighbours
    and groups of each vertex it shows, starting from the start entity. (A vertex the walk meets twice
    is expanded once; this reads both places, a small superset.)"""

    def groups_up(arns: list[str]) -> list[str]:
        found: dict[str, None] = {}
        pending = list(arns)
        while pending:
            for group in graph.groups.get(pending.pop(), []):
                if group not in found:
                    found[group] = None
                    pending.append(group)
        return list(found)

    level: list[tuple[str, str]] = [(graph.start_arn, "")]
    expanded: set[str] = set()
    describe_some(sagemaker, graph, peers, [graph.start_arn, *groups_up([graph.start_arn])], workers)
    while level:
        expanded.update(arn for arn, _ in level)
        siblings = [other for arn, _ in level for _, neighbours in walks for other, _ in neighbours[arn]]
        describe_some(sagemaker, graph, peers, siblings, workers)
        following: list[tuple[str, str]] = []
        for arn, came_from in level:
            for _, neighbours in walks:
                shown, _ = _shown_siblings(neighbours[arn], label, came_from)
                following.extend((other, arn) for other, _ in shown if other not in expanded)
        describe_some(sagemaker, graph, peers, groups_up([other for other, _ in following]), workers)
        level = list(dict.fromkeys(following))
