"""Each family's sample (tests/fixtures/families/<family>.json), and SageMaker answering from it.

A sample is one event the family records and the Describe* responses SageMaker would give for it:
``{"event": {...}, "describe": {"DescribeTrainingJob": {"<name>": {...response...}}}}``. Adding a family
means adding its sample; the tests over ``families.ALL`` fail until it exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError
from lineage_recorder.families import Family

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "families"


@dataclass(frozen=True)
class FamilySample:
    event: dict[str, Any]
    describe: dict[str, dict[str, dict[str, Any]]]

    def resource_type_described(self, operation: str, name: str) -> str:
        """The ARN resource type of what `operation` described for `name` (training-job, model, ...): read
        from the ARN in SageMaker's answer that ends with the name (or is it)."""
        response = self.describe[operation][name]
        arns = [value for key, value in response.items() if key.endswith("Arn") and isinstance(value, str)]
        # A List* answer names no resource of its own: the ARN it was asked about (a pipeline execution).
        (arn,) = [arn for arn in arns if arn == name or arn.endswith(f"/{name}")] or [name]
        return str(arn.split(":", 5)[5].split("/", 1)[0])


def sample_of(family: Family) -> FamilySample:
    document = json.loads((SAMPLES / f"{family.name}.json").read_text())
    return FamilySample(event=document["event"], describe=document["describe"])


def _operation(method: str) -> str:
    return "".join(part.capitalize() for part in method.split("_"))


@dataclass(frozen=True)
class OnePage:
    """botocore's paginator, for a List* response that fits in one page."""

    call: Any

    def paginate(self, **params: Any) -> list[dict[str, Any]]:
        return [self.call(**params)]


@dataclass
class RecordedSageMaker:
    """A fake SageMaker client that answers Describe* from a sample and records every call.

    A Describe* of something the sample does not hold answers ValidationException, as SageMaker answers a
    missing job; any other operation is refused outright (a preparer only describes).
    """

    sample: FamilySample
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def get_paginator(self, method: str) -> OnePage:
        """A List* call a family reads whole (ListPipelineExecutionSteps): the sample's answer, one page."""
        return OnePage(self._answer(_operation(method)))

    def __getattr__(self, method: str) -> Any:
        operation = _operation(method)
        if not operation.startswith("Describe"):
            raise AttributeError(f"a preparer called {operation}, which is not a Describe* call")
        return self._answer(operation)

    def _answer(self, operation: str) -> Any:

        def call(**params: Any) -> dict[str, Any]:
            self.calls.append((operation, params))
            name = next(iter(params.values()))
            answer = self.sample.describe.get(operation, {}).get(str(name))
            if answer is None:
                error = {"Code": "ValidationException", "Message": "Requested resource not found."}
                raise ClientError({"Error": error}, operation)
            return dict(answer)

        return call
