"""How every family names a feature group: its context, keyed by the group's ARN with the name in lower
case, and the feature group whose offline store holds an S3 URI (families/feature_group.py says why).

Kept apart from the feature-group family so that the plan builder (every job's data sources) can join
feature groups without importing a family.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from lineage_recorder.events.base import SAGEMAKER_ARN_PREFIX
from lineage_recorder.families.base import DescribeCall, Describer
from lineage_recorder.naming import entity_name
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity

FEATURE_GROUP = "FeatureGroup"
RESOURCE_TYPE = "feature-group"
# botocore: FeatureGroupName is [a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}.
FEATURE_GROUP_NAME = r"[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}"
FEATURE_GROUP_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + RESOURCE_TYPE + "/" + FEATURE_GROUP_NAME + "$"
# The offline store's documented S3 layout; the name is followed by the group's creation time.
_OFFLINE_STORE = re.compile(
    r"s3://[^/]+/(?:.*/)?(?P<account>[0-9]{12})/sagemaker/(?P<region>[a-z0-9-]{1,32})/offline-store/"
    r"(?P<name>[a-zA-Z0-9](?:[_-]*[a-zA-Z0-9]){0,63})-[0-9]{9,11}(?:/.*)?"
)


def feature_group_arn(name: str, like: str) -> str:
    """The ARN of the feature group `name` in the account and Region of the ARN `like`, as every key of a
    feature group is written: the name in lower case."""
    partition, service, region, account = like.split(":")[1:5]
    return f"arn:{partition}:{service}:{region}:{account}:{RESOURCE_TYPE}/{name.lower()}"


def feature_group_context(
    arn: str,
    *,
    properties: tuple[tuple[str, str], ...] = (),
    revision: str | None = None,
    reference: bool = False,
) -> PlannedEntity:
    """The feature group's context, keyed by its ARN with the name in lower case, as its own family
    plans it or as a job that writes or reads it references it."""
    prefix, _, name = arn.partition(f":{RESOURCE_TYPE}/")
    return PlannedEntity(
        key=EntityKey(EntityKind.CONTEXT, f"{prefix}:{RESOURCE_TYPE}/{name.lower()}"),
        entity_type=FEATURE_GROUP,
        name=entity_name(name.lower(), "feature-group"),
        properties=properties,
        reconcile=not reference,
        reference=reference,
        revision=revision,
    )


def offline_store_feature_group(uri: str, like: str) -> tuple[str | None, str | None]:
    """(the ARN of the feature group whose offline store holds `uri`, None) when `uri` follows the offline
    store's layout in the account and Region of the ARN `like`; (None, why not) for another account's or
    Region's store; (None, None) when `uri` is not an offline store's."""
    match = _OFFLINE_STORE.fullmatch(uri)
    if match is None:
        return None, None
    region, account = like.split(":")[3:5]
    if (match["account"], match["region"]) != (account, region):
        return None, (
            f"the offline store of a feature group in account {match['account']}, {match['region']}: "
            "that account's recorder records it"
        )
    partition = like.split(":")[1]
    return f"arn:{partition}:sagemaker:{region}:{account}:{RESOURCE_TYPE}/{match['name'].lower()}", None


# The feature group whose offline store holds data a job read, described: only a group SageMaker has now,
# whose offline store holds the data, is linked (a group deleted and created again under the same name
# has another store, under another creation time).
DESCRIBE_OFFLINE_STORE = DescribeCall(
    "DescribeFeatureGroup", RESOURCE_TYPE, "FeatureGroupName", owned_elsewhere=True
)


def confirmed_offline_stores(describer: Describer, description: Any, like: str) -> dict[str, str]:
    """Feature group ARN -> its offline store (ResolvedOutputS3Uri), as SageMaker describes the group now,
    for every S3 URI in a job's `description` that follows the offline store's layout in the account and
    Region of the ARN `like`."""
    stores: dict[str, str] = {}
    asked: set[str] = set()
    for uri in _s3_uris(description):
        arn, _ = offline_store_feature_group(uri, like)
        if arn is None or arn in asked:
            continue
        asked.add(arn)
        body = describer.describe(DESCRIBE_OFFLINE_STORE, arn.rsplit("/", 1)[-1]) or {}
        resolved = _member(_member(body, "OfflineStoreConfig"), "S3StorageConfig").get("ResolvedOutputS3Uri")
        if isinstance(resolved, str) and resolved:
            stores[arn] = resolved
    return stores


def _member(value: Any, name: str) -> dict[str, Any]:
    member = value.get(name) if isinstance(value, dict) else None
    return member if isinstance(member, dict) else {}


def holds(store: str, uri: str) -> bool:
    """Whether `uri` is the offline store `store` or under it."""
    root = store.rstrip("/")
    return uri.rstrip("/") == root or uri.startswith(root + "/")


def _s3_uris(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        if value.startswith("s3://"):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _s3_uris(item)
    elif isinstance(value, list):
        for item in value:
            yield from _s3_uris(item)
