"""Processing jobs: job node; the Image and every input (S3, or an Athena or Redshift query and its results)
ContributedTo it; it Produced every output (S3, or the feature group it ingested into).

Event: SageMaker Processing Job State Change, when Completed, Failed or Stopped.
Describe: DescribeProcessingJob.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

from pydantic import Field

from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import Describer
from lineage_recorder.families.builder import CONTRIBUTED_TO, DATASET, PRODUCED, PlanBuilder
from lineage_recorder.families.feature_store import (
    DESCRIBE_OFFLINE_STORE,
    confirmed_offline_stores,
    feature_group_arn,
    feature_group_context,
)
from lineage_recorder.families.jobs import PROCESSING, SUCCESSFUL_STATUSES, Job, describe_job, job_family
from lineage_recorder.families.reasons import IDENTITY, INSIDE_THE_CONTAINER, STARTED_BY
from lineage_recorder.naming import bounded_properties
from lineage_recorder.plan import EntityKey, Plan
from lineage_recorder.uris import query_uri


class S3InputSpec(Tolerant):
    S3Uri: str | None = None


class AthenaDatasetDefinitionSpec(Tolerant):
    Catalog: str | None = None
    Database: str | None = None
    QueryString: str | None = None
    WorkGroup: str | None = None
    OutputS3Uri: str | None = None


class RedshiftDatasetDefinitionSpec(Tolerant):
    ClusterId: str | None = None
    Database: str | None = None
    QueryString: str | None = None
    OutputS3Uri: str | None = None


class DatasetDefinitionSpec(Tolerant):
    AthenaDatasetDefinition: AthenaDatasetDefinitionSpec | None = None
    RedshiftDatasetDefinition: RedshiftDatasetDefinitionSpec | None = None


class ProcessingInputSpec(Tolerant):
    InputName: str | None = None
    S3Input: S3InputSpec | None = None
    DatasetDefinition: DatasetDefinitionSpec | None = None


class S3OutputSpec(Tolerant):
    S3Uri: str | None = None
    S3UploadMode: str | None = None  # Continuous | EndOfJob


class FeatureStoreOutputSpec(Tolerant):
    FeatureGroupName: str | None = None


class ProcessingOutputSpec(Tolerant):
    OutputName: str | None = None
    S3Output: S3OutputSpec | None = None
    FeatureStoreOutput: FeatureStoreOutputSpec | None = None


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


def _query_input(plan: PlanBuilder, field: str, definition: DatasetDefinitionSpec, node: EntityKey) -> None:
    """An Athena or Redshift query SageMaker ran for the job: the query (``athena://`` / ``redshift://``,
    with its text as a property) and the S3 location its results were written to, which the job read."""
    athena, redshift = definition.AthenaDatasetDefinition, definition.RedshiftDatasetDefinition
    for engine, spec, location in (
        ("athena", athena, (athena.Catalog, athena.Database) if athena else ()),
        ("redshift", redshift, (redshift.ClusterId, redshift.Database) if redshift else ()),
    ):
        if spec is None:
            continue
        name = f"{engine.capitalize()}DatasetDefinition"
        query = plan.built_artifact(
            f"{field}.{name}.QueryString",
            (spec.QueryString or "")[:256],
            partial(query_uri, engine, location, spec.QueryString),
            DATASET,
            properties=bounded_properties(
                [("QueryString", spec.QueryString), ("Location", "/".join(p for p in location if p))]
            ),
        )
        plan.edge(query, node, CONTRIBUTED_TO)
        results = plan.s3_artifact(f"{field}.{name}.OutputS3Uri", spec.OutputS3Uri, DATASET)
        plan.edge(results, node, CONTRIBUTED_TO)
    plan.skip_unknown(field, definition)


def plan_processing_job(job: ProcessingJob, offline_stores: Mapping[str, str] | None = None) -> Plan:
    """`offline_stores`: the feature groups whose offline stores its inputs are under, as SageMaker
    describes them (feature_store.confirmed_offline_stores)."""
    plan = PlanBuilder(job.ProcessingJobArn, offline_stores=offline_stores)
    node = plan.job_node(
        PROCESSING, job.ProcessingJobArn, status=job.ProcessingJobStatus, failure_reason=job.FailureReason
    )
    app = job.AppSpecification
    plan.edge(
        plan.image_artifact("AppSpecification.ImageUri", app.ImageUri if app else None), node, CONTRIBUTED_TO
    )
    for index, processing_input in enumerate(job.ProcessingInputs or []):
        field = f"ProcessingInputs[{index}]"
        uri = processing_input.S3Input.S3Uri if processing_input.S3Input else None
        plan.s3_input(f"{field}.S3Input.S3Uri", uri, node)
        if processing_input.DatasetDefinition is not None:
            _query_input(plan, f"{field}.DatasetDefinition", processing_input.DatasetDefinition, node)

    completed = job.ProcessingJobStatus in SUCCESSFUL_STATUSES
    outputs = job.ProcessingOutputConfig.Outputs if job.ProcessingOutputConfig else None
    for index, output in enumerate(outputs or []):
        field = f"ProcessingOutputConfig.Outputs[{index}]"
        s3 = output.S3Output
        if s3 is not None and s3.S3Uri:
            # Continuous outputs are uploaded while the job runs; end-of-job ones only when it completes.
            if completed or s3.S3UploadMode == "Continuous":
                plan.edge(node, plan.s3_artifact(f"{field}.S3Output.S3Uri", s3.S3Uri, DATASET), PRODUCED)
            else:
                plan.skip(
                    f"{field}.S3Output.S3Uri",
                    s3.S3Uri,
                    f"an end-of-job output of a job that ended {job.ProcessingJobStatus}: SageMaker "
                    "uploads it only when the job completes",
                )
        feature_group = output.FeatureStoreOutput.FeatureGroupName if output.FeatureStoreOutput else None
        if feature_group and completed:
            # The feature group's context, keyed as its own family keys it (families/feature_store.py).
            group_arn = feature_group_arn(feature_group, like=job.ProcessingJobArn)
            written = plan.add(feature_group_context(group_arn, reference=True))
            plan.edge(node, written, PRODUCED)
        elif feature_group:
            plan.skip(
                f"{field}.FeatureStoreOutput.FeatureGroupName",
                feature_group,
                f"the job ended {job.ProcessingJobStatus}: its feature store ingestion is not known to "
                "have run",
            )
    return plan.build()


def prepare_processing_job(event: SageMakerEvent, describer: Describer) -> Plan:
    job = describe_job(event, describer, PROCESSING, ProcessingJob)
    return plan_processing_job(
        job, confirmed_offline_stores(describer, job.model_dump(), like=job.ProcessingJobArn)
    )


FAMILY = job_family(
    PROCESSING,
    prepare_processing_job,
    also_describes=(DESCRIBE_OFFLINE_STORE,),
    not_lineage=(
        ("RoleArn", IDENTITY),
        ("ProcessingInputs[].S3Input.LocalPath", INSIDE_THE_CONTAINER),
        ("ProcessingInputs[].DatasetDefinition.LocalPath", INSIDE_THE_CONTAINER),
        ("ProcessingInputs[].DatasetDefinition.RedshiftDatasetDefinition.ClusterRoleArn", IDENTITY),
        ("ProcessingOutputConfig.Outputs[].S3Output.LocalPath", INSIDE_THE_CONTAINER),
        ("MonitoringScheduleArn", STARTED_BY),
        ("AutoMLJobArn", STARTED_BY),
        ("TrainingJobArn", STARTED_BY),
    ),
)
