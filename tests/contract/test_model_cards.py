"""Model cards and their versions, as SageMaker describes them (moto's differ).

The documented rules each test holds the emulator to (SageMaker API reference and Developer Guide):

- API_CreateModelCard / API_UpdateModelCard Content: "Content must be in model card JSON schema and provided
  as a string".
- API_UpdateModelCard: "You cannot update both model card content and model card status in a single call".
  Developer Guide, "Edit a model card": "Updating a model card creates a new model card version in order to
  have an immutable record of model changes".
- API_DescribeModelCard: ModelCardName is "The name or Amazon Resource Name (ARN)"; "If a version is not
  provided, then the latest version of the model card is described"; CreatedBy and LastModifiedBy are
  members of the answer; IncludedData MetadataOnly returns "a sanitized version of Content that includes only"
  model_overview.model_id, model_overview.model_name, intended_uses.risk_rating and the model package
  details; a card or version that does not exist is ResourceNotFound.
- API_ListModelCardVersions: ModelCardName (name or ARN), ModelCardStatus, SortBy Version, SortOrder;
  botocore's paginators-1.json pages it on NextToken / MaxResults / ModelCardVersionSummaryList.

Model cards cost nothing in real AWS, but the suite does not clean them up there, so the tests that create
one are emulator-only; the one about a card that does not exist runs against real SageMaker too.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

EMULATOR_ONLY = "creates model cards, which the suite does not delete from a real account"
CONTENT = {
    "model_overview": {"model_name": "churn", "model_description": "internal detail"},
    "intended_uses": {"risk_rating": "Low", "purpose_of_model": "internal detail"},
}


def _card(sagemaker: Any, lineage: Any, content: dict[str, Any] | None = None) -> tuple[str, str]:
    name = lineage.name("card")
    arn = sagemaker.create_model_card(
        ModelCardName=name, Content=json.dumps(content or CONTENT), ModelCardStatus="Draft"
    )["ModelCardArn"]
    return name, arn


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_new_card_is_described_as_version_one(sagemaker, lineage, account, backend):
    # Given / When
    name, arn = _card(sagemaker, lineage)
    described = sagemaker.describe_model_card(ModelCardName=name)

    # Then
    assert arn == f"arn:aws:sagemaker:{backend.region}:{account}:model-card/{name}"
    assert described["ModelCardArn"] == arn
    assert described["ModelCardName"] == name
    assert described["ModelCardVersion"] == 1
    assert json.loads(described["Content"]) == CONTENT
    assert described["ModelCardStatus"] == "Draft"
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert "CreatedBy" in described and "LastModifiedBy" in described


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_each_update_is_a_new_version_keeping_what_it_does_not_change(sagemaker, lineage):
    # Given
    name, arn = _card(sagemaker, lineage)
    changed = {"model_overview": {"model_name": "churn-v2"}}

    # When: the status, then the content, each in a call of its own
    sagemaker.update_model_card(ModelCardName=name, ModelCardStatus="PendingReview")
    sagemaker.update_model_card(ModelCardName=arn, Content=json.dumps(changed))

    # Then: the latest is described, by name or ARN; each version is kept
    latest = sagemaker.describe_model_card(ModelCardName=arn)
    assert (latest["ModelCardVersion"], latest["ModelCardStatus"]) == (3, "PendingReview")
    assert json.loads(latest["Content"]) == changed
    second = sagemaker.describe_model_card(ModelCardName=name, ModelCardVersion=2)
    assert (second["ModelCardStatus"], json.loads(second["Content"])) == ("PendingReview", CONTENT)
    first = sagemaker.describe_model_card(ModelCardName=name, ModelCardVersion=1)
    assert first["ModelCardStatus"] == "Draft"
    assert latest["CreationTime"] == first["CreationTime"] <= latest["LastModifiedTime"]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_updating_content_and_status_in_one_call_is_refused(sagemaker, lineage, raises_aws):
    # Given
    name, _ = _card(sagemaker, lineage)

    # When / Then
    with raises_aws("ValidationException", "both"):
        sagemaker.update_model_card(
            ModelCardName=name, Content=json.dumps(CONTENT), ModelCardStatus="Approved"
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_content_that_is_not_json_is_refused(sagemaker, lineage, raises_aws):
    # Given / When / Then
    with raises_aws("ValidationException", "JSON"):
        sagemaker.create_model_card(
            ModelCardName=lineage.name("card"), Content="not json", ModelCardStatus="Draft"
        )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_metadata_only_keeps_the_documented_paths(sagemaker, lineage):
    # Given
    name, _ = _card(sagemaker, lineage)

    # When
    described = sagemaker.describe_model_card(ModelCardName=name, IncludedData="MetadataOnly")

    # Then
    assert json.loads(described["Content"]) == {
        "model_overview": {"model_name": "churn"},
        "intended_uses": {"risk_rating": "Low"},
    }


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_model_card_versions_filters_sorts_and_pages(sagemaker, lineage):
    # Given a card with three versions
    name, arn = _card(sagemaker, lineage)
    sagemaker.update_model_card(ModelCardName=name, ModelCardStatus="PendingReview")
    sagemaker.update_model_card(ModelCardName=name, ModelCardStatus="Approved")

    # When
    ascending = sagemaker.list_model_card_versions(ModelCardName=arn, SortBy="Version", SortOrder="Ascending")
    approved = sagemaker.list_model_card_versions(ModelCardName=name, ModelCardStatus="Approved")
    pages = list(
        sagemaker.get_paginator("list_model_card_versions").paginate(
            ModelCardName=name, SortOrder="Ascending", PaginationConfig={"PageSize": 2}
        )
    )

    # Then
    assert [v["ModelCardVersion"] for v in ascending["ModelCardVersionSummaryList"]] == [1, 2, 3]
    assert [v["ModelCardVersion"] for v in approved["ModelCardVersionSummaryList"]] == [3]
    assert [len(page["ModelCardVersionSummaryList"]) for page in pages] == [2, 1]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_version_that_does_not_exist_is_resource_not_found(sagemaker, lineage, raises_aws):
    # Given
    name, _ = _card(sagemaker, lineage)

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_model_card(ModelCardName=name, ModelCardVersion=7)


def test_a_card_that_does_not_exist_is_resource_not_found(sagemaker, lineage, raises_aws):
    # Given a name no card has
    name = lineage.name("nocard")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_model_card(ModelCardName=name)
    with raises_aws("ResourceNotFound"):
        sagemaker.list_model_card_versions(ModelCardName=name)
