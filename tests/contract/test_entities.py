"""Create, Describe, Update and Delete of artifacts, actions and contexts."""

from __future__ import annotations

import re
import time

import pytest

KINDS = ("artifact", "action", "context")


def test_artifact_arn_is_artifact_slash_32_hex(lineage, backend):
    """API_CreateArtifact / ArtifactArn pattern ``arn:aws[a-z\\-]*:sagemaker:<region>:<account>:artifact/.*``;
    SageMaker names an artifact by a generated 32-hex-digit id, not by ArtifactName."""
    # Given / When: an artifact created with a name
    arn = lineage.artifact(name=lineage.name("named"))

    # Then: its ARN is artifact/<32 hex> in the caller's region and account
    assert re.fullmatch(rf"arn:aws:sagemaker:{backend.region}:\d{{12}}:artifact/[0-9a-f]{{32}}", arn), arn


def test_action_arn_is_action_slash_name(lineage, backend):
    """API_CreateAction / ActionArn pattern ``...:action/.*``: an action is addressed by its name."""
    # Given
    name = lineage.name("act")

    # When
    arn = lineage.action(name=name)

    # Then
    assert re.fullmatch(rf"arn:aws:sagemaker:{backend.region}:\d{{12}}:action/{name}", arn, re.IGNORECASE), (
        arn
    )


def test_context_arn_is_context_slash_name(lineage, backend):
    """API_CreateContext / ContextArn pattern ``...:context/.*``: a context is addressed by its name."""
    # Given
    name = lineage.name("ctx")

    # When
    arn = lineage.context(name=name)

    # Then
    assert re.fullmatch(rf"arn:aws:sagemaker:{backend.region}:\d{{12}}:context/{name}", arn, re.IGNORECASE), (
        arn
    )


def test_describe_artifact_returns_what_was_stored(lineage, sagemaker):
    """API_DescribeArtifact response: ArtifactName, ArtifactArn, Source (SourceUri and SourceTypes),
    ArtifactType, Properties, MetadataProperties, CreationTime and LastModifiedTime."""
    # Given
    name = lineage.name("model")
    uri = lineage.uri("model.tar.gz")
    source = {"SourceUri": uri, "SourceTypes": [{"SourceIdType": "S3ETag", "Value": "abc123"}]}
    properties = {"framework": "xgboost", "accuracy": "0.93"}
    metadata = {"CommitId": "0a1b2c", "Repository": "https://example.invalid/repo", "GeneratedBy": "ci"}

    # When
    arn = lineage.artifact(
        "Model", name=name, source=source, Properties=properties, MetadataProperties=metadata
    )
    described = sagemaker.describe_artifact(ArtifactArn=arn)

    # Then
    assert described["ArtifactArn"] == arn
    assert described["ArtifactName"] == name
    assert described["ArtifactType"] == "Model"
    assert described["Source"] == source
    assert described["Properties"] == properties
    assert described["MetadataProperties"] == metadata
    assert described["CreationTime"] <= described["LastModifiedTime"]


def test_describe_action_returns_what_was_stored_by_name_or_arn(lineage, sagemaker):
    """API_DescribeAction: ActionName accepts a name or an ARN (ExperimentEntityNameOrArn); the response
    carries Source (SourceUri, SourceType, SourceId), ActionType, Description, Status, Properties and
    MetadataProperties."""
    # Given
    name = lineage.name("deploy")
    source = {"SourceUri": lineage.uri("endpoint-config"), "SourceType": "EndpointConfig", "SourceId": "v1"}
    arn = lineage.action(
        "ModelDeployment",
        name=name,
        source=source,
        Description="deploys the model",
        Status="InProgress",
        Properties={"variant": "AllTraffic"},
        MetadataProperties={"ProjectId": "p-123"},
    )

    # When
    by_name = sagemaker.describe_action(ActionName=name)
    by_arn = sagemaker.describe_action(ActionName=arn)

    # Then
    for described in (by_name, by_arn):
        assert described["ActionArn"] == arn
        assert described["ActionName"] == name
        assert described["ActionType"] == "ModelDeployment"
        assert described["Source"] == source
        assert described["Description"] == "deploys the model"
        assert described["Status"] == "InProgress"
        assert described["Properties"] == {"variant": "AllTraffic"}
        assert described["MetadataProperties"] == {"ProjectId": "p-123"}


def test_describe_context_returns_what_was_stored_by_name_or_arn(lineage, sagemaker):
    """API_DescribeContext: ContextName accepts a name or an ARN (ContextNameOrArn); the response carries
    Source, ContextType, Description and Properties."""
    # Given
    name = lineage.name("endpoint")
    source = {"SourceUri": lineage.uri("endpoint"), "SourceType": "Endpoint"}
    arn = lineage.context(
        "Endpoint", name=name, source=source, Description="prod", Properties={"stage": "prod"}
    )

    # When
    by_name = sagemaker.describe_context(ContextName=name)
    by_arn = sagemaker.describe_context(ContextName=arn)

    # Then
    for described in (by_name, by_arn):
        assert described["ContextArn"] == arn
        assert described["ContextName"] == name
        assert described["ContextType"] == "Endpoint"
        assert described["Source"] == source
        assert described["Description"] == "prod"
        assert described["Properties"] == {"stage": "prod"}


@pytest.mark.parametrize("kind", KINDS)
def test_tags_given_at_creation_are_returned_by_list_tags(lineage, sagemaker, kind):
    """API_CreateArtifact / API_CreateAction / API_CreateContext ``Tags``: "A list of tags to apply";
    API_ListTags returns the tags of a SageMaker resource by ARN."""
    # Given
    tags = [{"Key": "team", "Value": "ml"}, {"Key": "cost-centre", "Value": "42"}]

    # When
    arn = lineage.create(kind, "DataSet" if kind == "artifact" else "Custom", Tags=tags)
    listed = sagemaker.list_tags(ResourceArn=arn)["Tags"]

    # Then
    assert sorted(listed, key=lambda tag: tag["Key"]) == sorted(tags, key=lambda tag: tag["Key"])


def test_add_tags_to_a_lineage_entity_adds_to_its_tags(lineage, sagemaker):
    """API_AddTags: "Adds or overwrites one or more tags for the specified SageMaker resource"."""
    # Given
    arn = lineage.artifact(Tags=[{"Key": "team", "Value": "ml"}])

    # When
    sagemaker.add_tags(
        ResourceArn=arn, Tags=[{"Key": "team", "Value": "data"}, {"Key": "tier", "Value": "gold"}]
    )

    # Then
    listed = {tag["Key"]: tag["Value"] for tag in sagemaker.list_tags(ResourceArn=arn)["Tags"]}
    assert listed == {"team": "data", "tier": "gold"}


def test_list_summaries_carry_status_and_source(lineage, sagemaker):
    """API_ListActions / ActionSummary: ActionArn, ActionName, Source, ActionType, Status, CreationTime,
    LastModifiedTime."""
    # Given
    action_type = lineage.unique_type("Approval")
    source = {"SourceUri": lineage.uri("package"), "SourceType": "ModelPackage"}
    name = lineage.name("approval")
    arn = lineage.action(action_type, name=name, source=source, Status="Completed")

    # When
    summaries = sagemaker.list_actions(ActionType=action_type)["ActionSummaries"]

    # Then
    assert len(summaries) == 1
    summary = summaries[0]
    assert summary["ActionArn"] == arn
    assert summary["ActionName"] == name
    assert summary["ActionType"] == action_type
    assert summary["Source"] == source
    assert summary["Status"] == "Completed"
    assert {"CreationTime", "LastModifiedTime"} <= summary.keys()


def test_update_artifact_merges_properties_removes_keys_and_renames(lineage, sagemaker):
    """API_UpdateArtifact: ArtifactName is "The new name", Properties "The new list of properties",
    PropertiesToRemove "A list of properties to remove". The reference is silent on keys not named in
    Properties; like UpdateTrialComponent's Parameters, given keys are added or replaced and the others
    kept (otherwise PropertiesToRemove would be pointless)."""
    # Given
    arn = lineage.artifact(
        name=lineage.name("before"), Properties={"keep": "1", "change": "old", "drop": "x"}
    )
    before = sagemaker.describe_artifact(ArtifactArn=arn)
    new_name = lineage.name("after")
    time.sleep(0.005)

    # When
    answer = sagemaker.update_artifact(
        ArtifactArn=arn,
        ArtifactName=new_name,
        Properties={"change": "new", "add": "2"},
        PropertiesToRemove=["drop"],
    )

    # Then
    after = sagemaker.describe_artifact(ArtifactArn=arn)
    assert answer["ArtifactArn"] == arn
    assert after["ArtifactName"] == new_name
    assert after["Properties"] == {"keep": "1", "change": "new", "add": "2"}
    assert after["LastModifiedTime"] > before["LastModifiedTime"]
    assert after["CreationTime"] == before["CreationTime"]


def test_update_action_changes_status_and_description(lineage, sagemaker):
    """API_UpdateAction: Description "The new description", Status "The new status"."""
    # Given
    name = lineage.name("deploy")
    arn = lineage.action(name=name, Status="InProgress", Description="starting")

    # When
    answer = sagemaker.update_action(ActionName=name, Status="Completed", Description="done")

    # Then
    described = sagemaker.describe_action(ActionName=name)
    assert answer["ActionArn"] == arn
    assert (described["Status"], described["Description"]) == ("Completed", "done")


def test_update_context_changes_description_and_properties(lineage, sagemaker):
    """API_UpdateContext: Description, Properties and PropertiesToRemove."""
    # Given
    name = lineage.name("group")
    arn = lineage.context("ModelGroup", name=name, Properties={"owner": "a", "old": "x"})

    # When
    answer = sagemaker.update_context(
        ContextName=name,
        Description="models of team a",
        Properties={"owner": "b"},
        PropertiesToRemove=["old"],
    )

    # Then
    described = sagemaker.describe_context(ContextName=name)
    assert answer["ContextArn"] == arn
    assert described["Description"] == "models of team a"
    assert described["Properties"] == {"owner": "b"}


@pytest.mark.parametrize("kind", KINDS)
def test_describe_missing_entity_is_resource_not_found(sagemaker, raises_aws, missing_entity, kind):
    """API_DescribeArtifact / API_DescribeAction / API_DescribeContext errors: ResourceNotFound
    "Resource being access is not found"."""
    # Given: nothing of that name exists
    missing = missing_entity(kind)

    # When / Then
    with raises_aws("ResourceNotFound"):
        getattr(sagemaker, f"describe_{kind}")(**missing)


@pytest.mark.parametrize("kind", KINDS)
def test_update_missing_entity_is_resource_not_found(sagemaker, raises_aws, missing_entity, kind):
    """API_UpdateArtifact / API_UpdateAction / API_UpdateContext errors: ResourceNotFound."""
    # Given: nothing of that name exists
    missing = missing_entity(kind)

    # When / Then
    with raises_aws("ResourceNotFound"):
        getattr(sagemaker, f"update_{kind}")(**missing, Properties={"a": "b"})


@pytest.mark.parametrize("kind", KINDS)
def test_delete_entity_returns_its_arn_and_it_is_gone(lineage, raises_aws, kind):
    """API_DeleteArtifact / API_DeleteAction / API_DeleteContext: the response is the deleted entity's
    ARN; afterwards Describe answers ResourceNotFound."""
    # Given
    arn = lineage.create(kind, "DataSet" if kind == "artifact" else "Custom")

    # When
    answer = lineage.delete(kind, arn)

    # Then
    assert answer[f"{kind.capitalize()}Arn"] == arn
    with raises_aws("ResourceNotFound"):
        lineage.describe(kind, arn)


@pytest.mark.parametrize("kind", KINDS)
def test_delete_missing_entity_is_resource_not_found(sagemaker, raises_aws, missing_entity, kind):
    """API_DeleteArtifact / API_DeleteAction / API_DeleteContext errors: ResourceNotFound."""
    # Given: nothing of that name exists
    missing = missing_entity(kind)

    # When / Then
    with raises_aws("ResourceNotFound"):
        getattr(sagemaker, f"delete_{kind}")(**missing)


def test_delete_artifact_by_source_uri(lineage, sagemaker, raises_aws):
    """API_DeleteArtifact: "Either ArtifactArn or Source must be specified"; Source is "The URI of the
    source"."""
    # Given
    uri = lineage.uri("dataset")
    arn = lineage.artifact(uri=uri)

    # When
    answer = sagemaker.delete_artifact(Source={"SourceUri": uri})

    # Then
    assert answer["ArtifactArn"] == arn
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_artifact(ArtifactArn=arn)


def test_delete_artifact_by_source_deletes_every_artifact_with_that_uri(lineage, sagemaker):
    """API_DeleteArtifact Source: "The URI of the source". SourceUri is not unique and the reference does
    not say which artifact a Source names; the emulator deletes every artifact with that SourceUri and
    answers the ARN of the oldest."""
    # Given
    uri = lineage.uri("twice")
    first = lineage.artifact(uri=uri)
    second = lineage.artifact(uri=uri)

    # When
    answer = sagemaker.delete_artifact(Source={"SourceUri": uri})

    # Then
    assert answer["ArtifactArn"] == first
    assert sagemaker.list_artifacts(SourceUri=uri)["ArtifactSummaries"] == []
    assert second != first


@pytest.mark.parametrize("kind", KINDS)
def test_entity_with_associations_cannot_be_deleted_until_they_are(lineage, sagemaker, raises_aws, kind):
    """Lineage Tracking Entities: associations link existing entities, so an entity that is still an end
    of an association cannot be deleted; deleting its associations first lets it go (the SageMaker
    Python SDK's ``delete(disassociate=True)`` does exactly that). The reference is silent on the error:
    the emulator answers ValidationException mentioning the associations."""
    # Given: the entity is the source of one association and the destination of another
    arn = lineage.create(kind, "DataSet" if kind == "artifact" else "Custom")
    upstream = lineage.artifact()
    downstream = lineage.artifact("Model")
    lineage.associate(upstream, arn)
    lineage.associate(arn, downstream, "Produced")

    # When / Then: it cannot be deleted while associated
    with raises_aws("ValidationException", "association"):
        lineage.delete(kind, arn)
    lineage.describe(kind, arn)

    # When: its associations are deleted
    sagemaker.delete_association(SourceArn=upstream, DestinationArn=arn)
    sagemaker.delete_association(SourceArn=arn, DestinationArn=downstream)

    # Then: it can be deleted
    assert lineage.delete(kind, arn)[f"{kind.capitalize()}Arn"] == arn


def test_delete_artifact_by_a_source_uri_nothing_has_is_resource_not_found(lineage, sagemaker, raises_aws):
    """API_DeleteArtifact errors: ResourceNotFound - also when no artifact has the given Source."""
    # Given: a URI no artifact was created with
    uri = lineage.uri("never-created")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.delete_artifact(Source={"SourceUri": uri})
