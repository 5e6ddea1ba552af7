"""Feature groups: a FeatureGroup context keyed by the group's ARN, which ContributedTo its offline store
(a DataSet artifact at ``OfflineStoreConfig.S3StorageConfig.ResolvedOutputS3Uri``); its Glue table and
online store are properties.

Joins (docs/decisions.md, "Feature groups join by ARN in lower case"):
- a processing job whose output is a ``FeatureStoreOutput`` Produced the feature group (by name there);
- a job that reads data under a feature group's offline store (the documented layout
  ``<S3Uri>/<account>/sagemaker/<region>/offline-store/<name>-<epoch seconds>/data/...``) is consumed
  from it: the feature group ContributedTo the job (``offline_store_feature_group``).
Both name the group by name only, so every key is the group's ARN with the name in lower case, as
SageMaker writes names in ARNs; a name with ``_`` keeps it (ARNs allow it; the context's name is
sanitised by naming.entity_name).

Event: SageMaker Feature Group State Change, when Created (or Active, as the published sample says).
Describe: DescribeFeatureGroup.
"""

from __future__ import annotations

from pydantic import Field

from lineage_recorder.events.base import Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.events.fields import Timestamp
from lineage_recorder.families.base import (
    DescribeCall,
    Describer,
    Family,
    confirmed_as,
    detail_with_arn,
    validated,
)
from lineage_recorder.families.builder import CONTRIBUTED_TO, DATASET, PlanBuilder, revision_of
from lineage_recorder.families.feature_store import (
    FEATURE_GROUP_ARN_PATTERN,
    RESOURCE_TYPE,
    feature_group_context,
)
from lineage_recorder.families.reasons import IDENTITY
from lineage_recorder.naming import bounded_properties
from lineage_recorder.plan import Plan

DESCRIBE_FEATURE_GROUP = DescribeCall(
    "DescribeFeatureGroup",
    RESOURCE_TYPE,
    "FeatureGroupName",
    not_lineage=(
        ("RoleArn", IDENTITY),
        (
            "OfflineStoreConfig.S3StorageConfig.S3Uri",
            "the prefix SageMaker resolves to ResolvedOutputS3Uri, the offline store recorded",
        ),
    ),
)


class S3StorageConfigSpec(Tolerant):
    S3Uri: str | None = None
    ResolvedOutputS3Uri: str | None = None


class DataCatalogConfigSpec(Tolerant):
    Catalog: str | None = None
    Database: str | None = None
    TableName: str | None = None


class OfflineStoreConfigSpec(Tolerant):
    S3StorageConfig: S3StorageConfigSpec | None = None
    DataCatalogConfig: DataCatalogConfigSpec | None = None
    TableFormat: str | None = None


class OnlineStoreConfigSpec(Tolerant):
    EnableOnlineStore: bool | None = None


class FeatureGroup(Tolerant):
    FeatureGroupArn: str = Field(pattern=FEATURE_GROUP_ARN_PATTERN)
    FeatureGroupName: str | None = None
    FeatureGroupStatus: str | None = None
    RecordIdentifierFeatureName: str | None = None
    EventTimeFeatureName: str | None = None
    OfflineStoreConfig: OfflineStoreConfigSpec | None = None
    OnlineStoreConfig: OnlineStoreConfigSpec | None = None
    CreationTime: Timestamp = None
    LastModifiedTime: Timestamp = None


def plan_feature_group(group: FeatureGroup) -> Plan:
    plan = PlanBuilder(group.FeatureGroupArn)
    offline = group.OfflineStoreConfig
    catalog = offline.DataCatalogConfig if offline else None
    table = (
        ".".join(part for part in (catalog.Catalog, catalog.Database, catalog.TableName) if part)
        if catalog
        else None
    )
    online = group.OnlineStoreConfig.EnableOnlineStore if group.OnlineStoreConfig else None
    context = plan.add(
        feature_group_context(
            group.FeatureGroupArn,
            properties=bounded_properties(
                [
                    ("FeatureGroupName", group.FeatureGroupName),
                    ("Status", group.FeatureGroupStatus),
                    ("RecordIdentifierFeatureName", group.RecordIdentifierFeatureName),
                    ("EventTimeFeatureName", group.EventTimeFeatureName),
                    ("OfflineStoreTable", table),
                    ("OfflineStoreTableFormat", offline.TableFormat if offline else None),
                    ("OnlineStore", None if online is None else str(online).lower()),
                ]
            ),
            revision=revision_of(group.LastModifiedTime or group.CreationTime),
        )
    )
    storage = offline.S3StorageConfig if offline else None
    resolved = storage.ResolvedOutputS3Uri if storage else None
    field = "OfflineStoreConfig.S3StorageConfig.ResolvedOutputS3Uri"
    if not resolved and storage is not None:
        resolved, field = storage.S3Uri, "OfflineStoreConfig.S3StorageConfig.S3Uri"
    plan.edge(context, plan.s3_artifact(field, resolved, DATASET), CONTRIBUTED_TO)
    return plan.build()


def prepare_feature_group(event: SageMakerEvent, describer: Describer) -> Plan:
    """The feature group as SageMaker describes it; one it does not know is not recorded from the event."""
    from_event = validated(FeatureGroup, detail_with_arn(event, "FeatureGroupArn"), "the event detail")
    arn = from_event.FeatureGroupArn
    described = confirmed_as(
        FeatureGroup,
        describer,
        DESCRIBE_FEATURE_GROUP,
        arn.rsplit("/", 1)[-1],
        arn_field="FeatureGroupArn",
        claimed_arn=arn,
    )
    return plan_feature_group(described)


FAMILY = Family(
    name="feature-group",
    detail_type="SageMaker Feature Group State Change",
    arn_field="FeatureGroupArn",
    status_field="FeatureGroupStatus",
    statuses=("Created", "Active"),
    describes=(DESCRIBE_FEATURE_GROUP,),
    prepare=prepare_feature_group,
)
