"""The model-package and endpoint planners, as pure functions: a description in, the exact plan out."""

from __future__ import annotations

from datetime import UTC, datetime

from lineage_recorder.families.endpoint import (
    DeployedImageSpec,
    DeployedVariant,
    Deployment,
    Endpoint,
    deployment_uri,
    plan_endpoint,
)
from lineage_recorder.families.model_package import ModelPackage, plan_model_package
from lineage_recorder.families.models import Model
from lineage_recorder.plan import EntityKey, EntityKind, Plan

ACCOUNT_ARN = "arn:aws:sagemaker:us-east-1:123456789012"
IMAGE = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1"
MODEL_DATA = "s3://models/churn/output/model.tar.gz"
PACKAGE = f"{ACCOUNT_ARN}:model-package/churn-models/3"
GROUP = f"{ACCOUNT_ARN}:model-package-group/churn-models"
ENDPOINT = f"{ACCOUNT_ARN}:endpoint/churn"


def _nodes(plan: Plan) -> set[tuple[str, str, str]]:
    return {(entity.key.kind, entity.entity_type, entity.key.source_uri) for entity in plan.entities}


def _edges(plan: Plan) -> set[tuple[str, str, str]]:
    return {
        (str(edge.source), str(edge.destination), edge.association_type)  # kind:SourceUri
        for edge in plan.edges
    }


def _package(**fields: object) -> ModelPackage:
    return ModelPackage.model_validate(
        {
            "ModelPackageArn": PACKAGE,
            "ModelPackageGroupName": "churn-models",
            "ModelPackageVersion": 3,
            "ModelApprovalStatus": "Approved",
            "ApprovalDescription": "passed the offline evaluation",
            "InferenceSpecification": {"Containers": [{"Image": IMAGE, "ModelDataUrl": MODEL_DATA}]},
            "MetadataProperties": {"GeneratedBy": "arn:pipeline-execution", "CommitId": "0f3c2a1"},
            "LastModifiedTime": "2026-11-21T12:30:00Z",
            **fields,
        }
    )


def test_a_package_version_is_an_artifact_in_its_group_with_its_approval_and_containers() -> None:
    # Given an approved package version with one container / When planned
    plan = plan_model_package(_package())
    # Then the nodes and edges are SageMaker's own shapes for a registered model
    assert _nodes(plan) == {
        ("artifact", "Model", PACKAGE),
        ("context", "ModelGroup", GROUP),
        ("action", "Approval", PACKAGE),
        ("artifact", "Image", IMAGE),
        ("artifact", "Model", MODEL_DATA),
    }
    assert _edges(plan) == {
        (f"artifact:{PACKAGE}", f"context:{GROUP}", "AssociatedWith"),
        (f"artifact:{PACKAGE}", f"action:{PACKAGE}", "AssociatedWith"),
        (f"artifact:{IMAGE}", f"artifact:{PACKAGE}", "ContributedTo"),
        (f"artifact:{MODEL_DATA}", f"artifact:{PACKAGE}", "ContributedTo"),
    }
    # And the package and its approval are updated in place later, from this state's time
    package = plan.entity(EntityKey(EntityKind.ARTIFACT, PACKAGE))
    approval = plan.entity(EntityKey(EntityKind.ACTION, PACKAGE))
    assert package.reconcile and approval.reconcile
    assert package.revision == approval.revision == "2026-11-21T12:30:00.000000Z"
    assert dict(package.properties) == {"ModelPackageGroupName": "churn-models", "ModelPackageVersion": "3"}
    # And MetadataProperties go where SageMaker puts them, not among the properties
    assert dict(package.metadata) == {"GeneratedBy": "arn:pipeline-execution", "CommitId": "0f3c2a1"}
    assert approval.status == "Completed"
    assert dict(approval.properties) == {
        "ModelApprovalStatus": "Approved",
        "ApprovalDescription": "passed the offline evaluation",
    }


def test_contexts_and_actions_keyed_by_an_arn_say_so_as_sagemaker_does() -> None:
    # Given a package version and an endpoint / When planned
    package_plan = plan_model_package(_package())
    endpoint_plan = plan_endpoint(
        _endpoint(), status="IN_SERVICE", revision="r2", deployments=[V2], current_config="config-v2"
    )
    # Then the ModelGroup and Endpoint contexts and the Approval action carry Source.SourceType "ARN"
    # (DataHub's SageMaker source keeps Endpoint and ModelGroup contexts only then)
    assert EntityKey(EntityKind.CONTEXT, GROUP).source_type == "ARN"
    assert EntityKey(EntityKind.CONTEXT, ENDPOINT).source_type == "ARN"
    assert EntityKey(EntityKind.ACTION, PACKAGE).source_type == "ARN"
    # And what is not an ARN has none: a deployment (the endpoint and its config), artifacts (SourceTypes)
    assert EntityKey(EntityKind.ACTION, deployment_uri(ENDPOINT, "config-v2")).source_type is None
    assert EntityKey(EntityKind.ARTIFACT, PACKAGE).source_type is None
    assert {entity.key for entity in package_plan.entities + endpoint_plan.entities} >= {
        EntityKey(EntityKind.CONTEXT, GROUP),
        EntityKey(EntityKind.CONTEXT, ENDPOINT),
    }


def test_a_pipeline_generated_version_names_its_execution_on_the_group() -> None:
    # Given a version registered by a pipeline execution, and one registered by hand
    execution = f"{ACCOUNT_ARN}:pipeline/churn-pipeline/execution/a1b2c3d4e5f6"
    by_pipeline = plan_model_package(
        _package(MetadataProperties={"GeneratedBy": execution}, CreationTime="2026-11-21T12:00:00Z")
    )
    by_hand = plan_model_package(_package(MetadataProperties={"GeneratedBy": "someone@example.com"}))
    # Then the group context carries PipelineExecutionArn (what the SDK's
    # ModelPackageGroup.pipeline_execution_arn() reads), kept up to date by creation time
    group = by_pipeline.entity(EntityKey(EntityKind.CONTEXT, GROUP))
    assert dict(group.properties)["PipelineExecutionArn"] == execution
    assert group.reconcile and group.revision == "2026-11-21T12:00:00.000000Z"
    # And a version not generated by a pipeline leaves the group as it is
    manual = by_hand.entity(EntityKey(EntityKind.CONTEXT, GROUP))
    assert "PipelineExecutionArn" not in dict(manual.properties) and not manual.reconcile


def test_approval_statuses_map_to_action_statuses() -> None:
    for approval, status in (
        ("Approved", "Completed"),
        ("Rejected", "Failed"),
        ("PendingManualApproval", "InProgress"),
        ("SomethingNew", "Unknown"),
    ):
        plan = plan_model_package(_package(ModelApprovalStatus=approval))
        assert plan.entity(EntityKey(EntityKind.ACTION, PACKAGE)).status == status, approval


def test_an_unversioned_package_has_no_group_and_no_approval_but_its_creation_action() -> None:
    # Given an unversioned package (no group) without an approval status, created by someone
    arn = f"{ACCOUNT_ARN}:model-package/standalone"
    plan = plan_model_package(
        _package(
            ModelPackageArn=arn,
            ModelPackageGroupName=None,
            ModelApprovalStatus=None,
            CreatedBy={"IamIdentity": {"Arn": "arn:aws:sts::123456789012:assumed-role/ml/alice"}},
            CreationTime="2026-11-20T08:00:00Z",
        )
    )
    # Then the package, its containers and the action of its creation are planned, nothing more
    assert _nodes(plan) == {
        ("artifact", "Model", arn),
        ("action", "ModelPackageCreation", arn),
        ("artifact", "Image", IMAGE),
        ("artifact", "Model", MODEL_DATA),
    }
    creation = plan.entity(EntityKey(EntityKind.ACTION, arn))
    assert creation.status == "Completed"
    assert dict(creation.properties) == {
        "CreatedBy": "arn:aws:sts::123456789012:assumed-role/ml/alice",
        "CreationTime": "2026-11-20T08:00:00.000000Z",
    }


def test_the_approval_says_who_created_and_last_changed_the_version() -> None:
    # Given an approved version, created by one person and approved by another
    plan = plan_model_package(
        _package(
            CreatedBy={"UserProfileName": "data-scientist"},
            LastModifiedBy={"UserProfileArn": f"{ACCOUNT_ARN}:user-profile/d-1/approver"},
        )
    )
    # Then the approval action records both
    approval = dict(plan.entity(EntityKey(EntityKind.ACTION, PACKAGE)).properties)
    assert approval["CreatedBy"] == "data-scientist"
    assert approval["LastModifiedBy"] == f"{ACCOUNT_ARN}:user-profile/d-1/approver"


def test_a_versions_evidence_is_associated_with_it() -> None:
    # Given a version with validation data, metric reports, drift baselines, a sample payload, extra
    # inference specifications and a source URI
    plan = plan_model_package(
        _package(
            ValidationSpecification={
                "ValidationProfiles": [
                    {
                        "ProfileName": "p",
                        "TransformJobDefinition": {
                            "TransformInput": {
                                "DataSource": {"S3DataSource": {"S3Uri": "s3://validation/in/"}}
                            },
                            "TransformOutput": {"S3OutputPath": "s3://validation/out/"},
                        },
                    }
                ]
            },
            ModelMetrics={
                "ModelQuality": {
                    "Statistics": {"ContentType": "application/json", "S3Uri": "s3://reports/q.json"}
                },
                "Bias": {"Report": {"ContentType": "application/json", "S3Uri": "s3://reports/bias.json"}},
            },
            DriftCheckBaselines={"ModelDataQuality": {"Constraints": {"S3Uri": "s3://baselines/c.json"}}},
            SamplePayloadUrl="s3://payloads/sample.tar.gz",
            AdditionalInferenceSpecifications=[
                {"Name": "gpu", "Containers": [{"Image": "1.dkr.ecr.us-east-1.amazonaws.com/gpu:1"}]}
            ],
            SourceUri="s3://registry-sources/churn/",
        )
    )
    edges = _edges(plan)
    # Then each is an artifact associated with the version (evidence about it) ...
    for uri in (
        "s3://validation/in/",
        "s3://validation/out/",
        "s3://reports/q.json",
        "s3://reports/bias.json",
        "s3://baselines/c.json",
        "s3://payloads/sample.tar.gz",
    ):
        assert (f"artifact:{uri}", f"artifact:{PACKAGE}", "AssociatedWith") in edges, uri
    assert ("artifact", "ModelMetrics", "s3://reports/q.json") in _nodes(plan)
    assert ("artifact", "DriftCheckBaseline", "s3://baselines/c.json") in _nodes(plan)
    # ... and what made it (another inference specification's image, its source) contributed to it
    assert (
        "artifact:1.dkr.ecr.us-east-1.amazonaws.com/gpu:1",
        f"artifact:{PACKAGE}",
        "ContributedTo",
    ) in edges
    assert ("artifact:s3://registry-sources/churn/", f"artifact:{PACKAGE}", "ContributedTo") in edges
    assert plan.skipped == ()


def test_source_algorithms_contribute_with_their_arn_and_model_data() -> None:
    # Given a package made from a Marketplace algorithm (ARN) and one of the account's own (name)
    plan = plan_model_package(
        _package(
            InferenceSpecification=None,
            SourceAlgorithmSpecification={
                "SourceAlgorithms": [
                    {"AlgorithmName": "arn:aws:sagemaker:us-east-1:865070037744:algorithm/vendor-algo"},
                    {"AlgorithmName": "in-house-algo", "ModelDataUrl": "s3://models/algo/model.tar.gz"},
                ]
            },
        )
    )
    # Then each algorithm is an Algorithm artifact keyed by its ARN, and the model data a Model artifact
    assert {
        ("artifact", "Algorithm", "arn:aws:sagemaker:us-east-1:865070037744:algorithm/vendor-algo"),
        ("artifact", "Algorithm", f"{ACCOUNT_ARN}:algorithm/in-house-algo"),
        ("artifact", "Model", "s3://models/algo/model.tar.gz"),
    } <= _nodes(plan)


def test_a_placeholder_container_image_is_skipped_with_its_field() -> None:
    plan = plan_model_package(_package(InferenceSpecification={"Containers": [{"Image": "Image"}]}))
    assert [(skipped.field, skipped.value) for skipped in plan.skipped] == [
        ("InferenceSpecification.Containers[0].Image", "Image")
    ]


# ------------------------------------------------------------------------------------------- endpoints
def _model(name: str, **container: str) -> Model:
    return Model.model_validate(
        {"ModelName": name, "ModelArn": f"{ACCOUNT_ARN}:model/{name}", "PrimaryContainer": container}
    )


def _endpoint() -> Endpoint:
    return Endpoint.model_validate({"EndpointArn": ENDPOINT, "EndpointName": "churn"})


V1 = Deployment(
    "config-v1",
    f"{ACCOUNT_ARN}:endpoint-config/config-v1",
    (DeployedVariant("primary", "m1", _model("m1", Image=IMAGE, ModelDataUrl=MODEL_DATA)),),
)
V2 = Deployment(
    "config-v2",
    f"{ACCOUNT_ARN}:endpoint-config/config-v2",
    (
        DeployedVariant("primary", "m2", _model("m2", ModelPackageName=PACKAGE)),
        DeployedVariant("shadow", "m1", _model("m1", Image=IMAGE, ModelDataUrl=MODEL_DATA), shadow=True),
    ),
)


def test_an_endpoint_is_a_context_with_one_deployment_per_config_and_the_models_behind_them() -> None:
    # Given an endpoint now on config-v2 (a package in production, the old model as shadow), which ran v1
    plan = plan_endpoint(
        _endpoint(), status="IN_SERVICE", revision="r2", deployments=[V1, V2], current_config="config-v2"
    )
    v1, v2 = deployment_uri(ENDPOINT, "config-v1"), deployment_uri(ENDPOINT, "config-v2")
    # Then each deployment is AssociatedWith the endpoint, with its variants' models ContributedTo it
    assert _nodes(plan) == {
        ("context", "Endpoint", ENDPOINT),
        ("action", "ModelDeployment", v1),
        ("action", "ModelDeployment", v2),
        ("artifact", "Image", IMAGE),
        ("artifact", "Model", MODEL_DATA),
        ("artifact", "Model", PACKAGE),
        ("action", "Approval", PACKAGE),
    }
    assert _edges(plan) == {
        (f"action:{v1}", f"context:{ENDPOINT}", "AssociatedWith"),
        (f"action:{v2}", f"context:{ENDPOINT}", "AssociatedWith"),
        (f"artifact:{IMAGE}", f"action:{v1}", "ContributedTo"),
        (f"artifact:{MODEL_DATA}", f"action:{v1}", "ContributedTo"),
        (f"artifact:{PACKAGE}", f"action:{v2}", "ContributedTo"),
        (f"artifact:{IMAGE}", f"action:{v2}", "ContributedTo"),
        (f"artifact:{MODEL_DATA}", f"action:{v2}", "ContributedTo"),
        # the package's approval is associated with the deployment of what it approved
        (f"action:{PACKAGE}", f"action:{v2}", "AssociatedWith"),
    }
    # And that approval is the model-package family's: referenced by the same key and name it plans
    approval = plan.entity(EntityKey(EntityKind.ACTION, PACKAGE))
    owned = plan_model_package(_package()).entity(EntityKey(EntityKind.ACTION, PACKAGE))
    assert approval.reference and not approval.reconcile
    assert approval.name == owned.name
    # And the live deployment is Completed; the other is Stopped and says what superseded it
    live = plan.entity(EntityKey(EntityKind.ACTION, v2))
    old = plan.entity(EntityKey(EntityKind.ACTION, v1))
    assert (live.status, old.status) == ("Completed", "Stopped")
    assert dict(old.properties)["SupersededBy"] == "config-v2"
    assert live.removed_properties == ("SupersededBy", "EndpointStatus")
    assert dict(live.properties)["ProductionVariants"] == "primary=m2"
    assert dict(live.properties)["ShadowProductionVariants"] == "shadow=m1"
    # And every other deployment already linked to the endpoint is marked superseded when applied
    (supersession,) = plan.supersessions
    assert (supersession.current, supersession.status) == (EntityKey(EntityKind.ACTION, v2), "Stopped")
    context = plan.entity(EntityKey(EntityKind.CONTEXT, ENDPOINT))
    assert context.reconcile and context.revision == "r2"
    assert dict(context.properties) == {
        "EndpointName": "churn",
        "EndpointStatus": "IN_SERVICE",
        "EndpointConfigName": "config-v2",
    }


def test_a_deleted_endpoint_keeps_its_context_and_deployments_marked_deleted() -> None:
    # Given a DELETED endpoint / When planned
    plan = plan_endpoint(_endpoint(), status="DELETED", revision="r9")
    # Then only its recorded context is marked (never created)
    assert _nodes(plan) == {("context", "Endpoint", ENDPOINT)}
    assert dict(plan.entities[0].properties)["EndpointStatus"] == "DELETED"
    assert plan.entities[0].existing_only
    # And every deployment linked to it, the live one included, is marked stopped and deleted
    (supersession,) = plan.supersessions
    assert supersession.current is None
    assert (supersession.status, dict(supersession.properties)) == ("Stopped", {"EndpointStatus": "DELETED"})


def test_without_the_live_config_no_deployment_is_marked_superseded() -> None:
    # Given an endpoint whose current config could not be described
    plan = plan_endpoint(_endpoint(), status="IN_SERVICE", revision=None, deployments=[V1])
    # Then its deployment is recorded as it was, and nothing is superseded or reconciled
    deployment = plan.entity(EntityKey(EntityKind.ACTION, deployment_uri(ENDPOINT, "config-v1")))
    assert deployment.status == "Completed" and not deployment.reconcile
    assert plan.supersessions == ()


def test_revision_is_a_sortable_utc_text() -> None:
    from lineage_recorder.families.builder import revision_of

    assert revision_of(datetime(2026, 11, 21, 12, 30, tzinfo=UTC)) == "2026-11-21T12:30:00.000000Z"
    assert revision_of(None) is None


def test_a_package_from_another_account_is_deployed_without_inventing_its_approval() -> None:
    # Given a prod endpoint whose model was built from a package registered in the dev account
    dev_package = "arn:aws:sagemaker:us-east-1:999999999999:model-package/churn-models/3"
    shared = Deployment(
        "config-x",
        None,
        (DeployedVariant("primary", "mx", _model("mx", ModelPackageName=dev_package)),),
    )
    # When planned
    plan = plan_endpoint(
        _endpoint(), status="IN_SERVICE", revision="r3", deployments=[shared], current_config="config-x"
    )
    # Then the package contributes to the deployment, but its approval (dev's) is not planned here
    assert ("artifact", "Model", dev_package) in _nodes(plan)
    assert ("action", "Approval", dev_package) not in _nodes(plan)


def test_the_live_deployment_records_the_image_digests_it_runs() -> None:
    # Given the live config's variant, whose image tag SageMaker resolved to a digest when deploying
    digest = "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost@sha256:" + "a" * 64
    deployed = [
        (
            "ProductionVariants[primary].DeployedImages[0]",
            DeployedImageSpec(
                SpecifiedImage=IMAGE, ResolvedImage=digest, ResolutionTime="2026-11-21T12:00:00Z"
            ),
        )
    ]
    # When planned with the older config too
    plan = plan_endpoint(
        _endpoint(),
        status="IN_SERVICE",
        revision="r2",
        deployments=[V1, V2],
        current_config="config-v2",
        deployed_images=deployed,
    )
    v1, v2 = deployment_uri(ENDPOINT, "config-v1"), deployment_uri(ENDPOINT, "config-v2")
    # Then the digest is an Image artifact that contributed to the live deployment only, and the tag it
    # was resolved from is associated with it
    assert ("artifact", "Image", digest) in _nodes(plan)
    edges = _edges(plan)
    assert (f"artifact:{digest}", f"action:{v2}", "ContributedTo") in edges
    assert (f"artifact:{digest}", f"action:{v1}", "ContributedTo") not in edges
    assert (f"artifact:{IMAGE}", f"artifact:{digest}", "AssociatedWith") in edges
    # And it says what it was resolved from, and when
    assert dict(plan.entity(EntityKey(EntityKind.ARTIFACT, digest)).properties) == {
        "SpecifiedImage": IMAGE,
        "ResolutionTime": "2026-11-21T12:00:00.000000Z",
    }


def test_a_deployed_image_that_is_not_an_image_uri_is_skipped_with_its_field() -> None:
    plan = plan_endpoint(
        _endpoint(),
        status="IN_SERVICE",
        revision="r2",
        deployments=[V1],
        current_config="config-v1",
        deployed_images=[
            ("ProductionVariants[primary].DeployedImages[0]", DeployedImageSpec(ResolvedImage="?"))
        ],
    )
    assert [s.field for s in plan.skipped] == ["ProductionVariants[primary].DeployedImages[0].ResolvedImage"]


def test_where_an_endpoint_writes_is_data_its_deployment_produced() -> None:
    # Given a deployment with asynchronous inference, data capture and a SHAP baseline for its explainer
    deployment = Deployment(
        "async-config",
        None,
        V1.variants,
        outputs=(
            ("AsyncInferenceConfig.OutputConfig.S3OutputPath", "s3://async-results/churn/"),
            ("AsyncInferenceConfig.OutputConfig.S3FailurePath", "s3://async-failures/churn/"),
            ("DataCaptureConfig.DestinationS3Uri", "s3://captured/churn/"),
        ),
        inputs=(
            (
                "ExplainerConfig.ClarifyExplainerConfig.ShapConfig.ShapBaselineConfig.ShapBaselineUri",
                "s3://baselines/shap.csv",
            ),
        ),
    )
    # When planned
    plan = plan_endpoint(
        _endpoint(),
        status="IN_SERVICE",
        revision="r1",
        deployments=[deployment],
        current_config="async-config",
    )
    key = f"action:{deployment_uri(ENDPOINT, 'async-config')}"
    edges = _edges(plan)
    # Then the deployment Produced each output location, and the baseline ContributedTo it
    for uri in ("s3://async-results/churn/", "s3://async-failures/churn/", "s3://captured/churn/"):
        assert (key, f"artifact:{uri}", "Produced") in edges, uri
        assert ("artifact", "DataSet", uri) in _nodes(plan)
    assert ("artifact:s3://baselines/shap.csv", key, "ContributedTo") in edges


def test_an_endpoint_config_names_what_its_deployment_writes() -> None:
    from lineage_recorder.families.endpoint import EndpointConfig

    config = EndpointConfig.model_validate(
        {
            "EndpointConfigName": "c",
            "AsyncInferenceConfig": {
                "OutputConfig": {"S3OutputPath": "s3://out/", "S3FailurePath": "s3://fail/"}
            },
            "DataCaptureConfig": {"DestinationS3Uri": "s3://capture/"},
        }
    )
    assert dict(config.outputs()) == {
        "AsyncInferenceConfig.OutputConfig.S3OutputPath": "s3://out/",
        "AsyncInferenceConfig.OutputConfig.S3FailurePath": "s3://fail/",
        "DataCaptureConfig.DestinationS3Uri": "s3://capture/",
    }
    assert config.inputs() == ()
