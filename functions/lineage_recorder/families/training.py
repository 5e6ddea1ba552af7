"""Training jobs: job node; the Image (or the Algorithm and its image), every channel's data (S3, file
system, dataset, hub content), a base model and a source model package ContributedTo it; it Produced the
Model (``ModelArtifacts.S3ModelArtifacts``, else ``OutputDataConfig.S3OutputPath`` when it completed), the
Checkpoint, the TensorBoard logs and the output model package. A job a tuning job launched is
AssociatedWith the tuning job's context.

Event: SageMaker Training Job State Change, when Completed, Failed or Stopped.
Describe: DescribeTrainingJob; DescribeAlgorithm for an AlgorithmName in this account.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import Field

from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.algorithms import DESCRIBE_ALGORITHM, Algorithm, described_algorithm
from lineage_recorder.families.base import Describer
from lineage_recorder.families.builder import (
    ASSOCIATED_WITH,
    CHECKPOINT,
    CONTRIBUTED_TO,
    MODEL,
    PRODUCED,
    TENSORBOARD,
    PlanBuilder,
)
from lineage_recorder.families.feature_store import DESCRIBE_OFFLINE_STORE, confirmed_offline_stores
from lineage_recorder.families.jobs import (
    SUCCESSFUL_STATUSES,
    TRAINING,
    DataSourceSpec,
    Job,
    describe_job,
    job_family,
)
from lineage_recorder.families.reasons import (
    CAPACITY,
    CREDENTIALS,
    DIAGNOSTICS,
    IDENTITY,
    INSIDE_THE_CONTAINER,
    STARTED_BY,
)
from lineage_recorder.families.tuning import RESOURCE_TYPE as TUNING_RESOURCE_TYPE
from lineage_recorder.families.tuning import tuning_context
from lineage_recorder.plan import Plan


class ChannelSpec(Tolerant):
    ChannelName: str | None = None
    DataSource: DataSourceSpec | None = None


class AlgorithmSpecificationSpec(Tolerant):
    TrainingImage: str | None = None
    AlgorithmName: str | None = None


class OutputDataConfigSpec(Tolerant):
    S3OutputPath: str | None = None


class ModelArtifactsSpec(Tolerant):
    S3ModelArtifacts: str | None = None


class CheckpointConfigSpec(Tolerant):
    S3Uri: str | None = None


class TensorBoardOutputConfigSpec(Tolerant):
    S3OutputPath: str | None = None


class ServerlessJobConfigSpec(Tolerant):
    BaseModelArn: str | None = None


class ModelPackageConfigSpec(Tolerant):
    SourceModelPackageArn: str | None = None


class TrainingJob(Job):
    TrainingJobArn: str = Field(pattern=TRAINING.arn_pattern)
    TrainingJobName: str | None = None
    TrainingJobStatus: str | None = None
    AlgorithmSpecification: AlgorithmSpecificationSpec | None = None
    InputDataConfig: list[ChannelSpec] | None = None
    OutputDataConfig: OutputDataConfigSpec | None = None
    ModelArtifacts: ModelArtifactsSpec | None = None
    CheckpointConfig: CheckpointConfigSpec | None = None
    TensorBoardOutputConfig: TensorBoardOutputConfigSpec | None = None
    ServerlessJobConfig: ServerlessJobConfigSpec | None = None
    ModelPackageConfig: ModelPackageConfigSpec | None = None
    OutputModelPackageArn: str | None = None
    TuningJobArn: str | None = None
    TrainingStartTime: Timestamp = None
    TrainingEndTime: Timestamp = None


def plan_training_job(
    job: TrainingJob, algorithm: Algorithm | None = None, offline_stores: Mapping[str, str] | None = None
) -> Plan:
    """`algorithm`: DescribeAlgorithm of the job's AlgorithmName, when it could be described;
    `offline_stores`: the feature groups whose offline stores its channels read, as SageMaker describes
    them (feature_store.confirmed_offline_stores)."""
    plan = PlanBuilder(job.TrainingJobArn, offline_stores=offline_stores)
    node = plan.job_node(
        TRAINING, job.TrainingJobArn, status=job.TrainingJobStatus, failure_reason=job.FailureReason
    )
    specification = job.AlgorithmSpecification
    image = plan.image_artifact(
        "AlgorithmSpecification.TrainingImage", specification.TrainingImage if specification else None
    )
    plan.edge(image, node, CONTRIBUTED_TO)
    if specification and specification.AlgorithmName:
        plan.algorithm(
            "AlgorithmSpecification.AlgorithmName",
            specification.AlgorithmName,
            like=job.TrainingJobArn,
            described=algorithm,
            consumer=node,
        )
    for index, channel in enumerate(job.InputDataConfig or []):
        plan.data_source(f"InputDataConfig[{index}].DataSource", channel.DataSource, node)
    base_model = job.ServerlessJobConfig.BaseModelArn if job.ServerlessJobConfig else None
    plan.edge(
        plan.any_arn_artifact("ServerlessJobConfig.BaseModelArn", base_model, MODEL), node, CONTRIBUTED_TO
    )
    source_package = job.ModelPackageConfig.SourceModelPackageArn if job.ModelPackageConfig else None
    plan.edge(
        plan.arn_artifact("ModelPackageConfig.SourceModelPackageArn", source_package, MODEL),
        node,
        CONTRIBUTED_TO,
    )

    # What the job wrote, where Describe says it wrote it, whatever its final status: checkpoints and
    # TensorBoard logs are written during training, and a stopped job uploads its model artifacts too
    # (SageMaker reports S3ModelArtifacts only when there are some). The node's status says how it ended.
    model_uri = job.ModelArtifacts.S3ModelArtifacts if job.ModelArtifacts else None
    field = "ModelArtifacts.S3ModelArtifacts"
    if not model_uri and job.OutputDataConfig and job.TrainingJobStatus in SUCCESSFUL_STATUSES:
        model_uri, field = job.OutputDataConfig.S3OutputPath, "OutputDataConfig.S3OutputPath"
    plan.edge(node, plan.s3_artifact(field, model_uri, MODEL), PRODUCED)
    checkpoint = job.CheckpointConfig.S3Uri if job.CheckpointConfig else None
    plan.edge(node, plan.s3_artifact("CheckpointConfig.S3Uri", checkpoint, CHECKPOINT), PRODUCED)
    tensorboard = job.TensorBoardOutputConfig.S3OutputPath if job.TensorBoardOutputConfig else None
    plan.edge(
        node, plan.s3_artifact("TensorBoardOutputConfig.S3OutputPath", tensorboard, TENSORBOARD), PRODUCED
    )
    plan.edge(node, plan.arn_artifact("OutputModelPackageArn", job.OutputModelPackageArn, MODEL), PRODUCED)
    # A training job a tuning job launched is AssociatedWith the tuning job's context (families/tuning.py).
    tuning_job = plan.checked_arn("TuningJobArn", job.TuningJobArn, TUNING_RESOURCE_TYPE)
    if tuning_job is not None:
        plan.edge(node, plan.add(tuning_context(tuning_job, reference=True)), ASSOCIATED_WITH)
    return plan.build()


def prepare_training_job(event: SageMakerEvent, describer: Describer) -> Plan:
    job = describe_job(event, describer, TRAINING, TrainingJob)
    name = job.AlgorithmSpecification.AlgorithmName if job.AlgorithmSpecification else None
    algorithm = described_algorithm(describer, name, like=job.TrainingJobArn)
    stores = confirmed_offline_stores(describer, job.model_dump(), like=job.TrainingJobArn)
    return plan_training_job(job, algorithm, stores)


FAMILY = job_family(
    TRAINING,
    prepare_training_job,
    also_describes=(DESCRIBE_ALGORITHM, DESCRIBE_OFFLINE_STORE),
    not_lineage=(
        ("RoleArn", IDENTITY),
        ("LabelingJobArn", STARTED_BY),
        ("AutoMLJobArn", STARTED_BY),
        (
            "AlgorithmSpecification.TrainingImageConfig.TrainingRepositoryAuthConfig.TrainingRepositoryCredentialsProviderArn",
            CREDENTIALS,
        ),
        ("CheckpointConfig.LocalPath", INSIDE_THE_CONTAINER),
        ("TensorBoardOutputConfig.LocalPath", INSIDE_THE_CONTAINER),
        ("DebugHookConfig.LocalPath", INSIDE_THE_CONTAINER),
        ("DebugHookConfig.S3OutputPath", DIAGNOSTICS),
        ("DebugRuleConfigurations[].LocalPath", INSIDE_THE_CONTAINER),
        ("DebugRuleConfigurations[].S3OutputPath", DIAGNOSTICS),
        ("DebugRuleConfigurations[].RuleEvaluatorImage", DIAGNOSTICS),
        ("DebugRuleEvaluationStatuses[].RuleEvaluationJobArn", DIAGNOSTICS),
        ("ProfilerConfig.S3OutputPath", DIAGNOSTICS),
        ("ProfilerRuleConfigurations[].LocalPath", INSIDE_THE_CONTAINER),
        ("ProfilerRuleConfigurations[].S3OutputPath", DIAGNOSTICS),
        ("ProfilerRuleConfigurations[].RuleEvaluatorImage", DIAGNOSTICS),
        ("ProfilerRuleEvaluationStatuses[].RuleEvaluationJobArn", DIAGNOSTICS),
        ("ResourceConfig.TrainingPlanArn", CAPACITY),
        (
            "MlflowConfig.MlflowResourceArn",
            "the MLflow tracking server the job reported to, not data or code",
        ),
        (
            "ModelPackageConfig.ModelPackageGroupArn",
            "the group OutputModelPackageArn (recorded) is registered in; the package's own family joins it",
        ),
        ("ServerlessJobConfig.EvaluatorArn", "evaluates the fine-tuned model; it does not make it"),
    ),
)
