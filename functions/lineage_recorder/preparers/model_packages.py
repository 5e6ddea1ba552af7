"""Model packages: the event names the package version; DescribeModelPackage gives its current state.

Describing makes re-fired and reordered events converge: whichever event is processed, the plan
shows the package as it is now.
"""

from __future__ import annotations

from typing import Any

from lineage_recorder.describe import describe
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.model_packages import ModelPackage
from lineage_recorder.planners.model_package import plan_model_package
from lineage_recorder.preparers.common import Prepared, detail_with_arn, validated


def prepare_model_package(event: SageMakerEvent, sagemaker: Any) -> Prepared:
    from_event = validated(ModelPackage, detail_with_arn(event, "ModelPackageArn"), "the event detail")
    described = describe(sagemaker, "describe_model_package", ModelPackageName=from_event.ModelPackageArn)
    if described.body is None:
        return Prepared(plan_model_package(from_event), (described.reason or "no description",))
    package = validated(ModelPackage, described.body, "the describe_model_package response")
    return Prepared(plan_model_package(package))
