"""Reading the lineage around an entity with QueryLineage, and showing it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

JOB_VERTEX_TYPES = {
    "SageMakerTrainingJob": "TrainingJob",
    "SageMakerProcessingJob": "ProcessingJob",
    "SageMakerTransformJob": "TransformJob",
}
DIRECTIONS = {"ascendants": "Ascendants", "descendants": "Descendants", "both": "Both"}


class StartNotFoundError(LookupError):
    pass


@dataclass
class LineageGraph:
    start_arn: str
    vertices: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    # Describe* answers already read for a vertex, so each one is described at most once.
    described: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_query_lineage(self) -> dict[str, Any]:
        return {
            "StartArn": self.start_arn,
            "Vertices": list(self.vertices.values()),
            "Edges": list(self.edges.values()),
        }


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
            }
        if kind == "TrialComponent":
            name = arn.rsplit("/", 1)[-1]
            source = sagemaker.describe_trial_component(TrialComponentName=name).get("Source", {})
            job_type = JOB_VERTEX_TYPES.get(source.get("SourceType", ""))
            return {"Type": job_type, "Name": name, "Uri": source.get("SourceArn", "")}
    except ClientError as error:
        return {"Type": None, "Name": None, "Uri": f"(not readable: {error.response['Error'].get('Code')})"}
    return {"Type": None, "Name": None, "Uri": ""}


def fetch(sagemaker: Any, start_arn: str, *, direction: str, depth: int) -> LineageGraph:
    graph = LineageGraph(start_arn)
    start = graph.described[start_arn] = describe_vertex(sagemaker, start_arn)
    graph.vertices[start_arn] = {
        "Arn": start_arn,
        "Type": start["Type"] or "",
        "LineageType": _lineage_type(start_arn),
    }
    request: dict[str, Any] = {
        "StartArns": [start_arn],
        "Direction": DIRECTIONS[direction],
        "IncludeEdges": True,
        "MaxDepth": depth,
    }
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
            graph.edges[(edge["SourceArn"], edge["DestinationArn"])] = {
                "SourceArn": edge["SourceArn"],
                "DestinationArn": edge["DestinationArn"],
                "AssociationType": edge.get("AssociationType", ""),
            }
        if not response.get("NextToken"):
            return graph
        request["NextToken"] = response["NextToken"]


def render_tree(sagemaker: Any, graph: LineageGraph, direction: str) -> str:
    """An indented tree from the start entity; ascendants list what fed into each vertex."""
    labels: dict[str, str] = {}

    def label(arn: str) -> str:
        if arn not in labels:
            if arn not in graph.described:
                graph.described[arn] = describe_vertex(sagemaker, arn)
            info = graph.described[arn]
            vertex = graph.vertices.get(arn, {})
            kind = info["Type"] or vertex.get("Type") or vertex.get("LineageType") or "?"
            state = f" ({info['State']})" if info.get("State") else ""
            labels[arn] = f"{kind} {info['Uri'] or info['Name'] or arn}{state}"
        return labels[arn]

    upstream: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    downstream: dict[str, list[tuple[str, dict[str, str]]]] = defaultdict(list)
    for (source, destination), edge in graph.edges.items():
        upstream[destination].append((source, edge))
        downstream[source].append((destination, edge))
    walks = []
    if direction in ("ascendants", "both"):
        walks.append(("<-", upstream))
    if direction in ("descendants", "both"):
        walks.append(("->", downstream))

    lines = [label(graph.start_arn)]

    def walk(arn: str, indent: int, arrow: str, neighbours: dict[str, Any], seen: set[str]) -> None:
        for other, edge in sorted(neighbours[arn], key=lambda pair: label(pair[0])):
            repeated = other in seen
            seen.add(other)
            suffix = " (see above)" if repeated else ""
            lines.append(f"{'    ' * indent}{arrow} [{edge['AssociationType']}] {label(other)}{suffix}")
            if not repeated:
                walk(other, indent + 1, arrow, neighbours, seen)

    for arrow, neighbours in walks:
        walk(graph.start_arn, 1, arrow, neighbours, {graph.start_arn})
    return "\n".join(lines)
