"""Fault injection: the emulator answers a configured fraction of chosen operations with throttling.

ThrottlingException is the error every AWS service answers when a caller exceeds its request rate
(AWS General Reference, "Common Errors"); botocore's standard retry mode retries it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

EMULATOR_ONLY = "injects faults into the emulator"


def _throttled(call: Callable[[], object], times: int) -> list[bool]:
    """Call ``times`` times; return, per call, whether it was throttled."""
    outcomes = []
    for _ in range(times):
        try:
            call()
            outcomes.append(False)
        except ClientError as error:
            assert error.response["Error"]["Code"] == "ThrottlingException", error.response
            outcomes.append(True)
    return outcomes


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_rate_one_throttles_the_chosen_operation_and_no_other(emulator, sagemaker, lineage, raises_aws):
    """``configure(faults=FaultInjection(rate=1.0, operations={"CreateArtifact"}))``: every CreateArtifact
    is throttled, other operations are answered."""
    # Given
    emulator.configure(faults=emulator.FaultInjection(rate=1.0, operations=frozenset({"CreateArtifact"})))

    # When / Then
    with raises_aws("ThrottlingException"):
        sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": lineage.uri()})
    assert lineage.action()
    assert sagemaker.list_artifacts()["ArtifactSummaries"] == []


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_partial_rate_throttles_about_that_fraction(emulator, sagemaker):
    """``FaultInjection(rate=0.3)``: about 30% of the chosen operation's calls are throttled."""
    # Given
    emulator.configure(
        faults=emulator.FaultInjection(rate=0.3, operations=frozenset({"ListArtifacts"}), seed=7)
    )

    # When
    outcomes = _throttled(sagemaker.list_artifacts, 200)

    # Then
    assert 0.2 <= sum(outcomes) / len(outcomes) <= 0.4


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_the_same_seed_replays_the_same_throttles(emulator, sagemaker):
    """``FaultInjection(seed=...)``: configuring the same seed again throttles the same calls."""
    # Given
    faults = {"rate": 0.5, "operations": frozenset({"ListContexts"}), "seed": 11}
    emulator.configure(faults=emulator.FaultInjection(**faults))
    first = _throttled(sagemaker.list_contexts, 30)

    # When
    emulator.configure(faults=emulator.FaultInjection(**faults))
    second = _throttled(sagemaker.list_contexts, 30)

    # Then
    assert any(first)
    assert not all(first)
    assert second == first


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_no_operations_means_every_operation(emulator, sagemaker, raises_aws):
    """``FaultInjection(operations=frozenset())`` applies to every SageMaker operation."""
    # Given
    emulator.configure(faults=emulator.FaultInjection(rate=1.0))

    # When / Then
    with raises_aws("ThrottlingException"):
        sagemaker.list_actions()
    with raises_aws("ThrottlingException"):
        sagemaker.list_training_jobs()


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_standard_retries_recover_from_a_partial_rate(emulator, backend, monkeypatch):
    """botocore standard retry mode retries ThrottlingException (a throttling error code) with backoff,
    up to max_attempts; with a 30% rate every call eventually succeeds."""
    # Given: standard retries without the backoff sleeps (the delay is not what is tested)
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0)
    client = backend.client("sagemaker", retries={"mode": "standard", "max_attempts": 10})
    emulator.configure(
        faults=emulator.FaultInjection(rate=0.3, operations=frozenset({"CreateArtifact"}), seed=3)
    )

    # When
    answers = [
        client.create_artifact(ArtifactType="DataSet", Source={"SourceUri": f"s3://retry/{index}"})
        for index in range(20)
    ]

    # Then
    assert all(answer["ArtifactArn"] for answer in answers)
    assert sum(answer["ResponseMetadata"]["RetryAttempts"] for answer in answers) > 0
    emulator.configure(faults=emulator.FaultInjection())
    assert len(client.list_artifacts(MaxResults=100)["ArtifactSummaries"]) == 20


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_lost_response_is_a_server_fault_after_the_write_was_made(emulator, backend, monkeypatch):
    """``configure(lost_responses=FaultInjection(...))``: the call runs, then its answer is replaced by a
    server fault (HTTP 500 InternalFailure), as a client sees when a connection drops after the write.
    CreateArtifact takes no idempotency token (SageMaker API Reference: its request has no ClientToken),
    so botocore's standard retries of such a fault create a second artifact."""
    # Given: standard retries without the backoff sleeps, and every CreateArtifact's answer lost once
    monkeypatch.setattr("botocore.retries.standard.ExponentialBackoff.delay_amount", lambda self, context: 0)
    client = backend.client("sagemaker", retries={"mode": "standard", "max_attempts": 2})
    emulator.configure(
        lost_responses=emulator.FaultInjection(rate=1.0, operations=frozenset({"CreateArtifact"}))
    )

    # When
    with pytest.raises(ClientError) as raised:
        client.create_artifact(ArtifactType="DataSet", Source={"SourceUri": "s3://lost/answer/"})

    # Then: every attempt failed with a server fault, and every attempt wrote an artifact
    answer = raised.value.response
    assert answer["Error"]["Code"] == "InternalFailure"
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 500
    attempts = answer["ResponseMetadata"]["RetryAttempts"] + 1
    assert attempts > 1
    emulator.configure(lost_responses=emulator.FaultInjection())
    listed = client.list_artifacts(SourceUri="s3://lost/answer/")["ArtifactSummaries"]
    assert len(listed) == attempts
