"""Every family in ``families.ALL`` is complete: its pattern routes its sample, its preparer and planner
run on it, and its preparer makes exactly the Describe* calls it declares (the ones the stack grants).

A family with a rule but no preparer, or a preparer that calls something undeclared, fails here, not in
the DLQ after deploy.
"""

from __future__ import annotations

import json

import pytest
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.errors import InvalidEventError
from lineage_recorder.families import ALL, BY_DETAIL_TYPE, BY_NAME, Family
from lineage_recorder.families.base import DescribeCall, Describer, UndeclaredCallError
from lineage_recorder.patterns import event_pattern
from lineage_recorder.recorder import parse_event
from moto.events.models import EventPattern

from tests.support.family_samples import FamilySample, RecordedSageMaker, sample_of


def test_family_names_and_detail_types_are_unique() -> None:
    assert len(BY_NAME) == len(ALL)
    assert len(BY_DETAIL_TYPE) == len(ALL)


@pytest.mark.parametrize("family", ALL, ids=lambda family: family.name)
def test_the_pattern_routes_the_sample_and_only_statuses_the_family_acts_on(family: Family) -> None:
    # Given the family's EventBridge pattern (as the stack deploys it) and its sample event
    pattern = EventPattern.load(json.dumps(event_pattern(family.name)))
    event = sample_of(family).event
    # When EventBridge matches them / Then the sample is routed, and an in-progress copy is not
    assert pattern.matches_event(event)
    if family.status_field is not None:
        in_progress = {**event, "detail": {**event["detail"], family.status_field: "InProgress"}}
        assert not pattern.matches_event(in_progress)
    # And another family's event is not routed to this one
    other = next(candidate for candidate in ALL if candidate is not family)
    assert not pattern.matches_event({**event, "detail-type": other.detail_type})


@pytest.mark.parametrize("family", ALL, ids=lambda family: family.name)
def test_the_preparer_makes_every_declared_describe_and_nothing_else(family: Family) -> None:
    # Given the family's sample, with SageMaker answering its Describe* calls
    sample = sample_of(family)
    sagemaker = RecordedSageMaker(sample)
    describer = Describer(SageMakerGateway(sagemaker), family.describes)
    # When its preparer and planner run on the sample event
    plan = family.prepare(parse_event(sample.event), describer)
    # Then a plan about the event's resource comes out, fully described, with every value usable
    assert plan.resource_arn == family.resource_arn(parse_event(sample.event))
    assert bool(plan.entities and plan.edges) is family.writes_lineage
    assert describer.fallbacks == []
    assert plan.skipped == ()
    # And every call was one of the family's declared Describe* calls, and each declared call was made
    declared = {call.operation for call in family.describes}
    called = {operation for operation, _ in sagemaker.calls}
    assert called == declared


@pytest.mark.parametrize("family", ALL, ids=lambda family: family.name)
def test_each_describe_declares_the_resource_type_it_touches(family: Family) -> None:
    # Given the responses of the family's sample (each names the resource it describes by ARN)
    sample = sample_of(family)
    for call in family.describes:
        if call.items_key is not None:
            continue  # a List* response names no resource of its own
        for name in sample.describe[call.operation]:
            # Then the ARN's resource type is the one the call declares (the stack grants it on that type)
            assert sample.resource_type_described(call.operation, name) == call.resource_type, call


def test_a_describe_the_family_does_not_declare_is_refused_before_any_call() -> None:
    # Given a describer for the training family, and SageMaker that would answer anything
    family = BY_NAME["training"]
    sagemaker = RecordedSageMaker(sample_of(family))
    describer = Describer(SageMakerGateway(sagemaker), family.describes)
    # When something undeclared is described / Then it is refused, and SageMaker was never asked
    with pytest.raises(UndeclaredCallError, match="DescribeModel"):
        describer.describe(DescribeCall("DescribeModel", "model", "ModelName"), "m")
    assert sagemaker.calls == []


def test_a_resource_is_described_once_per_event_and_a_missing_one_is_a_fallback() -> None:
    # Given the endpoint family's sample, without the shadow variant's model
    family = BY_NAME["endpoint"]
    sample = sample_of(family)
    del sample.describe["DescribeModel"]["churn-model-candidate"]
    sagemaker = RecordedSageMaker(sample)
    describer = Describer(SageMakerGateway(sagemaker), family.describes)
    # When prepared
    family.prepare(parse_event(sample.event), describer)
    # Then each model was asked for once, and the missing one is reported, not invented
    models = [params["ModelName"] for operation, params in sagemaker.calls if operation == "DescribeModel"]
    assert sorted(models) == ["churn-model", "churn-model-candidate"]
    assert describer.fallbacks == ["describe_model failed: Requested resource not found."]


@pytest.mark.parametrize("family", [f for f in ALL if f.writes_lineage], ids=lambda f: f.name)
def test_a_description_of_another_resource_than_the_event_names_is_refused(family: Family) -> None:
    # Given the family's sample, but SageMaker's answer for the event's resource names another ARN
    sample = sample_of(family)
    event = parse_event(sample.event)
    claimed = str(family.resource_arn(event))
    first_call = family.describes[0]
    answers = {
        operation: {
            name: {key: (value + "0" if value == claimed else value) for key, value in body.items()}
            for name, body in by_name.items()
        }
        if operation == first_call.operation
        else by_name
        for operation, by_name in sample.describe.items()
    }
    sagemaker = RecordedSageMaker(FamilySample(sample.event, answers))
    # When its preparer runs / Then nothing is planned from it: SageMaker described another resource
    with pytest.raises(InvalidEventError, match="as another resource"):
        family.prepare(event, Describer(SageMakerGateway(sagemaker), family.describes))
