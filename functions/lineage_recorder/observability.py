"""One Logger, Metrics and Tracer for the whole function (Powertools reads its settings from env)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "lineage-recorder"
NAMESPACE = "SageMakerLineageRecorder"

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
tracer = Tracer(service=SERVICE)
