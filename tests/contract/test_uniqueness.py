"""Which lineage entities are unique, and by what."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("kind", ["action", "context"])
def test_action_and_context_names_are_unique_per_account_and_region(lineage, sagemaker, raises_aws, kind):
    """API_CreateAction / API_CreateContext ActionName, ContextName: "Must be unique to your account in an
    Amazon Web Services Region"; a second create with the same name is refused, naming the conflict."""
    # Given
    name = lineage.name(kind)
    arn = lineage.create(kind, "Custom", name=name)

    # When / Then
    with raises_aws("ValidationException", "already exists"):
        lineage.create(kind, "Other", name=name, uri=lineage.uri("other"))
    assert lineage.describe(kind, arn)[f"{kind.capitalize()}Type"] == "Custom"


@pytest.mark.parametrize("kind", ["action", "context"])
def test_a_deleted_name_can_be_used_again(lineage, kind):
    """Names are unique among existing entities (API_CreateAction / API_CreateContext); once deleted
    (API_DeleteAction / API_DeleteContext) the name is free."""
    # Given
    name = lineage.name(kind)
    first = lineage.create(kind, "Custom", name=name)
    lineage.delete(kind, first)

    # When
    second = lineage.create(kind, "Custom", name=name)

    # Then
    assert second == first
    assert lineage.describe(kind, second)[f"{kind.capitalize()}Name"] == name


def test_the_same_action_name_may_exist_in_another_region(backend, lineage):
    """API_CreateAction ActionName: unique "to your account in an Amazon Web Services Region", so the
    same name in another Region is a different action."""
    # Given
    name = lineage.name("action")
    here = lineage.action(name=name)
    elsewhere_client = backend.client("sagemaker", region="eu-west-1")

    # When
    there = elsewhere_client.create_action(
        ActionName=name, ActionType="ModelDeployment", Source={"SourceUri": lineage.uri("eu")}
    )["ActionArn"]

    # Then
    try:
        assert ":eu-west-1:" in there
        assert there != here
    finally:
        if not backend.is_emulator:
            elsewhere_client.delete_action(ActionName=name)


def test_artifact_names_are_not_unique(lineage, sagemaker):
    """Lineage Tracking Entities: an artifact is identified by its ARN (artifact/<id>) and SageMaker
    does not enforce ArtifactName uniqueness, although API_CreateArtifact's text copies the "Must be
    unique" sentence of the other entities. Two artifacts may share a name."""
    # Given
    name = lineage.name("shared")
    first = lineage.artifact(name=name)

    # When
    second = lineage.artifact(name=name)

    # Then
    assert first != second
    assert sagemaker.describe_artifact(ArtifactArn=first)["ArtifactName"] == name
    assert sagemaker.describe_artifact(ArtifactArn=second)["ArtifactName"] == name


def test_create_artifact_does_not_deduplicate_source_uri(lineage, sagemaker):
    """Lineage Tracking Entities: "SageMaker reuses any existing entities rather than creating new ones.
    For example, there can be only one artifact with a unique SourceUri." That describes SageMaker's own
    auto-created entities; API_CreateArtifact itself creates a new artifact each time, so a caller that
    wants reuse must look up ListArtifacts(SourceUri) first."""
    # Given
    uri = lineage.uri("dataset")
    first = lineage.artifact(uri=uri)

    # When
    second = lineage.artifact(uri=uri)

    # Then
    assert first != second
    listed = {
        summary["ArtifactArn"] for summary in sagemaker.list_artifacts(SourceUri=uri)["ArtifactSummaries"]
    }
    assert listed == {first, second}
