"""Training, processing and transform job details.

The same models read an event's detail and a Describe* response (the keys are the same PascalCase),
so planners see one shape whichever source completed the picture. Unknown fields are kept, optional
fields may be null; only the job ARN is required.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import MODEL_NAME_PATTERN, RESOURCE_NAME, SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.fields import TagMap, Timestamp

JOB_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + "KIND/" + RESOURCE_NAME + "$"


class S3DataSourceSpec(Tolerant):
    S3Uri: str | None = None


class DataSourceSpec(Tolerant):
    S3DataSource: S3DataSourceSpec | None = None


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


class _Job(Tolerant):
    FailureReason: str | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None
    Tags: TagMap = Field(default_factory=dict)


class TrainingJob(_Job):
    TrainingJobArn: str = Field(pattern=JOB_ARN_PATTERN.replace("KIND", "training-job"))
    TrainingJobName: str | None = None
    TrainingJobStatus: str | None = None
    AlgorithmSpecification: AlgorithmSpecificationSpec | None = None
    InputDataConfig: list[ChannelSpec] | None = None
    OutputDataConfig: OutputDataConfigSpec | None = None
    ModelArtifacts: ModelArtifactsSpec | None = None
    CheckpointConfig: CheckpointConfigSpec | None = None
    TrainingStartTime: Timestamp = None
    TrainingEndTime: Timestamp = None


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


class ProcessingJob(_Job):
    ProcessingJobArn: str = Field(pattern=JOB_ARN_PATTERN.replace("KIND", "processing-job"))
    ProcessingJobName: str | None = None
    ProcessingJobStatus: str | None = None
    AppSpecification: AppSpecificationSpec | None = None
    ProcessingInputs: list[ProcessingInputSpec] | None = None
    ProcessingOutputConfig: ProcessingOutputConfigSpec | None = None
    ProcessingStartTime: Timestamp = None
    ProcessingEndTime: Timestamp = None


class TransformInputSpec(Tolerant):
    DataSource: DataSourceSpec | None = None


class TransformOutputSpec(Tolerant):
    S3OutputPath: str | None = None


class TransformJob(_Job):
    TransformJobArn: str = Field(pattern=JOB_ARN_PATTERN.replace("KIND", "transform-job"))
    TransformJobName: str | None = None
    TransformJobStatus: str | None = None
    ModelName: str | None = Field(default=None, pattern=MODEL_NAME_PATTERN)
    TransformInput: TransformInputSpec | None = None
    TransformOutput: TransformOutputSpec | None = None
    TransformStartTime: Timestamp = None
    TransformEndTime: Timestamp = None


class ContainerDefinitionSpec(Tolerant):
    Image: str | None = None
    ModelDataUrl: str | None = None
    ModelPackageName: str | None = None


class Model(Tolerant):
    """DescribeModel, as far as lineage needs it."""

    ModelName: str | None = None
    ModelArn: str | None = None
    PrimaryContainer: ContainerDefinitionSpec | None = None
    Containers: list[ContainerDefinitionSpec] | None = None

    def containers(self) -> list[ContainerDefinitionSpec]:
        found = [self.PrimaryContainer] if self.PrimaryContainer is not None else []
        found.extend(self.Containers or [])
        return [
            container
            for container in found
            if container.Image or container.ModelDataUrl or container.ModelPackageName
        ]
