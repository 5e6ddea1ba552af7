"""Complete or loud: every field of a Describe* response that names data, code or another resource is
recorded as lineage, or skipped with its field and reason, or declared not lineage (with why) by the
family that makes the call. Walks botocore's service model, so a field SageMaker adds later fails here
until someone decides what it is."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.families import ALL, Family
from lineage_recorder.families.base import Describer
from lineage_recorder.plan import Plan
from lineage_recorder.recorder import parse_event

from tests.support.describe_shapes import candidates, synthesise, values_at
from tests.support.family_samples import FamilySample, OnePage, _operation, sample_of


def _identity(response: dict[str, Any]) -> frozenset[str]:
    """The top-level names and ARNs that say which resource a response is about: kept as they are."""
    return frozenset(
        key for key, value in response.items() if isinstance(value, str) and key.endswith(("Arn", "Name"))
    )


class SynthesisedSageMaker:
    """Answers each Describe* of the family's sample with every candidate field filled; names the sample
    does not hold (the models a synthesised config names) get the sample's first response of that kind."""

    def __init__(self, sample: FamilySample) -> None:
        self.responses: dict[str, dict[str, dict[str, Any]]] = {
            operation: {name: synthesise(operation, body, _identity(body)) for name, body in by_name.items()}
            for operation, by_name in sample.describe.items()
        }
        self.called: set[str] = set()

    def get_paginator(self, method: str) -> OnePage:
        return OnePage(getattr(self, method))

    def __getattr__(self, method: str) -> Any:
        operation = _operation(method)

        def call(**params: Any) -> dict[str, Any]:
            self.called.add(operation)
            name = next(iter(params.values()))
            by_name = self.responses.get(operation)
            if not by_name:
                raise ClientError(
                    {"Error": {"Code": "ValidationException", "Message": "not found"}}, operation
                )
            return dict(by_name.get(str(name)) or next(iter(by_name.values())))

        return call


def _appears(value: str, plan: Plan) -> bool:
    for entity in plan.entities:
        texts = [entity.key.source_uri, *(v for _, v in entity.properties), *(v for _, v in entity.metadata)]
        if any(value in text for text in texts):
            return True
    return any(value in skipped.value for skipped in plan.skipped)


@pytest.mark.parametrize("family", [f for f in ALL if f.writes_lineage], ids=lambda family: family.name)
def test_every_data_or_code_field_is_recorded_skipped_or_declared_not_lineage(family: Family) -> None:
    # Given the family's sample with every field that names data or code filled, two of each in lists
    sagemaker = SynthesisedSageMaker(sample_of(family))
    describer = Describer(SageMakerGateway(sagemaker), family.describes)
    # When its preparer plans it
    plan = family.prepare(parse_event(sample_of(family).event), describer)
    # Then each such value is in the plan (an entity, a property, a skipped value), unless the family
    # declares the field not lineage, with a reason
    silent: list[str] = []
    for call in family.describes:
        if call.owned_elsewhere:
            continue
        declared = dict(call.not_lineage)
        assert all(len(reason) > 20 for reason in declared.values()), call.operation
        for path in candidates(call.operation):
            if path in declared:
                continue
            for response in sagemaker.responses.get(call.operation, {}).values():
                silent += [
                    f"{call.operation} {path} = {value}"
                    for value in values_at(response, path)
                    if not _appears(value, plan)
                ]
    assert silent == []


@pytest.mark.parametrize("family", ALL, ids=lambda family: family.name)
def test_what_is_declared_not_lineage_is_a_field_sagemaker_has(family: Family) -> None:
    # Given the family's declarations / Then each names a field of the call's response (none is stale)
    for call in family.describes:
        assert set(dict(call.not_lineage)) <= set(candidates(call.operation)), call.operation
