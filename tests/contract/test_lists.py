"""ListArtifacts, ListActions, ListContexts: filters, sorting and pagination.

Every test scopes its listing by a type string or SourceUri of its own, so the same tests hold in a
real account that already has lineage.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

KINDS = ("artifact", "action", "context")
PREFIX = {"artifact": "Artifact", "action": "Action", "context": "Context"}


def _list(sm: Any, kind: str, **filters: Any) -> dict[str, Any]:
    return dict(getattr(sm, f"list_{kind}s")(**filters))


def _arns(page: dict[str, Any], kind: str) -> list[str]:
    return [summary[f"{PREFIX[kind]}Arn"] for summary in page[f"{PREFIX[kind]}Summaries"]]


def _created_apart(lineage: Any, kind: str, entity_type: str, count: int, **kwargs: Any) -> list[str]:
    """Create ``count`` entities a few milliseconds apart, so their CreationTimes differ."""
    arns = []
    for _ in range(count):
        arns.append(lineage.create(kind, entity_type, **kwargs))
        time.sleep(0.003)
    return arns


@pytest.mark.parametrize("kind", KINDS)
def test_list_filters_by_source_uri(lineage, sagemaker, kind):
    """API_ListArtifacts / ListActions / ListContexts SourceUri: "A filter that returns only <entities>
    with the specified source URI"."""
    # Given: two entities share a URI, a third has another
    uri = lineage.uri("shared")
    wanted = {lineage.create(kind, "Custom", uri=uri), lineage.create(kind, "Custom", uri=uri)}
    lineage.create(kind, "Custom", uri=lineage.uri("other"))

    # When
    listed = set(_arns(_list(sagemaker, kind, SourceUri=uri), kind))

    # Then
    assert listed == wanted


@pytest.mark.parametrize("kind", KINDS)
def test_list_filters_by_type(lineage, sagemaker, kind):
    """API_ListArtifacts ArtifactType / ListActions ActionType / ListContexts ContextType: "A filter that
    returns only <entities> of the specified type"."""
    # Given
    wanted_type, other_type = lineage.unique_type("Wanted"), lineage.unique_type("Other")
    uri = lineage.uri("typed")
    wanted = {lineage.create(kind, wanted_type, uri=uri) for _ in range(2)}
    lineage.create(kind, other_type, uri=uri)

    # When
    listed = _list(sagemaker, kind, **{f"{PREFIX[kind]}Type": wanted_type})

    # Then
    assert set(_arns(listed, kind)) == wanted
    assert {summary[f"{PREFIX[kind]}Type"] for summary in listed[f"{PREFIX[kind]}Summaries"]} == {wanted_type}


@pytest.mark.parametrize("kind", KINDS)
def test_created_after_and_before_are_inclusive_bounds(lineage, sagemaker, kind):
    """API_ListArtifacts / ListActions / ListContexts: CreatedAfter "created on or after the specified
    time", CreatedBefore "created on or before the specified time"."""
    # Given: three entities created one after another
    uri = lineage.uri("timed")
    first, middle, last = _created_apart(lineage, kind, "Custom", 3, uri=uri)
    created = {arn: lineage.describe(kind, arn)["CreationTime"] for arn in (first, middle, last)}
    assert created[first] < created[middle] < created[last]
    moment = created[middle]

    # When
    after = set(_arns(_list(sagemaker, kind, SourceUri=uri, CreatedAfter=moment), kind))
    before = set(_arns(_list(sagemaker, kind, SourceUri=uri, CreatedBefore=moment), kind))
    exactly = set(
        _arns(_list(sagemaker, kind, SourceUri=uri, CreatedAfter=moment, CreatedBefore=moment), kind)
    )

    # Then
    assert after == {middle, last}
    assert before == {first, middle}
    assert exactly == {middle}


@pytest.mark.parametrize("kind", KINDS)
def test_lists_are_newest_first_by_default(lineage, sagemaker, kind):
    """API_ListArtifacts / ListActions / ListContexts: SortBy "The default value is CreationTime",
    SortOrder "The default value is Descending"."""
    # Given
    entity_type = lineage.unique_type("Sorted")
    arns = _created_apart(lineage, kind, entity_type, 3)

    # When
    listed = _arns(_list(sagemaker, kind, **{f"{PREFIX[kind]}Type": entity_type}), kind)

    # Then
    assert listed == list(reversed(arns))


@pytest.mark.parametrize("kind", KINDS)
def test_sort_order_ascending_lists_oldest_first(lineage, sagemaker, kind):
    """API_ListArtifacts / ListActions / ListContexts SortOrder: Ascending | Descending."""
    # Given
    entity_type = lineage.unique_type("Sorted")
    arns = _created_apart(lineage, kind, entity_type, 3)

    # When
    listed = _arns(
        _list(
            sagemaker,
            kind,
            SortBy="CreationTime",
            SortOrder="Ascending",
            **{f"{PREFIX[kind]}Type": entity_type},
        ),
        kind,
    )

    # Then
    assert listed == arns


@pytest.mark.parametrize("kind", ["action", "context"])
def test_actions_and_contexts_sort_by_name(lineage, sagemaker, kind):
    """API_ListActions SortBy (SortActionsBy) and API_ListContexts SortBy (SortContextsBy): Name |
    CreationTime."""
    # Given: names created out of alphabetical order
    entity_type = lineage.unique_type("Named")
    stem = f"ct-{lineage.uid}"
    for suffix in ("b", "c", "a"):
        lineage.create(kind, entity_type, name=f"{stem}-{suffix}")

    # When
    ascending = _list(
        sagemaker, kind, SortBy="Name", SortOrder="Ascending", **{f"{PREFIX[kind]}Type": entity_type}
    )
    descending = _list(
        sagemaker, kind, SortBy="Name", SortOrder="Descending", **{f"{PREFIX[kind]}Type": entity_type}
    )

    # Then
    names = [summary[f"{PREFIX[kind]}Name"] for summary in ascending[f"{PREFIX[kind]}Summaries"]]
    assert names == [f"{stem}-a", f"{stem}-b", f"{stem}-c"]
    names = [summary[f"{PREFIX[kind]}Name"] for summary in descending[f"{PREFIX[kind]}Summaries"]]
    assert names == [f"{stem}-c", f"{stem}-b", f"{stem}-a"]


def test_default_page_size_is_10(lineage, sagemaker):
    """API_ListArtifacts MaxResults: "The maximum number of artifacts to return in the response. The
    default value is 10."; a NextToken says there is more."""
    # Given
    artifact_type = lineage.unique_type("Paged")
    uri = lineage.uri("paged")
    for _ in range(12):
        lineage.artifact(artifact_type, uri=uri)

    # When
    first = sagemaker.list_artifacts(ArtifactType=artifact_type)

    # Then
    assert len(first["ArtifactSummaries"]) == 10
    assert first.get("NextToken")
    rest = sagemaker.list_artifacts(ArtifactType=artifact_type, NextToken=first["NextToken"])
    assert len(rest["ArtifactSummaries"]) == 2
    assert "NextToken" not in rest


def test_filters_apply_before_pagination(lineage, sagemaker):
    """API_ListArtifacts: the filters select the artifacts and MaxResults/NextToken page through that
    selection, so the pages of one query together give exactly the matching set, each once, in order."""
    # Given: 25 artifacts under one URI, 16 of them (those not at a multiple of 3) of the wanted type
    uri = lineage.uri("mixed")
    wanted_type, other_type = lineage.unique_type("Wanted"), lineage.unique_type("Other")
    wanted = []
    for index in range(25):
        arn = lineage.artifact(other_type if index % 3 == 0 else wanted_type, uri=uri)
        if index % 3:
            wanted.append(arn)
        time.sleep(0.002)

    # When: paging with MaxResults=10 through both filters
    pages, token = [], None
    while True:
        request = {"SourceUri": uri, "ArtifactType": wanted_type, "MaxResults": 10, "SortOrder": "Ascending"}
        if token:
            request["NextToken"] = token
        answer = sagemaker.list_artifacts(**request)
        pages.append(_arns(answer, "artifact"))
        token = answer.get("NextToken")
        if not token:
            break

    # Then
    assert [len(page) for page in pages] == [10, 6]
    assert [arn for page in pages for arn in page] == wanted


def test_the_list_paginator_walks_every_page(lineage, sagemaker):
    """botocore paginators-1.json: ListArtifacts paginates on NextToken with MaxResults as the limit key."""
    # Given
    artifact_type = lineage.unique_type("Walked")
    made = {lineage.artifact(artifact_type) for _ in range(7)}

    # When
    pages = list(
        sagemaker.get_paginator("list_artifacts").paginate(
            ArtifactType=artifact_type, PaginationConfig={"PageSize": 3}
        )
    )

    # Then
    assert [len(page["ArtifactSummaries"]) for page in pages] == [3, 3, 1]
    assert {arn for page in pages for arn in _arns(page, "artifact")} == made


def test_next_token_reused_with_other_filters_is_rejected(lineage, sagemaker, raises_aws):
    """API_ListArtifacts NextToken continues "the previous call": a token belongs to the request that
    produced it, and replaying it with different filters is a ValidationException."""
    # Given
    artifact_type = lineage.unique_type("Tokened")
    for _ in range(3):
        lineage.artifact(artifact_type)
    token = sagemaker.list_artifacts(ArtifactType=artifact_type, MaxResults=1)["NextToken"]

    # When / Then
    with raises_aws("ValidationException"):
        sagemaker.list_artifacts(ArtifactType=lineage.unique_type("Different"), MaxResults=1, NextToken=token)
