"""Names and values within SageMaker's limits; which values may become SourceUris."""

from __future__ import annotations

import re

import pytest
from lineage_recorder.naming import MAX_PROPERTIES, bounded_properties, bounded_value, entity_name
from lineage_recorder.uris import image_uri_problem, s3_uri_problem

NAME_PATTERN = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}")


def test_valid_names_pass_through_unchanged() -> None:
    assert entity_name("my-job", "training-job") == "my-job-training-job"


@pytest.mark.parametrize(
    "raw", ["x" * 200, "odd name_with.dots", "--lead", "ünïcode-job", "a" * 63 + "-" * 80]
)
def test_long_or_odd_names_become_valid_and_deterministic(raw: str) -> None:
    # Given a name SageMaker would refuse / When a name is derived twice
    first, second = entity_name(raw, "training-job"), entity_name(raw, "training-job")
    # Then it is valid and stable
    assert NAME_PATTERN.fullmatch(first), first
    assert first == second


def test_different_inputs_that_sanitise_alike_get_different_names() -> None:
    assert entity_name("a.b", "job") != entity_name("a_b", "job")


def test_properties_are_capped_at_thirty_and_values_at_256_characters() -> None:
    # Given 40 properties with long values
    pairs = [(f"k{i}", "v" * 1000) for i in range(40)]
    # When bounded
    bounded = bounded_properties(pairs)
    # Then 30 remain and every value fits, deterministically
    assert len(bounded) == MAX_PROPERTIES
    assert all(len(value) <= 256 for _, value in bounded)
    assert bounded == bounded_properties(pairs)
    assert bounded_value("short") == "short"


def test_empty_property_values_are_dropped() -> None:
    assert bounded_properties([("a", None), ("b", ""), ("c", "x")]) == (("c", "x"),)


@pytest.mark.parametrize(
    "uri", ["s3://bucket/key", "s3://my.bucket-1/prefix/", "s3://bucket", "https://bucket.s3.amazonaws.com/k"]
)
def test_s3_uris_are_accepted_verbatim(uri: str) -> None:
    assert s3_uri_problem(uri) is None


@pytest.mark.parametrize(
    "uri",
    [
        "S3Uri",
        "s3Uri",
        "S3OutputPath",
        "",
        "s3://B/x",
        "s3://bucket/a\nb",
        "s3://bucket/" + "k" * 2050,
        "file:///etc",
    ],
)
def test_placeholders_and_broken_s3_values_are_refused_with_a_reason(uri: str) -> None:
    assert s3_uri_problem(uri)


@pytest.mark.parametrize(
    "image",
    [
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/repo:1.0",
        "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        "registry.example.com:5000/team/img@sha256:" + "a" * 64,
    ],
)
def test_container_image_uris_are_accepted(image: str) -> None:
    assert image_uri_problem(image) is None


@pytest.mark.parametrize("image", ["TrainingImage", "repo:tag", "", "123.dkr.ecr/x y"])
def test_image_placeholders_are_refused(image: str) -> None:
    assert image_uri_problem(image)
