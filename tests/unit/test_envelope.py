"""The EventBridge envelope: strict on source, account and detail; any SageMaker detail-type parses."""

from __future__ import annotations

import json

import pytest
from lineage_recorder.errors import InvalidEventError
from lineage_recorder.recorder import parse_event

from tests.support.events import training_event


def _event() -> dict[str, object]:
    return training_event(
        "j1", inputs=["s3://b/in/"], image="1.dkr.ecr.us-east-1.amazonaws.com/r:1", output="s3://b/o/"
    )


def test_a_well_formed_event_parses_from_a_dict_and_from_json_text() -> None:
    # Given an event / When parsed both ways / Then both give the same model
    event = _event()
    assert parse_event(event) == parse_event(json.dumps(event))
    assert parse_event(event).detail_type == "SageMaker Training Job State Change"


def test_unknown_envelope_fields_are_tolerated() -> None:
    event = {**_event(), "replay-name": "replay-1", "ingestion-time": "2026-11-21T10:00:01Z"}
    assert parse_event(event).id == event["id"]


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"source": "com.example.fake"}, "source"),
        ({"detail-type": ""}, "detail-type"),
        ({"detail-type": "x" * 129}, "detail-type"),
        ({"account": "not-an-account"}, "account"),
        ({"detail": "a string"}, "detail"),
        ({"id": ""}, "id"),
    ],
)
def test_events_the_recorder_must_not_act_on_are_rejected_with_the_reason(
    change: dict[str, object], complaint: str
) -> None:
    # Given an event with one envelope field wrong
    event = {**_event(), **change}
    # When parsed / Then the error names the field
    with pytest.raises(InvalidEventError, match=complaint):
        parse_event(event)


def test_a_sagemaker_event_of_a_detail_type_no_family_records_still_parses() -> None:
    # Given a SageMaker event of a kind the recorder has no family for
    event = {**_event(), "detail-type": "SageMaker Feature Group State Change"}
    # When parsed / Then it is an event (the recorder ignores it with a reason; it is not malformed)
    assert parse_event(event).detail_type == "SageMaker Feature Group State Change"


@pytest.mark.parametrize("raw", ["[1, 2]", "42", "not json", "null"])
def test_json_that_is_not_an_event_object_is_rejected(raw: str) -> None:
    with pytest.raises(InvalidEventError, match="invalid event"):
        parse_event(raw)


def test_a_non_object_value_is_rejected() -> None:
    with pytest.raises(InvalidEventError, match="JSON object"):
        parse_event([_event()])
