"""Transform job -> job node; input, model data, image, package ContributedTo it; it Produced the output."""

from __future__ import annotations

from lineage_recorder.events.jobs import Model, TransformJob
from lineage_recorder.plan import AssociationType, Plan
from lineage_recorder.planners.builder import (
    DATASET,
    SUCCESSFUL_JOB_STATUSES,
    PlanBuilder,
    job_name_from_arn,
)


def plan_transform_job(job: TransformJob, model: Model | None) -> Plan:
    plan = PlanBuilder(job.TransformJobArn)
    node = plan.job_node(
        job_arn=job.TransformJobArn,
        job_name=job_name_from_arn(job.TransformJobArn),
        job_kind="transform",
        status=job.TransformJobStatus,
        failure_reason=job.FailureReason,
    )
    source = (
        job.TransformInput.DataSource.S3DataSource
        if job.TransformInput and job.TransformInput.DataSource
        else None
    )
    dataset = plan.s3_artifact(
        "TransformInput.DataSource.S3DataSource.S3Uri", source.S3Uri if source else None, DATASET
    )
    plan.edge(dataset, node, AssociationType.CONTRIBUTED_TO)

    if model is not None:
        plan.model_containers(model, "Model", node)

    if job.TransformJobStatus in SUCCESSFUL_JOB_STATUSES:
        output = job.TransformOutput.S3OutputPath if job.TransformOutput else None
        plan.edge(
            node, plan.s3_artifact("TransformOutput.S3OutputPath", output, DATASET), AssociationType.PRODUCED
        )
    return plan.build()
