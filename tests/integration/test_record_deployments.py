"""Recording model packages and endpoints against the emulator: the exact entities and edges."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from lineage_recorder.families.endpoint import deployment_uri
from lineage_recorder.recorder import Recorder, RecordOutcome, parse_event
from lineage_recorder_cli.resource_events import (
    endpoint_deleted_event,
    endpoint_event,
    model_event,
    model_package_event,
)

from tests.integration.deployments import (
    SERVING_IMAGE,
    as_event,
    endpoint_config,
    model,
    model_package,
)
from tests.integration.jobs import IMAGE, training_job
from tests.support.graph import snapshot
from tests.support.recording import recorder_for
from tests.support.state_table import create_state_table

MODEL_DATA = "s3://models/churn/output/model.tar.gz"
OTHER_DATA = "s3://models/churn-v2/output/model.tar.gz"
EARLY, LATE = "2026-11-21T10:00:00Z", "2026-11-21T11:00:00Z"


def _now() -> str:
    """An event time as SageMaker stamps a deletion: after the endpoint's last change."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _record(recorder: Recorder, *events: dict[str, Any]) -> list[RecordOutcome]:
    return [recorder.record(parse_event(event)) for event in events]


def _endpoint(sagemaker: Any, name: str, config: str) -> str:
    return str(sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=config)["EndpointArn"])


def _action(sagemaker: Any, source_uri: str) -> dict[str, Any]:
    summaries = sagemaker.list_actions(SourceUri=source_uri)["ActionSummaries"]
    assert len(summaries) == 1, summaries
    described: dict[str, Any] = sagemaker.describe_action(ActionName=summaries[0]["ActionArn"])
    return described


def _digests(sagemaker: Any, endpoint_name: str) -> dict[str, str]:
    """Image tag -> the digest SageMaker resolved it to, for the endpoint's live variants."""
    return {
        image["SpecifiedImage"]: image["ResolvedImage"]
        for variant in sagemaker.describe_endpoint(EndpointName=endpoint_name)["ProductionVariants"]
        for image in variant.get("DeployedImages", [])
    }


def _context(sagemaker: Any, source_uri: str) -> dict[str, Any]:
    summaries = sagemaker.list_contexts(SourceUri=source_uri)["ContextSummaries"]
    assert len(summaries) == 1, summaries
    described: dict[str, Any] = sagemaker.describe_context(ContextName=summaries[0]["ContextArn"])
    return described


def test_a_single_model_endpoint_records_context_deployment_and_the_model(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given an endpoint serving one model
    model(sagemaker, "churn", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "churn-config", ["churn"])
    endpoint_arn = _endpoint(sagemaker, "churn-endpoint", "churn-config")
    deployment = deployment_uri(endpoint_arn, "churn-config")
    # When its IN_SERVICE event is recorded
    _record(recorder, as_event(endpoint_event(sagemaker, "churn-endpoint")))
    # Then the graph is exactly the endpoint, its deployment and the deployed model's artifacts, with the
    # digest its image tag was resolved to
    digest = _digests(sagemaker, "churn-endpoint")[SERVING_IMAGE]
    graph = snapshot(sagemaker)
    assert graph.nodes == {
        ("Endpoint", endpoint_arn),
        ("ModelDeployment", deployment),
        ("Image", SERVING_IMAGE),
        ("Image", digest),
        ("Model", MODEL_DATA),
    }
    assert graph.edges == {
        (("Image", SERVING_IMAGE), ("ModelDeployment", deployment), "ContributedTo"),
        (("Image", digest), ("ModelDeployment", deployment), "ContributedTo"),
        (("Image", SERVING_IMAGE), ("Image", digest), "AssociatedWith"),
        (("Model", MODEL_DATA), ("ModelDeployment", deployment), "ContributedTo"),
        (("ModelDeployment", deployment), ("Endpoint", endpoint_arn), "AssociatedWith"),
    }
    # And the deployment is live and the context names the endpoint's status and config
    assert _action(sagemaker, deployment)["Status"] == "Completed"
    context = _context(sagemaker, endpoint_arn)["Properties"]
    assert context["EndpointStatus"] == "IN_SERVICE"
    assert context["EndpointConfigName"] == "churn-config"


def test_every_production_and_shadow_variant_contributes_to_the_deployment(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given an endpoint with two production variants and a shadow variant, each a different model
    images = [f"123456789012.dkr.ecr.us-east-1.amazonaws.com/serve-{i}:1" for i in range(3)]
    data = [f"s3://models/variant-{i}/model.tar.gz" for i in range(3)]
    for index in range(3):
        model(sagemaker, f"model-{index}", {"Image": images[index], "ModelDataUrl": data[index]})
    endpoint_config(sagemaker, "ab-config", ["model-0", "model-1"], shadow_models=("model-2",))
    endpoint_arn = _endpoint(sagemaker, "ab-endpoint", "ab-config")
    deployment = deployment_uri(endpoint_arn, "ab-config")
    # When the endpoint is recorded
    _record(recorder, as_event(endpoint_event(sagemaker, "ab-endpoint")))
    # Then all three models' images and data contributed to the one deployment
    graph = snapshot(sagemaker)
    contributors = {source for source, target, kind in graph.edges if target[1] == deployment}
    digests = {("Image", digest) for digest in _digests(sagemaker, "ab-endpoint").values()}
    assert len(digests) == 2  # the production variants' (the emulator describes no shadow summary)
    assert contributors == {("Image", i) for i in images} | {("Model", d) for d in data} | digests
    properties = _action(sagemaker, deployment)["Properties"]
    assert properties["ProductionVariants"] == "variant0=model-0,variant1=model-1"
    assert properties["ShadowProductionVariants"] == "shadow0=model-2"


def test_every_container_of_a_multi_container_model_contributes(recorder: Recorder, sagemaker: Any) -> None:
    # Given an inference pipeline model: a preprocessing container, then the predictor
    preprocess = "123456789012.dkr.ecr.us-east-1.amazonaws.com/preprocess:3"
    model(
        sagemaker,
        "pipeline-model",
        {"Image": preprocess, "ModelDataUrl": "s3://models/preprocess/model.tar.gz"},
        {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA},
    )
    endpoint_config(sagemaker, "pipeline-config", ["pipeline-model"])
    endpoint_arn = _endpoint(sagemaker, "pipeline-endpoint", "pipeline-config")
    deployment = deployment_uri(endpoint_arn, "pipeline-config")
    # When the endpoint is recorded
    _record(recorder, as_event(endpoint_event(sagemaker, "pipeline-endpoint")))
    # Then both containers' images and model data contributed to the deployment
    graph = snapshot(sagemaker)
    contributors = {source for source, target, kind in graph.edges if target[1] == deployment}
    digests = _digests(sagemaker, "pipeline-endpoint")
    assert contributors == {
        ("Image", preprocess),
        ("Model", "s3://models/preprocess/model.tar.gz"),
        ("Image", SERVING_IMAGE),
        ("Model", MODEL_DATA),
        ("Image", digests[preprocess]),
        ("Image", digests[SERVING_IMAGE]),
    }


def test_a_model_built_from_a_model_package_links_the_package_to_the_deployment(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a registered package version that says a pipeline generated it, and a model created from it,
    # deployed to an endpoint
    execution_arn = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/x"
    package_arn = model_package(
        sagemaker,
        "churn-models",
        model_data=MODEL_DATA,
        approval="Approved",
        metadata={"GeneratedBy": execution_arn},
    )
    group_arn = "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/churn-models"
    model(sagemaker, "from-package", {"ModelPackageName": package_arn})
    endpoint_config(sagemaker, "package-config", ["from-package"])
    endpoint_arn = _endpoint(sagemaker, "package-endpoint", "package-config")
    deployment = deployment_uri(endpoint_arn, "package-config")
    # When the package event and the endpoint event are recorded
    _record(
        recorder,
        as_event(model_package_event(sagemaker, package_arn)),
        as_event(endpoint_event(sagemaker, "package-endpoint")),
    )
    # Then the package joins the group, its approval, its container and the deployment
    digest = _digests(sagemaker, "package-endpoint")[IMAGE]
    graph = snapshot(sagemaker)
    assert graph.edges == {
        (("Image", IMAGE), ("Model", package_arn), "ContributedTo"),
        (("Model", MODEL_DATA), ("Model", package_arn), "ContributedTo"),
        (("Model", package_arn), ("ModelGroup", group_arn), "AssociatedWith"),
        (("Model", package_arn), ("Approval", package_arn), "AssociatedWith"),
        (("Model", package_arn), ("ModelDeployment", deployment), "ContributedTo"),
        (("ModelDeployment", deployment), ("Endpoint", endpoint_arn), "AssociatedWith"),
        # the approval is associated with the deployment of what it approved, as in SageMaker's graph
        (("Approval", package_arn), ("ModelDeployment", deployment), "AssociatedWith"),
        # the package's image, as SageMaker resolved it when deploying
        (("Image", digest), ("ModelDeployment", deployment), "ContributedTo"),
        (("Image", IMAGE), ("Image", digest), "AssociatedWith"),
    }
    # (GeneratedBy names an execution SageMaker does not have: it is kept as metadata, and not linked)
    assert ("PipelineExecution", execution_arn) not in graph.nodes
    # And the package artifact carries the MetadataProperties where SageMaker puts them
    package = sagemaker.list_artifacts(SourceUri=package_arn)["ArtifactSummaries"]
    described = sagemaker.describe_artifact(ArtifactArn=package[0]["ArtifactArn"])
    assert described["MetadataProperties"]["GeneratedBy"].endswith(":pipeline/p/execution/x")
    assert "GeneratedBy" not in described["Properties"]
    assert described["Properties"]["ModelPackageGroupName"] == "churn-models"
    # And the group names the pipeline execution (the SDK's ModelPackageGroup.pipeline_execution_arn())
    (group,) = sagemaker.list_contexts(SourceUri=group_arn)["ContextSummaries"]
    group_properties = sagemaker.describe_context(ContextName=group["ContextName"])["Properties"]
    assert group_properties["PipelineExecutionArn"].endswith(":pipeline/p/execution/x")
    # And contexts and actions keyed by an ARN say so, as SageMaker's own do (DataHub reads only those)
    for summary in (
        group,
        *sagemaker.list_contexts(SourceUri=endpoint_arn)["ContextSummaries"],
        *sagemaker.list_actions(SourceUri=package_arn)["ActionSummaries"],
    ):
        assert summary["Source"]["SourceType"] == "ARN", summary


def test_an_endpoint_recorded_before_its_package_links_the_one_approval(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a package version deployed through a model, and its events arriving endpoint first
    package_arn = model_package(sagemaker, "late-models", model_data=MODEL_DATA, approval="Approved")
    model(sagemaker, "late-model", {"ModelPackageName": package_arn})
    endpoint_config(sagemaker, "late-config", ["late-model"])
    endpoint_arn = _endpoint(sagemaker, "late-endpoint", "late-config")
    # When the endpoint event is recorded, then the package event
    _record(recorder, as_event(endpoint_event(sagemaker, "late-endpoint")))
    _record(recorder, as_event(model_package_event(sagemaker, package_arn)))
    # Then there is one Approval action, linked to the deployment, with the package's status
    (approval,) = sagemaker.list_actions(SourceUri=package_arn)["ActionSummaries"]
    assert sagemaker.describe_action(ActionName=approval["ActionName"])["Status"] == "Completed"
    graph = snapshot(sagemaker)
    assert graph.duplicate_entities == {}
    deployment = deployment_uri(endpoint_arn, "late-config")
    assert (("Approval", package_arn), ("ModelDeployment", deployment), "AssociatedWith") in graph.edges
    assert (("Model", package_arn), ("Approval", package_arn), "AssociatedWith") in graph.edges


def test_an_endpoint_update_adds_a_deployment_and_marks_the_previous_one_superseded(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given an endpoint recorded on its first config
    model(sagemaker, "v1", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    model(sagemaker, "v2", {"Image": SERVING_IMAGE, "ModelDataUrl": OTHER_DATA})
    endpoint_config(sagemaker, "config-v1", ["v1"])
    endpoint_arn = _endpoint(sagemaker, "live", "config-v1")
    first_event = as_event(endpoint_event(sagemaker, "live"), EARLY)
    _record(recorder, first_event)
    # When it is updated to a new config and that IN_SERVICE event is recorded
    endpoint_config(sagemaker, "config-v2", ["v2"])
    sagemaker.update_endpoint(EndpointName="live", EndpointConfigName="config-v2")
    second_event = as_event(endpoint_event(sagemaker, "live"), LATE)
    _record(recorder, second_event)
    # Then the new deployment is live and linked to the new model
    first, second = deployment_uri(endpoint_arn, "config-v1"), deployment_uri(endpoint_arn, "config-v2")
    assert _action(sagemaker, second)["Status"] == "Completed"
    graph = snapshot(sagemaker)
    assert (("Model", OTHER_DATA), ("ModelDeployment", second), "ContributedTo") in graph.edges
    # And the previous deployment stays in the graph, marked as superseded
    previous = _action(sagemaker, first)
    assert previous["Status"] == "Stopped"
    assert previous["Properties"]["SupersededBy"] == "config-v2"
    assert (("Model", MODEL_DATA), ("ModelDeployment", first), "ContributedTo") in graph.edges
    assert (("ModelDeployment", first), ("Endpoint", endpoint_arn), "AssociatedWith") in graph.edges
    assert _context(sagemaker, endpoint_arn)["Properties"]["EndpointConfigName"] == "config-v2"

    # When both deliveries arrive again, in the wrong order
    late_repeat, early_repeat = _record(recorder, second_event, first_event)
    # Then nothing is created and the live deployment stays the live one
    for outcome in (late_repeat, early_repeat):
        assert outcome.created == []
        assert outcome.associations_created == 0
    assert snapshot(sagemaker) == graph
    assert _action(sagemaker, first)["Status"] == "Stopped"
    assert _action(sagemaker, second)["Status"] == "Completed"


def test_an_approval_change_updates_the_one_approval_action(recorder: Recorder, sagemaker: Any) -> None:
    # Given a package version recorded while pending approval
    package_arn = model_package(sagemaker, "reviewed", model_data=MODEL_DATA)
    _record(recorder, as_event(model_package_event(sagemaker, package_arn), EARLY))
    assert _action(sagemaker, package_arn)["Status"] == "InProgress"
    graph_before = snapshot(sagemaker)
    # When it is approved and SageMaker fires the package event again (a new event id)
    sagemaker.update_model_package(
        ModelPackageArn=package_arn, ModelApprovalStatus="Approved", ApprovalDescription="passed review"
    )
    (outcome,) = _record(
        recorder, as_event(model_package_event(sagemaker, package_arn, ["ModelApprovalStatus"]), LATE)
    )
    # Then the same Approval action now says Approved, and nothing new was created
    approval = _action(sagemaker, package_arn)
    assert approval["Status"] == "Completed"
    assert approval["Properties"]["ModelApprovalStatus"] == "Approved"
    assert approval["Properties"]["ApprovalDescription"] == "passed review"
    assert outcome.created == []
    assert snapshot(sagemaker) == graph_before


def test_a_refired_package_event_with_a_metadata_only_update_creates_nothing(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a recorded package version
    package_arn = model_package(sagemaker, "stable", model_data=MODEL_DATA, approval="Approved")
    _record(recorder, as_event(model_package_event(sagemaker, package_arn)))
    graph_before = snapshot(sagemaker)
    # When a customer-metadata update fires the event again
    sagemaker.update_model_package(
        ModelPackageArn=package_arn, CustomerMetadataProperties={"owner": "risk-team"}
    )
    (outcome,) = _record(
        recorder, as_event(model_package_event(sagemaker, package_arn, ["CustomerMetadataProperties"]))
    )
    # Then no entity or association is added
    assert outcome.created == []
    assert outcome.associations_created == 0
    assert snapshot(sagemaker) == graph_before
    assert graph_before.duplicate_entities == {}


def test_source_algorithms_contribute_their_algorithm_and_model_data(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a package built from a marketplace algorithm
    algorithm = "arn:aws:sagemaker:us-east-1:865070037744:algorithm/xgboost-marketplace"
    package_arn = model_package(
        sagemaker,
        "from-algorithm",
        model_data=MODEL_DATA,
        algorithms=[{"AlgorithmName": algorithm, "ModelDataUrl": OTHER_DATA}],
    )
    # When it is recorded
    _record(recorder, as_event(model_package_event(sagemaker, package_arn)))
    # Then the algorithm and its model data contributed to the package
    edges = snapshot(sagemaker).edges
    assert (("Algorithm", algorithm), ("Model", package_arn), "ContributedTo") in edges
    assert (("Model", OTHER_DATA), ("Model", package_arn), "ContributedTo") in edges


def test_a_package_recorded_before_its_training_job_joins_the_jobs_model(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a training job and a package registered from the job's model.tar.gz
    train = training_job(sagemaker, "train", inputs=["s3://features/"], output="s3://models/")
    model_data = train["detail"]["ModelArtifacts"]["S3ModelArtifacts"]
    package_arn = model_package(sagemaker, "joined", model_data=model_data)
    # When the package event is recorded before the job's
    _record(recorder, as_event(model_package_event(sagemaker, package_arn)), train)
    # Then one Model artifact links the job to the package
    graph = snapshot(sagemaker)
    assert graph.duplicate_entities == {}
    assert (("TrainingJob", train["resources"][0]), ("Model", model_data), "Produced") in graph.edges
    assert (("Model", model_data), ("Model", package_arn), "ContributedTo") in graph.edges


def test_a_deleted_endpoint_keeps_its_lineage_and_is_marked_deleted(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a recorded endpoint
    model(sagemaker, "m", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "c", ["m"])
    endpoint_arn = _endpoint(sagemaker, "short-lived", "c")
    in_service = as_event(endpoint_event(sagemaker, "short-lived"), EARLY)
    _record(recorder, in_service)
    graph = snapshot(sagemaker)
    # When it is deleted (SageMaker's event comes after the endpoint's last change)
    sagemaker.delete_endpoint(EndpointName="short-lived")
    deleted = as_event(endpoint_deleted_event(endpoint_arn, "short-lived"), _now())
    _record(recorder, deleted)
    # Then the context says DELETED and every entity and edge is still there
    assert _context(sagemaker, endpoint_arn)["Properties"]["EndpointStatus"] == "DELETED"
    assert snapshot(sagemaker) == graph
    # And its deployment, live until then, says so too
    (deployment,) = sagemaker.list_actions(SourceUri=deployment_uri(endpoint_arn, "c"))["ActionSummaries"]
    described = sagemaker.describe_action(ActionName=deployment["ActionName"])
    assert (described["Status"], described["Properties"]["EndpointStatus"]) == ("Stopped", "DELETED")
    # When the IN_SERVICE event is delivered again, late
    (late,) = _record(recorder, in_service)
    # Then SageMaker no longer knows the endpoint: the event changes nothing, and says why
    assert late.unconfirmed and "SageMaker does not know" in str(late.ignored_reason)
    assert _context(sagemaker, endpoint_arn)["Properties"]["EndpointStatus"] == "DELETED"


def test_an_endpoint_gone_before_its_events_are_recorded_writes_nothing_and_says_why(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given an endpoint that was created and then deleted before any event was processed
    model(sagemaker, "m", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "c", ["m"])
    endpoint_arn = _endpoint(sagemaker, "gone", "c")
    in_service = as_event(endpoint_event(sagemaker, "gone"), EARLY)
    sagemaker.delete_endpoint(EndpointName="gone")
    deleted = as_event(endpoint_deleted_event(endpoint_arn, "gone"), _now())
    # When the deletion arrives first, then the creation
    outcomes = _record(recorder, deleted, in_service)
    # Then nothing is written: SageMaker cannot confirm the endpoint ever existed, and an event's body is
    # never recorded on its own word; the creation says so
    assert snapshot(sagemaker).nodes == frozenset()
    assert [outcome.created for outcome in outcomes] == [[], []]
    assert outcomes[1].unconfirmed


def test_a_deletion_of_an_endpoint_sagemaker_still_has_changes_nothing(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a recorded, live endpoint
    model(sagemaker, "m", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "c", ["m"])
    endpoint_arn = _endpoint(sagemaker, "alive", "c")
    _record(recorder, as_event(endpoint_event(sagemaker, "alive"), EARLY))
    # When a DELETED event arrives for it (forged, or about an earlier endpoint of the same name)
    (outcome,) = _record(recorder, as_event(endpoint_deleted_event(endpoint_arn, "alive"), _now()))
    # Then the context stays IN_SERVICE, and the event is counted as not confirmed
    assert outcome.unconfirmed and "still has this endpoint" in str(outcome.ignored_reason)
    assert _context(sagemaker, endpoint_arn)["Properties"]["EndpointStatus"] == "IN_SERVICE"


def test_a_far_future_event_time_cannot_freeze_an_endpoint(recorder: Recorder, sagemaker: Any) -> None:
    # Given a recorded endpoint, deleted, and a DELETED event stamped far in the future
    model(sagemaker, "m", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "c", ["m"])
    endpoint_arn = _endpoint(sagemaker, "reborn", "c")
    _record(recorder, as_event(endpoint_event(sagemaker, "reborn"), EARLY))
    sagemaker.delete_endpoint(EndpointName="reborn")
    _record(recorder, as_event(endpoint_deleted_event(endpoint_arn, "reborn"), "2099-01-01T00:00:00Z"))
    assert _context(sagemaker, endpoint_arn)["Properties"]["EndpointStatus"] == "DELETED"
    # When the endpoint is created again and its event arrives
    time.sleep(0.01)
    _endpoint(sagemaker, "reborn", "c")
    _record(recorder, as_event(endpoint_event(sagemaker, "reborn"), _now()))
    # Then the new state is recorded: the future time was taken as no later than when it was processed
    assert _context(sagemaker, endpoint_arn)["Properties"]["EndpointStatus"] == "IN_SERVICE"


def test_the_live_deployment_records_the_image_digest_it_runs(recorder: Recorder, sagemaker: Any) -> None:
    # Given an endpoint whose model names its image by tag (SageMaker resolves it to a digest)
    model(sagemaker, "tagged", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "tagged-config", ["tagged"])
    endpoint_arn = _endpoint(sagemaker, "tagged-endpoint", "tagged-config")
    (deployed,) = sagemaker.describe_endpoint(EndpointName="tagged-endpoint")["ProductionVariants"][0][
        "DeployedImages"
    ]
    # When its event is recorded
    _record(recorder, as_event(endpoint_event(sagemaker, "tagged-endpoint")))
    # Then the digest is an Image artifact that contributed to the deployment, and the tag is associated
    # with it
    deployment = deployment_uri(endpoint_arn, "tagged-config")
    digest = deployed["ResolvedImage"]
    edges = snapshot(sagemaker).edges
    assert (("Image", digest), ("ModelDeployment", deployment), "ContributedTo") in edges
    assert (("Image", SERVING_IMAGE), ("Image", digest), "AssociatedWith") in edges
    (artifact,) = sagemaker.list_artifacts(SourceUri=digest)["ArtifactSummaries"]
    properties = sagemaker.describe_artifact(ArtifactArn=artifact["ArtifactArn"])["Properties"]
    assert properties["SpecifiedImage"] == SERVING_IMAGE


def test_a_model_deleted_before_its_endpoint_is_recorded_keeps_its_containers(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a model whose creation event was recorded (the recorder remembers it), then deployed, and
    # deleted before the endpoint's event is processed
    model(sagemaker, "short-lived-model", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    (remembered,) = _record(recorder, as_event(model_event(sagemaker, "short-lived-model")))
    endpoint_config(sagemaker, "late-config-2", ["short-lived-model"])
    endpoint_arn = _endpoint(sagemaker, "late-endpoint-2", "late-config-2")
    event = as_event(endpoint_event(sagemaker, "late-endpoint-2"))
    sagemaker.delete_model(ModelName="short-lived-model")
    # When the endpoint event is recorded
    (outcome,) = _record(recorder, event)
    # Then the deployment still has the model's image and data upstream, and the outcome says how it knew
    deployment = deployment_uri(endpoint_arn, "late-config-2")
    edges = snapshot(sagemaker).edges
    assert (("Model", MODEL_DATA), ("ModelDeployment", deployment), "ContributedTo") in edges
    assert (("Image", SERVING_IMAGE), ("ModelDeployment", deployment), "ContributedTo") in edges
    assert remembered.created == [] and remembered.fallbacks == []
    assert outcome.fallbacks == []
    (recalled,) = outcome.recalled
    assert "short-lived-model" in recalled and "remembered description" in recalled


def test_a_model_never_seen_and_deleted_is_said_not_silently_dropped(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a deployed model deleted before anything recorded it
    model(sagemaker, "unseen-model", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    endpoint_config(sagemaker, "unseen-config", ["unseen-model"])
    _endpoint(sagemaker, "unseen-endpoint", "unseen-config")
    event = as_event(endpoint_event(sagemaker, "unseen-endpoint"))
    sagemaker.delete_model(ModelName="unseen-model")
    # When the endpoint event is recorded / Then the outcome says the model could not be described
    (outcome,) = _record(recorder, event)
    assert any("unseen-model" in fallback or "describe_model" in fallback for fallback in outcome.fallbacks)


def test_the_state_table_remembers_a_model_for_every_instance_and_not_its_environment(sagemaker: Any) -> None:
    # Given a state table shared by two recorder instances, and a model with a secret in its environment
    from lineage_recorder.state import table_state

    table = create_state_table(boto3.client("dynamodb"))
    first = recorder_for(sagemaker, table_state(boto3.client("dynamodb"), table))
    second = recorder_for(sagemaker, table_state(boto3.client("dynamodb"), table))
    model(
        sagemaker,
        "shared-model",
        {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA, "Environment": {"API_TOKEN": "s3cr3t"}},
    )
    # When one instance records the model's event, the model is deleted, and the other records its endpoint
    _record(first, as_event(model_event(sagemaker, "shared-model")))
    endpoint_config(sagemaker, "shared-config", ["shared-model"])
    endpoint_arn = _endpoint(sagemaker, "shared-endpoint", "shared-config")
    event = as_event(endpoint_event(sagemaker, "shared-endpoint"))
    sagemaker.delete_model(ModelName="shared-model")
    (outcome,) = _record(second, event)
    # Then the other instance recalls it from the table
    assert outcome.recalled
    deployment = deployment_uri(endpoint_arn, "shared-config")
    assert (("Model", MODEL_DATA), ("ModelDeployment", deployment), "ContributedTo") in snapshot(
        sagemaker
    ).edges
    # And the table holds no environment value
    items = boto3.client("dynamodb").scan(TableName=table)["Items"]
    assert not any("s3cr3t" in str(item) for item in items)
    assert any(item["id"]["S"].startswith("described#") for item in items)


@pytest.mark.parametrize("late_order", [("update", "delete"), ("delete", "update")])
def test_an_update_and_a_deletion_processed_late_leave_the_true_history(
    recorder: Recorder, sagemaker: Any, late_order: tuple[str, str]
) -> None:
    # Given an endpoint recorded live on config a, then updated to b and deleted before those two events
    # were processed (a backlog), which then arrive in either order
    model(sagemaker, "ma", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    model(sagemaker, "mb", {"Image": SERVING_IMAGE, "ModelDataUrl": OTHER_DATA})
    endpoint_config(sagemaker, "a", ["ma"])
    endpoint_config(sagemaker, "b", ["mb"])
    endpoint_arn = _endpoint(sagemaker, "backlogged", "a")
    _record(recorder, as_event(endpoint_event(sagemaker, "backlogged"), EARLY))
    sagemaker.update_endpoint(EndpointName="backlogged", EndpointConfigName="b")
    late = {"update": as_event(endpoint_event(sagemaker, "backlogged"), LATE)}
    sagemaker.delete_endpoint(EndpointName="backlogged")
    late["delete"] = as_event(endpoint_deleted_event(endpoint_arn, "backlogged"), _now())
    # When they are processed
    outcomes = dict(zip(late_order, _record(recorder, *(late[name] for name in late_order)), strict=True))
    # Then the endpoint is marked deleted and keeps the config it was last confirmed on; its deployment
    # of a is no longer live; nothing is revived
    context = _context(sagemaker, endpoint_arn)["Properties"]
    assert (context["EndpointStatus"], context["EndpointConfigName"]) == ("DELETED", "a")
    deployment = _action(sagemaker, deployment_uri(endpoint_arn, "a"))
    assert (deployment["Status"], deployment["Properties"]["EndpointStatus"]) == ("Stopped", "DELETED")
    # And the update SageMaker can no longer confirm is not recorded from the event alone, and says so
    assert outcomes["update"].unconfirmed
    assert sagemaker.list_actions(SourceUri=deployment_uri(endpoint_arn, "b"))["ActionSummaries"] == []


@pytest.mark.parametrize(
    "order",
    [
        ("old", "deleted", "new"),
        ("new", "old", "deleted"),
        ("deleted", "new", "old"),
        ("new", "deleted", "old"),
    ],
)
def test_an_endpoint_created_again_under_its_name_converges_to_the_new_one_whatever_the_order(
    recorder: Recorder, sagemaker: Any, order: tuple[str, str, str]
) -> None:
    # Given an endpoint on config a, deleted, and created again under the same name (the same ARN) on c
    model(sagemaker, "ma", {"Image": SERVING_IMAGE, "ModelDataUrl": MODEL_DATA})
    model(sagemaker, "mc", {"Image": SERVING_IMAGE, "ModelDataUrl": OTHER_DATA})
    endpoint_config(sagemaker, "a", ["ma"])
    endpoint_config(sagemaker, "c", ["mc"])
    endpoint_arn = _endpoint(sagemaker, "reborn", "a")
    events = {"old": as_event(endpoint_event(sagemaker, "reborn"), EARLY)}
    sagemaker.delete_endpoint(EndpointName="reborn")
    events["deleted"] = as_event(endpoint_deleted_event(endpoint_arn, "reborn"), _now())
    _endpoint(sagemaker, "reborn", "c")
    events["new"] = as_event(endpoint_event(sagemaker, "reborn"), _now())
    # When the three events are processed in this order
    _record(recorder, *(events[name] for name in order))
    # Then the endpoint is live on c, as SageMaker says now, and c's deployment is the live one
    context = _context(sagemaker, endpoint_arn)["Properties"]
    assert (context["EndpointStatus"], context["EndpointConfigName"]) == ("IN_SERVICE", "c")
    live = _action(sagemaker, deployment_uri(endpoint_arn, "c"))
    assert live["Status"] == "Completed"
    assert "EndpointStatus" not in live["Properties"] and "SupersededBy" not in live["Properties"]
    # And a's deployment, when recorded, is superseded by c
    earlier = sagemaker.list_actions(SourceUri=deployment_uri(endpoint_arn, "a"))["ActionSummaries"]
    for summary in earlier:
        described = sagemaker.describe_action(ActionName=summary["ActionArn"])
        assert described["Status"] == "Stopped"
