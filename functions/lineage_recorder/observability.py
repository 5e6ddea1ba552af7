"""One Logger, Metrics and Tracer for the whole function (Powertools reads its settings from env)."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

from lineage_recorder.outcome_metrics import NAMESPACE, SERVICE

__all__ = ["NAMESPACE", "SERVICE", "logger", "metrics", "tracer"]

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=NAMESPACE)
tracer = Tracer(service=SERVICE)
