"""What every resource family is made of, and the Describer its preparer reads SageMaker with.

A family (one module in this package) says which events it records (detail-type and statuses: its
EventBridge pattern), which Describe* calls its preparer makes (the stack grants exactly those), and how
an event becomes a Plan: ``prepare(event, describer)`` reads the resource, then a pure planner maps it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from lineage_recorder.apply.gateway import Described, SageMakerGateway
from lineage_recorder.errors import UnconfirmedResourceError, invalid
from lineage_recorder.events.envelope import EVENT_SOURCE, SageMakerEvent
from lineage_recorder.plan import Plan

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class DescribeCall:
    """A SageMaker Describe* call a preparer makes, and what IAM authorises it on."""

    operation: str  # "DescribeTrainingJob"
    resource_type: str  # the ARN's resource type: arn:...:sagemaker:<region>:<account>:<resource_type>/*
    name_parameter: str  # "TrainingJobName"

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

    def event_pattern(self, account: str | None = None) -> dict[str, Any]:
        """The EventBridge pattern of this family, filtered to the statuses the recorder acts on, and to
        the recorder's own `account` when given (the stack always gives it)."""
        pattern: dict[str, Any] = {"source": [EVENT_SOURCE], "detail-type": [self.detail_type]}
        if account is not None:
            pattern["account"] = [account]
        if self.status_field is not None:
            pattern["detail"] = {self.status_field: list(self.statuses)}
        return pattern

    def resource_arn(self, event: SageMakerEvent) -> str | None:
        """The ARN of the resource the event is about, as the event names it (untrusted until described)."""
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
    """

    def __init__(self, gateway: SageMakerGateway, declared: tuple[DescribeCall, ...]) -> None:
        self._gateway = gateway
        self._declared = frozenset(declared)
        self._described: dict[tuple[str, str], Described] = {}
        self.fallbacks: list[str] = []

    def confirm(self, call: DescribeCall, name: str) -> dict[str, Any]:
        """The description of the resource the event is about; UnconfirmedResourceError when SageMaker does
        not know it."""
        described = self._describe(call, name)
        if described.body is None:
            raise UnconfirmedResourceError(
                f"SageMaker does not know this resource ({described.reason}): nothing is recorded from the "
                "event alone"
            )
        return described.body

    def absent(self, call: DescribeCall, name: str) -> bool:
        """True when SageMaker confirms the resource does not exist (a deletion event is then true)."""
        return self._describe(call, name).body is None

    def describe(self, call: DescribeCall, name: str) -> dict[str, Any] | None:
        described = self._describe(call, name)
        if described.body is None:
            self.fallbacks.append(described.reason or f"{call.operation} returned nothing")
        return described.body

    def _describe(self, call: DescribeCall, name: str) -> Described:
        if call not in self._declared:
            raise UndeclaredCallError(f"{call.operation} is not among the family's declared Describe* calls")
        cached = (call.operation, name)
        if cached not in self._described:
            self._described[cached] = self._gateway.describe_resource(
                call.operation, **{call.name_parameter: name}
            )
        return self._described[cached]


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
