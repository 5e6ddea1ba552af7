"""DescribeModelPackage as the SageMaker Python SDK's lineage helpers call it."""

from __future__ import annotations

import pytest

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/contract:1"


@pytest.mark.emulator_only("registers a model package version, which the real-AWS run does not create")
def test_a_versioned_package_is_described_by_arn_not_by_its_groups_name(sagemaker, lineage, raises_aws):
    """API_DescribeModelPackage ModelPackageName: "The name or Amazon Resource Name (ARN) of the model
    package to describe". A version in a model package group has no name of its own: ListModelPackages
    returns only its ARN (aws/sagemaker-python-sdk#5606). The SDK's ModelPackageApprovalAction.model_package
    (sagemaker-core/src/sagemaker/core/lineage/action.py) asks DescribeModelPackage with
    ``source_uri.split("/")[1]`` of the package ARN - the group's name - which names no package."""
    # Given: version 1 in a group
    group = lineage.name("group")
    sagemaker.create_model_package_group(ModelPackageGroupName=group)
    arn = sagemaker.create_model_package(
        ModelPackageGroupName=group,
        InferenceSpecification={
            "Containers": [{"Image": IMAGE, "ModelDataUrl": "s3://contract/model.tar.gz"}],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    )["ModelPackageArn"]

    # When
    described = sagemaker.describe_model_package(ModelPackageName=arn)

    # Then
    assert described["ModelPackageArn"] == arn
    assert described["ModelPackageGroupName"] == group
    with raises_aws("ValidationException", group):
        sagemaker.describe_model_package(ModelPackageName=arn.split("/")[1])
