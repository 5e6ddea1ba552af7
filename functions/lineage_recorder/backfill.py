"""Lineage for what happened before the recorder was deployed: each existing resource recorded as if its
latest state-change event had just arrived.

For every family it can list, backfill walks SageMaker's List* call (botocore's paginator, filtered by
creation time), describes each resource and builds the event SageMaker sends for its current state; the
event then goes through the same recorder as the Lambda's (preparer, planner, applier), which describes
the resource again and confirms it. Nothing is invented: a resource not in a state its family acts on
(a job still running, an endpoint being updated) is skipped and counted, and older states (an endpoint's
earlier configs) are not recorded, because SageMaker no longer shows them.

Inference components have no event of their own (the recorder reads their CloudTrail events), so they are
listed as not backfilled, with why.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.errors import InvalidEventError, RetryLaterError
from lineage_recorder.events.from_describe import (
    endpoint_detail,
    event_detail,
    model_detail,
    model_package_detail,
)
from lineage_recorder.families import ALL, Family
from lineage_recorder.recorder import RecordOutcome, parse_event

EVENT_NAMESPACE = uuid.UUID("5b1e2a52-3f7e-4c1b-9a51-8d7f0c7b2a10")
NOT_BACKFILLED = {
    "inference-component": "its lineage comes from CloudTrail events, not from a state-change event",
    "pipeline-step": "a pipeline execution's backfill records its steps (ListPipelineExecutionSteps)",
}


@dataclass(frozen=True)
class Listing:
    """How one family's resources are listed: the List* method, where its items are, and how each item
    names its resource for the describe that builds the event."""

    operation: str
    items_key: str
    name_key: str
    created_key: str = "CreationTime"
    window: tuple[str, str] = ("CreationTimeAfter", "CreationTimeBefore")
    params: tuple[tuple[str, str], ...] = ()


LISTINGS: dict[str, Listing] = {
    "training": Listing("ListTrainingJobs", "TrainingJobSummaries", "TrainingJobName"),
    "processing": Listing("ListProcessingJobs", "ProcessingJobSummaries", "ProcessingJobName"),
    "transform": Listing("ListTransformJobs", "TransformJobSummaries", "TransformJobName"),
    "tuning": Listing(
        "ListHyperParameterTuningJobs", "HyperParameterTuningJobSummaries", "HyperParameterTuningJobName"
    ),
    "labeling": Listing("ListLabelingJobs", "LabelingJobSummaryList", "LabelingJobName"),
    "model": Listing("ListModels", "Models", "ModelName"),
    "model-package": Listing(
        "ListModelPackages",
        "ModelPackageSummaryList",
        "ModelPackageArn",
        params=(("ModelPackageType", "Both"),),
    ),
    "endpoint": Listing("ListEndpoints", "Endpoints", "EndpointName"),
    "feature-group": Listing("ListFeatureGroups", "FeatureGroupSummaries", "FeatureGroupName"),
    "model-card": Listing("ListModelCards", "ModelCardSummaries", "ModelCardName"),
}


def list_operations(families: Iterable[Family]) -> tuple[str, ...]:
    """The SageMaker List* actions the backfill of `families` calls (IAM: they take Resource "*")."""
    operations: list[str] = []
    for family in families:
        if family.name == "pipeline-execution":
            operations += ["ListPipelines", "ListPipelineExecutions"]
        elif family.name in LISTINGS:
            operations.append(LISTINGS[family.name].operation)
    return tuple(dict.fromkeys(operations))


# family -> how its Describe* answer becomes its event's detail (event_detail unless said otherwise).
SHAPES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "model": model_detail,
    "model-package": model_package_detail,
    "endpoint": endpoint_detail,
}


@dataclass
class FamilyTally:
    listed: int = 0
    recorded: int = 0
    skipped: int = 0
    failed: int = 0
    # What recording created (or, in a dry run, would create).
    entities_created: int = 0
    associations_created: int = 0
    # Resources whose recording wrote something: their lineage was missing (an event never recorded).
    missed: int = 0
    examples: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.examples) < 3:
            self.examples.append(text)


@dataclass
class BackfillSummary:
    families: dict[str, FamilyTally] = field(default_factory=dict)
    not_backfilled: dict[str, str] = field(default_factory=dict)
    # False when the run stopped before the end (out of time): a checkpoint says where.
    finished: bool = True

    @property
    def missed(self) -> int:
        return sum(tally.missed for tally in self.families.values())

    def tally(self, family: str) -> FamilyTally:
        return self.families.setdefault(family, FamilyTally())

    def as_dict(self) -> dict[str, Any]:
        return {
            "families": {name: dict(tally.__dict__) for name, tally in self.families.items()},
            "not_backfilled": dict(self.not_backfilled),
            "finished": self.finished,
        }


def _moment(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return None


def _within(created: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if created is None:
        return since is None and until is None
    return (since is None or created > since) and (until is None or created < until)


def listed(
    gateway: SageMakerGateway, listing: Listing, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """The family's resources created in the window, as its List* call pages them."""
    params: dict[str, Any] = dict(listing.params)
    after, before = listing.window
    if since is not None:
        params[after] = since
    if until is not None:
        params[before] = until
    for item in gateway.paginate(listing.operation, listing.items_key, **params):
        if _within(_moment(item.get(listing.created_key)), since, until):
            yield item


def pipeline_executions(
    gateway: SageMakerGateway, since: datetime | None, until: datetime | None
) -> Iterator[dict[str, Any]]:
    """Every pipeline's executions started in the window, as the execution event's detail."""
    for pipeline in gateway.paginate("ListPipelines", "PipelineSummaries"):
        params: dict[str, Any] = {"PipelineName": pipeline["PipelineName"]}
        if since is not None:
            params["CreatedAfter"] = since
        if until is not None:
            params["CreatedBefore"] = until
        for execution in gateway.paginate("ListPipelineExecutions", "PipelineExecutionSummaries", **params):
            if not _within(_moment(execution.get("StartTime")), since, until):
                continue
            yield {
                "pipelineArn": pipeline["PipelineArn"],
                "pipelineExecutionArn": execution["PipelineExecutionArn"],
                "currentPipelineExecutionStatus": execution.get("PipelineExecutionStatus"),
                "pipelineExecutionDisplayName": execution.get("PipelineExecutionDisplayName"),
                "executionStartTime": str(execution.get("StartTime")),
            }


def envelope(
    family: Family, detail: dict[str, Any], resources: list[str], account: str, region: str
) -> dict[str, Any]:
    """The EventBridge event SageMaker sends for the resource's current state. Its id is derived from
    its content, so a second backfill sends the same event (the replay guard knows it)."""
    content = f"{family.detail_type}\n{resources}\n{sorted(detail.items(), key=lambda pair: pair[0])}"
    return {
        "version": "0",
        "id": str(uuid.uuid5(EVENT_NAMESPACE, content)),
        "detail-type": family.detail_type,
        "source": "aws.sagemaker",
        "account": account,
        "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": resources,
        "detail": detail,
    }


class RateLimit:
    """At most `per_second` resources a second (each costs a describe here and the recorder's calls)."""

    def __init__(self, per_second: float) -> None:
        self._interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = time.monotonic()

    def wait(self) -> None:
        if not self._interval:
            return
        now = time.monotonic()
        if now < self._next:
            time.sleep(self._next - now)
        self._next = max(now, self._next) + self._interval


def events_for(
    gateway: SageMakerGateway,
    family: Family,
    since: datetime | None,
    until: datetime | None,
    tally: FamilyTally,
) -> Iterator[tuple[str, dict[str, Any], list[str]]]:
    """(what it is, detail, resources) for each resource of `family` SageMaker still describes."""
    if family.name == "pipeline-execution":
        for detail in pipeline_executions(gateway, since, until):
            tally.listed += 1
            execution = detail["pipelineExecutionArn"]
            yield execution, detail, [detail["pipelineArn"], execution]
        return
    listing = LISTINGS[family.name]
    describe = family.describes[0]
    shape = SHAPES.get(family.name, event_detail)
    for item in listed(gateway, listing, since, until):
        tally.listed += 1
        name = str(item[listing.name_key])
        try:
            described = gateway.describe_resource(describe.operation, **{describe.name_parameter: name})
        except RetryLaterError as error:
            tally.failed += 1
            tally.note(f"{name}: could not be described: {error}")
            continue
        if described.body is None:
            tally.skipped += 1  # deleted since it was listed: nothing to record
            tally.note(f"{name}: gone since it was listed ({described.reason})")
            continue
        detail = shape(described.body)
        arn = str(detail.get(family.arn_field) or name)
        yield arn, detail, [arn]


def backfill(
    sagemaker: Any,
    recorder: Any,
    *,
    account: str,
    region: str,
    families: tuple[Family, ...] = ALL,
    since: datetime | None = None,
    until: datetime | None = None,
    max_per_second: float = 0.0,
    on_resource: Callable[[], None] | None = None,
    record: Callable[[Any], RecordOutcome | None] | None = None,
    keep_going: Callable[[], bool] | None = None,
    done_families: frozenset[str] = frozenset(),
    on_family_done: Callable[[str], None] | None = None,
) -> BackfillSummary:
    """Record every listed resource of `families` as if its latest state-change event had arrived.

    `record`: how an event is recorded (default ``recorder.record``). `keep_going`: asked before each
    resource; False stops the run (``summary.finished`` stays False). `done_families`: skipped (a
    checkpoint: finished earlier in the same window); `on_family_done` is told each family finished."""
    summary = BackfillSummary()
    gateway = SageMakerGateway(sagemaker)
    limit = RateLimit(max_per_second)
    record_one = record if record is not None else recorder.record
    for family in families:
        if family.name in NOT_BACKFILLED:
            summary.not_backfilled[family.name] = NOT_BACKFILLED[family.name]
            continue
        if family.name in done_families:
            continue
        tally = summary.tally(family.name)
        for arn, detail, resources in events_for(gateway, family, since, until, tally):
            if keep_going is not None and not keep_going():
                summary.finished = False
                return summary
            if on_resource is not None:
                on_resource()
            status = detail.get(family.status_field) if family.status_field else None
            if family.statuses and status not in family.statuses:
                tally.skipped += 1
                tally.note(f"{arn}: {status}, not a state the recorder acts on")
                continue
            limit.wait()
            try:
                outcome = record_one(parse_event(envelope(family, detail, resources, account, region)))
            except (InvalidEventError, RetryLaterError) as error:
                tally.failed += 1
                tally.note(f"{arn}: {error}")
                continue
            if outcome is not None and outcome.ignored:
                tally.skipped += 1
                tally.note(f"{arn}: {outcome.ignored_reason}")
                continue
            tally.recorded += 1
            if outcome is not None:
                tally.entities_created += len(outcome.created)
                tally.associations_created += outcome.associations_created
                if outcome.created or outcome.associations_created:
                    # Recording wrote something: its event had never been recorded (missed).
                    tally.missed += 1
                    tally.note(
                        f"{arn}: {len(outcome.created)} entities, {outcome.associations_created} associations"
                    )
        if on_family_done is not None:
            on_family_done(family.name)
    return summary
