"""Request validation from botocore's SageMaker model (service-2.json), done by the service.

These tests use a client with botocore's parameter validation switched off: botocore checks only
minimum lengths and types, and the point is what SageMaker itself refuses.
"""

from __future__ import annotations

import pytest

KINDS = ("artifact", "action", "context")


def _create_request(kind: str, name: str) -> dict[str, object]:
    prefix = kind.capitalize()
    return {
        f"{prefix}Name": name,
        f"{prefix}Type": "Custom",
        "Source": {"SourceUri": "s3://contract/name-check"},
    }


@pytest.mark.parametrize("kind", KINDS)
def test_entity_name_of_120_characters_is_accepted_and_121_rejected(
    unvalidated_sagemaker, raises_aws, lineage, kind
):
    """botocore model: ExperimentEntityName / ContextName have ``max: 120`` (API_CreateArtifact,
    API_CreateAction, API_CreateContext: "Length Constraints: Maximum length of 120")."""
    # Given
    stem = f"ct-{lineage.uid}-"
    longest = stem + "a" * (120 - len(stem))
    too_long = longest + "b"

    # When / Then
    created = getattr(unvalidated_sagemaker, f"create_{kind}")(**_create_request(kind, longest))
    lineage.track(kind, created[f"{kind.capitalize()}Arn"], longest)
    with raises_aws("ValidationException", "120"):
        getattr(unvalidated_sagemaker, f"create_{kind}")(**_create_request(kind, too_long))


@pytest.mark.parametrize(
    ("kind", "name"),
    [("artifact", "bad_name"), ("action", "bad_name"), ("action", "-leading-dash"), ("context", "bad name")],
)
def test_entity_name_must_match_the_documented_pattern(unvalidated_sagemaker, raises_aws, kind, name):
    """botocore model: ExperimentEntityName pattern ``[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}``; ContextName
    pattern ``[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,119}``."""
    # Given: a name outside the pattern
    request = _create_request(kind, name)

    # When / Then
    with raises_aws("ValidationException", "pattern"):
        getattr(unvalidated_sagemaker, f"create_{kind}")(**request)


def test_context_names_may_contain_underscores(lineage, sagemaker):
    """botocore model: ContextName allows ``[-_]`` between characters, unlike ExperimentEntityName."""
    # Given
    name = f"ct_{lineage.uid}_endpoint"

    # When
    arn = lineage.context(name=name)

    # Then
    assert sagemaker.describe_context(ContextName=name)["ContextArn"] == arn


def test_source_uri_of_2048_characters_is_accepted_and_2049_rejected(
    unvalidated_sagemaker, raises_aws, lineage
):
    """botocore model: SourceUri ``max: 2048`` (API_ArtifactSource "Maximum length of 2048")."""
    # Given
    prefix = lineage.uri("long") + "/"
    longest = prefix + "k" * (2048 - len(prefix))

    # When / Then
    lineage.artifact(uri=longest)
    with raises_aws("ValidationException", "2048"):
        unvalidated_sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": longest + "k"})


@pytest.mark.parametrize("kind", KINDS)
def test_thirty_properties_are_accepted_and_thirty_one_rejected(
    unvalidated_sagemaker, raises_aws, lineage, kind
):
    """botocore model: ArtifactProperties / LineageEntityParameters map ``max: 30``."""
    # Given
    thirty = {f"p{index}": str(index) for index in range(30)}
    thirty_one = {**thirty, "p30": "30"}

    # When / Then
    lineage.create(kind, "Custom", Properties=thirty)
    with raises_aws("ValidationException", "30"):
        getattr(unvalidated_sagemaker, f"create_{kind}")(
            **_create_request(kind, lineage.name(kind)), Properties=thirty_one
        )


@pytest.mark.parametrize(
    ("operation", "request_body"),
    [
        (
            "create_action",
            {"ActionName": "ct-enum", "ActionType": "t", "Source": {"SourceUri": "u"}, "Status": "Bogus"},
        ),
        (
            "create_artifact",
            {
                "ArtifactType": "t",
                "Source": {"SourceUri": "u", "SourceTypes": [{"SourceIdType": "Bogus", "Value": "v"}]},
            },
        ),
        ("list_artifacts", {"SortOrder": "Sideways"}),
        ("list_artifacts", {"SortBy": "Name"}),
        ("list_associations", {"AssociationType": "Bogus"}),
        (
            "query_lineage",
            {"StartArns": ["arn:aws:sagemaker:us-east-1:123456789012:context/x"], "Direction": "Up"},
        ),
    ],
    ids=[
        "action-status",
        "source-id-type",
        "sort-order",
        "artifact-sort-by",
        "association-type",
        "direction",
    ],
)
def test_enum_members_accept_only_their_documented_values(
    unvalidated_sagemaker, raises_aws, operation, request_body
):
    """botocore model enums: ActionStatus, ArtifactSourceIdType, SortOrder, SortArtifactsBy (CreationTime
    only), AssociationEdgeType, Direction."""
    # Given: a request with one value outside its enum
    # When / Then
    with raises_aws("ValidationException", "enum"):
        getattr(unvalidated_sagemaker, operation)(**request_body)


def test_association_arns_must_name_a_lineage_entity(unvalidated_sagemaker, raises_aws, lineage):
    """botocore model: AssociationEntityArn pattern allows experiment, experiment-trial-component,
    artifact, action and context resources only."""
    # Given: an ARN of a training job
    artifact = lineage.artifact()
    job_arn = artifact.split(":artifact/")[0] + ":training-job/some-job"

    # When / Then
    with raises_aws("ValidationException", "pattern"):
        unvalidated_sagemaker.add_association(SourceArn=job_arn, DestinationArn=artifact)


@pytest.mark.parametrize("max_results", [0, 101])
def test_list_max_results_must_be_between_1_and_100(unvalidated_sagemaker, raises_aws, max_results):
    """botocore model: MaxResults ``min: 1, max: 100`` (API_ListArtifacts and the other List* calls)."""
    # Given / When / Then
    with raises_aws("ValidationException"):
        unvalidated_sagemaker.list_artifacts(MaxResults=max_results)


def test_query_lineage_max_depth_is_at_most_10(unvalidated_sagemaker, raises_aws, lineage):
    """botocore model: QueryLineageMaxDepth ``max: 10``."""
    # Given
    start = lineage.artifact()

    # When / Then: 10 is accepted, 11 refused
    unvalidated_sagemaker.query_lineage(StartArns=[start], MaxDepth=10)
    with raises_aws("ValidationException", "10"):
        unvalidated_sagemaker.query_lineage(StartArns=[start], MaxDepth=11)


def test_query_lineage_max_results_is_at_most_50(unvalidated_sagemaker, raises_aws, lineage):
    """botocore model: QueryLineageMaxResults ``max: 50``."""
    # Given
    start = lineage.artifact()

    # When / Then: 50 is accepted, 51 refused
    unvalidated_sagemaker.query_lineage(StartArns=[start], MaxResults=50)
    with raises_aws("ValidationException", "50"):
        unvalidated_sagemaker.query_lineage(StartArns=[start], MaxResults=51)


def test_query_lineage_takes_one_start_arn(unvalidated_sagemaker, raises_aws, lineage):
    """botocore model: QueryLineageStartArns ``max: 1`` (API_QueryLineage StartArns "Maximum number of
    1 item")."""
    # Given
    first, second = lineage.artifact(), lineage.artifact()

    # When / Then
    with raises_aws("ValidationException"):
        unvalidated_sagemaker.query_lineage(StartArns=[first, second])


def test_more_than_50_tags_are_rejected(unvalidated_sagemaker, raises_aws):
    """botocore model: TagList ``max: 50`` on CreateArtifact / CreateAction / CreateContext."""
    # Given
    tags = [{"Key": f"k{index}", "Value": "v"} for index in range(51)]

    # When / Then
    with raises_aws("ValidationException", "50"):
        unvalidated_sagemaker.create_artifact(
            ArtifactType="DataSet", Source={"SourceUri": "s3://t"}, Tags=tags
        )


def test_query_lineage_max_results_below_1_is_rejected(unvalidated_sagemaker, raises_aws, lineage):
    """botocore model: QueryLineageMaxResults has ``max: 50`` and no minimum. A page of no vertices is
    meaningless, so the emulator refuses MaxResults < 1 like the List* calls' ``min: 1``."""
    # Given
    start = lineage.artifact()

    # When / Then
    with raises_aws("ValidationException"):
        unvalidated_sagemaker.query_lineage(StartArns=[start], MaxResults=0)
