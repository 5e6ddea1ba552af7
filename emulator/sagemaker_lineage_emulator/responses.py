"""The SageMaker lineage operations, as request handlers that moto's SageMaker dispatcher can call.

Each handler validates its request against botocore's model, applies the store's rules and returns
a shape that moto serialises with the operation's output model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from moto.core.responses import ActionResult, BaseResponse

from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.pagination import page
from sagemaker_lineage_emulator.query import LineageFilters, edge_json, query_lineage, vertex_json
from sagemaker_lineage_emulator.store import (
    LineageEntity,
    LineageStore,
    describe_vertex,
    parse_arn,
    store_for,
)
from sagemaker_lineage_emulator.validation import member_limit, validate_request

DEFAULT_LIST_PAGE_SIZE = 10
DEFAULT_QUERY_DEPTH = 10


def _params(response: BaseResponse) -> dict[str, Any]:
    body = response.body
    if not body:
        return {}
    params = json.loads(body)
    if not isinstance(params, dict):
        raise ValidationError("The request body must be a JSON object.")
    return params


def _store(response: BaseResponse) -> LineageStore:
    return store_for(response.current_account, response.region)


def _from_epoch(seconds: float) -> datetime:
    # SageMaker's timestamps have millisecond precision; botocore sends epoch seconds as a float.
    return datetime.fromtimestamp(round(seconds * 1000) / 1000, UTC)


def _timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(value)
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        try:
            return _from_epoch(float(value))
        except ValueError as error:
            raise ValidationError(f"Invalid timestamp: {value}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def time_window(params: dict[str, Any]) -> Callable[[datetime, datetime], bool]:
    """The CreationTimeAfter/Before and LastModifiedTimeAfter/Before filters of a List* request
    ("created after", "before": strict bounds), as one test of an item's creation and modification."""
    created_after, created_before = (
        _timestamp(params.get("CreationTimeAfter")),
        _timestamp(params.get("CreationTimeBefore")),
    )
    modified_after, modified_before = (
        _timestamp(params.get("LastModifiedTimeAfter")),
        _timestamp(params.get("LastModifiedTimeBefore")),
    )

    def within(created: datetime, modified: datetime) -> bool:
        return (
            (created_after is None or created > created_after)
            and (created_before is None or created < created_before)
            and (modified_after is None or modified > modified_after)
            and (modified_before is None or modified < modified_before)
        )

    return within


def listed(
    params: dict[str, Any],
    ordered: list[Any],
    items_key: str,
    summary: Callable[[Any], Any] | None = None,
) -> ActionResult:
    """One page of a List* answer: `ordered` (filtered and sorted already) cut by MaxResults (SageMaker's
    default 10) and NextToken, under `items_key`, each item shown by `summary` (as it is by default)."""
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    chunk, token = page(
        ordered, query, params.get("NextToken"), params.get("MaxResults") or DEFAULT_LIST_PAGE_SIZE
    )
    body: dict[str, Any] = {items_key: [summary(item) for item in chunk] if summary else chunk}
    if token:
        body["NextToken"] = token
    return ActionResult(body)


def _sorted(items: list[Any], key: Callable[[Any], Any], sort_order: str | None) -> list[Any]:
    # SageMaker lists newest first unless told otherwise.
    return sorted(items, key=key, reverse=(sort_order or "Descending") == "Descending")


def _sort_key(sort_by: str | None) -> Callable[[LineageEntity], Any]:
    if sort_by == "Name":
        return lambda entity: (entity.name or "", entity.creation_time, entity.sequence)
    return lambda entity: (entity.creation_time, entity.sequence)


_ID_FIELD = {"artifact": "Artifact", "action": "Action", "context": "Context"}


def _summary(entity: LineageEntity) -> dict[str, Any]:
    prefix = _ID_FIELD[entity.kind]
    summary: dict[str, Any] = {
        f"{prefix}Arn": entity.arn,
        "Source": entity.source,
        f"{prefix}Type": entity.entity_type,
        "CreationTime": entity.creation_time,
        "LastModifiedTime": entity.last_modified_time,
    }
    if entity.name is not None:
        summary[f"{prefix}Name"] = entity.name
    if entity.kind == "action" and entity.status is not None:
        summary["Status"] = entity.status
    return summary


def _description(entity: LineageEntity) -> dict[str, Any]:
    body = _summary(entity)
    body["Properties"] = entity.properties
    body["CreatedBy"] = {}
    body["LastModifiedBy"] = {}
    if entity.description is not None:
        body["Description"] = entity.description
    if entity.metadata_properties:
        body["MetadataProperties"] = entity.metadata_properties
    return body


# ------------------------------------------------------------------------------- create
def _create(response: BaseResponse, kind: str, operation: str) -> ActionResult:
    params = _params(response)
    validate_request(operation, params)
    prefix = _ID_FIELD[kind]
    entity = _store(response).create_entity(
        kind,
        name=params.get(f"{prefix}Name"),
        entity_type=params[f"{prefix}Type"],
        source=params["Source"],
        properties=params.get("Properties"),
        metadata_properties=params.get("MetadataProperties"),
        description=params.get("Description"),
        status=params.get("Status"),
        tags=params.get("Tags"),
    )
    return ActionResult({f"{prefix}Arn": entity.arn})


def create_artifact(self: BaseResponse) -> ActionResult:
    return _create(self, "artifact", "CreateArtifact")


def create_action(self: BaseResponse) -> ActionResult:
    return _create(self, "action", "CreateAction")


def create_context(self: BaseResponse) -> ActionResult:
    return _create(self, "context", "CreateContext")


# ----------------------------------------------------------------------------- describe
def describe_artifact(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeArtifact", params)
    return ActionResult(_description(_store(self).get_entity("artifact", params["ArtifactArn"])))


def describe_action(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeAction", params)
    return ActionResult(_description(_store(self).get_entity("action", params["ActionName"])))


def describe_context(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeContext", params)
    return ActionResult(_description(_store(self).get_entity("context", params["ContextName"])))


# --------------------------------------------------------------------------------- list
def _list(response: BaseResponse, kind: str, operation: str) -> ActionResult:
    params = _params(response)
    validate_request(operation, params)
    prefix = _ID_FIELD[kind]
    entities = _store(response).list_entities(
        kind,
        source_uri=params.get("SourceUri"),
        entity_type=params.get(f"{prefix}Type"),
        created_after=_timestamp(params.get("CreatedAfter")),
        created_before=_timestamp(params.get("CreatedBefore")),
    )
    ordered = _sorted(entities, _sort_key(params.get("SortBy")), params.get("SortOrder"))
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    chunk, token = page(
        ordered, query, params.get("NextToken"), params.get("MaxResults") or DEFAULT_LIST_PAGE_SIZE
    )
    body: dict[str, Any] = {f"{prefix}Summaries": [_summary(entity) for entity in chunk]}
    if token:
        body["NextToken"] = token
    return ActionResult(body)


def list_artifacts(self: BaseResponse) -> ActionResult:
    return _list(self, "artifact", "ListArtifacts")


def list_actions(self: BaseResponse) -> ActionResult:
    return _list(self, "action", "ListActions")


def list_contexts(self: BaseResponse) -> ActionResult:
    return _list(self, "context", "ListContexts")


# ------------------------------------------------------------------------------- update
def update_artifact(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("UpdateArtifact", params)
    store = _store(self)
    entity = store.update_entity(
        store.get_entity("artifact", params["ArtifactArn"]),
        name=params.get("ArtifactName"),
        properties=params.get("Properties"),
        properties_to_remove=params.get("PropertiesToRemove"),
    )
    return ActionResult({"ArtifactArn": entity.arn})


def update_action(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("UpdateAction", params)
    store = _store(self)
    entity = store.update_entity(
        store.get_entity("action", params["ActionName"]),
        description=params.get("Description"),
        status=params.get("Status"),
        properties=params.get("Properties"),
        properties_to_remove=params.get("PropertiesToRemove"),
    )
    return ActionResult({"ActionArn": entity.arn})


def update_context(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("UpdateContext", params)
    store = _store(self)
    entity = store.update_entity(
        store.get_entity("context", params["ContextName"]),
        description=params.get("Description"),
        properties=params.get("Properties"),
        properties_to_remove=params.get("PropertiesToRemove"),
    )
    return ActionResult({"ContextArn": entity.arn})


# ------------------------------------------------------------------------------- delete
def delete_artifact(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DeleteArtifact", params)
    store = _store(self)
    if params.get("ArtifactArn"):
        targets = [store.get_entity("artifact", params["ArtifactArn"])]
    elif params.get("Source"):
        targets = store.list_entities(
            "artifact",
            source_uri=params["Source"]["SourceUri"],
            entity_type=None,
            created_after=None,
            created_before=None,
        )
        if not targets:
            raise ResourceNotFound(f"No artifact has the source URI {params['Source']['SourceUri']}.")
    else:
        raise ValidationError("Either ArtifactArn or Source must be given.")
    with store.lock:
        # All or nothing: refuse before deleting anything when one of them still has associations.
        for entity in targets:
            store.check_deletable(entity)
        for entity in targets:
            store.delete_entity(entity)
    return ActionResult({"ArtifactArn": targets[0].arn})


def delete_action(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DeleteAction", params)
    store = _store(self)
    entity = store.get_entity("action", params["ActionName"])
    store.delete_entity(entity)
    return ActionResult({"ActionArn": entity.arn})


def delete_context(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DeleteContext", params)
    store = _store(self)
    entity = store.get_entity("context", params["ContextName"])
    store.delete_entity(entity)
    return ActionResult({"ContextArn": entity.arn})


# ------------------------------------------------------------------------- associations
def add_association(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("AddAssociation", params)
    association = _store(self).add_association(
        params["SourceArn"], params["DestinationArn"], params.get("AssociationType")
    )
    return ActionResult({"SourceArn": association.source_arn, "DestinationArn": association.destination_arn})


def delete_association(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DeleteAssociation", params)
    _store(self).delete_association(params["SourceArn"], params["DestinationArn"])
    return ActionResult({"SourceArn": params["SourceArn"], "DestinationArn": params["DestinationArn"]})


_ASSOCIATION_SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "SourceArn": lambda summary: summary["SourceArn"],
    "DestinationArn": lambda summary: summary["DestinationArn"],
    "SourceType": lambda summary: summary.get("SourceType") or "",
    "DestinationType": lambda summary: summary.get("DestinationType") or "",
    "CreationTime": lambda summary: (summary["CreationTime"], summary["_sequence"]),
}


def list_associations(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListAssociations", params)
    store = _store(self)
    created_after = _timestamp(params.get("CreatedAfter"))
    created_before = _timestamp(params.get("CreatedBefore"))
    with store.lock:
        if params.get("SourceArn"):
            candidates = store.neighbours(params["SourceArn"], downstream=True)
        elif params.get("DestinationArn"):
            candidates = store.neighbours(params["DestinationArn"], downstream=False)
        else:
            candidates = list(store.associations.values())
    summaries = []
    for association in candidates:
        if params.get("DestinationArn") and association.destination_arn != params["DestinationArn"]:
            continue
        if params.get("AssociationType") and association.association_type != params["AssociationType"]:
            continue
        # "created on or after" / "on or before" (API_ListAssociations): the bounds are inclusive.
        if created_after and association.creation_time < created_after:
            continue
        if created_before and association.creation_time > created_before:
            continue
        source = describe_vertex(association.source_arn)
        destination = describe_vertex(association.destination_arn)
        summary: dict[str, Any] = {
            "SourceArn": association.source_arn,
            "DestinationArn": association.destination_arn,
            "CreationTime": association.creation_time,
            "CreatedBy": {},
            "_sequence": association.sequence,
        }
        if association.association_type:
            summary["AssociationType"] = association.association_type
        for side, vertex in (("Source", source), ("Destination", destination)):
            if vertex is not None and vertex.association_type_string is not None:
                summary[f"{side}Type"] = vertex.association_type_string
            if vertex is not None and vertex.name is not None:
                summary[f"{side}Name"] = vertex.name
        if params.get("SourceType") and summary.get("SourceType") != params["SourceType"]:
            continue
        if params.get("DestinationType") and summary.get("DestinationType") != params["DestinationType"]:
            continue
        summaries.append(summary)
    ordered = _sorted(
        summaries, _ASSOCIATION_SORT_KEYS[params.get("SortBy") or "CreationTime"], params.get("SortOrder")
    )
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    chunk, token = page(
        ordered, query, params.get("NextToken"), params.get("MaxResults") or DEFAULT_LIST_PAGE_SIZE
    )
    for summary in chunk:
        summary.pop("_sequence")
    body: dict[str, Any] = {"AssociationSummaries": chunk}
    if token:
        body["NextToken"] = token
    return ActionResult(body)


# ------------------------------------------------------------------------ query lineage
def query_lineage_handler(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("QueryLineage", params)
    start_arns = params.get("StartArns") or []
    if not start_arns:
        raise ValidationError(
            "1 validation error detected: Value null at 'startArns' failed to satisfy constraint: "
            "Member must not be null"
        )
    for arn in start_arns:
        if describe_vertex(arn) is None:
            raise ResourceNotFound(f"Resource {arn} does not exist.")
    max_results = params.get("MaxResults")
    if max_results is not None and max_results < 1:
        raise ValidationError(
            f"1 validation error detected: Value '{max_results}' at 'maxResults' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1"
        )
    raw_filters = params.get("Filters") or {}
    filters = LineageFilters(
        types=frozenset(raw_filters.get("Types") or ()),
        lineage_types=frozenset(raw_filters.get("LineageTypes") or ()),
        created_before=_timestamp(raw_filters.get("CreatedBefore")),
        created_after=_timestamp(raw_filters.get("CreatedAfter")),
        modified_before=_timestamp(raw_filters.get("ModifiedBefore")),
        modified_after=_timestamp(raw_filters.get("ModifiedAfter")),
        properties=tuple(sorted((raw_filters.get("Properties") or {}).items())),
    )
    max_depth = params.get("MaxDepth")
    vertices, edges = query_lineage(
        start_arns,
        direction=params.get("Direction") or "Both",
        max_depth=DEFAULT_QUERY_DEPTH if max_depth is None else max_depth,
        include_edges=bool(params.get("IncludeEdges", False)),
        filters=filters,
        caller_account=self.current_account,
    )
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    page_size = max_results or member_limit("QueryLineageMaxResults", "max")
    chunk, token = page(vertices, query, params.get("NextToken"), page_size)
    on_page = {vertex.arn for vertex in chunk}
    page_edges = [edge for edge in edges if {edge.source_arn, edge.destination_arn} & on_page]
    body: dict[str, Any] = {
        "Vertices": [vertex_json(vertex) for vertex in chunk],
        "Edges": [edge_json(edge) for edge in page_edges],
    }
    if token:
        body["NextToken"] = token
    return ActionResult(body)


# ------------------------------------------------------------------------------- tags
LINEAGE_RESOURCE_TYPES = ("artifact", "action", "context")


def lineage_entity_for_tags(response: BaseResponse, resource_arn: str) -> LineageEntity | None:
    try:
        parsed = parse_arn(resource_arn or "")
    except ValidationError:
        return None  # not a lineage ARN: moto's own tagging answers
    if parsed.resource_type not in LINEAGE_RESOURCE_TYPES:
        return None
    try:
        store = store_for(parsed.account, parsed.region)
    except KeyError as error:
        raise ResourceNotFound(f"Resource {resource_arn} does not exist.") from error
    return store.get_entity(parsed.resource_type, resource_arn)


class Tagged(Protocol):
    """A resource the emulator keeps its own tags for: a lineage entity, an inference component."""

    tags: list[dict[str, str]]


def add_tags_to_entity(entity: Tagged, tags: list[dict[str, str]]) -> list[dict[str, str]]:
    merged = {tag["Key"]: tag["Value"] for tag in entity.tags}
    merged.update({tag["Key"]: tag.get("Value", "") for tag in tags})
    entity.tags = [{"Key": key, "Value": value} for key, value in merged.items()]
    return entity.tags


def delete_tags_from_entity(entity: Tagged, keys: list[str]) -> None:
    entity.tags = [tag for tag in entity.tags if tag["Key"] not in keys]


HANDLERS: dict[str, Callable[[BaseResponse], ActionResult]] = {
    "create_artifact": create_artifact,
    "create_action": create_action,
    "create_context": create_context,
    "describe_artifact": describe_artifact,
    "describe_action": describe_action,
    "describe_context": describe_context,
    "list_artifacts": list_artifacts,
    "list_actions": list_actions,
    "list_contexts": list_contexts,
    "update_artifact": update_artifact,
    "update_action": update_action,
    "update_context": update_context,
    "delete_artifact": delete_artifact,
    "delete_action": delete_action,
    "delete_context": delete_context,
    "add_association": add_association,
    "delete_association": delete_association,
    "list_associations": list_associations,
    "query_lineage": query_lineage_handler,
}
