"""The inference-component planner, as a pure function: a description in, the exact plan out."""

from __future__ import annotations

from lineage_recorder.families.inference_component import (
    InferenceComponent,
    deployment_uri,
    plan_deleted_component,
    plan_inference_component,
)
from lineage_recorder.families.models import Model
from lineage_recorder.plan import EntityKey, EntityKind, Plan

ACCOUNT_ARN = "arn:aws:sagemaker:us-east-1:123456789012"
COMPONENT = f"{ACCOUNT_ARN}:inference-component/chat-ic"
ENDPOINT = f"{ACCOUNT_ARN}:endpoint/llm"
IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-tgi-inference:2.4"
WEIGHTS = "s3://models/llama/output/model.tar.gz"


def _edges(plan: Plan) -> set[tuple[str, str, str]]:
    return {(str(edge.source), str(edge.destination), edge.association_type) for edge in plan.edges}


def _component(**specification: object) -> InferenceComponent:
    return InferenceComponent.model_validate(
        {
            "InferenceComponentName": "chat-ic",
            "InferenceComponentArn": COMPONENT,
            "EndpointName": "llm",
            "EndpointArn": ENDPOINT,
            "VariantName": "AllTraffic",
            "Specification": specification,
            "RuntimeConfig": {"DesiredCopyCount": 3, "CurrentCopyCount": 3},
            "InferenceComponentStatus": "InService",
            "LastModifiedTime": "2026-11-21T12:00:00Z",
        }
    )


def test_a_component_hosting_a_model_links_the_models_containers_to_the_endpoint() -> None:
    # Given a component hosting a model
    model = Model.model_validate(
        {
            "ModelName": "llama",
            "ModelArn": f"{ACCOUNT_ARN}:model/llama",
            "PrimaryContainer": {"Image": IMAGE, "ModelDataUrl": WEIGHTS},
        }
    )
    component = _component(ModelName="llama")
    # When planned
    plan = plan_inference_component(component, {"llama": model})
    deployment = f"action:{deployment_uri(COMPONENT, [spec for _, spec in component.specifications()])}"
    # Then the model's image and data contributed to the component's deployment, which is associated with
    # the component, which is associated with the endpoint (referenced, owned by the endpoint family)
    assert _edges(plan) == {
        (f"artifact:{IMAGE}", deployment, "ContributedTo"),
        (f"artifact:{WEIGHTS}", deployment, "ContributedTo"),
        (deployment, f"context:{COMPONENT}", "AssociatedWith"),
        (f"context:{COMPONENT}", f"context:{ENDPOINT}", "AssociatedWith"),
    }
    assert plan.entity(EntityKey(EntityKind.CONTEXT, ENDPOINT)).reference
    context = plan.entity(EntityKey(EntityKind.CONTEXT, COMPONENT))
    assert dict(context.properties)["CopyCount"] == "3" and context.reconcile
    assert EntityKey(EntityKind.CONTEXT, COMPONENT).source_type == "ARN"
    # And earlier specifications of the component are marked superseded by this one
    (supersession,) = plan.supersessions
    assert dict(supersession.properties) == {"SupersededBy": "llama"}


def test_a_new_model_is_a_new_deployment_and_new_copies_are_not() -> None:
    # Given the same component with another model, and with the same model and other copies
    first = _component(ModelName="llama")
    other_model = _component(ModelName="llama-v2")
    more_copies = first.model_copy(update={"RuntimeConfig": {"DesiredCopyCount": 9}})

    # Then a new model is a new deployment key; new copies are the same deployment, updated in place
    def uri(component: InferenceComponent) -> str:
        return deployment_uri(COMPONENT, [spec for _, spec in component.specifications()])

    assert uri(first) != uri(other_model)
    assert uri(first) == uri(more_copies)


def test_a_container_component_records_its_image_digest_artifact_and_base() -> None:
    # Given an adapter component with its own container, on a base component
    digest = IMAGE.rsplit(":", 1)[0] + "@sha256:" + "b" * 64
    component = _component(
        Container={
            "DeployedImage": {"SpecifiedImage": IMAGE, "ResolvedImage": digest},
            "ArtifactUrl": "s3://adapters/chat/adapter.tar.gz",
        },
        BaseInferenceComponentName="base-ic",
    )
    # When planned
    plan = plan_inference_component(component, {})
    deployment = f"action:{deployment_uri(COMPONENT, [spec for _, spec in component.specifications()])}"
    edges = _edges(plan)
    # Then the image, its digest, the artifact and the base component contributed to the deployment
    for source in (
        f"artifact:{IMAGE}",
        f"artifact:{digest}",
        "artifact:s3://adapters/chat/adapter.tar.gz",
        f"context:{ACCOUNT_ARN}:inference-component/base-ic",
    ):
        assert (source, deployment, "ContributedTo") in edges, source
    assert (f"artifact:{IMAGE}", f"artifact:{digest}", "AssociatedWith") in edges


def test_a_deleted_component_marks_what_was_recorded_and_creates_nothing() -> None:
    plan = plan_deleted_component(COMPONENT, "chat-ic", "r9")
    (context,) = plan.entities
    assert context.existing_only and dict(context.properties)["InferenceComponentStatus"] == "Deleted"
    (supersession,) = plan.supersessions
    assert supersession.current is None
