"""Inference components: recorded from CloudTrail's API call events, with history, reachable by a trace."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lineage_recorder.families.inference_component import deployment_uri
from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder_cli.main import main
from lineage_recorder_cli.resource_events import endpoint_event

from tests.integration.deployments import SERVING_IMAGE, as_event, model
from tests.integration.jobs import training_job
from tests.support.events import ACCOUNT, REGION, envelope
from tests.support.graph import snapshot

TRAINING_DATA = "s3://features/chat/train/"
OTHER_DATA = "s3://features/chat-v2/train/"


def _api_call(name: str, component: str, arn: str | None) -> dict[str, Any]:
    """The event EventBridge delivers for a SageMaker API call CloudTrail logged."""
    return envelope(
        "AWS API Call via CloudTrail",
        {
            "eventSource": "sagemaker.amazonaws.com",
            "eventName": name,
            "awsRegion": REGION,
            "requestParameters": {"inferenceComponentName": component},
            "responseElements": {"inferenceComponentArn": arn} if arn else None,
            "eventType": "AwsApiCall",
        },
        "",
        resources=[],
        time="2026-11-21T10:00:00Z",
    )


def _component_endpoint(sagemaker: Any, name: str) -> str:
    """An endpoint for inference components: its variant names no model."""
    sagemaker.create_endpoint_config(
        EndpointConfigName=f"{name}-config",
        ProductionVariants=[
            {
                "VariantName": "AllTraffic",
                "InstanceType": "ml.g5.2xlarge",
                "InitialInstanceCount": 1,
                "RoutingConfig": {"RoutingStrategy": "LEAST_OUTSTANDING_REQUESTS"},
            }
        ],
        ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/TestRole",
    )
    return str(
        sagemaker.create_endpoint(EndpointName=name, EndpointConfigName=f"{name}-config")["EndpointArn"]
    )


def _trained_model(sagemaker: Any, recorder: Recorder, name: str, data: str) -> str:
    """A model whose data a recorded training job produced from `data`."""
    job = training_job(sagemaker, f"{name}-train", inputs=[data], output=f"s3://models/{name}/")
    recorder.record(parse_event(job))
    model_data = str(job["detail"]["ModelArtifacts"]["S3ModelArtifacts"])
    model(sagemaker, name, {"Image": SERVING_IMAGE, "ModelDataUrl": model_data})
    return model_data


def _record(recorder: Recorder, event: dict[str, Any]) -> Any:
    return recorder.record(parse_event(event))


@pytest.fixture
def hosted(recorder: Recorder, sagemaker: Any) -> dict[str, Any]:
    """An inference-component endpoint hosting a trained model in one component, all recorded."""
    endpoint_arn = _component_endpoint(sagemaker, "chat-endpoint")
    _record(recorder, as_event(endpoint_event(sagemaker, "chat-endpoint")))
    _trained_model(sagemaker, recorder, "chat-model", TRAINING_DATA)
    arn = sagemaker.create_inference_component(
        InferenceComponentName="chat-ic",
        EndpointName="chat-endpoint",
        VariantName="AllTraffic",
        Specification={
            "ModelName": "chat-model",
            "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 1024},
        },
        RuntimeConfig={"CopyCount": 1},
    )["InferenceComponentArn"]
    outcome = _record(recorder, _api_call("CreateInferenceComponent", "chat-ic", arn))
    return {"endpoint_arn": endpoint_arn, "component_arn": arn, "outcome": outcome}


def test_a_trace_from_a_component_endpoint_reaches_the_training_data(
    hosted: dict[str, Any], sagemaker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an inference-component endpoint whose component hosts a trained model (recorded)
    assert not hosted["outcome"].ignored, hosted["outcome"].ignored_reason
    (training_data,) = sagemaker.list_artifacts(SourceUri=TRAINING_DATA)["ArtifactSummaries"]
    # When lineage-recorder trace walks up from the endpoint
    status = main(["trace", hosted["endpoint_arn"], "--direction", "ascendants", "--format", "json"])
    # Then it reaches the component, its deployment, its model's image and data, and the training data
    assert status == 0
    graph = json.loads(capsys.readouterr().out)
    types = {vertex["Type"] for vertex in graph["Vertices"]}
    assert {"InferenceComponent", "ModelDeployment", "Model", "Image", "DataSet"} <= types
    assert training_data["ArtifactArn"] in {vertex["Arn"] for vertex in graph["Vertices"]}


def test_a_new_model_keeps_the_old_deployment_as_history_and_deletion_marks_both(
    hosted: dict[str, Any], recorder: Recorder, sagemaker: Any
) -> None:
    # Given the component, updated to a model trained on other data
    _trained_model(sagemaker, recorder, "chat-model-v2", OTHER_DATA)
    sagemaker.update_inference_component(
        InferenceComponentName="chat-ic",
        Specification={
            "ModelName": "chat-model-v2",
            "ComputeResourceRequirements": {"NumberOfCpuCoresRequired": 1, "MinMemoryRequiredInMb": 1024},
        },
    )
    # When the update's API call is recorded
    _record(recorder, _api_call("UpdateInferenceComponent", "chat-ic", hosted["component_arn"]))
    # Then both deployments are associated with the component: the new one live, the first one superseded
    component_arn = hosted["component_arn"]
    described = sagemaker.describe_inference_component(InferenceComponentName="chat-ic")
    from lineage_recorder.families.inference_component import InferenceComponent

    current = deployment_uri(
        component_arn, [spec for _, spec in InferenceComponent.model_validate(described).specifications()]
    )
    actions = {
        summary["Source"]["SourceUri"]: sagemaker.describe_action(ActionName=summary["ActionName"])
        for page in sagemaker.get_paginator("list_actions").paginate()
        for summary in page["ActionSummaries"]
        if summary["Source"]["SourceUri"].startswith(component_arn)
    }
    assert len(actions) == 2
    assert actions[current]["Status"] == "Completed"
    (earlier,) = [action for uri, action in actions.items() if uri != current]
    assert (earlier["Status"], earlier["Properties"]["SupersededBy"]) == ("Stopped", "chat-model-v2")
    # When the component is deleted and its deletion recorded
    sagemaker.delete_inference_component(InferenceComponentName="chat-ic")
    _record(recorder, _api_call("DeleteInferenceComponent", "chat-ic", None))
    # Then the component and both deployments say so, and nothing was removed or duplicated
    (context,) = sagemaker.list_contexts(SourceUri=component_arn)["ContextSummaries"]
    properties = sagemaker.describe_context(ContextName=context["ContextName"])["Properties"]
    assert properties["InferenceComponentStatus"] == "Deleted"
    for uri in actions:
        (summary,) = sagemaker.list_actions(SourceUri=uri)["ActionSummaries"]
        action = sagemaker.describe_action(ActionName=summary["ActionName"])
        assert (action["Status"], action["Properties"]["InferenceComponentStatus"]) == ("Stopped", "Deleted")
    assert snapshot(sagemaker).duplicate_entities == {}


def test_an_api_call_about_a_component_sagemaker_does_not_have_writes_nothing(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a forged CreateInferenceComponent call for a component that never existed
    forged = _api_call(
        "CreateInferenceComponent",
        "ghost-ic",
        f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:inference-component/ghost-ic",
    )
    # When recorded / Then it is ignored as unconfirmed, and nothing is written
    outcome = _record(recorder, forged)
    assert outcome.unconfirmed
    assert snapshot(sagemaker).nodes == frozenset()
