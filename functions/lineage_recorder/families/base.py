"""What every resource family is made of, and the Describer its preparer reads SageMaker with.

A family (one module in this package) says which events it records (detail-type and statuses: its
EventBridge pattern), which Describe* calls its preparer makes (the stack grants exactly those), and how
an event becomes a Plan: ``prepare(event, describer)`` reads the resource, then a pure planner maps it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lineage_recorder.apply.gateway import Described, SageMakerGateway, method_name
from lineage_recorder.errors import InvalidEventError, UnconfirmedResourceError, invalid
from lineage_recorder.events.envelope import EVENT_SOURCE, SageMakerEvent
from lineage_recorder.plan import Plan
from lineage_recorder.state.descriptions import DescriptionMemory

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class DescribeCall:
    """A SageMaker Describe* call a preparer makes, and what IAM authorises it on."""

    operation: str  # "DescribeTrainingJob"
    resource_type: str  # the ARN's resource type: arn:...:sagemaker:<region>:<account>:<resource_type>/*
    name_parameter: str  # "TrainingJobName"
    # Resources that can disappear while lineage still needs them (models): what of a description to
    # remember (only what lineage needs: never environment variables), and answer from when it is gone.
    remember: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    # Fields of the response that name data, code or a resource but are not lineage, each with why
    # (tests/unit/test_complete_or_loud.py holds every other such field to be recorded or skipped).
    not_lineage: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # A List* call read whole (ListPipelineExecutionSteps): the member holding the items; the gateway pages
    # through it with botocore's paginator and answers every item under this one member.
    items_key: str | None = None
    # The resource is another family's to record (a package a pipeline step registered, a model card's
    # package, the execution a package names): this family only confirms it, and references it. The
    # complete-or-loud test holds its fields to its own family, not this one.
    owned_elsewhere: bool = False

    @property
    def iam_action(self) -> str:
        return f"sagemaker:{self.operation}"


@dataclass(frozen=True)
class Family:
    """One SageMaker resource family: the events it records, the calls it makes, how it plans."""

    name: str  # as LINEAGE_FAMILIES and lineage:families spell it
    detail_type: str
    # The detail field naming the resource the event is about (else the envelope's resources[0]).
    arn_field: str
    # The detail field and the values the recorder acts on; other statuses are ignored with a reason.
    status_field: str | None
    statuses: tuple[str, ...]
    describes: tuple[DescribeCall, ...]
    prepare: Callable[[SageMakerEvent, Describer], Plan]
    # False for a family that only remembers what it describes (models) and plans no lineage itself.
    writes_lineage: bool = True
    # More detail fields the rule filters on (a CloudTrail event's eventSource).
    detail_filter: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # The ARN an event is about, for events that do not carry it in one top-level detail field.
    arn_of: Callable[[SageMakerEvent], str | None] | None = None

    def event_pattern(self, account: str | None = None) -> dict[str, Any]:
        """The EventBridge pattern of this family, filtered to the statuses the recorder acts on, and to
        the recorder's own `account` when given (the stack always gives it)."""
        pattern: dict[str, Any] = {"source": [EVENT_SOURCE], "detail-type": [self.detail_type]}
        if account is not None:
            pattern["account"] = [account]
        detail: dict[str, list[str]] = {name: list(values) for name, values in self.detail_filter.items()}
        if self.status_field is not None:
            detail[self.status_field] = list(self.statuses)
        if detail:
            pattern["detail"] = detail
        return pattern

    def resource_arn(self, event: SageMakerEvent) -> str | None:
        """The ARN of the resource the event is about, as the event names it (untrusted until described)."""
        if self.arn_of is not None:
            return self.arn_of(event)
        value = detail_with_arn(event, self.arn_field).get(self.arn_field)
        return value if isinstance(value, str) else None

    def ignored_status(self, event: SageMakerEvent) -> str | None:
        """Why the event's status is not one to record, or None when it is."""
        if self.status_field is None:
            return None
        status = event.detail.get(self.status_field)
        if status in self.statuses:
            return None
        return f"{self.status_field} {str(status)[:64]!r} is not one the recorder acts on"


class UndeclaredCallError(LookupError):
    """A preparer described something its family does not declare: the stack would not grant it."""


class Describer:
    """Reads SageMaker's own description of the resources an event leads to, for one event of one family.

    - ``confirm``: the resource the event is about. Describe* is the source of truth: when SageMaker does
      not know it, nothing is recorded from the event's body (UnconfirmedResourceError).
    - ``describe``: a resource it references (an endpoint's config, a config's model). When it is gone,
      the describer answers None and keeps the reason (``fallbacks``: logged and counted), and the plan
      says less rather than trusting the event.

    Throttling and other faults raise, so the record is retried by SQS rather than recorded from partial
    data. Each resource is described once per event.

    A call that ``remember``s (DescribeModel) keeps what lineage needs of every description in
    ``memory``; when the resource is gone, that remembered description answers instead (``recalled``
    says so), so a model deleted before its endpoint's event is processed still has its containers.
    """

    def __init__(
        self,
        gateway: SageMakerGateway,
        declared: tuple[DescribeCall, ...],
        memory: DescriptionMemory | None = None,
    ) -> None:
        self._gateway = gateway
        self._declared = frozenset(declared)
        self._memory = memory
        self._described: dict[tuple[object, ...], Described] = {}
        self.fallbacks: list[str] = []
        self.recalled: list[str] = []

    def confirm(self, call: DescribeCall, name: str, **more: str | int) -> dict[str, Any]:
        """The description of the resource the event is about; UnconfirmedResourceError when SageMaker does
        not know it. `more`: further request parameters (a model card's ModelCardVersion)."""
        described = self._describe(call, name, **more)
        if described.body is None:
            raise UnconfirmedResourceError(
                f"SageMaker does not know this resource ({described.reason}): nothing is recorded from the "
                "event alone"
            )
        return described.body

    def absent(self, call: DescribeCall, name: str) -> bool:
        """True when SageMaker confirms the resource does not exist (a deletion event is then true)."""
        return self._describe(call, name).body is None

    def describe(self, call: DescribeCall, name: str, **more: str | int) -> dict[str, Any] | None:
        described = self._describe(call, name, **more)
        if described.body is None:
            self.fallbacks.append(described.reason or f"{call.operation} returned nothing")
        return described.body

    def _describe(self, call: DescribeCall, name: str, **more: str | int) -> Described:
        if call not in self._declared:
            raise UndeclaredCallError(f"{call.operation} is not among the family's declared Describe* calls")
        cached = (call.operation, name, *sorted(more.items()))
        if cached not in self._described:
            params = {call.name_parameter: name, **more}
            if call.items_key is not None:
                described = self._gateway.list_resource(call.operation, call.items_key, **params)
            else:
                described = self._gateway.describe_resource(call.operation, **params)
            if call.remember is not None and self._memory is not None:
                described = self._remembered(call, name, described)
            self._described[cached] = described
        return self._described[cached]

    def _remembered(self, call: DescribeCall, name: str, described: Described) -> Described:
        assert call.remember is not None and self._memory is not None
        if described.body is not None:
            self._memory.remember(call.operation, name, call.remember(described.body))
            return described
        recalled = self._memory.recall(call.operation, name)
        if recalled is None:
            return described
        self.recalled.append(
            f"{call.operation} {name!r}: {described.reason}; its remembered description is used"
        )
        return Described(recalled)


def confirmed_as(
    model: type[M],
    describer: Describer,
    call: DescribeCall,
    name: str,
    *,
    arn_field: str,
    claimed_arn: str,
    **more: str | int,
) -> M:
    """The resource the event is about, as SageMaker describes it (`call` for `name`), read as `model`.
    UnconfirmedResourceError when SageMaker does not know it; InvalidEventError when it describes another
    resource than the event claims (ARNs compared without case: SageMaker writes names in lower case)."""
    described = describer.confirm(call, name, **more)
    resource = validated(model, described, f"the {method_name(call.operation)} response")
    found = str(getattr(resource, arn_field))
    if found.lower() != claimed_arn.lower():
        raise InvalidEventError(
            f"SageMaker describes {claimed_arn[:256]!r} as another resource ({found[:256]!r})"
        )
    return resource


def validated(model: type[M], body: dict[str, Any], what: str) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        raise invalid(f"{what} is not usable", error) from error


def detail_with_arn(event: SageMakerEvent, arn_field: str) -> dict[str, Any]:
    detail = dict(event.detail)
    if not detail.get(arn_field) and event.resources:
        # A few events name the resource only in the envelope (e.g. labeling jobs); accept that ARN.
        detail[arn_field] = event.resources[0]
    return detail


def name_from_arn(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]
