"""The questions SageMaker Python SDK's EndpointContext asks of QueryLineage, asked of our graph.

sagemaker.lineage.context.EndpointContext:
- dataset_artifacts(): QueryLineage(StartArns=[endpoint context], Direction=Ascendants,
  Filters={Types: [DataSet], LineageTypes: [Artifact]}, IncludeEdges=False)
- training_job_arns(): the same with Filters={Types: [TrainingJob], LineageTypes: [TrialComponent]},
  then DescribeTrialComponent(...).Source.SourceArn of each vertex.
"""

from __future__ import annotations

from typing import Any

import boto3
import sagemaker_lineage_emulator
from lineage_recorder import handler
from lineage_recorder_cli.demo_workflow import (
    RAW_DATA,
    TRAIN_FEATURES,
    VALIDATION_FEATURES,
    DemoNames,
    run_workflow,
)
from lineage_recorder_cli.local_aws import LocalEventPipeline


def _endpoint_context(sagemaker: Any, endpoint_arn: str) -> str:
    summaries = sagemaker.list_contexts(SourceUri=endpoint_arn)["ContextSummaries"]
    assert len(summaries) == 1
    return str(summaries[0]["ContextArn"])


def _ascendants(sagemaker: Any, start: str, types: list[str], lineage_types: list[str]) -> list[str]:
    arns: list[str] = []
    request: dict[str, Any] = {
        "StartArns": [start],
        "Direction": "Ascendants",
        "Filters": {"Types": types, "LineageTypes": lineage_types},
        "IncludeEdges": False,
    }
    while True:
        response = sagemaker.query_lineage(**request)
        arns.extend(vertex["Arn"] for vertex in response["Vertices"])
        if not response.get("NextToken"):
            return arns
        request["NextToken"] = response["NextToken"]


def test_endpoint_context_questions_of_the_sdk_get_the_data_and_the_training_job(
    sagemaker: Any,
) -> None:
    # Given SageMaker's own trial components and the whole workflow recorded through the handler
    sagemaker_lineage_emulator.configure(create_job_trial_components=True)
    handler.recorder.cache_clear()
    pipeline = LocalEventPipeline(
        boto3.client("events"), boto3.client("sqs"), account="123456789012", region="us-east-1"
    )
    details = run_workflow(sagemaker, pipeline)
    assert pipeline.drain(handler.lambda_handler).dead_lettered == []
    context_arn = _endpoint_context(sagemaker, details["endpoint"]["EndpointArn"])

    # When asking dataset_artifacts()
    datasets = _ascendants(sagemaker, context_arn, ["DataSet"], ["Artifact"])
    # Then the answer is every dataset upstream of the deployed model, each once
    uris = [sagemaker.describe_artifact(ArtifactArn=arn)["Source"]["SourceUri"] for arn in datasets]
    assert sorted(uris) == sorted([RAW_DATA, TRAIN_FEATURES, VALIDATION_FEATURES])

    # When asking training_job_arns()
    components = _ascendants(sagemaker, context_arn, ["TrainingJob"], ["TrialComponent"])
    job_arns = [
        sagemaker.describe_trial_component(TrialComponentName=arn.split("/")[1])["Source"]["SourceArn"]
        for arn in components
    ]
    # Then the answer is the one training job that produced the model
    assert job_arns == [details["training"]["TrainingJobArn"]]
    assert DemoNames().training_job in job_arns[0]
    handler.recorder.cache_clear()
