"""AddAssociation, DeleteAssociation and ListAssociations."""

from __future__ import annotations

import time
from typing import Any

import pytest


def _pairs(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(summary["SourceArn"], summary["DestinationArn"]) for summary in answer["AssociationSummaries"]]


def test_add_association_answers_both_arns_and_is_listed(lineage, sagemaker):
    """API_AddAssociation: "Creates an association between the source and the destination"; the
    response carries SourceArn and DestinationArn."""
    # Given
    dataset, action = lineage.artifact(), lineage.action("Training")

    # When
    answer = sagemaker.add_association(
        SourceArn=dataset, DestinationArn=action, AssociationType="ContributedTo"
    )

    # Then
    assert (answer["SourceArn"], answer["DestinationArn"]) == (dataset, action)
    listed = sagemaker.list_associations(SourceArn=dataset)["AssociationSummaries"]
    assert [(s["SourceArn"], s["DestinationArn"], s["AssociationType"]) for s in listed] == [
        (dataset, action, "ContributedTo")
    ]


def test_a_source_may_have_many_destinations_and_a_destination_many_sources(lineage, sagemaker):
    """API_AddAssociation: "A source can be associated with multiple destinations, and a destination can
    be associated with multiple sources"."""
    # Given
    data, image, job, model = (
        lineage.artifact(),
        lineage.artifact("Image"),
        lineage.action("Training"),
        lineage.artifact("Model"),
    )

    # When
    lineage.associate(data, job)
    lineage.associate(image, job)
    lineage.associate(job, model, "Produced")
    lineage.associate(data, model, "DerivedFrom")

    # Then
    assert set(_pairs(sagemaker.list_associations(DestinationArn=job))) == {(data, job), (image, job)}
    assert set(_pairs(sagemaker.list_associations(SourceArn=data))) == {(data, job), (data, model)}


@pytest.mark.parametrize("missing_end", ["source", "destination"])
def test_both_ends_must_exist(lineage, sagemaker, raises_aws, missing_entity, missing_end):
    """API_AddAssociation errors: ResourceNotFound "Resource being access is not found" when the source
    or the destination does not exist."""
    # Given
    existing = lineage.artifact()
    missing = missing_entity("artifact")["ArtifactArn"]
    ends = (missing, existing) if missing_end == "source" else (existing, missing)

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.add_association(SourceArn=ends[0], DestinationArn=ends[1])


def test_an_end_in_another_account_counts_when_it_exists_there(lineage, peer, sagemaker):
    """Lineage Tracking Entities, "Cross-account lineage": associations may link entities of different
    accounts; the other account's entity exists when it exists in that account."""
    # Given: a model artifact in the peer account
    theirs = peer.artifact("Model", uri=lineage.uri("shared-model"))
    ours = lineage.artifact("Model", uri=lineage.uri("shared-model"))

    # When
    sagemaker.add_association(SourceArn=ours, DestinationArn=theirs, AssociationType="SameAs")

    # Then: the association is ours, with the other account's entity as its destination
    assert _pairs(sagemaker.list_associations(SourceArn=ours)) == [(ours, theirs)]
    assert ours.split(":")[4] != theirs.split(":")[4]


def test_an_end_in_another_account_must_exist_there(lineage, peer, sagemaker, raises_aws):
    """API_AddAssociation errors: ResourceNotFound, also when the missing end names another account."""
    # Given: an ARN in the peer account that nothing was created under
    theirs = peer.artifact("Model")
    never_created = theirs.rsplit("/", 1)[0] + "/" + "0" * 32
    ours = lineage.artifact("Model")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.add_association(SourceArn=ours, DestinationArn=never_created, AssociationType="SameAs")


def test_duplicate_association_is_refused(lineage, sagemaker, raises_aws):
    """API_AddAssociation: an association is identified by its (source, destination) pair; adding the
    pair again is a ValidationException saying it already exists, whatever the AssociationType."""
    # Given
    dataset, action = lineage.artifact(), lineage.action("Training")
    lineage.associate(dataset, action, "ContributedTo")

    # When / Then
    with raises_aws("ValidationException", "already exists"):
        sagemaker.add_association(SourceArn=dataset, DestinationArn=action, AssociationType="AssociatedWith")
    assert len(sagemaker.list_associations(SourceArn=dataset)["AssociationSummaries"]) == 1


def test_delete_association_removes_it(lineage, sagemaker):
    """API_DeleteAssociation: "Deletes an association"; the response names its SourceArn and
    DestinationArn."""
    # Given
    dataset, action = lineage.artifact(), lineage.action("Training")
    lineage.associate(dataset, action)

    # When
    answer = sagemaker.delete_association(SourceArn=dataset, DestinationArn=action)

    # Then
    assert (answer["SourceArn"], answer["DestinationArn"]) == (dataset, action)
    assert sagemaker.list_associations(SourceArn=dataset)["AssociationSummaries"] == []


def test_deleting_a_missing_association_is_resource_not_found(lineage, sagemaker, raises_aws):
    """API_DeleteAssociation errors: ResourceNotFound."""
    # Given: two entities with no association between them
    dataset, action = lineage.artifact(), lineage.action("Training")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.delete_association(SourceArn=dataset, DestinationArn=action)


def test_association_summary_names_types_and_creation_time(lineage, sagemaker):
    """API_ListAssociations / AssociationSummary: SourceArn, DestinationArn, SourceType, DestinationType
    (the entities' own type strings), AssociationType, SourceName, DestinationName, CreationTime."""
    # Given
    deploy_name, endpoint_name = lineage.name("deploy"), lineage.name("endpoint")
    deploy = lineage.action("ModelDeployment", name=deploy_name)
    endpoint = lineage.context("Endpoint", name=endpoint_name)
    lineage.associate(deploy, endpoint, "AssociatedWith")

    # When
    (summary,) = sagemaker.list_associations(SourceArn=deploy)["AssociationSummaries"]

    # Then
    assert summary["SourceArn"] == deploy
    assert summary["DestinationArn"] == endpoint
    assert summary["SourceType"] == "ModelDeployment"
    assert summary["DestinationType"] == "Endpoint"
    assert summary["AssociationType"] == "AssociatedWith"
    assert summary["SourceName"] == deploy_name
    assert summary["DestinationName"] == endpoint_name
    assert "CreationTime" in summary


@pytest.fixture
def small_graph(lineage):
    """data -> job (ContributedTo), image -> job (ContributedTo), job -> model (Produced),
    model -> endpoint (AssociatedWith); created a few milliseconds apart."""
    graph = {
        "data": lineage.artifact("DataSet"),
        "image": lineage.artifact("Image"),
        "job": lineage.action("Training"),
        "model": lineage.artifact("Model"),
        "endpoint": lineage.context("Endpoint"),
    }
    for source, destination, kind in (
        ("data", "job", "ContributedTo"),
        ("image", "job", "ContributedTo"),
        ("job", "model", "Produced"),
        ("model", "endpoint", "AssociatedWith"),
    ):
        lineage.associate(graph[source], graph[destination], kind)
        time.sleep(0.003)
    return graph


def test_list_associations_filters_by_source_and_destination_arn(small_graph, sagemaker):
    """API_ListAssociations SourceArn / DestinationArn: "A filter that returns only associations with the
    specified source ARN" / "destination Amazon Resource Name (ARN)"; both together select one pair."""
    g = small_graph
    # Given: the small graph
    # When
    from_model = _pairs(sagemaker.list_associations(SourceArn=g["model"]))
    to_job = set(_pairs(sagemaker.list_associations(DestinationArn=g["job"])))
    one = _pairs(sagemaker.list_associations(SourceArn=g["data"], DestinationArn=g["job"]))

    # Then
    assert from_model == [(g["model"], g["endpoint"])]
    assert to_job == {(g["data"], g["job"]), (g["image"], g["job"])}
    assert one == [(g["data"], g["job"])]


def test_list_associations_filters_by_source_and_destination_type(small_graph, sagemaker):
    """API_ListAssociations SourceType / DestinationType: "A filter that returns only associations with
    the specified source type" / "destination type"; the type is the entity's own type string."""
    g = small_graph
    # Given: the small graph
    # When
    from_images = _pairs(sagemaker.list_associations(DestinationArn=g["job"], SourceType="Image"))
    to_endpoints = _pairs(sagemaker.list_associations(SourceArn=g["model"], DestinationType="Endpoint"))
    to_datasets = _pairs(sagemaker.list_associations(SourceArn=g["model"], DestinationType="DataSet"))

    # Then
    assert from_images == [(g["image"], g["job"])]
    assert to_endpoints == [(g["model"], g["endpoint"])]
    assert to_datasets == []


def test_list_associations_filters_by_association_type(small_graph, sagemaker):
    """API_ListAssociations AssociationType: "A filter that returns only associations of the specified
    type"."""
    g = small_graph
    # Given: the small graph
    # When
    produced = _pairs(sagemaker.list_associations(SourceArn=g["job"], AssociationType="Produced"))
    contributed = _pairs(sagemaker.list_associations(SourceArn=g["job"], AssociationType="ContributedTo"))

    # Then
    assert produced == [(g["job"], g["model"])]
    assert contributed == []


def test_list_associations_created_after_and_before_are_inclusive(small_graph, sagemaker):
    """API_ListAssociations: CreatedAfter "created on or after the specified time", CreatedBefore
    "created on or before the specified time"."""
    g = small_graph
    # Given: the time the image -> job association was created
    into_job = sagemaker.list_associations(DestinationArn=g["job"])["AssociationSummaries"]
    moment = next(s["CreationTime"] for s in into_job if s["SourceArn"] == g["image"])
    data_time = next(s["CreationTime"] for s in into_job if s["SourceArn"] == g["data"])
    assert data_time < moment

    # When
    after = set(_pairs(sagemaker.list_associations(DestinationArn=g["job"], CreatedAfter=moment)))
    before = set(_pairs(sagemaker.list_associations(DestinationArn=g["job"], CreatedBefore=moment)))

    # Then
    assert after == {(g["image"], g["job"])}
    assert before == {(g["data"], g["job"]), (g["image"], g["job"])}


def test_list_associations_sorting(small_graph, sagemaker):
    """API_ListAssociations SortBy: SourceArn | DestinationArn | SourceType | DestinationType |
    CreationTime, "The default value is CreationTime"; SortOrder "The default value is Descending"."""
    g = small_graph
    # Given: the small graph's two associations into the job (data first, then image)
    # When
    default = _pairs(sagemaker.list_associations(DestinationArn=g["job"]))
    by_type = _pairs(
        sagemaker.list_associations(DestinationArn=g["job"], SortBy="SourceType", SortOrder="Ascending")
    )
    by_arn = _pairs(
        sagemaker.list_associations(DestinationArn=g["job"], SortBy="SourceArn", SortOrder="Descending")
    )

    # Then
    assert default == [(g["image"], g["job"]), (g["data"], g["job"])]
    assert by_type == [(g["data"], g["job"]), (g["image"], g["job"])]  # "DataSet" < "Image"
    assert by_arn == sorted(default, reverse=True)


def test_list_associations_paginates(lineage, sagemaker):
    """API_ListAssociations MaxResults (1-100, default 10) and NextToken."""
    # Given: 12 datasets contributing to one job
    job = lineage.action("Training")
    sources = set()
    for _ in range(12):
        data = lineage.artifact()
        lineage.associate(data, job)
        sources.add(data)

    # When
    first = sagemaker.list_associations(DestinationArn=job)
    second = sagemaker.list_associations(DestinationArn=job, NextToken=first["NextToken"])

    # Then
    assert len(first["AssociationSummaries"]) == 10
    assert "NextToken" not in second
    assert {s for s, _ in _pairs(first) + _pairs(second)} == sources


def test_an_end_in_a_region_that_does_not_exist_is_resource_not_found(
    lineage, sagemaker, raises_aws, account
):
    """API_AddAssociation errors: ResourceNotFound. The ARN pattern accepts any ``[a-z0-9-]*`` Region, and
    nothing exists in a Region that does not."""
    # Given
    ours = lineage.artifact()
    nowhere = f"arn:aws:sagemaker:xx-nowhere-1:{account}:artifact/{'0' * 32}"

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.add_association(SourceArn=ours, DestinationArn=nowhere)
