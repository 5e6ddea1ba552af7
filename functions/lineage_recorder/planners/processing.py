"""Processing job -> job node; Image and every input ContributedTo it; it Produced every output."""

from __future__ import annotations

from lineage_recorder.events.jobs import ProcessingJob
from lineage_recorder.plan import AssociationType, Plan
from lineage_recorder.planners.builder import DATASET, SUCCESSFUL_JOB_STATUSES, PlanBuilder, job_name_from_arn


def plan_processing_job(job: ProcessingJob) -> Plan:
    plan = PlanBuilder(job.ProcessingJobArn)
    node = plan.job_node(
        job_arn=job.ProcessingJobArn,
        job_name=job_name_from_arn(job.ProcessingJobArn),
        job_kind="processing",
        status=job.ProcessingJobStatus,
        failure_reason=job.FailureReason,
    )
    app = job.AppSpecification
    plan.edge(
        plan.image_artifact("AppSpecification.ImageUri", app.ImageUri if app else None),
        node,
        AssociationType.CONTRIBUTED_TO,
    )
    for index, processing_input in enumerate(job.ProcessingInputs or []):
        uri = processing_input.S3Input.S3Uri if processing_input.S3Input else None
        dataset = plan.s3_artifact(f"ProcessingInputs[{index}].S3Input.S3Uri", uri, DATASET)
        plan.edge(dataset, node, AssociationType.CONTRIBUTED_TO)

    if job.ProcessingJobStatus in SUCCESSFUL_JOB_STATUSES and job.ProcessingOutputConfig:
        for index, output in enumerate(job.ProcessingOutputConfig.Outputs or []):
            uri = output.S3Output.S3Uri if output.S3Output else None
            dataset = plan.s3_artifact(
                f"ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri", uri, DATASET
            )
            plan.edge(node, dataset, AssociationType.PRODUCED)
    return plan.build()
