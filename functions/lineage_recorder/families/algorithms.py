"""SageMaker algorithms (DescribeAlgorithm): what a training job that names an AlgorithmName ran.

A training job started from an algorithm resource (the account's own, or one subscribed to in AWS
Marketplace) carries no TrainingImage: the algorithm's TrainingSpecification holds it. The Algorithm
artifact (keyed by the algorithm's ARN) and that image both ContributedTo the job; model packages name
their source algorithms the same way.
"""

from __future__ import annotations

from lineage_recorder.events.base import Tolerant
from lineage_recorder.families.base import DescribeCall, Describer, validated

_SERVING = "how the algorithm's models are served, not what a training job with it ran"
_VALIDATION = "how the algorithm was validated when it was published, not what a training job with it ran"
DESCRIBE_ALGORITHM = DescribeCall(
    "DescribeAlgorithm",
    "algorithm",
    "AlgorithmName",
    not_lineage=tuple(
        (path, _SERVING if path.startswith("InferenceSpecification") else _VALIDATION)
        for path in (
            "InferenceSpecification.Containers[].Image",
            "InferenceSpecification.Containers[].ModelDataUrl",
            "InferenceSpecification.Containers[].ModelDataSource.S3DataSource.S3Uri",
            "InferenceSpecification.Containers[].ModelDataSource.S3DataSource.HubAccessConfig.HubContentArn",
            "InferenceSpecification.Containers[].ModelDataSource.S3DataSource.ManifestS3Uri",
            "InferenceSpecification.Containers[].NearestModelName",
            "InferenceSpecification.Containers[].AdditionalModelDataSources[].S3DataSource.S3Uri",
            "InferenceSpecification.Containers[].AdditionalModelDataSources[].S3DataSource.HubAccessConfig.HubContentArn",
            "InferenceSpecification.Containers[].AdditionalModelDataSources[].S3DataSource.ManifestS3Uri",
            "InferenceSpecification.Containers[].AdditionalS3DataSource.S3Uri",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.InputDataConfig[].DataSource.S3DataSource.S3Uri",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.InputDataConfig[].DataSource.S3DataSource.HubAccessConfig.HubContentArn",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.InputDataConfig[].DataSource.FileSystemDataSource.FileSystemId",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.InputDataConfig[].DataSource.FileSystemDataSource.DirectoryPath",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.InputDataConfig[].DataSource.DatasetSource.DatasetArn",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.OutputDataConfig.S3OutputPath",
            "ValidationSpecification.ValidationProfiles[].TrainingJobDefinition.ResourceConfig.TrainingPlanArn",
            "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformInput.DataSource.S3DataSource.S3Uri",
            "ValidationSpecification.ValidationProfiles[].TransformJobDefinition.TransformOutput.S3OutputPath",
        )
    ),
)


class AdditionalS3DataSourceSpec(Tolerant):
    S3Uri: str | None = None


class TrainingSpecificationSpec(Tolerant):
    TrainingImage: str | None = None
    AdditionalS3DataSource: AdditionalS3DataSourceSpec | None = None


class Algorithm(Tolerant):
    """DescribeAlgorithm, as far as a training job's lineage needs it."""

    AlgorithmName: str | None = None
    AlgorithmArn: str | None = None
    TrainingSpecification: TrainingSpecificationSpec | None = None


def algorithm_arn(name_or_arn: str, like: str) -> str:
    """An algorithm named by ARN is that ARN; by name, it is this account's (the account of `like`)."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    partition, _, region, account = like.split(":")[1:5]
    return f"arn:{partition}:sagemaker:{region}:{account}:algorithm/{name_or_arn}"


def is_local(arn: str, like: str) -> bool:
    """Whether `arn` is in the partition, Region and account of `like`: only those can be described
    (a Marketplace algorithm lives in its seller's account)."""
    parts, home = arn.split(":"), like.split(":")
    return len(parts) > 4 and (parts[1], parts[3], parts[4]) == (home[1], home[3], home[4])


def described_algorithm(describer: Describer, name_or_arn: str | None, *, like: str) -> Algorithm | None:
    """DescribeAlgorithm of an algorithm in this account; None for none, for another account's (a
    Marketplace algorithm) and for one that cannot be described (the describer keeps why)."""
    if not name_or_arn or not is_local(algorithm_arn(name_or_arn, like), like):
        return None
    body = describer.describe(DESCRIBE_ALGORITHM, name_or_arn)
    return None if body is None else validated(Algorithm, body, "the describe_algorithm response")
