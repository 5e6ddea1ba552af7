"""Shared plan-building steps: checked keys, de-duplicated entities, the job node, a model's containers.

The type strings are the ones SageMaker's own graph uses (docs/architecture.md, "SageMaker's
conventions"); the SageMaker SDK's query helpers and DataHub's SageMaker source read them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from lineage_recorder.events.base import Tolerant
from lineage_recorder.families.algorithms import Algorithm, algorithm_arn, is_local
from lineage_recorder.families.feature_store import (
    feature_group_context,
    holds,
    offline_store_feature_group,
)
from lineage_recorder.families.jobs import JOB_KINDS, NODE_STATUSES, DataSourceSpec, JobKind
from lineage_recorder.families.models import ContainerDefinitionSpec, Model, ModelS3DataSourceSpec
from lineage_recorder.naming import bounded_properties, entity_name
from lineage_recorder.plan import (
    AssociationType,
    EntityKey,
    EntityKind,
    Plan,
    PlannedEdge,
    PlannedEntity,
    SkippedValue,
    Supersession,
)
from lineage_recorder.uris import (
    arn_problem,
    file_system_uri,
    image_uri_problem,
    s3_uri_problem,
    sagemaker_arn_problem,
)

# Artifact type strings.
DATASET = "DataSet"
IMAGE = "Image"
MODEL = "Model"
CHECKPOINT = "Checkpoint"
TENSORBOARD = "TensorBoard"
ALGORITHM = "Algorithm"
MODEL_METRICS = "ModelMetrics"
DRIFT_CHECK_BASELINE = "DriftCheckBaseline"
# Action and context type strings.
MODEL_GROUP = "ModelGroup"
APPROVAL = "Approval"
MODEL_PACKAGE_CREATION = "ModelPackageCreation"
ENDPOINT = "Endpoint"
MODEL_DEPLOYMENT = "ModelDeployment"


class PlanBuilder:
    def __init__(self, resource_arn: str, *, offline_stores: Mapping[str, str] | None = None) -> None:
        """`offline_stores`: feature group ARN -> its offline store, as SageMaker describes the groups
        whose offline stores the resource's data is under (feature_store.confirmed_offline_stores)."""
        self.resource_arn = resource_arn
        self._offline_stores = offline_stores or {}
        self._entities: dict[EntityKey, PlannedEntity] = {}
        self._edges: dict[tuple[EntityKey, EntityKey], PlannedEdge] = {}
        self._skipped: list[SkippedValue] = []
        self._supersessions: list[Supersession] = []

    def _checked(self, field: str, value: str | None, problem_of: Callable[[str], str | None]) -> str | None:
        if value is None:
            return None
        problem = problem_of(value)
        if problem is not None:
            self._skipped.append(SkippedValue(field=field, value=value[:256], reason=problem))
            return None
        return value

    def checked_arn(self, field: str, value: str | None, resource_type: str) -> str | None:
        """`value` when it is a SageMaker ARN of `resource_type` (training-job, ...); else it is skipped."""

        def problem(arn: str) -> str | None:
            found = sagemaker_arn_problem(arn)
            if found is None and arn.split(":", 5)[5].split("/", 1)[0] != resource_type:
                return f"not the ARN of a {resource_type}"
            return found

        return self._checked(field, value, problem)

    def skip(self, field: str, value: str, reason: str) -> None:
        """A value from the resource that does not become lineage, and why (logged and counted)."""
        self._skipped.append(SkippedValue(field=field, value=value[:256], reason=reason))

    def add(self, entity: PlannedEntity, *, replace: bool = False) -> EntityKey:
        """Plan `entity`; a key already planned keeps its first plan, unless `replace` (a richer plan of
        the same node, such as an image digest with what it was resolved from)."""
        if replace:
            self._entities[entity.key] = entity
        else:
            self._entities.setdefault(entity.key, entity)
        return entity.key

    def _artifact(
        self, field: str, value: str | None, artifact_type: str, problem_of: Callable[[str], str | None]
    ) -> EntityKey | None:
        uri = self._checked(field, value, problem_of)
        if uri is None:
            return None
        return self.add(PlannedEntity(key=EntityKey(EntityKind.ARTIFACT, uri), entity_type=artifact_type))

    def s3_artifact(self, field: str, value: str | None, artifact_type: str) -> EntityKey | None:
        return self._artifact(field, value, artifact_type, s3_uri_problem)

    def image_artifact(self, field: str, value: str | None) -> EntityKey | None:
        return self._artifact(field, value, IMAGE, image_uri_problem)

    def arn_artifact(self, field: str, value: str | None, artifact_type: str) -> EntityKey | None:
        return self._artifact(field, value, artifact_type, sagemaker_arn_problem)

    def any_arn_artifact(self, field: str, value: str | None, artifact_type: str) -> EntityKey | None:
        """An artifact keyed by an ARN of any service (a hub content, a dataset)."""
        return self._artifact(field, value, artifact_type, arn_problem)

    def built_artifact(
        self,
        field: str,
        shown: str,
        build: Callable[[], str],
        artifact_type: str,
        properties: tuple[tuple[str, str], ...] = (),
    ) -> EntityKey | None:
        """An artifact whose SourceUri is built from several fields (uris.file_system_uri, query_uri); a
        value that cannot be built is skipped with `shown` and the reason."""
        try:
            uri = build()
        except ValueError as error:
            self.skip(field, shown, str(error))
            return None
        return self.add(
            PlannedEntity(
                key=EntityKey(EntityKind.ARTIFACT, uri), entity_type=artifact_type, properties=properties
            )
        )

    def data_source(self, field: str, source: DataSourceSpec | None, consumer: EntityKey) -> None:
        """Every data a DataSource names ContributedTo `consumer`: S3 (and the hub content it comes from),
        a file system directory, a SageMaker dataset. A source of a kind the recorder does not know is
        skipped with its field, never dropped."""
        if source is None:
            return
        s3 = source.S3DataSource
        if s3 is not None:
            self.s3_input(f"{field}.S3DataSource.S3Uri", s3.S3Uri, consumer)
            hub = s3.HubAccessConfig.HubContentArn if s3.HubAccessConfig else None
            self.edge(
                self.any_arn_artifact(f"{field}.S3DataSource.HubAccessConfig.HubContentArn", hub, MODEL),
                consumer,
                CONTRIBUTED_TO,
            )
        file_system = source.FileSystemDataSource
        if file_system is not None:
            shown = f"{file_system.FileSystemType}:{file_system.FileSystemId}:{file_system.DirectoryPath}"
            self.edge(
                self.built_artifact(
                    f"{field}.FileSystemDataSource",
                    shown,
                    lambda: file_system_uri(
                        file_system.FileSystemType, file_system.FileSystemId, file_system.DirectoryPath
                    ),
                    DATASET,
                ),
                consumer,
                CONTRIBUTED_TO,
            )
        dataset = source.DatasetSource.DatasetArn if source.DatasetSource else None
        self.edge(
            self.any_arn_artifact(f"{field}.DatasetSource.DatasetArn", dataset, DATASET),
            consumer,
            CONTRIBUTED_TO,
        )
        self.skip_unknown(field, source)

    def s3_input(self, field: str, uri: str | None, consumer: EntityKey) -> None:
        """S3 data `consumer` read: the DataSet ContributedTo it; and when the data is under a feature
        group's offline store, the feature group ContributedTo it too (families/feature_store.py)."""
        data = self.s3_artifact(field, uri, DATASET)
        self.edge(data, consumer, CONTRIBUTED_TO)
        if data is None or uri is None:
            return
        group, why_not = offline_store_feature_group(uri, like=self.resource_arn)
        if why_not is not None:
            self.skip(field, uri, why_not)
        if group is None:
            return
        store = self._offline_stores.get(group)
        if store is not None and holds(store, uri):
            self.edge(self.add(feature_group_context(group, reference=True)), consumer, CONTRIBUTED_TO)
        else:
            self.skip(
                field,
                uri,
                "laid out as a feature group's offline store, but SageMaker has no feature group whose "
                "offline store holds it (deleted, or created again since)",
            )

    def algorithm(
        self,
        field: str,
        name_or_arn: str,
        *,
        like: str,
        described: Algorithm | None,
        consumer: EntityKey,
        with_image: bool = True,
    ) -> None:
        """The Algorithm artifact (by ARN) ContributedTo `consumer`; with its training image and extra
        data when the algorithm could be described. A job needs the image (it ran it); when the algorithm
        is another account's (Marketplace), the image is skipped with that reason."""
        arn = algorithm_arn(name_or_arn, like)
        self.edge(self.arn_artifact(field, arn, ALGORITHM), consumer, CONTRIBUTED_TO)
        if not with_image:
            return
        training = described.TrainingSpecification if described else None
        if training is not None:
            image = self.image_artifact(
                f"{field}.TrainingSpecification.TrainingImage", training.TrainingImage
            )
            self.edge(image, consumer, CONTRIBUTED_TO)
            extra = training.AdditionalS3DataSource.S3Uri if training.AdditionalS3DataSource else None
            data = self.s3_artifact(
                f"{field}.TrainingSpecification.AdditionalS3DataSource.S3Uri", extra, DATASET
            )
            self.edge(data, consumer, CONTRIBUTED_TO)
        elif not is_local(arn, like):
            self.skip(
                f"{field}.TrainingSpecification.TrainingImage",
                arn,
                "another account's algorithm (AWS Marketplace): its training image cannot be described here",
            )

    def skip_unknown(self, field: str, spec: Tolerant) -> None:
        """Members of `spec` the recorder's models do not know (a newer SageMaker shape): skipped, so a new
        kind of data source is said, not silently dropped."""
        for name, value in (spec.model_extra or {}).items():
            if value not in (None, "", [], {}):
                self.skip(f"{field}.{name}", str(value)[:256], "a field the recorder does not know yet")

    def job_node(
        self, kind: JobKind, job_arn: str, *, status: str | None, failure_reason: str | None
    ) -> EntityKey:
        """The job itself: SageMaker's trial component when it exists, else an action the recorder owns."""
        return self.add(job_node(kind, job_arn, status=status, failure_reason=failure_reason))

    def model_data(self, field: str, source: ModelS3DataSourceSpec | None, consumer: EntityKey) -> None:
        """Model data given as a data source: the S3 prefix (uncompressed) and the hub content it is."""
        if source is None:
            return
        self.edge(self.s3_artifact(f"{field}.S3Uri", source.S3Uri, MODEL), consumer, CONTRIBUTED_TO)
        hub = source.HubAccessConfig.HubContentArn if source.HubAccessConfig else None
        self.edge(
            self.any_arn_artifact(f"{field}.HubAccessConfig.HubContentArn", hub, MODEL),
            consumer,
            CONTRIBUTED_TO,
        )

    def model_containers(self, model: Model, prefix: str, consumer: EntityKey) -> None:
        """Each of a model's containers ContributedTo `consumer` (see `container`)."""
        for index, container in enumerate(model.containers()):
            self.container(f"{prefix}.Containers[{index}]", container, consumer, like=model.ModelArn)

    def container(
        self, field: str, container: ContainerDefinitionSpec, consumer: EntityKey, *, like: str | None
    ) -> None:
        """A container's Image, model data (a model.tar.gz, an uncompressed prefix, additional data such
        as adapters, hub content, extra S3 data) and model package ContributedTo `consumer`. A package
        named by name is resolved in the account of the ARN `like`."""
        self.edge(self.image_artifact(f"{field}.Image", container.Image), consumer, CONTRIBUTED_TO)
        self.edge(
            self.s3_artifact(f"{field}.ModelDataUrl", container.ModelDataUrl, MODEL), consumer, CONTRIBUTED_TO
        )
        source = container.ModelDataSource.S3DataSource if container.ModelDataSource else None
        self.model_data(f"{field}.ModelDataSource.S3DataSource", source, consumer)
        for position, extra in enumerate(container.AdditionalModelDataSources or []):
            self.model_data(
                f"{field}.AdditionalModelDataSources[{position}].S3DataSource", extra.S3DataSource, consumer
            )
        additional = container.AdditionalS3DataSource.S3Uri if container.AdditionalS3DataSource else None
        self.edge(
            self.s3_artifact(f"{field}.AdditionalS3DataSource.S3Uri", additional, DATASET),
            consumer,
            CONTRIBUTED_TO,
        )
        if container.ModelPackageName:
            package_arn = model_package_arn(container.ModelPackageName, like=like)
            package = self.arn_artifact(
                f"{field}.ModelPackageName", package_arn or container.ModelPackageName, MODEL
            )
            self.edge(package, consumer, CONTRIBUTED_TO)

    def edge(
        self, source: EntityKey | None, destination: EntityKey | None, association_type: AssociationType
    ) -> None:
        if source is None or destination is None or source == destination:
            return
        self._edges.setdefault((source, destination), PlannedEdge(source, destination, association_type))

    def supersede(self, supersession: Supersession) -> None:
        current_planned = supersession.current is None or supersession.current in self._entities
        if supersession.anchor in self._entities and current_planned:
            self._supersessions.append(supersession)

    def build(self) -> Plan:
        return Plan(
            resource_arn=self.resource_arn,
            entities=tuple(self._entities.values()),
            edges=tuple(self._edges.values()),
            skipped=tuple(self._skipped),
            supersessions=tuple(self._supersessions),
        )


def job_node(
    kind: JobKind,
    job_arn: str,
    *,
    status: str | None = None,
    failure_reason: str | None = None,
    reference: bool = False,
) -> PlannedEntity:
    """A job's node, as its own family plans it, or as another family references it (``reference``): the
    key, type and names are the same either way, so both resolve to one node. Its own family reconciles
    it, so a node another family created first (with what it knew) is brought to the job's own state."""
    job_name = job_name_from_arn(job_arn)
    return PlannedEntity(
        key=EntityKey(EntityKind.ACTION, job_arn),
        entity_type=kind.node_type,
        name=kind.node_name(job_name),
        status=status if status in NODE_STATUSES else None,
        properties=bounded_properties([("JobName", job_name), ("FailureReason", failure_reason)]),
        # Only jobs SageMaker creates a trial component for are looked up as one (a labeling job has none).
        trial_component_name=kind.trial_component_name(job_name) if kind in JOB_KINDS else None,
        reconcile=not reference,
        reference=reference,
    )


def package_approval(
    package_arn: str,
    *,
    status: str | None = None,
    properties: tuple[tuple[str, str], ...] = (),
    revision: str | None = None,
    reference: bool = False,
) -> PlannedEntity:
    """A model package version's Approval action, as its own family plans it (reconciled to the
    package's approval status), or as a deployment of the package references it (``reference``): the key
    and name come from the package ARN alone, so both resolve to one action and a creation race between
    them fails on the name."""
    return PlannedEntity(
        key=EntityKey(EntityKind.ACTION, package_arn),
        entity_type=APPROVAL,
        name=package_action_name(package_arn, "approval"),
        status=status,
        properties=properties,
        reconcile=not reference,
        reference=reference,
        revision=revision,
    )


def package_action_name(package_arn: str, suffix: str) -> str:
    """The name of a package version's action, from its ARN alone (every family derives the same)."""
    return unique_name(f"{_package_label(package_arn)}-{suffix}", package_arn)


def _package_label(package_arn: str) -> str:
    """ "<group>-<version>" of a versioned package ARN (model-package/<group>/<version>), else
    "model-package-<name>"."""
    name = package_arn.split(":", 5)[-1].removeprefix("model-package/")
    group, _, version = name.partition("/")
    return f"{group}-{version}" if version else f"model-package-{group}"


def is_versioned_package(package_arn: str) -> bool:
    """Versioned packages (<group>/<version>) have an approval status, so an Approval action."""
    return package_arn.split(":", 5)[-1].removeprefix("model-package/").count("/") == 1


def job_name_from_arn(job_arn: str) -> str:
    return job_arn.rsplit("/", 1)[-1]


CONTRIBUTED_TO = AssociationType.CONTRIBUTED_TO
PRODUCED = AssociationType.PRODUCED
ASSOCIATED_WITH = AssociationType.ASSOCIATED_WITH


def sibling_arn(like: str, resource_type: str, resource_name: str) -> str:
    """The ARN of another resource in the same partition, Region and account as the ARN `like`."""
    partition, service, region, account = like.split(":")[1:5]
    return f"arn:{partition}:{service}:{region}:{account}:{resource_type}/{resource_name}"


def same_home(arn: str, like: str) -> bool:
    """Whether `arn` is in the partition, Region and account of the ARN `like` (where the recorder's
    grants reach; another account's resource is its own recorder's)."""
    ours, theirs = arn.split(":"), like.split(":")
    if len(ours) < 6 or len(theirs) < 6:
        return False
    return (ours[1], ours[3], ours[4]) == (theirs[1], theirs[3], theirs[4])


def model_package_arn(name_or_arn: str, like: str | None) -> str | None:
    """Containers may name a model package by ARN or by name; the name is resolved in `like`'s account."""
    if name_or_arn.startswith("arn:"):
        return name_or_arn
    return sibling_arn(like, "model-package", name_or_arn) if like and like.startswith("arn:") else None


def event_revision(moment: datetime | None, now: datetime | None = None) -> str | None:
    """The revision of a state known only from an event's time. An event is processed after it happened,
    so a time later than now (a forged event, or a clock ahead of this one) is taken as now: it can never
    freeze an entity against the genuine changes that follow."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return revision_of(min(aware, now or datetime.now(UTC)))


def revision_of(moment: datetime | None) -> str | None:
    """A sortable UTC text of a resource's state time, for reconciled entities."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def unique_name(readable: str, source_uri: str) -> str:
    """A name that reads like the resource and is unique to `source_uri`, whatever the parts contain."""
    return entity_name(readable, hashlib.sha256(source_uri.encode()).hexdigest()[:8])
