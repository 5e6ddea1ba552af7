"""Lineage state belongs to one account and Region, and the emulator's reset clears it."""

from __future__ import annotations

import pytest


def test_lineage_is_per_region(backend, lineage, raises_aws):
    """Lineage entities are regional resources (their ARNs name the Region; API_ListArtifacts "Lists the
    artifacts in your account"): another Region neither lists nor finds them."""
    # Given
    uri = lineage.uri("regional")
    arn = lineage.artifact(uri=uri)
    elsewhere = backend.client("sagemaker", region="eu-west-1")

    # When / Then
    assert elsewhere.list_artifacts(SourceUri=uri)["ArtifactSummaries"] == []
    with raises_aws("ResourceNotFound"):
        elsewhere.describe_artifact(ArtifactArn=arn)


def test_lineage_is_per_account(lineage, peer, sagemaker, raises_aws):
    """API_ListArtifacts / ListActions: "in your account"; credentials of another account (sts
    AssumeRole) see that account's lineage only."""
    # Given: the same URI and action name in two accounts
    uri, name = lineage.uri("accounts"), lineage.name("deploy")
    ours = lineage.artifact(uri=uri)
    theirs = peer.artifact(uri=uri)
    peer.action(name=name)

    # When
    listed_here = {s["ArtifactArn"] for s in sagemaker.list_artifacts(SourceUri=uri)["ArtifactSummaries"]}
    listed_there = {s["ArtifactArn"] for s in peer.sm.list_artifacts(SourceUri=uri)["ArtifactSummaries"]}

    # Then
    assert listed_here == {ours}
    assert listed_there == {theirs}
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_action(ActionName=name)


@pytest.mark.emulator_only("resets the emulator")
def test_reset_clears_all_lineage(backend, lineage, sagemaker, raises_aws):
    """Emulator: leaving ``mock_aws()`` (in-process) or ``POST /moto-api/reset`` (server) clears every
    account's lineage together with moto's own state."""
    # Given
    artifact = lineage.artifact()
    action_name = lineage.name("deploy")
    lineage.action(name=action_name)
    lineage.associate(artifact, lineage.context())

    # When
    backend.reset()

    # Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_artifact(ArtifactArn=artifact)
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_action(ActionName=action_name)
    assert sagemaker.list_associations()["AssociationSummaries"] == []
    assert lineage.action(name=action_name)  # the name is free again
