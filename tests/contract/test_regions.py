"""A Region SageMaker does not have is answered like AWS answers it, never with a server error.

Against real AWS a client for an unknown Region fails before sending anything: botocore builds the
endpoint api.sagemaker.<region>.amazonaws.com, whose name does not resolve (EndpointConnectionError).
A request that does reach a SageMaker endpoint, signed for a Region that endpoint does not serve, is
refused with HTTP 403 InvalidSignatureException "Credential should be scoped to a valid region" (the
SigV4 credential scope names the Region; aws/aws-sdk-ruby#508, aws/aws-sdk-js-v3#5576). The emulator is
an endpoint that receives such requests, so it answers the same; the real-AWS run sends the request to
the configured Region's endpoint, signed for the unknown Region, to check that answer.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.config import Config

UNKNOWN_REGION = "xx-nowhere-1"


def _client_signed_for(backend: Any, region: str) -> Any:
    if backend.is_emulator:
        return backend.client("sagemaker", region=region)
    return backend.session.client(
        "sagemaker",
        region_name=region,
        endpoint_url=f"https://api.sagemaker.{backend.region}.amazonaws.com",
        config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
    )


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("list_artifacts", {}),
        (
            "query_lineage",
            {"StartArns": [f"arn:aws:sagemaker:{UNKNOWN_REGION}:123456789012:artifact/{'0' * 32}"]},
        ),
        ("describe_trial_component", {"TrialComponentName": "ct-missing"}),
        ("list_training_jobs", {}),
    ],
    ids=["lineage-list", "query-lineage", "trial-component", "moto-operation"],
)
def test_an_unknown_region_is_an_invalid_signature(backend, raises_aws, operation, request_):
    """A request signed for a Region the endpoint does not serve: InvalidSignatureException, HTTP 403,
    "Credential should be scoped to a valid region" - for the lineage operations and moto's own alike
    (moto alone answers an HTML 500 from a KeyError)."""
    # Given
    client = _client_signed_for(backend, UNKNOWN_REGION)

    # When / Then
    with raises_aws("InvalidSignatureException", "valid region") as caught:
        getattr(client, operation)(**request_)
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    if backend.is_emulator:
        assert UNKNOWN_REGION in caught.value.response["Error"]["Message"]


def test_a_known_region_other_than_the_default_is_served(backend):
    """The check refuses unknown Regions only: SageMaker is offered in eu-west-1 (botocore's endpoint data),
    and a client for it lists that Region's (empty, in the emulator) lineage."""
    # Given
    client = backend.client("sagemaker", region="eu-west-1")

    # When
    answer = client.list_artifacts(MaxResults=1)

    # Then
    assert isinstance(answer["ArtifactSummaries"], list)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
