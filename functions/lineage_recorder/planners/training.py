"""Training job -> job node; Image and DataSet inputs ContributedTo it; it Produced Model and Checkpoint."""

from __future__ import annotations

from lineage_recorder.events.jobs import TrainingJob
from lineage_recorder.plan import AssociationType, Plan
from lineage_recorder.planners.builder import (
    CHECKPOINT,
    DATASET,
    MODEL,
    SUCCESSFUL_JOB_STATUSES,
    PlanBuilder,
    job_name_from_arn,
)


def plan_training_job(job: TrainingJob) -> Plan:
    plan = PlanBuilder(job.TrainingJobArn)
    node = plan.job_node(
        job_arn=job.TrainingJobArn,
        job_name=job_name_from_arn(job.TrainingJobArn),
        job_kind="training",
        status=job.TrainingJobStatus,
        failure_reason=job.FailureReason,
    )
    algorithm = job.AlgorithmSpecification
    image = plan.image_artifact(
        "AlgorithmSpecification.TrainingImage", algorithm.TrainingImage if algorithm else None
    )
    plan.edge(image, node, AssociationType.CONTRIBUTED_TO)
    for index, channel in enumerate(job.InputDataConfig or []):
        source = channel.DataSource.S3DataSource if channel.DataSource else None
        dataset = plan.s3_artifact(
            f"InputDataConfig[{index}].DataSource.S3DataSource.S3Uri",
            source.S3Uri if source else None,
            DATASET,
        )
        plan.edge(dataset, node, AssociationType.CONTRIBUTED_TO)

    if job.TrainingJobStatus in SUCCESSFUL_JOB_STATUSES:
        model_uri = job.ModelArtifacts.S3ModelArtifacts if job.ModelArtifacts else None
        field = "ModelArtifacts.S3ModelArtifacts"
        if not model_uri and job.OutputDataConfig:
            model_uri, field = job.OutputDataConfig.S3OutputPath, "OutputDataConfig.S3OutputPath"
        plan.edge(node, plan.s3_artifact(field, model_uri, MODEL), AssociationType.PRODUCED)
        checkpoint = job.CheckpointConfig.S3Uri if job.CheckpointConfig else None
        plan.edge(
            node, plan.s3_artifact("CheckpointConfig.S3Uri", checkpoint, CHECKPOINT), AssociationType.PRODUCED
        )
    return plan.build()
