"""Endpoint behaviours the endpoint lineage depends on, which moto lacks and the emulator adds.

- API_UpdateEndpoint: "Deploys the EndpointConfig specified in the request to a new fleet of instances";
  afterwards DescribeEndpoint's EndpointConfigName is the new config and LastModifiedTime moves on.
- API_CreateEndpointConfig / API_DescribeEndpointConfig: ShadowProductionVariants ("An array of
  ProductionVariant objects, one for each model that you want to host at this endpoint in shadow mode")
  are stored and returned.
- API_ProductionVariantSummary / API_DeployedImage: DescribeEndpoint lists, per variant, "the Amazon EC2
  Container Registry paths of the inference images deployed on instances of this ProductionVariant":
  SpecifiedImage (as the model names it), ResolvedImage ("the specific digest path of the image hosted in
  this ProductionVariant"), ResolutionTime. The emulator derives the digest from the image string (no
  registry to ask).
"""

from __future__ import annotations

from typing import Any

import pytest

EMULATOR_ONLY = "creates endpoints, which real AWS bills for; the behaviour is SageMaker's documented one"


def _model(sagemaker: Any, name: str, account: str) -> None:
    sagemaker.create_model(
        ModelName=name,
        ExecutionRoleArn=f"arn:aws:iam::{account}:role/ContractRole",
        PrimaryContainer={"Image": f"{account}.dkr.ecr.us-east-1.amazonaws.com/serve:1"},
    )


def _variant(name: str, model: str) -> dict[str, Any]:
    return {"VariantName": name, "ModelName": model, "InitialInstanceCount": 1, "InstanceType": "ml.m5.large"}


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_update_endpoint_switches_the_endpoint_to_the_new_config(sagemaker, account, lineage):
    # Given an endpoint on its first config
    model, first, second, endpoint = (lineage.name(part) for part in ("model", "first", "second", "ep"))
    _model(sagemaker, model, account)
    sagemaker.create_endpoint_config(EndpointConfigName=first, ProductionVariants=[_variant("a", model)])
    sagemaker.create_endpoint_config(EndpointConfigName=second, ProductionVariants=[_variant("b", model)])
    arn = sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=first)["EndpointArn"]
    before = sagemaker.describe_endpoint(EndpointName=endpoint)

    # When
    response = sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=second)

    # Then
    after = sagemaker.describe_endpoint(EndpointName=endpoint)
    assert response["EndpointArn"] == arn
    assert after["EndpointConfigName"] == second
    assert after["LastModifiedTime"] >= before["LastModifiedTime"]
    assert [variant["VariantName"] for variant in after["ProductionVariants"]] == ["b"]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_update_endpoint_to_a_missing_config_is_a_validation_error(sagemaker, account, lineage, raises_aws):
    # Given an endpoint
    model, config, endpoint = (lineage.name(part) for part in ("model", "config", "ep"))
    _model(sagemaker, model, account)
    sagemaker.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[_variant("a", model)])
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)

    # When / Then
    with raises_aws("ValidationException", "could not find endpoint configuration"):
        sagemaker.update_endpoint(EndpointName=endpoint, EndpointConfigName=lineage.name("missing"))


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_shadow_variants_are_kept_and_described(sagemaker, account, lineage):
    # Given
    model, shadow, config = (lineage.name(part) for part in ("model", "shadow", "config"))
    _model(sagemaker, model, account)
    _model(sagemaker, shadow, account)

    # When
    sagemaker.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[_variant("live", model)],
        ShadowProductionVariants=[_variant("candidate", shadow)],
    )

    # Then
    described = sagemaker.describe_endpoint_config(EndpointConfigName=config)
    assert [(v["VariantName"], v["ModelName"]) for v in described["ShadowProductionVariants"]] == [
        ("candidate", shadow)
    ]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_describe_endpoint_lists_the_image_digests_each_variant_runs(sagemaker, account, lineage):
    # Given an endpoint whose variant's model runs an image named by tag
    model, config, endpoint = (lineage.name(part) for part in ("model", "config", "ep"))
    _model(sagemaker, model, account)
    sagemaker.create_endpoint_config(EndpointConfigName=config, ProductionVariants=[_variant("a", model)])
    sagemaker.create_endpoint(EndpointName=endpoint, EndpointConfigName=config)

    # When
    (variant,) = sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"]

    # Then the tag is resolved to a digest of the same repository, stably
    (deployed,) = variant["DeployedImages"]
    repository = f"{account}.dkr.ecr.us-east-1.amazonaws.com/serve"
    assert deployed["SpecifiedImage"] == f"{repository}:1"
    assert deployed["ResolvedImage"].startswith(f"{repository}@sha256:")
    assert len(deployed["ResolvedImage"].rsplit(":", 1)[1]) == 64
    assert "ResolutionTime" in deployed
    again = sagemaker.describe_endpoint(EndpointName=endpoint)["ProductionVariants"][0]["DeployedImages"]
    assert again[0]["ResolvedImage"] == deployed["ResolvedImage"]
