"""Ground Truth labeling jobs: a LabelingJob action; its input manifest (or input SNS topic), label
category configuration, task template, pre- and post-labeling functions, labeling algorithm and initial
active-learning model ContributedTo it; it Produced its output manifest (and output SNS topic) and the
final active-learning model. Who labeled (the work team) is a property of the job.

A training job that reads the output manifest joins it by SourceUri: its channel's S3Uri is the
manifest's (``LabelingJobOutput.OutputDatasetS3Uri``), one DataSet artifact.

Labeling jobs have no trial component: the node is an action the recorder owns.

Event: SageMaker Ground Truth Labeling Job State Change, when Completed, Failed or Stopped. Its detail
carries only the status; the ARN is the envelope's ``resources[0]``. Describe: DescribeLabelingJob.
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import Field

from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.families.base import Describer, Family
from lineage_recorder.families.builder import (
    ALGORITHM,
    CONTRIBUTED_TO,
    DATASET,
    MODEL,
    PRODUCED,
    PlanBuilder,
    job_node,
)
from lineage_recorder.families.jobs import FINAL_STATUSES, LABELING, Job, describe_job
from lineage_recorder.families.reasons import IDENTITY
from lineage_recorder.naming import bounded_properties
from lineage_recorder.plan import Plan

# Artifact types of what shaped the labels beside the data: configuration and code.
LABEL_CATEGORY_CONFIG = "LabelCategoryConfig"
TASK_TEMPLATE = "TaskTemplate"
CODE = "Code"


class S3ManifestSpec(Tolerant):
    ManifestS3Uri: str | None = None


class SnsSpec(Tolerant):
    SnsTopicArn: str | None = None


class LabelingDataSourceSpec(Tolerant):
    S3DataSource: S3ManifestSpec | None = None
    SnsDataSource: SnsSpec | None = None


class LabelingInputSpec(Tolerant):
    DataSource: LabelingDataSourceSpec | None = None


class LabelingOutputConfigSpec(Tolerant):
    S3OutputPath: str | None = None
    SnsTopicArn: str | None = None


class UiConfigSpec(Tolerant):
    UiTemplateS3Uri: str | None = None
    HumanTaskUiArn: str | None = None


class ConsolidationSpec(Tolerant):
    AnnotationConsolidationLambdaArn: str | None = None


class HumanTaskConfigSpec(Tolerant):
    WorkteamArn: str | None = None
    UiConfig: UiConfigSpec | None = None
    PreHumanTaskLambdaArn: str | None = None
    AnnotationConsolidationConfig: ConsolidationSpec | None = None


class AlgorithmsConfigSpec(Tolerant):
    LabelingJobAlgorithmSpecificationArn: str | None = None
    InitialActiveLearningModelArn: str | None = None


class LabelingOutputSpec(Tolerant):
    OutputDatasetS3Uri: str | None = None
    FinalActiveLearningModelArn: str | None = None


class LabelingJob(Job):
    LabelingJobArn: str = Field(pattern=LABELING.arn_pattern)
    LabelingJobStatus: str | None = None
    LabelAttributeName: str | None = None
    InputConfig: LabelingInputSpec | None = None
    OutputConfig: LabelingOutputConfigSpec | None = None
    LabelCategoryConfigS3Uri: str | None = None
    HumanTaskConfig: HumanTaskConfigSpec | None = None
    LabelingJobAlgorithmsConfig: AlgorithmsConfigSpec | None = None
    LabelingJobOutput: LabelingOutputSpec | None = None


def plan_labeling_job(job: LabelingJob) -> Plan:
    plan = PlanBuilder(job.LabelingJobArn)
    human = job.HumanTaskConfig
    entity = job_node(
        LABELING, job.LabelingJobArn, status=job.LabelingJobStatus, failure_reason=job.FailureReason
    )
    node = plan.add(
        replace(
            entity,
            properties=bounded_properties(
                [
                    *entity.properties,
                    ("LabelAttributeName", job.LabelAttributeName),
                    ("WorkteamArn", human.WorkteamArn if human else None),
                ]
            ),
        )
    )
    source = job.InputConfig.DataSource if job.InputConfig else None
    manifest = source.S3DataSource.ManifestS3Uri if source and source.S3DataSource else None
    plan.edge(
        plan.s3_artifact("InputConfig.DataSource.S3DataSource.ManifestS3Uri", manifest, DATASET),
        node,
        CONTRIBUTED_TO,
    )
    topic = source.SnsDataSource.SnsTopicArn if source and source.SnsDataSource else None
    plan.edge(
        plan.any_arn_artifact("InputConfig.DataSource.SnsDataSource.SnsTopicArn", topic, DATASET),
        node,
        CONTRIBUTED_TO,
    )
    plan.edge(
        plan.s3_artifact("LabelCategoryConfigS3Uri", job.LabelCategoryConfigS3Uri, LABEL_CATEGORY_CONFIG),
        node,
        CONTRIBUTED_TO,
    )
    ui = human.UiConfig if human else None
    plan.edge(
        plan.s3_artifact(
            "HumanTaskConfig.UiConfig.UiTemplateS3Uri", ui.UiTemplateS3Uri if ui else None, TASK_TEMPLATE
        ),
        node,
        CONTRIBUTED_TO,
    )
    plan.edge(
        plan.arn_artifact(
            "HumanTaskConfig.UiConfig.HumanTaskUiArn", ui.HumanTaskUiArn if ui else None, TASK_TEMPLATE
        ),
        node,
        CONTRIBUTED_TO,
    )
    plan.edge(
        plan.any_arn_artifact(
            "HumanTaskConfig.PreHumanTaskLambdaArn", human.PreHumanTaskLambdaArn if human else None, CODE
        ),
        node,
        CONTRIBUTED_TO,
    )
    consolidation = human.AnnotationConsolidationConfig if human else None
    plan.edge(
        plan.any_arn_artifact(
            "HumanTaskConfig.AnnotationConsolidationConfig.AnnotationConsolidationLambdaArn",
            consolidation.AnnotationConsolidationLambdaArn if consolidation else None,
            CODE,
        ),
        node,
        CONTRIBUTED_TO,
    )
    algorithms = job.LabelingJobAlgorithmsConfig
    plan.edge(
        plan.arn_artifact(
            "LabelingJobAlgorithmsConfig.LabelingJobAlgorithmSpecificationArn",
            algorithms.LabelingJobAlgorithmSpecificationArn if algorithms else None,
            ALGORITHM,
        ),
        node,
        CONTRIBUTED_TO,
    )
    plan.edge(
        plan.arn_artifact(
            "LabelingJobAlgorithmsConfig.InitialActiveLearningModelArn",
            algorithms.InitialActiveLearningModelArn if algorithms else None,
            MODEL,
        ),
        node,
        CONTRIBUTED_TO,
    )

    # What the job wrote, where Describe says it wrote it (a stopped job has labeled part of its data).
    output = job.LabelingJobOutput
    plan.edge(
        node,
        plan.s3_artifact(
            "LabelingJobOutput.OutputDatasetS3Uri", output.OutputDatasetS3Uri if output else None, DATASET
        ),
        PRODUCED,
    )
    plan.edge(
        node,
        plan.arn_artifact(
            "LabelingJobOutput.FinalActiveLearningModelArn",
            output.FinalActiveLearningModelArn if output else None,
            MODEL,
        ),
        PRODUCED,
    )
    output_topic = job.OutputConfig.SnsTopicArn if job.OutputConfig else None
    plan.edge(node, plan.any_arn_artifact("OutputConfig.SnsTopicArn", output_topic, DATASET), PRODUCED)
    return plan.build()


def prepare_labeling_job(event: SageMakerEvent, describer: Describer) -> Plan:
    return plan_labeling_job(describe_job(event, describer, LABELING, LabelingJob))


FAMILY = Family(
    name="labeling",
    detail_type="SageMaker Ground Truth Labeling Job State Change",
    arn_field=LABELING.arn_field,
    status_field=LABELING.status_field,
    statuses=FINAL_STATUSES,
    describes=(
        replace(
            LABELING.describe,
            not_lineage=(
                ("RoleArn", IDENTITY),
                (
                    "OutputConfig.S3OutputPath",
                    "the prefix the output manifest (LabelingJobOutput.OutputDatasetS3Uri, recorded) is in",
                ),
            ),
        ),
    ),
    prepare=prepare_labeling_job,
)
