"""Models: remembered, so their lineage outlives them.

A model's containers become lineage when an endpoint deploys it or a transform job uses it (those
families describe it then). A model can be deleted before that event is processed (a slow queue, a
dead-letter redrive), and DescribeModel then fails. So every Model State Change has SageMaker describe
the model, and the describer keeps what lineage needs of it (``models.lineage_view``; never its
environment) in the state table: a later DescribeModel that fails is answered from there. Nothing is
written to the lineage graph by this family.

Event: SageMaker Model State Change (no status: any). Describe: DescribeModel.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.families.base import Describer, Family, detail_with_arn, name_from_arn, validated
from lineage_recorder.families.models import DESCRIBE_MODEL
from lineage_recorder.plan import Plan

MODEL_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "model/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"


class ModelEvent(Tolerant):
    ModelArn: str = Field(pattern=MODEL_ARN_PATTERN)
    ModelName: str | None = None


def prepare_model(event: SageMakerEvent, describer: Describer) -> Plan:
    """Describe the model, which remembers it; the plan is empty. An event about a model SageMaker does not
    have is not SageMaker's truth: ignored and counted like any unconfirmed event (nothing is remembered
    from an event's body)."""
    model = validated(ModelEvent, detail_with_arn(event, "ModelArn"), "the event detail")
    describer.confirm(DESCRIBE_MODEL, name_from_arn(model.ModelArn))
    return Plan(resource_arn=model.ModelArn)


FAMILY = Family(
    name="model",
    detail_type="SageMaker Model State Change",
    arn_field="ModelArn",
    status_field=None,
    statuses=(),
    describes=(DESCRIBE_MODEL,),
    prepare=prepare_model,
    writes_lineage=False,
)
