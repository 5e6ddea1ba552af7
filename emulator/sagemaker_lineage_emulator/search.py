"""Search (API_Search) over trial components, in the request shapes the SageMaker Python SDK sends.

The SDK searches Resource ``ExperimentTrialComponent`` only: ``Artifact._get_trial_from_trial_component``
(Filters on ``TrialComponentArn`` joined with ``Or``, then each result's ``Parents[].TrialName``),
``_TrialComponent.search`` and ``_trial_component_is_associated_to_trial`` (``TrialComponentName`` and
``Parents.TrialName``), and ``ExperimentAnalytics`` (``Parents.ExperimentName``). moto's own Search knows
none of these property names, so this module answers that resource and leaves the resources moto does
implement to moto.

Search has no Artifact, Action or Context resource: API_Search ``Resource`` is an enum without them and
``SearchRecord`` has no member to carry them, so they are refused like any value outside the enum.

What the API reference leaves open, and the emulator decides:
- a property that holds several values (``Parents.TrialName``) matches when any of its values does;
  ``NotEquals`` is the negation of ``Equals``, so it also matches when the property is missing;
- text comparisons are case-sensitive;
- ``Equals`` compares the whole Value: the SDK's ``_get_search_expression`` joins up to three ARNs with
  commas into one Equals filter, which then matches nothing here (only ``In`` splits on commas);
- the filters inside NestedFilters count towards the limit of 50 elements too;
- a page holds 10 results when MaxResults is omitted (as the List operations);
- ties in the sort order are broken by TrialComponentName, so pages are stable;
- ``CrossAccountFilterOption`` CrossAccount finds nothing (no account shares anything with the emulator);
  ``VisibilityConditions`` are not applied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cache
from typing import Any

from moto.core.responses import ActionResult, BaseResponse

from sagemaker_lineage_emulator.errors import ValidationError
from sagemaker_lineage_emulator.pagination import page
from sagemaker_lineage_emulator.responses import DEFAULT_LIST_PAGE_SIZE, _params, _timestamp
from sagemaker_lineage_emulator.store import aware_utc, store_for
from sagemaker_lineage_emulator.validation import sagemaker_model, validate_request

# The Resource values moto 5's own Search answers (moto/sagemaker/models.py, search()).
MOTO_SEARCH_RESOURCES = frozenset(
    {
        "Pipeline",
        "ModelPackageGroup",
        "TrainingJob",
        "FeatureGroup",
        "Endpoint",
        "PipelineExecution",
        "Project",
        "ExperimentTrial",
        "Image",
        "ImageVersion",
        "ModelPackage",
        "Experiment",
    }
)
EMULATED_RESOURCES = ("ExperimentTrialComponent",)

# API_SearchRequest SearchExpression: "The maximum number of recursive SubExpressions, NestedFilters, and
# Filters that can be included in a SearchExpression object is 50."
MAX_EXPRESSION_ELEMENTS = 50
# API_Filter Operator Contains: these names may use Contains several times in one expression; every
# other name at most once ("'CONTAINS' operator usage limit of 1 exceeded.").
_REPEATABLE_CONTAINS = ("DisplayName", "TrialComponentName", "Tags", "InputArtifacts", "OutputArtifacts")
_TEXT_ONLY = ("Contains", "In")
_ORDERED = ("GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo")
_MISSING = object()


@cache
def _record_members(record: str) -> frozenset[str]:
    """The property names a record of ``record`` (SearchRecord member) has, from the service model."""
    shape = sagemaker_model().shape_for("SearchRecord").members[record]
    return frozenset(shape.members)


# ------------------------------------------------------------------------------ records
def _trial_component_record(
    backend: Any, sources: dict[str, dict[str, str]], component: Any
) -> dict[str, Any]:
    """A SearchRecord.TrialComponent: what DescribeTrialComponent says, plus Tags and Parents."""
    name = component.trial_component_name
    record: dict[str, Any] = {
        "TrialComponentName": name,
        "DisplayName": component.display_name,
        "TrialComponentArn": component.arn,
        "CreationTime": aware_utc(component.creation_time),
        "CreatedBy": {},
        "LastModifiedTime": aware_utc(component.last_modified_time),
        "LastModifiedBy": {},
    }
    source = sources.get(name)
    if source is not None:
        record["Source"] = dict(source)
        record["SourceDetail"] = {"SourceArn": source["SourceArn"]}
    for key, value in (
        ("Status", component.status),
        ("StartTime", _timestamp(component.start_time)),
        ("EndTime", _timestamp(component.end_time)),
        ("Parameters", component.parameters),
        ("InputArtifacts", component.input_artifacts),
        ("OutputArtifacts", component.output_artifacts),
        ("MetadataProperties", component.metadata_properties),
    ):
        if value:
            record[key] = value
    if component.metrics:
        record["Metrics"] = component.gen_metrics_response_object()
    record["Tags"] = [dict(tag) for tag in component.tags or []]
    # API_TrialComponent Parents: "A parent is a trial the component is associated with and the
    # experiment the trial is part of. A component might not have any parents."
    record["Parents"] = [
        {"TrialName": trial.trial_name, "ExperimentName": trial.experiment_name}
        for trial in list(backend.trials.values())
        if name in trial.trial_components
    ]
    return record


# --------------------------------------------------------------------------- properties
def _keyed(items: list[Any], key: str) -> dict[str, Any]:
    return {item[key]: item for item in items if isinstance(item, dict) and key in item}


def _leaf(value: Any) -> Any:
    # A trial component parameter is {"StringValue": ...} or {"NumberValue": ...}; filters compare the value.
    if isinstance(value, dict) and len(value) == 1:
        (only,) = value.items()
        if only[0] in ("StringValue", "NumberValue"):
            return only[1]
    return value


def _walk(current: Any, parts: list[str]) -> list[Any]:
    """Every value at ``parts`` below ``current``; lists fan out, and keys may themselves hold dots."""
    if isinstance(current, list):
        return [value for item in current for value in _walk(item, parts)]
    if not parts:
        return [] if current is None else [_leaf(current)]
    if not isinstance(current, dict):
        return []
    # Longest key first: a tag key or a parameter name can contain dots ("sagemaker:a.b").
    for end in range(len(parts), 0, -1):
        key = ".".join(parts[:end])
        if key in current:
            return _walk(current[key], parts[end:])
    return []


def _values(record: dict[str, Any], name: str) -> list[Any]:
    head, _, rest = name.partition(".")
    if head not in record:
        return []
    value = record[head]
    if head == "Tags":
        # API_Filter: "To define a tag filter, enter a value with the form Tags.<key>."
        return _walk({tag["Key"]: tag.get("Value", "") for tag in value}, [rest]) if rest else [value]
    if head == "Metrics":
        value = _keyed(value, "MetricName")
    return _walk(value, rest.split(".")) if rest else _walk(value, [])


def _check_name(name: str, members: frozenset[str]) -> None:
    # API_Filter Name: "You must specify a valid property for the resource."
    if name.split(".", 1)[0] not in members:
        raise ValidationError(f"Unknown property name: {name}")


# ------------------------------------------------------------------------------ filters
def _number(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError as error:
        raise ValidationError(
            f"The value '{text}' for the numeric property {name} is not an integer or decimal."
        ) from error


def _moment(text: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError as error:
        raise ValidationError(
            f"The value '{text}' for the timestamp property {name} is not an ISO 8601 date-time "
            "(YYYY-mm-dd'T'HH:MM:SS)."
        ) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _compare(actual: Any, operator: str, wanted: str, name: str) -> bool:
    """One value of the property against the filter's Value, by the property's type (API_Filter)."""
    if isinstance(actual, bool):
        kind = "boolean"
    elif isinstance(actual, int | float):
        kind = "numeric"
    elif isinstance(actual, datetime):
        kind = "timestamp"
    elif isinstance(actual, str):
        kind = "text"
    else:
        return False  # a structure: only Exists / NotExists say anything about it
    if operator in _TEXT_ONLY and kind != "text":
        raise ValidationError(f"The {operator} operator is only supported for text properties, not {name}.")
    if operator in _ORDERED and kind == "text":
        raise ValidationError(f"The {operator} operator is not supported for the text property {name}.")
    if kind == "text":
        if operator == "Contains":
            return wanted in actual
        if operator == "In":
            return actual in {part.strip() for part in wanted.split(",")}
        return bool(actual == wanted)
    if kind == "boolean":
        return str(actual).lower() == wanted.strip().lower()
    left: Any = actual if kind == "timestamp" else float(actual)
    right: Any = _moment(wanted, name) if kind == "timestamp" else _number(wanted, name)
    if kind == "timestamp":
        left = aware_utc(left)
    results: dict[str, Callable[[], bool]] = {
        "Equals": lambda: bool(left == right),
        "GreaterThan": lambda: bool(left > right),
        "GreaterThanOrEqualTo": lambda: bool(left >= right),
        "LessThan": lambda: bool(left < right),
        "LessThanOrEqualTo": lambda: bool(left <= right),
    }
    return results[operator]()


def _filter_matches(values: list[Any], search_filter: dict[str, Any]) -> bool:
    name = search_filter["Name"]
    # API_Filter: "If you specify a Value, but not an Operator, SageMaker uses the equals operator."
    operator = search_filter.get("Operator") or "Equals"
    if operator == "Exists":
        return bool(values)
    if operator == "NotExists":
        return not values
    wanted = search_filter.get("Value")
    if wanted is None:
        raise ValidationError(f"The {operator} operator needs a Value (filter on {name}).")
    if operator == "NotEquals":
        return not any(_compare(value, "Equals", wanted, name) for value in values)
    return any(_compare(value, operator, wanted, name) for value in values)


class _Expression:
    """A validated SearchExpression that can be evaluated against records."""

    def __init__(self, expression: dict[str, Any], members: frozenset[str]) -> None:
        self.members = members
        self._elements = 0
        self._contains = 0
        self._check(expression)
        self.expression = expression

    def _count_contains(self, search_filter: dict[str, Any]) -> None:
        if search_filter.get("Operator") != "Contains":
            return
        name = search_filter["Name"].removeprefix("TrialComponent.")
        if name.split(".", 1)[0] not in _REPEATABLE_CONTAINS:
            self._contains += 1
            if self._contains > 1:
                raise ValidationError("'CONTAINS' operator usage limit of 1 exceeded.")

    def _add_elements(self, count: int) -> None:
        self._elements += count
        if self._elements > MAX_EXPRESSION_ELEMENTS:
            raise ValidationError(
                "The maximum number of recursive SubExpressions, NestedFilters, and Filters in a "
                f"SearchExpression is {MAX_EXPRESSION_ELEMENTS}."
            )

    def _check(self, expression: dict[str, Any]) -> None:
        filters = expression.get("Filters") or []
        nested = expression.get("NestedFilters") or []
        subexpressions = expression.get("SubExpressions") or []
        if not (filters or nested or subexpressions):
            # API_SearchExpression: "You must specify at least one subexpression, filter, or nested filter."
            raise ValidationError(
                "A SearchExpression must contain at least one subexpression, filter, or nested filter."
            )
        self._add_elements(len(filters) + len(nested) + len(subexpressions))
        for search_filter in filters:
            _check_name(search_filter["Name"], self.members)
            self._count_contains(search_filter)
        for nested_filter in nested:
            prefix = nested_filter["NestedPropertyName"]
            _check_name(prefix, self.members)
            self._add_elements(len(nested_filter["Filters"]))
            for search_filter in nested_filter["Filters"]:
                if not search_filter["Name"].startswith(prefix + "."):
                    raise ValidationError(
                        f"The nested filter on {search_filter['Name']} does not name a property of "
                        f"{prefix}; it must start with '{prefix}.'."
                    )
                self._count_contains(search_filter)
        for subexpression in subexpressions:
            self._check(subexpression)

    def matches(self, record: dict[str, Any]) -> bool:
        return self._evaluate(self.expression, record)

    def _evaluate(self, expression: dict[str, Any], record: dict[str, Any]) -> bool:
        outcomes: list[bool] = [
            _filter_matches(_values(record, search_filter["Name"]), search_filter)
            for search_filter in expression.get("Filters") or []
        ]
        outcomes.extend(
            _nested_matches(record, nested_filter) for nested_filter in expression.get("NestedFilters") or []
        )
        outcomes.extend(self._evaluate(sub, record) for sub in expression.get("SubExpressions") or [])
        # API_SearchExpression Operator: "The default value is And."
        if (expression.get("Operator") or "And") == "Or":
            return any(outcomes)
        return all(outcomes)


def _nested_matches(record: dict[str, Any], nested_filter: dict[str, Any]) -> bool:
    # API_SearchExpression: "A nested filter is satisfied if a single object in the list satisfies all
    # Boolean expressions."
    prefix = nested_filter["NestedPropertyName"]
    for element in _values(record, prefix):
        if all(
            _filter_matches(
                _walk(element, search_filter["Name"][len(prefix) + 1 :].split(".")), search_filter
            )
            for search_filter in nested_filter["Filters"]
        ):
            return True
    return False


# ------------------------------------------------------------------------------ sorting
def _ordered(
    records: Iterable[dict[str, Any]], sort_by: str, sort_order: str, tie: str
) -> list[dict[str, Any]]:
    present: list[tuple[Any, dict[str, Any]]] = []
    missing: list[tuple[Any, dict[str, Any]]] = []
    for record in records:
        values = _values(record, sort_by)
        sortable = [value for value in values if isinstance(value, str | int | float | datetime)]
        (present if sortable else missing).append((sortable[0] if sortable else _MISSING, record))
    descending = sort_order == "Descending"
    # Ties in name order either way round, so that pages cut from the same query are consistent.
    present.sort(key=lambda pair: pair[1][tie])
    present.sort(key=lambda pair: pair[0], reverse=descending)
    missing.sort(key=lambda pair: pair[1][tie])
    return [record for _, record in present + missing]


# ------------------------------------------------------------------------------ handler
def _search_trial_components(response: BaseResponse, params: dict[str, Any]) -> dict[str, Any]:
    members = _record_members("TrialComponent")
    expression = None
    if params.get("SearchExpression") is not None:
        expression = _Expression(params["SearchExpression"], members)
    # API_Search SortBy: "The default is LastModifiedTime"; SortOrder: "The default is Descending."
    sort_by = params.get("SortBy") or "LastModifiedTime"
    _check_name(sort_by, members)
    backend = response.sagemaker_backend  # type: ignore[attr-defined]
    sources = store_for(response.current_account, response.region).trial_component_sources
    records = [
        _trial_component_record(backend, sources, component)
        for component in list(backend.trial_components.values())
    ]
    found = [record for record in records if expression is None or expression.matches(record)]
    if params.get("CrossAccountFilterOption") == "CrossAccount":
        # "the search results will only include resources made discoverable to you from other accounts":
        # the emulator has no resource catalogs, so nothing is discoverable from elsewhere.
        found = []
    ordered = _ordered(found, sort_by, params.get("SortOrder") or "Descending", "TrialComponentName")
    query = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
    chunk, token = page(
        ordered, query, params.get("NextToken"), params.get("MaxResults") or DEFAULT_LIST_PAGE_SIZE
    )
    body: dict[str, Any] = {
        "Results": [{"TrialComponent": record} for record in chunk],
        "TotalHits": {"Value": len(ordered), "Relation": "EqualTo"},
    }
    if token:
        body["NextToken"] = token
    return body


def with_emulated_resources(original: Callable[[Any], Any]) -> Callable[[BaseResponse], Any]:
    """Search: trial components answered here, the resources moto implements by moto, others refused."""

    def search(self: BaseResponse) -> Any:
        params = _params(self)
        validate_request("Search", params)
        resource = params["Resource"]
        if resource in EMULATED_RESOURCES:
            return ActionResult(_search_trial_components(self, params))
        if resource in MOTO_SEARCH_RESOURCES:
            return original(self)
        supported = ", ".join(sorted((*EMULATED_RESOURCES, *MOTO_SEARCH_RESOURCES)))
        raise ValidationError(
            f"The lineage emulator does not implement Search for Resource '{resource}'. "
            f"It implements: {supported}."
        )

    return search
