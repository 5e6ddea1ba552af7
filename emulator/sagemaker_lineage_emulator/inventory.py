"""List and Describe operations DataHub's SageMaker source walks and moto lacks (moto: an HTML 500).

DataHub's source (metadata-ingestion/src/datahub/ingestion/source/aws/sagemaker_processors) pages through
ListFeatureGroups (feature_groups.py) and, by default, through every job type's List operation, then
describes what it listed (jobs.py, JobProcessor.get_all_jobs / get_job_details); one failing List ends the
run. moto keeps feature groups but cannot list them; it has no labeling or edge packaging jobs at all, so
those lists are empty here, as they are in an account that has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse

from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.responses import _params, _sorted, _timestamp, listed, time_window
from sagemaker_lineage_emulator.store import aware_utc
from sagemaker_lineage_emulator.validation import validate_request


def _arn(response: BaseResponse, kind: str, name: str) -> str:
    return f"arn:aws:sagemaker:{response.region}:{response.current_account}:{kind}/{name.lower()}"


def list_feature_groups(self: BaseResponse) -> ActionResult:
    """API_ListFeatureGroups with its filters: NameContains, FeatureGroupStatusEquals,
    OfflineStoreStatusEquals, CreationTimeAfter / CreationTimeBefore, SortBy, SortOrder."""
    params = _params(self)
    validate_request("ListFeatureGroups", params)
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    after = _timestamp(params.get("CreationTimeAfter"))
    before = _timestamp(params.get("CreationTimeBefore"))
    summaries = []
    for group in list(backend.feature_groups.values()):
        described = group.describe()
        summary: dict[str, Any] = {
            "FeatureGroupName": group.feature_group_name,
            "FeatureGroupArn": group.arn,
            "CreationTime": aware_utc(group.creation_time),
            "FeatureGroupStatus": described.get("FeatureGroupStatus"),
        }
        if described.get("OfflineStoreStatus"):
            summary["OfflineStoreStatus"] = described["OfflineStoreStatus"]
        if params.get("NameContains") and params["NameContains"] not in summary["FeatureGroupName"]:
            continue
        status = params.get("FeatureGroupStatusEquals")
        if status and summary["FeatureGroupStatus"] != status:
            continue
        offline = params.get("OfflineStoreStatusEquals")
        if offline and summary.get("OfflineStoreStatus", {}).get("Status") != offline:
            continue
        # "created after" / "created before" (API_ListFeatureGroups): strict bounds.
        if after and summary["CreationTime"] <= after:
            continue
        if before and summary["CreationTime"] >= before:
            continue
        summaries.append(summary)
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "Name": lambda summary: summary["FeatureGroupName"],
        "FeatureGroupStatus": lambda summary: summary.get("FeatureGroupStatus") or "",
        "OfflineStoreStatus": lambda summary: summary.get("OfflineStoreStatus", {}).get("Status", ""),
        "CreationTime": lambda summary: summary["CreationTime"],
    }
    ordered = _sorted(summaries, keys[params.get("SortBy") or "CreationTime"], params.get("SortOrder"))
    return listed(params, ordered, "FeatureGroupSummaries")


def list_models(self: BaseResponse) -> ActionResult:
    """API_ListModels with its filters (moto ignores them and answers every model in full, unpaged):
    NameContains, CreationTimeAfter / CreationTimeBefore, SortBy (Name, CreationTime), SortOrder,
    MaxResults / NextToken; each item a ModelSummary (ModelName, ModelArn, CreationTime)."""
    params = _params(self)
    validate_request("ListModels", params)
    backend = self.sagemaker_backend  # type: ignore[attr-defined]
    within = time_window(params)
    summaries = []
    for model in list(backend.list_models()):
        created = aware_utc(model.creation_time)
        if params.get("NameContains") and params["NameContains"] not in model.model_name:
            continue
        if created is None or not within(created, created):
            continue
        summaries.append({"ModelName": model.model_name, "ModelArn": model.arn, "CreationTime": created})
    keys: dict[str, Callable[[dict[str, Any]], Any]] = {
        "Name": lambda summary: summary["ModelName"],
        "CreationTime": lambda summary: summary["CreationTime"],
    }
    ordered = _sorted(summaries, keys[params.get("SortBy") or "CreationTime"], params.get("SortOrder"))
    return listed(params, ordered, "Models")


def describe_feature_group(self: BaseResponse) -> ActionResult:
    """DescribeFeatureGroup by name or ARN ("The name or Amazon Resource Name (ARN) of the FeatureGroup");
    one that does not exist is ResourceNotFound, the operation's documented error."""
    params = _params(self)
    validate_request("DescribeFeatureGroup", params)
    requested = str(params["FeatureGroupName"])
    name = requested.rsplit("/", 1)[-1] if requested.startswith("arn:") else requested
    group = self.sagemaker_backend.feature_groups.get(_arn(self, "feature-group", name))  # type: ignore[attr-defined]
    if group is None:
        raise ResourceNotFound(f"Resource Not Found: FeatureGroup with name {requested} does not exist.")
    return ActionResult(group.describe())


def describe_auto_ml_job(self: BaseResponse) -> ActionResult:
    """DescribeAutoMLJob: "AutoML jobs created by calling CreateAutoMLJobV2 cannot be described by
    DescribeAutoMLJob", and moto only creates V2 jobs; a job that does not exist is ResourceNotFound."""
    params = _params(self)
    validate_request("DescribeAutoMLJob", params)
    name = str(params["AutoMLJobName"])
    if name in self.sagemaker_backend.auto_ml_jobs:  # type: ignore[attr-defined]
        raise ValidationError(
            f"AutoML job {name} was created by CreateAutoMLJobV2; describe it with DescribeAutoMLJobV2."
        )
    raise ResourceNotFound(f"Could not find AutoML job with name {name}.")


def _empty_list(operation: str, key: str) -> Callable[[BaseResponse], ActionResult]:
    def handler(self: BaseResponse) -> ActionResult:
        validate_request(operation, _params(self))
        return ActionResult({key: []})

    return handler


def _not_found(operation: str, name_field: str, kind: str) -> Callable[[BaseResponse], ActionResult]:
    def handler(self: BaseResponse) -> ActionResult:
        params = _params(self)
        validate_request(operation, params)
        raise ResourceNotFound(f"Could not find {kind} '{_arn(self, kind, str(params[name_field]))}'.")

    return handler


HANDLERS: dict[str, Callable[[BaseResponse], ActionResult]] = {
    "list_feature_groups": list_feature_groups,
    "list_models": list_models,
    "describe_feature_group": describe_feature_group,
    "describe_auto_ml_job": describe_auto_ml_job,
    # No job of these kinds can be created in the emulator (moto has neither CreateLabelingJob nor
    # CreateEdgePackagingJob), so every list is empty and every name unknown.
    "list_labeling_jobs": _empty_list("ListLabelingJobs", "LabelingJobSummaryList"),
    "list_edge_packaging_jobs": _empty_list("ListEdgePackagingJobs", "EdgePackagingJobSummaries"),
    "describe_labeling_job": _not_found("DescribeLabelingJob", "LabelingJobName", "labeling-job"),
    "describe_edge_packaging_job": _not_found(
        "DescribeEdgePackagingJob", "EdgePackagingJobName", "edge-packaging-job"
    ),
}


def describe_model_package(original: Callable[[Any], Any]) -> Callable[[BaseResponse], Any]:
    """DescribeModelPackage does not take a group's name for one of the group's versions.

    moto maps a model package group's name to its newest version. A versioned package has no name of its
    own: ListModelPackages returns only the ARN of a version (aws/sagemaker-python-sdk#5606), and
    API_DescribeModelPackage ModelPackageName is "The name or Amazon Resource Name (ARN) of the model
    package". The SDK's ModelPackageApprovalAction.model_package asks with the group's name
    (``source_uri.split("/")[1]``), which names no package.
    """

    def describe(self: BaseResponse) -> Any:
        requested = str(self._get_param("ModelPackageName") or "")
        if not requested.startswith("arn:"):
            backend = self.sagemaker_backend  # type: ignore[attr-defined]
            package = backend.model_packages.get(backend.model_package_name_mapping.get(requested, ""))
            if package is not None and package.model_package_type == "Versioned":
                raise ValidationError(f"Model package {requested} not found")
        return original(self)

    return describe
