"""Which preparer handles each resource family (see patterns.FAMILIES for the events they get)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.preparers.common import Prepared
from lineage_recorder.preparers.endpoints import prepare_endpoint
from lineage_recorder.preparers.jobs import prepare_processing, prepare_training, prepare_transform
from lineage_recorder.preparers.model_packages import prepare_model_package

PREPARERS: dict[str, Callable[[SageMakerEvent, Any], Prepared]] = {
    "training": prepare_training,
    "processing": prepare_processing,
    "transform": prepare_transform,
    "model-package": prepare_model_package,
    "endpoint": prepare_endpoint,
}
