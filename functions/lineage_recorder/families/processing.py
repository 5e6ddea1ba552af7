"""Processing jobs: job node; the Image and every input ContributedTo it; it Produced every output.

Event: SageMaker Processing Job State Change, when Completed, Failed or Stopped.
Describe: DescribeProcessingJob.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import Describer
from lineage_recorder.families.builder import DATASET, PlanBuilder
from lineage_recorder.families.jobs import PROCESSING, SUCCESSFUL_STATUSES, Job, describe_job, job_family
from lineage_recorder.plan import AssociationType, Plan


class S3InputSpec(Tolerant):
    S3Uri: str | None = None


class ProcessingInputSpec(Tolerant):
    InputName: str | None = None
    S3Input: S3InputSpec | None = None


class S3OutputSpec(Tolerant):
    S3Uri: str | None = None


class ProcessingOutputSpec(Tolerant):
    OutputName: str | None = None
    S3Output: S3OutputSpec | None = None


class ProcessingOutputConfigSpec(Tolerant):
    Outputs: list[ProcessingOutputSpec] | None = None


class AppSpecificationSpec(Tolerant):
    ImageUri: str | None = None


class ProcessingJob(Job):
    ProcessingJobArn: str = Field(pattern=PROCESSING.arn_pattern)
    ProcessingJobName: str | None = None
    ProcessingJobStatus: str | None = None
    AppSpecification: AppSpecificationSpec | None = None
    ProcessingInputs: list[ProcessingInputSpec] | None = None
    ProcessingOutputConfig: ProcessingOutputConfigSpec | None = None
    ProcessingStartTime: Timestamp = None
    ProcessingEndTime: Timestamp = None


def plan_processing_job(job: ProcessingJob) -> Plan:
    plan = PlanBuilder(job.ProcessingJobArn)
    node = plan.job_node(
        PROCESSING, job.ProcessingJobArn, status=job.ProcessingJobStatus, failure_reason=job.FailureReason
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

    if job.ProcessingJobStatus in SUCCESSFUL_STATUSES and job.ProcessingOutputConfig:
        for index, output in enumerate(job.ProcessingOutputConfig.Outputs or []):
            uri = output.S3Output.S3Uri if output.S3Output else None
            dataset = plan.s3_artifact(
                f"ProcessingOutputConfig.Outputs[{index}].S3Output.S3Uri", uri, DATASET
            )
            plan.edge(node, dataset, AssociationType.PRODUCED)
    return plan.build()


def prepare_processing_job(event: SageMakerEvent, describer: Describer) -> Plan:
    return plan_processing_job(describe_job(event, describer, PROCESSING, ProcessingJob))


FAMILY = job_family(PROCESSING, prepare_processing_job)
