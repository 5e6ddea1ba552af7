"""OpenLineage RunEvents from recorded job runs: pure mapping, no I/O (``recorded_runs`` reads the graph).

Names follow OpenLineage's naming conventions where they have one, and its general rule (namespace =
``scheme://authority``, name = the rest) where they do not:

- an S3 location: namespace ``s3://<bucket>``, name the object key (the client's ``naming.dataset.S3``);
- an AWS resource (a model package, a feature group, a SageMaker dataset): namespace
  ``arn:<partition>:<service>:<region>:<account>``, name the resource (``model-package/churn/3``), as the
  convention names Glue tables; ``namespace:name`` is the ARN again;
- a container image (``<registry>/<repository>:<tag>``, no scheme): namespace ``docker://<registry>``;
- any other URI (``efs://fs-0123/data``, ``athena://...``): namespace ``scheme://authority``.

A job is named like an AWS resource: namespace ``arn:aws:sagemaker:<region>:<account>``, name
``training-job/<name>``. Its ``runId`` is a UUID derived from the job's ARN alone (uuid5), so exporting
again gives the same ids (a consumer stores each run once), and a child names its parent run (a tuning job,
a pipeline execution) without reading it: ``ParentRunFacet`` holds the nearest group and the root one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    error_message_run,
    job_type_job,
    parent_run,
    symlinks_dataset,
)
from openlineage.client.naming.dataset import S3
from openlineage.client.serde import Serde

# Who wrote the events (OpenLineage asks for a URI naming the producer and its version).
PRODUCER_PREFIX = "urn:sagemaker-lineage-recorder:"
# SymlinksDatasetFacet identifier type for the SageMaker lineage artifacts that stand for a data set
# (the local one and its SameAs twins in other accounts).
LINEAGE_ARTIFACT = "SAGEMAKER_LINEAGE_ARTIFACT"
# A job's status (trial component PrimaryStatus, or the recorder's action Status) -> the run's state.
RUN_STATES = {
    "Completed": RunState.COMPLETE,
    "Failed": RunState.FAIL,
    "Stopped": RunState.ABORT,
    "InProgress": RunState.RUNNING,
    "Stopping": RunState.RUNNING,
}
# JobTypeJobFacet.jobType by ARN resource type.
JOB_TYPES = {
    "training-job": "TRAINING_JOB",
    "processing-job": "PROCESSING_JOB",
    "transform-job": "TRANSFORM_JOB",
    "labeling-job": "LABELING_JOB",
    "hyper-parameter-tuning-job": "HYPER_PARAMETER_TUNING_JOB",
    "pipeline": "PIPELINE",
}
INTEGRATION = "SAGEMAKER"


@dataclass(frozen=True)
class RecordedEntity:
    """A lineage entity at one end of a job's edge: what it stands for (``source_uri``) and its twins."""

    arn: str
    entity_type: str
    source_uri: str
    twins: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordedRun:
    """One job run as the graph records it. ``groups``: the ARNs of the runs it was part of, nearest first
    (its tuning job, then the pipeline execution that ran that)."""

    job_arn: str
    node_arn: str
    status: str | None
    event_time: datetime
    inputs: tuple[RecordedEntity, ...]
    outputs: tuple[RecordedEntity, ...]
    groups: tuple[str, ...] = ()
    failure_reason: str | None = None


def run_id(resource_arn: str) -> str:
    """The OpenLineage runId of a SageMaker run: the same for the same ARN, in every export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, resource_arn))


def _arn_parts(arn: str) -> tuple[str, str]:
    """``arn:aws:sagemaker:us-east-1:111:training-job/x`` -> (``arn:aws:sagemaker:us-east-1:111``,
    ``training-job/x``)."""
    parts = arn.split(":", 5)
    if len(parts) < 6 or not parts[5]:
        raise ValueError(f"not an ARN: {arn!r}")
    return ":".join(parts[:5]), parts[5]


def job_identity(resource_arn: str) -> tuple[str, str]:
    """(namespace, name) of the job a SageMaker run belongs to. A pipeline execution is a run of its
    pipeline (``pipeline/<name>/execution/<id>`` -> ``pipeline/<name>``); every other run is its own job."""
    namespace, resource = _arn_parts(resource_arn)
    if resource.startswith("pipeline/") and "/execution/" in resource:
        resource = resource.split("/execution/", 1)[0]
    return namespace, resource


def dataset_identity(source_uri: str) -> tuple[str, str]:
    """(namespace, name) of a data set, model or image, by OpenLineage's naming conventions."""
    if source_uri.startswith("s3://"):
        bucket, _, key = source_uri[len("s3://") :].partition("/")
        if not key:
            return f"s3://{bucket}", "/"
        naming = S3(bucket_name=bucket, object_key=key)
        return naming.get_namespace(), naming.get_name()
    if source_uri.startswith("arn:"):
        return _arn_parts(source_uri)
    split = urlsplit(source_uri)
    if split.scheme and split.netloc and "://" in source_uri:
        authority = f"{split.scheme}://{split.netloc}"
        return authority, source_uri[len(authority) :] or "/"
    registry, slash, repository = source_uri.partition("/")
    if slash and ("." in registry or ":" in registry or registry == "localhost"):
        return f"docker://{registry}", repository
    # An image on Docker Hub (python:3.11, library/python:3.11) names no registry.
    return "docker://docker.io", source_uri


def _symlinks(arns: tuple[str, ...], producer: str) -> dict[str, Any]:
    identifiers = [
        symlinks_dataset.Identifier(namespace=namespace, name=name, type=LINEAGE_ARTIFACT)
        for namespace, name in (_arn_parts(arn) for arn in arns)
    ]
    return {"symlinks": symlinks_dataset.SymlinksDatasetFacet(identifiers=identifiers, producer=producer)}


def _parent(groups: tuple[str, ...], producer: str) -> parent_run.ParentRunFacet:
    nearest, root = groups[0], groups[-1]
    nearest_namespace, nearest_name = job_identity(nearest)
    root_namespace, root_name = job_identity(root)
    return parent_run.ParentRunFacet(
        run=parent_run.Run(runId=run_id(nearest)),
        job=parent_run.Job(namespace=nearest_namespace, name=nearest_name),
        root=parent_run.Root(
            run=parent_run.RootRun(runId=run_id(root)),
            job=parent_run.RootJob(namespace=root_namespace, name=root_name),
        ),
        producer=producer,
    )


def run_event(run: RecordedRun, producer: str) -> RunEvent:
    """The RunEvent that says what ``run`` read and wrote, in the state the graph records for it."""
    namespace, name = job_identity(run.job_arn)
    resource_type = name.split("/", 1)[0]
    run_facets: dict[str, Any] = {}
    if run.groups:
        run_facets["parent"] = _parent(run.groups, producer)
    if run.failure_reason:
        run_facets["errorMessage"] = error_message_run.ErrorMessageRunFacet(
            message=run.failure_reason, programmingLanguage="SageMaker", producer=producer
        )
    job_facets: dict[str, Any] = {
        "jobType": job_type_job.JobTypeJobFacet(
            processingType="BATCH",
            integration=INTEGRATION,
            jobType=JOB_TYPES.get(resource_type, resource_type.upper().replace("-", "_")),
            producer=producer,
        )
    }
    return RunEvent(
        eventType=RUN_STATES.get(run.status or "", RunState.OTHER),
        eventTime=run.event_time.isoformat(),
        run=Run(runId=run_id(run.job_arn), facets=run_facets),
        job=Job(namespace=namespace, name=name, facets=job_facets),
        inputs=[
            InputDataset(namespace, name, facets=_symlinks(arns, producer))
            for (namespace, name), arns in _datasets(run.inputs)
        ],
        outputs=[
            OutputDataset(namespace, name, facets=_symlinks(arns, producer))
            for (namespace, name), arns in _datasets(run.outputs)
        ],
        producer=producer,
    )


def _datasets(entities: Iterable[RecordedEntity]) -> list[tuple[tuple[str, str], tuple[str, ...]]]:
    """One data set per name, with every lineage entity that stands for it: two entities for one SourceUri
    (a DataSet and a Model artifact of the same prefix) and their SameAs twins. In a stable order."""
    arns: dict[tuple[str, str], dict[str, None]] = {}
    for entity in sorted(entities, key=lambda entity: (entity.source_uri, entity.arn)):
        found = arns.setdefault(dataset_identity(entity.source_uri), {})
        found.update(dict.fromkeys((entity.arn, *entity.twins)))
    return [(identity, tuple(found)) for identity, found in arns.items()]


def as_json(event: RunEvent) -> str:
    """One line of JSON (the OpenLineage file transport writes one event per line)."""
    return Serde.to_json(event)
