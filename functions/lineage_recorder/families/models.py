"""SageMaker models (DescribeModel): the containers a transform job or an endpoint variant runs.

A model's containers carry the lineage: each one's image, model data and model package.
"""

from __future__ import annotations

from typing import Any

from lineage_recorder.events.base import Tolerant
from lineage_recorder.families.base import DescribeCall, Describer, validated
from lineage_recorder.families.reasons import CREDENTIALS, IDENTITY, MANIFEST, METRICS_PATH


def lineage_view(body: dict[str, Any]) -> dict[str, Any]:
    """What lineage needs of a DescribeModel response: its name, ARN and containers' sources. Never its
    environment variables or anything else: the state table is not a copy of the account's configuration."""
    model = Model.model_validate(body)
    return {
        "ModelName": model.ModelName,
        "ModelArn": model.ModelArn,
        "Containers": [_container_view(container) for container in model.containers()],
    }


def _container_view(container: ContainerDefinitionSpec) -> dict[str, Any]:
    return _known(container)


def _known(spec: Tolerant) -> dict[str, Any]:
    """The fields `spec`'s model declares, recursively, without the extra ones SageMaker added."""
    view: dict[str, Any] = {}
    for name in type(spec).model_fields:
        value = getattr(spec, name)
        if isinstance(value, Tolerant):
            view[name] = _known(value)
        elif isinstance(value, list):
            view[name] = [_known(item) if isinstance(item, Tolerant) else item for item in value]
        elif value is not None:
            view[name] = value
    return view


class HubAccessSpec(Tolerant):
    HubContentArn: str | None = None


class ModelS3DataSourceSpec(Tolerant):
    S3Uri: str | None = None
    HubAccessConfig: HubAccessSpec | None = None


class ModelDataSourceSpec(Tolerant):
    """Model data given uncompressed (an S3 prefix) instead of a model.tar.gz."""

    S3DataSource: ModelS3DataSourceSpec | None = None


class AdditionalModelDataSourceSpec(Tolerant):
    ChannelName: str | None = None
    S3DataSource: ModelS3DataSourceSpec | None = None


class AdditionalS3DataSourceSpec(Tolerant):
    S3Uri: str | None = None


class ContainerDefinitionSpec(Tolerant):
    """A model's container (DescribeModel), or a model package's (its InferenceSpecification)."""

    Image: str | None = None
    ModelDataUrl: str | None = None
    ModelDataSource: ModelDataSourceSpec | None = None
    AdditionalModelDataSources: list[AdditionalModelDataSourceSpec] | None = None
    # Model package containers only: extra data the container reads.
    AdditionalS3DataSource: AdditionalS3DataSourceSpec | None = None
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
            if container.Image
            or container.ModelDataUrl
            or container.ModelDataSource
            or container.AdditionalModelDataSources
            or container.ModelPackageName
        ]


def described_model(describer: Describer, model_name: str) -> Model | None:
    """DescribeModel, or None when the model is gone (lineage then lacks its containers; the describer
    keeps the reason)."""
    body = describer.describe(DESCRIBE_MODEL, model_name)
    return None if body is None else validated(Model, body, "the describe_model response")


_CONTAINER_NOT_LINEAGE = tuple(
    (f"{container}.{field}", reason)
    for container in ("PrimaryContainer", "Containers[]")
    for field, reason in (
        ("ModelDataSource.S3DataSource.ManifestS3Uri", MANIFEST),
        ("AdditionalModelDataSources[].S3DataSource.ManifestS3Uri", MANIFEST),
        ("ContainerMetricsConfig.MetricsEndpoints[].MetricsEndpointPath", METRICS_PATH),
        ("ImageConfig.RepositoryAuthConfig.RepositoryCredentialsProviderArn", CREDENTIALS),
    )
)
DESCRIBE_MODEL = DescribeCall(
    "DescribeModel",
    "model",
    "ModelName",
    remember=lineage_view,
    not_lineage=(
        *_CONTAINER_NOT_LINEAGE,
        ("ModelName", "a model is recorded through its containers; deployments name it in their properties"),
        ("ModelArn", "a model is recorded through its containers; deployments name it in their properties"),
        ("ExecutionRoleArn", IDENTITY),
    ),
)
