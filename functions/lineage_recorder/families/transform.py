"""Transform jobs: job node; the input, and the model's image, model data and package ContributedTo it;
it Produced the output.

Event: SageMaker Transform Job State Change, when Completed, Failed or Stopped.
Describe: DescribeTransformJob, then DescribeModel for the model it ran.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from lineage_recorder.events.base import MODEL_NAME_PATTERN, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import Describer
from lineage_recorder.families.builder import DATASET, PlanBuilder
from lineage_recorder.families.feature_store import DESCRIBE_OFFLINE_STORE, confirmed_offline_stores
from lineage_recorder.families.jobs import (
    SUCCESSFUL_STATUSES,
    TRANSFORM,
    DataSourceSpec,
    Job,
    describe_job,
    job_family,
)
from lineage_recorder.families.models import DESCRIBE_MODEL, Model, described_model
from lineage_recorder.families.reasons import STARTED_BY
from lineage_recorder.plan import AssociationType, Plan


class TransformInputSpec(Tolerant):
    DataSource: DataSourceSpec | None = None


class TransformOutputSpec(Tolerant):
    S3OutputPath: str | None = None


class BatchDataCaptureConfigSpec(Tolerant):
    DestinationS3Uri: str | None = None


class TransformJob(Job):
    TransformJobArn: str = Field(pattern=TRANSFORM.arn_pattern)
    TransformJobName: str | None = None
    TransformJobStatus: str | None = None
    ModelName: str | None = Field(default=None, pattern=MODEL_NAME_PATTERN)
    TransformInput: TransformInputSpec | None = None
    TransformOutput: TransformOutputSpec | None = None
    DataCaptureConfig: BatchDataCaptureConfigSpec | None = None
    TransformStartTime: Timestamp = None
    TransformEndTime: Timestamp = None


def plan_transform_job(
    job: TransformJob, model: Model | None, offline_stores: Mapping[str, str] | None = None
) -> Plan:
    """`model` is None when the job's model could no longer be described; `offline_stores`: the feature
    groups whose offline stores its input is under (feature_store.confirmed_offline_stores)."""
    plan = PlanBuilder(job.TransformJobArn, offline_stores=offline_stores)
    node = plan.job_node(
        TRANSFORM, job.TransformJobArn, status=job.TransformJobStatus, failure_reason=job.FailureReason
    )
    plan.data_source(
        "TransformInput.DataSource", job.TransformInput.DataSource if job.TransformInput else None, node
    )

    if model is not None:
        plan.model_containers(model, "Model", node)

    output = job.TransformOutput.S3OutputPath if job.TransformOutput else None
    if job.TransformJobStatus in SUCCESSFUL_STATUSES:
        plan.edge(
            node, plan.s3_artifact("TransformOutput.S3OutputPath", output, DATASET), AssociationType.PRODUCED
        )
    elif output:
        plan.skip(
            "TransformOutput.S3OutputPath",
            output,
            f"the job ended {job.TransformJobStatus}: the output holds results for some of its input at most",
        )
    # Batch data capture: the inputs and predictions SageMaker copied while the job ran.
    captured = job.DataCaptureConfig.DestinationS3Uri if job.DataCaptureConfig else None
    plan.edge(
        node,
        plan.s3_artifact("DataCaptureConfig.DestinationS3Uri", captured, DATASET),
        AssociationType.PRODUCED,
    )
    return plan.build()


def prepare_transform_job(event: SageMakerEvent, describer: Describer) -> Plan:
    job = describe_job(event, describer, TRANSFORM, TransformJob)
    model = described_model(describer, job.ModelName) if job.ModelName else None
    stores = confirmed_offline_stores(describer, job.model_dump(), like=job.TransformJobArn)
    return plan_transform_job(job, model, stores)


FAMILY = job_family(
    TRANSFORM,
    prepare_transform_job,
    also_describes=(DESCRIBE_MODEL, DESCRIBE_OFFLINE_STORE),
    not_lineage=(
        ("ModelName", "the model is recorded through its containers (DescribeModel)"),
        ("LabelingJobArn", STARTED_BY),
        ("AutoMLJobArn", STARTED_BY),
    ),
)
