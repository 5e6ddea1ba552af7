"""Feature groups as SageMaker Feature Store describes them, where moto's differ.

moto's CreateFeatureGroup fails (a Python TypeError, an HTML 500) for a group without an offline store,
writes the offline store's ResolvedOutputS3Uri without the ``sagemaker`` segment, replaces a
DataCatalogConfig the caller gave, drops OnlineStoreConfig, ThroughputConfig and Description, and has no
DeleteFeatureGroup. DescribeFeatureGroup and ListFeatureGroups (inventory.py) read the groups through
``describe``, which this module replaces.

The rules, and where they come from (SageMaker API reference and Developer Guide):

- API_CreateFeatureGroup: the request is checked against the operation's model; "You must include at least
  one of OnlineStoreConfig and OfflineStoreConfig to create a FeatureGroup"; a group that exists already is
  ResourceInUse (moto's check, the operation's documented error).
- OfflineStoreConfig.S3StorageConfig.ResolvedOutputS3Uri, "The S3 path where offline records are written":
  ``<S3Uri>/<account id>/sagemaker/<region>/offline-store/<feature group name>-<creation time in epoch
  seconds>/data`` (Developer Guide, "Feature Store offline store data format": "Example value of
  ResolvedOutputS3Uri: s3://my-bucket/my-prefix/123456789012/sagemaker/us-east-1/offline-store/
  customer-purchase-history-patterns-1593511200/data"). A trailing ``/`` of S3Uri is not doubled.
- OfflineStoreConfig.DisableGlueTableCreation: "If set to False and DataCatalogConfig is provided, Feature
  Store creates the table using the specified names"; "If set to True without DataCatalogConfig, no Glue
  table is created or associated"; "If set to False without DataCatalogConfig, Feature Store auto-generates
  the table name following Athena's naming recommendations" (lower case letters, digits and underscores):
  ``<feature group name>_<creation time in epoch seconds>`` in the ``sagemaker_featurestore`` database of
  ``AwsDataCatalog`` (a captured DescribeFeatureGroup in the SageMaker Python SDK's feature processor
  lineage tests, ``feature-group-name-01_1682629457``, predates that rule and kept the hyphens).
- DescribeFeatureGroup: FeatureGroupStatus ``Created`` (the group is ready at once, like moto's jobs),
  OfflineStoreStatus ``{"Status": "Active"}`` when there is an offline store, CreationTime, and what was
  asked for: OnlineStoreConfig, OfflineStoreConfig, ThroughputConfig (``OnDemand`` unless given), RoleArn,
  Description; OnlineStoreTotalSizeBytes 0 for an online store nothing was written to. A group that does not
  exist is ResourceNotFound (inventory.describe_feature_group).
- FeatureGroupArn: ``arn:aws:sagemaker:<region>:<account>:feature-group/<name in lower case>`` (moto's; the
  API reference's pattern ``feature-group/.*`` and the Developer Guide do not say whether the name keeps its
  case, and SageMaker writes the names of other resources in lower case in their ARNs, as
  inference_components.py notes), so names that differ only in case are the same group.
- API_DeleteFeatureGroup: the group is gone ("Data written into the OfflineStore will not be deleted"; the
  emulator wrote none); one that does not exist is ResourceNotFound, the operation's documented error.
- Tags given at creation are listed by ListTags and changed by AddTags / DeleteTags on the group's ARN.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.sagemaker.models import sagemaker_backends
from moto.utilities.utils import get_partition

from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.responses import _params
from sagemaker_lineage_emulator.store import aware_utc
from sagemaker_lineage_emulator.validation import validate_request

RESOURCE_TYPE = "feature-group"
DATABASE = "sagemaker_featurestore"
CATALOG = "AwsDataCatalog"
# moto builds the group with a placeholder offline store when there is none, then drops it.
_PLACEHOLDER = {"S3StorageConfig": {"S3Uri": "s3://emulator-no-offline-store"}}


def group_arn(account: str, region: str, name: str) -> str:
    return f"arn:{get_partition(region)}:sagemaker:{region}:{account}:{RESOURCE_TYPE}/{name.lower()}"


def _name(requested: str) -> str:
    return requested.rsplit("/", 1)[-1] if requested.startswith("arn:") else requested


def _epoch(group: Any) -> int:
    created = aware_utc(group.creation_time)
    assert created is not None
    return int(created.timestamp())


def _offline_store(
    account: str, region: str, name: str, epoch: int, config: dict[str, Any]
) -> dict[str, Any]:
    """OfflineStoreConfig as DescribeFeatureGroup answers it."""
    offline = copy.deepcopy(config)
    storage = offline["S3StorageConfig"]
    base = str(storage["S3Uri"]).rstrip("/")
    storage["ResolvedOutputS3Uri"] = f"{base}/{account}/sagemaker/{region}/offline-store/{name}-{epoch}/data"
    if offline.get("DataCatalogConfig") is None and not offline.get("DisableGlueTableCreation"):
        table = re.sub(r"[^a-z0-9_]", "_", name.lower())
        offline["DataCatalogConfig"] = {
            "TableName": f"{table}_{epoch}",
            "Catalog": CATALOG,
            "Database": DATABASE,
        }
    return offline


def create_feature_group(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("CreateFeatureGroup", params)
    if params.get("OnlineStoreConfig") is None and params.get("OfflineStoreConfig") is None:
        raise ValidationError(
            "You must include at least one of OnlineStoreConfig and OfflineStoreConfig "
            "to create a FeatureGroup."
        )
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    name = str(params["FeatureGroupName"])
    arn = backend.create_feature_group(
        feature_group_name=name,
        record_identifier_feature_name=params["RecordIdentifierFeatureName"],
        event_time_feature_name=params["EventTimeFeatureName"],
        feature_definitions=params["FeatureDefinitions"],
        offline_store_config=copy.deepcopy(params.get("OfflineStoreConfig") or _PLACEHOLDER),
        role_arn=params.get("RoleArn"),
        tags=[dict(tag) for tag in params.get("Tags") or []],
    )
    group = backend.feature_groups[arn]
    offline = params.get("OfflineStoreConfig")
    group.offline_store_config = (
        _offline_store(self.current_account, self.region, name, _epoch(group), offline) if offline else None
    )
    group.online_store_config = params.get("OnlineStoreConfig")
    group.throughput_config = params.get("ThroughputConfig") or {"ThroughputMode": "OnDemand"}
    group.description = params.get("Description")
    return ActionResult({"FeatureGroupArn": arn})


def describe(group: Any) -> dict[str, Any]:
    """DescribeFeatureGroup's answer for a moto FeatureGroup (replaces ``FeatureGroup.describe``)."""
    body: dict[str, Any] = {
        "FeatureGroupArn": group.arn,
        "FeatureGroupName": group.feature_group_name,
        "RecordIdentifierFeatureName": group.record_identifier_feature_name,
        "EventTimeFeatureName": group.event_time_feature_name,
        "FeatureDefinitions": group.feature_definitions,
        "CreationTime": aware_utc(group.creation_time),
        "FeatureGroupStatus": "Created",
        "ThroughputConfig": getattr(group, "throughput_config", None) or {"ThroughputMode": "OnDemand"},
    }
    online = getattr(group, "online_store_config", None)
    if online is not None:
        body["OnlineStoreConfig"] = online
        if online.get("EnableOnlineStore"):
            body["OnlineStoreTotalSizeBytes"] = 0
    offline = group.offline_store_config
    if offline is not None:
        body["OfflineStoreConfig"] = offline
        body["OfflineStoreStatus"] = {"Status": "Active"}
    if group.role_arn:
        body["RoleArn"] = group.role_arn
    if getattr(group, "description", None):
        body["Description"] = group.description
    return body


def delete_feature_group(self: BaseResponse) -> EmptyResult:
    params = _params(self)
    validate_request("DeleteFeatureGroup", params)
    requested = str(params["FeatureGroupName"])
    arn = group_arn(self.current_account, self.region, _name(requested))
    groups = self.sagemaker_backend.feature_groups  # type: ignore[attr-defined]
    if groups.pop(arn, None) is None:
        raise ResourceNotFound(f"Resource Not Found: FeatureGroup with name {requested} does not exist.")
    return EmptyResult()


def group_for_arn(arn: str) -> Any:
    """The feature group a ``feature-group/`` ARN names, or None (for AddTags / ListTags / DeleteTags)."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or not parts[5].startswith(f"{RESOURCE_TYPE}/"):
        return None
    try:
        backend = sagemaker_backends[parts[4]][parts[3]]
    except KeyError:
        return None
    group = backend.feature_groups.get(group_arn(parts[4], parts[3], parts[5].split("/", 1)[1]))
    if group is not None and group.tags is None:
        group.tags = []
    return group


def resource_from_arn(original: Callable[..., Any]) -> Callable[..., Any]:
    """moto's backend finds tagged resources by ARN; this lets it find feature groups too."""

    def find(backend: Any, arn: str) -> Any:
        group = group_for_arn(arn)
        if group is not None:
            return group
        return original(backend, arn)

    return find


HANDLERS: dict[str, Callable[[BaseResponse], ActionResult | EmptyResult]] = {
    "create_feature_group": create_feature_group,
    "delete_feature_group": delete_feature_group,
}
