"""Feature groups described as SageMaker Feature Store describes them (moto's differ).

The documented rules each test holds the emulator to (SageMaker API reference and Developer Guide):

- Developer Guide, "Feature Store offline store data format": ResolvedOutputS3Uri "is the S3 path under which
  the files for the specific feature group are written", e.g.
  ``s3://my-bucket/my-prefix/123456789012/sagemaker/us-east-1/offline-store/customer-purchase-history-patterns-1593511200/data``:
  ``<S3Uri>/<account id>/sagemaker/<region>/offline-store/<feature group name>-<creation time in epoch
  seconds>/data``.
- API_OfflineStoreConfig DisableGlueTableCreation: "If set to False and DataCatalogConfig is provided, Feature
  Store creates the table using the specified names"; "If set to True without DataCatalogConfig, no Glue table
  is created or associated"; "If set to False without DataCatalogConfig, Feature Store auto-generates the
  table name following Athena's naming recommendations".
- API_CreateFeatureGroup: "You must include at least one of OnlineStoreConfig and OfflineStoreConfig to create
  a FeatureGroup". API_DescribeFeatureGroup: FeatureGroupStatus (Created once ready), OfflineStoreStatus,
  CreationTime, OnlineStoreConfig, ThroughputConfig, Description; ResourceNotFound for a group that does not
  exist. API_DeleteFeatureGroup: ResourceNotFound for a group that does not exist.
- FeatureGroupArn ``feature-group/<name in lower case>``: the emulator's reading (see feature_groups.py: the
  reference does not say).

Feature groups with an offline store need an IAM role and a bucket in real AWS, so the tests that create one
are emulator-only; the ones about groups that do not exist run against real SageMaker too.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

EMULATOR_ONLY = "a feature group with an offline store needs an IAM role and a bucket in real AWS"
DEFINITIONS = [
    {"FeatureName": "customer_id", "FeatureType": "String"},
    {"FeatureName": "event_time", "FeatureType": "Fractional"},
]


def _create(sagemaker: Any, account: str, name: str, **request: Any) -> str:
    return str(
        sagemaker.create_feature_group(
            FeatureGroupName=name,
            RecordIdentifierFeatureName="customer_id",
            EventTimeFeatureName="event_time",
            FeatureDefinitions=DEFINITIONS,
            RoleArn=f"arn:aws:iam::{account}:role/ContractRole",
            **request,
        )["FeatureGroupArn"]
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
@pytest.mark.parametrize("s3_uri", ["s3://contract-features/offline", "s3://contract-features/offline/"])
def test_the_offline_store_is_resolved_to_the_documented_layout(sagemaker, lineage, account, backend, s3_uri):
    # Given
    name = lineage.name("Customers")

    # When
    arn = _create(sagemaker, account, name, OfflineStoreConfig={"S3StorageConfig": {"S3Uri": s3_uri}})
    described = sagemaker.describe_feature_group(FeatureGroupName=name)

    # Then
    epoch = int(described["CreationTime"].timestamp())
    offline = described["OfflineStoreConfig"]
    assert offline["S3StorageConfig"]["ResolvedOutputS3Uri"] == (
        f"s3://contract-features/offline/{account}/sagemaker/{backend.region}/offline-store/{name}-{epoch}/data"
    )
    assert offline["DataCatalogConfig"]["Catalog"] == "AwsDataCatalog"
    assert offline["DataCatalogConfig"]["Database"] == "sagemaker_featurestore"
    assert re.fullmatch(r"[a-z0-9_]+", offline["DataCatalogConfig"]["TableName"])
    assert offline["DataCatalogConfig"]["TableName"].endswith(f"_{epoch}")
    assert described["FeatureGroupStatus"] == "Created"
    assert described["OfflineStoreStatus"] == {"Status": "Active"}
    assert (
        described["FeatureGroupArn"]
        == arn
        == (f"arn:aws:sagemaker:{backend.region}:{account}:feature-group/{name.lower()}")
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_data_catalog_given_is_kept_and_none_is_made_when_glue_is_disabled(sagemaker, lineage, account):
    # Given
    given, disabled = lineage.name("given"), lineage.name("disabled")
    catalog = {"TableName": "my_table", "Catalog": "AwsDataCatalog", "Database": "my_database"}

    # When
    _create(
        sagemaker,
        account,
        given,
        OfflineStoreConfig={
            "S3StorageConfig": {"S3Uri": "s3://contract-features/a"},
            "DataCatalogConfig": catalog,
        },
    )
    _create(
        sagemaker,
        account,
        disabled,
        OfflineStoreConfig={
            "S3StorageConfig": {"S3Uri": "s3://contract-features/b"},
            "DisableGlueTableCreation": True,
        },
    )

    # Then
    assert (
        sagemaker.describe_feature_group(FeatureGroupName=given)["OfflineStoreConfig"]["DataCatalogConfig"]
        == catalog
    )
    assert (
        "DataCatalogConfig"
        not in sagemaker.describe_feature_group(FeatureGroupName=disabled)["OfflineStoreConfig"]
    )


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_an_online_only_group_is_described_with_what_was_asked_for(sagemaker, lineage, account):
    # Given / When
    name = lineage.name("online")
    arn = _create(
        sagemaker,
        account,
        name,
        OnlineStoreConfig={"EnableOnlineStore": True},
        Description="online features",
        Tags=[{"Key": "team", "Value": "features"}],
    )

    # Then
    described = sagemaker.describe_feature_group(FeatureGroupName=arn)
    assert described["OnlineStoreConfig"] == {"EnableOnlineStore": True}
    assert "OfflineStoreConfig" not in described and "OfflineStoreStatus" not in described
    assert described["Description"] == "online features"
    assert described["ThroughputConfig"]["ThroughputMode"] == "OnDemand"
    assert described["FeatureGroupStatus"] == "Created"
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "features"}]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_group_without_any_store_is_refused(sagemaker, lineage, account, raises_aws):
    # Given / When / Then
    with raises_aws("ValidationException", "OnlineStoreConfig and OfflineStoreConfig"):
        _create(sagemaker, account, lineage.name("nostore"))


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_deleted_group_is_gone(sagemaker, lineage, account, raises_aws):
    # Given
    name = lineage.name("gone")
    _create(sagemaker, account, name, OnlineStoreConfig={"EnableOnlineStore": True})

    # When
    sagemaker.delete_feature_group(FeatureGroupName=name)

    # Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_feature_group(FeatureGroupName=name)
    assert name not in [
        s["FeatureGroupName"] for s in sagemaker.list_feature_groups()["FeatureGroupSummaries"]
    ]


def test_describing_or_deleting_a_group_that_does_not_exist_is_resource_not_found(
    sagemaker, lineage, raises_aws
):
    # Given a name no group has
    name = lineage.name("nofg")

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_feature_group(FeatureGroupName=name)
    with raises_aws("ResourceNotFound"):
        sagemaker.delete_feature_group(FeatureGroupName=name)
