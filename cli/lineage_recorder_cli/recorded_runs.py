"""The job runs the lineage graph records, read back from SageMaker for export.

A job's node is SageMaker's trial component for it (training, processing and transform jobs) or the
recorder's own action (``TrainingJob``, ..., ``LabelingJob``, keyed by the job ARN). A node's incoming
``ContributedTo`` edges are what the run read, its outgoing ``Produced`` edges what it wrote, and its
``AssociatedWith`` edges to a ``HyperParameterTuningJob`` or ``PipelineExecution`` context the runs it was
part of (followed upwards: a tuning job's context points at the execution that ran it).

Everything is read from the graph, as an auditor's tool would: nothing is inferred from the jobs'
descriptions. An entity that cannot be read is left out of its run and reported (``ExportedRuns.unread``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError
from lineage_recorder.families.jobs import JOB_KINDS, LABELING

from lineage_recorder_cli.openlineage_events import RecordedEntity, RecordedRun

CONTRIBUTED_TO = "ContributedTo"
PRODUCED = "Produced"
ASSOCIATED_WITH = "AssociatedWith"
SAME_AS = "SameAs"
# Contexts a run can be part of: each is itself a run (a tuning job, a pipeline execution).
RUN_GROUP_TYPES = frozenset({"HyperParameterTuningJob", "PipelineExecution"})
TRIAL_COMPONENT_SOURCE_TYPES = frozenset(kind.trial_component_source_type for kind in JOB_KINDS)
JOB_ACTION_TYPES = tuple(kind.node_type for kind in (*JOB_KINDS, LABELING))
# Runs more than this many groups deep are cut (a cycle would otherwise never end).
MAX_GROUP_DEPTH = 5


@dataclass(frozen=True)
class JobNode:
    job_arn: str
    node_arn: str
    status: str | None
    event_time: datetime
    failure_reason: str | None = None


@dataclass
class ExportedRuns:
    runs: list[RecordedRun] = field(default_factory=list)
    # "<entity ARN>: <error code>" for each edge end that could not be read (left out of its run).
    unread: list[str] = field(default_factory=list)


def _pages(sagemaker: Any, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    for page in sagemaker.get_paginator(operation).paginate(**params):
        yield from page.get(key, [])


def _window(since: datetime | None, until: datetime | None) -> dict[str, datetime]:
    window: dict[str, datetime] = {}
    if since is not None:
        window["CreatedAfter"] = since
    if until is not None:
        window["CreatedBefore"] = until
    return window


def _within(moment: Any, since: datetime | None, until: datetime | None) -> bool:
    """The window again on our side: an entity created at exactly `since` is not after it."""
    if not isinstance(moment, datetime):
        return since is None and until is None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (since is None or moment > since) and (until is None or moment < until)


def job_nodes(sagemaker: Any, since: datetime | None, until: datetime | None) -> list[JobNode]:
    """Every job node created in the window: SageMaker's trial components for jobs, then the recorder's
    job actions."""
    nodes: list[JobNode] = []
    for summary in _pages(
        sagemaker, "list_trial_components", "TrialComponentSummaries", **_window(since, until)
    ):
        source = summary.get("TrialComponentSource") or {}
        if source.get("SourceType") not in TRIAL_COMPONENT_SOURCE_TYPES or not source.get("SourceArn"):
            continue
        if not _within(summary.get("CreationTime"), since, until):
            continue
        status = summary.get("Status") or {}
        nodes.append(
            JobNode(
                job_arn=source["SourceArn"],
                node_arn=summary["TrialComponentArn"],
                status=status.get("PrimaryStatus"),
                event_time=_moment(summary.get("EndTime") or summary.get("LastModifiedTime"), summary),
                failure_reason=status.get("Message") if status.get("PrimaryStatus") == "Failed" else None,
            )
        )
    for action_type in JOB_ACTION_TYPES:
        for summary in _pages(
            sagemaker, "list_actions", "ActionSummaries", ActionType=action_type, **_window(since, until)
        ):
            job_arn = (summary.get("Source") or {}).get("SourceUri")
            if not job_arn or not _within(summary.get("CreationTime"), since, until):
                continue
            status = summary.get("Status")
            failure = None
            if status == "Failed":
                properties = (
                    sagemaker.describe_action(ActionName=summary["ActionArn"]).get("Properties") or {}
                )
                failure = properties.get("FailureReason")
            nodes.append(
                JobNode(
                    job_arn=job_arn,
                    node_arn=summary["ActionArn"],
                    status=status,
                    event_time=_moment(summary.get("LastModifiedTime"), summary),
                    failure_reason=failure,
                )
            )
    return nodes


def _moment(value: Any, summary: dict[str, Any]) -> datetime:
    moment = value if isinstance(value, datetime) else summary.get("CreationTime")
    if not isinstance(moment, datetime):
        raise ValueError(f"a lineage entity without a creation time: {summary}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class _GraphReader:
    """Reads edge ends once each (several runs share data sets and images), from several threads."""

    def __init__(self, sagemaker: Any) -> None:
        self._sagemaker = sagemaker
        self._entities: dict[str, RecordedEntity | None] = {}
        self._lock = threading.Lock()
        self.unread: list[str] = []

    def associations(self, **params: Any) -> list[dict[str, Any]]:
        return list(_pages(self._sagemaker, "list_associations", "AssociationSummaries", **params))

    def entity(self, arn: str) -> RecordedEntity | None:
        with self._lock:
            if arn in self._entities:
                return self._entities[arn]
        entity = self._read(arn)
        with self._lock:
            self._entities[arn] = entity
        return entity

    def _read(self, arn: str) -> RecordedEntity | None:
        resource_type = arn.split(":", 5)[-1].split("/", 1)[0]
        try:
            if resource_type == "artifact":
                body = self._sagemaker.describe_artifact(ArtifactArn=arn)
                entity_type = body.get("ArtifactType") or ""
            elif resource_type == "context":
                body = self._sagemaker.describe_context(ContextName=arn)
                entity_type = body.get("ContextType") or ""
            else:
                return None  # another job's node: not a data set
        except ClientError as error:
            with self._lock:
                self.unread.append(f"{arn}: {error.response.get('Error', {}).get('Code')}")
            return None
        twins = [
            summary[other]
            for this, other in (("SourceArn", "DestinationArn"), ("DestinationArn", "SourceArn"))
            for summary in self.associations(**{this: arn, "AssociationType": SAME_AS})
        ]
        return RecordedEntity(
            arn=arn,
            entity_type=entity_type,
            source_uri=str(body.get("Source", {}).get("SourceUri") or arn),
            twins=tuple(sorted(set(twins))),
        )

    def groups(self, node_arn: str) -> tuple[str, ...]:
        """The runs `node_arn` was part of, nearest first, as their resource ARNs."""
        chain: list[str] = []
        current = node_arn
        for _ in range(MAX_GROUP_DEPTH):
            parent = next(
                (
                    summary["DestinationArn"]
                    for summary in self.associations(SourceArn=current, AssociationType=ASSOCIATED_WITH)
                    if summary.get("DestinationType") in RUN_GROUP_TYPES
                ),
                None,
            )
            if parent is None:
                break
            group = self.entity(parent)
            if group is None or group.source_uri in chain:
                break
            chain.append(group.source_uri)
            current = parent
        return tuple(chain)


def _run(reader: _GraphReader, nodes: list[JobNode]) -> RecordedRun:
    """One run from every node recorded for the job (normally one)."""
    inputs: list[RecordedEntity] = []
    outputs: list[RecordedEntity] = []
    groups: tuple[str, ...] = ()
    for node in nodes:
        inputs.extend(
            _ends(reader, reader.associations(DestinationArn=node.node_arn), CONTRIBUTED_TO, "SourceArn")
        )
        outputs.extend(
            _ends(reader, reader.associations(SourceArn=node.node_arn), PRODUCED, "DestinationArn")
        )
        groups = groups or reader.groups(node.node_arn)
    latest = max(nodes, key=lambda node: node.event_time)
    return RecordedRun(
        job_arn=latest.job_arn,
        node_arn=latest.node_arn,
        status=latest.status,
        event_time=latest.event_time,
        inputs=tuple(inputs),
        outputs=tuple(outputs),
        groups=groups,
        failure_reason=next((node.failure_reason for node in nodes if node.failure_reason), None),
    )


def _ends(
    reader: _GraphReader, summaries: Iterable[dict[str, Any]], association_type: str, end: str
) -> Iterator[RecordedEntity]:
    for summary in summaries:
        if summary.get("AssociationType") != association_type:
            continue
        entity = reader.entity(summary[end])
        if entity is not None:
            yield entity


def recorded_runs(
    sagemaker: Any,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    workers: int = 8,
    on_run: Callable[[RecordedRun], None] | None = None,
) -> ExportedRuns:
    """Every job run recorded in the window (by its node's creation time), oldest first."""
    by_job: dict[str, list[JobNode]] = {}
    for node in job_nodes(sagemaker, since, until):
        by_job.setdefault(node.job_arn, []).append(node)
    reader = _GraphReader(sagemaker)

    def read(nodes: list[JobNode]) -> RecordedRun:
        run = _run(reader, nodes)
        if on_run is not None:
            on_run(run)
        return run

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        runs = list(pool.map(read, by_job.values()))
    runs.sort(key=lambda run: (run.event_time, run.job_arn))
    return ExportedRuns(runs=runs, unread=sorted(reader.unread))
