"""Event intake: the quirks of real SageMaker events (docs/architecture.md, "What real events look like")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lineage_recorder.events.fields import parse_tags, parse_timestamp
from lineage_recorder.families.training import TrainingJob

EXPECTED = datetime(2020, 3, 10, 9, 18, 9, 50000, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    [
        1583831889050,
        1583831889050.0,
        "1583831889050",
        "2020-03-10T09:18:09.050Z",
        "2020-03-10T09:18:09.050000000Z",
    ],
    ids=["epoch-millis-int", "epoch-millis-float", "epoch-millis-string", "iso", "iso-nanoseconds"],
)
def test_timestamps_in_every_published_form_parse_to_the_same_instant(raw: object) -> None:
    # Given a timestamp as one of the forms SageMaker events use
    # When it is parsed
    parsed = parse_timestamp(raw)
    # Then it is the same UTC instant
    assert parsed == EXPECTED


def test_timestamp_null_and_empty_mean_absent() -> None:
    assert parse_timestamp(None) is None
    assert parse_timestamp("") is None


def test_timestamp_rejects_booleans_and_garbage() -> None:
    with pytest.raises(ValueError, match="boolean"):
        parse_timestamp(True)
    with pytest.raises(ValueError):
        parse_timestamp("yesterday")


def test_tags_as_a_flat_map_and_as_a_key_value_list_are_the_same() -> None:
    # Given the two published forms of the same tags
    flat = {"team": "ml", "cost-centre": "42"}
    listed = [{"Key": "team", "Value": "ml"}, {"Key": "cost-centre", "Value": "42"}]
    # When parsed / Then they agree
    assert parse_tags(flat) == parse_tags(listed) == flat
    assert parse_tags(None) == {}


def test_tags_of_another_shape_are_refused() -> None:
    with pytest.raises(ValueError, match="Key"):
        parse_tags(["team=ml"])


def test_job_detail_keeps_unknown_fields_and_accepts_nulls() -> None:
    # Given a detail with a field the model does not know and null optional fields
    detail = {
        "TrainingJobArn": "arn:aws:sagemaker:us-east-1:123456789012:training-job/j1",
        "TrainingJobStatus": "Completed",
        "FailureReason": None,
        "TrainingEndTime": None,
        "BrandNewField": {"x": 1},
        "Tags": [{"Key": "a", "Value": "b"}],
    }
    # When it is read
    job = TrainingJob.model_validate(detail)
    # Then nothing is lost and nothing fails
    assert job.model_extra == {"BrandNewField": {"x": 1}}
    assert job.TrainingEndTime is None
    assert job.Tags == {"a": "b"}


@pytest.mark.parametrize(
    "arn",
    [
        None,
        "",
        "kmeans-1",
        "arn:aws:sagemaker:us-east-1:123456789012:processing-job/j1",
        "arn:aws:sagemaker:us-east-1:12345:training-job/j1",
        "arn:aws:sagemaker:us-east-1:123456789012:training-job/bad name",
    ],
)
def test_job_detail_requires_a_well_formed_job_arn(arn: object) -> None:
    with pytest.raises(ValueError):
        TrainingJob.model_validate({"TrainingJobArn": arn})
