"""Project-written SageMaker events for tests: the shape real events have, with values we control."""

from __future__ import annotations

import json
import uuid
from typing import Any

ACCOUNT = "123456789012"
REGION = "us-east-1"


def envelope(detail_type: str, detail: dict[str, Any], resource_arn: str, **overrides: Any) -> dict[str, Any]:
    event = {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": "aws.sagemaker",
        "account": ACCOUNT,
        "time": "2026-11-21T10:00:00Z",
        "region": REGION,
        "resources": [resource_arn],
        "detail": detail,
    }
    event.update(overrides)
    return event


def job_arn(kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{kind}-job/{name}"


def training_detail(
    name: str,
    *,
    inputs: list[str],
    image: str,
    output: str,
    status: str = "Completed",
    checkpoint: str | None = None,
    model: str | None = None,
) -> dict[str, Any]:
    detail: dict[str, Any] = {
        "TrainingJobName": name,
        "TrainingJobArn": job_arn("training", name),
        "TrainingJobStatus": status,
        "AlgorithmSpecification": {"TrainingImage": image, "TrainingInputMode": "File"},
        "InputDataConfig": [
            {"ChannelName": f"c{i}", "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}}}
            for i, uri in enumerate(inputs)
        ],
        "OutputDataConfig": {"S3OutputPath": output},
        "CreationTime": 1763719200000,
        "Tags": {"team": "ml"},
    }
    if model:
        detail["ModelArtifacts"] = {"S3ModelArtifacts": model}
    if checkpoint:
        detail["CheckpointConfig"] = {"S3Uri": checkpoint}
    return detail


def training_event(name: str, **kwargs: Any) -> dict[str, Any]:
    detail = training_detail(name, **kwargs)
    return envelope("SageMaker Training Job State Change", detail, detail["TrainingJobArn"])


def sqs_batch(bodies: list[Any]) -> dict[str, Any]:
    """An SQS event as Lambda receives it; bodies that are not strings are JSON-encoded."""
    return {
        "Records": [
            {
                "messageId": f"message-{index}",
                "receiptHandle": f"handle-{index}",
                "body": body if isinstance(body, str) else json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:lineage-recorder-queue",
                "awsRegion": REGION,
            }
            for index, body in enumerate(bodies)
        ]
    }
