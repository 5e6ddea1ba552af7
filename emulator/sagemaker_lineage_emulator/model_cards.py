"""Model cards and their versions as SageMaker describes them, where moto's differ.

moto keeps a model card as a list of versions. Its UpdateModelCard replaces the content or the status it is
not given with nothing, its DescribeModelCard answers the card's creation time as LastModifiedTime and does
not take an ARN, it accepts content that is not JSON, and every version lists the card's creation time as
its own.

The rules, and where they come from (SageMaker API reference and Developer Guide):

- API_CreateModelCard / API_UpdateModelCard Content: "Content must be in model card JSON schema and provided
  as a string": content that is not a JSON object is a ValidationException (the schema itself is not
  checked). ModelCardStatus Draft | PendingReview | Approved | Archived.
- API_UpdateModelCard: "You cannot update both model card content and model card status in a single call" (a
  ValidationException; a call with neither is one too, the emulator's choice); "When updating model card
  content, be sure to include the full content and not just updated content". Developer Guide, "Edit a model
  card": "Updating a model card creates a new model card version in order to have an immutable record of
  model changes": ModelCardVersion is the previous version plus one, with the content or the status not
  given kept from it. A card that does not exist is ResourceNotFound (the operation's documented error).
- API_DescribeModelCard: "If a version is not provided, then the latest version of the model card is
  described"; ModelCardName is "The name or Amazon Resource Name (ARN)"; CreationTime "The date and time the
  model card was created", LastModifiedTime "The date and time the model card was last modified" (when the
  described version was made); CreatedBy and LastModifiedBy (UserContext) are there, empty for a caller that
  is not a Studio user. IncludedData MetadataOnly: "SageMaker returns a sanitized version of Content that
  includes only the following JSON paths, when present in the model card: model_overview.model_id,
  model_overview.model_name, intended_uses.risk_rating, model_package_details.model_package_group_name,
  model_package_details.model_package_arn". A card or version that does not exist is ResourceNotFound.
- API_ListModelCardVersions: ModelCardName (name or ARN), CreationTimeAfter / CreationTimeBefore ("created
  after" / "before" the time: strict), ModelCardStatus, SortBy Version ("Sorts by version by default"),
  SortOrder (newest first unless Ascending: the emulator's default for every List, docs/decisions.md 3),
  MaxResults 10 unless asked; a ModelCardVersionSummary's CreationTime is "The date and time that the model
  card version was created". A card that does not exist is ResourceNotFound.
- API_DeleteModelCard takes the name or the ARN; a card that does not exist is ResourceNotFound.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse, EmptyResult

from sagemaker_lineage_emulator.errors import ResourceNotFound, ValidationError
from sagemaker_lineage_emulator.responses import _params, _sorted, _timestamp, listed
from sagemaker_lineage_emulator.store import aware_utc
from sagemaker_lineage_emulator.validation import validate_request

# The JSON paths DescribeModelCard keeps with IncludedData=MetadataOnly.
METADATA_ONLY_PATHS = (
    ("model_overview", "model_id"),
    ("model_overview", "model_name"),
    ("intended_uses", "risk_rating"),
    ("model_package_details", "model_package_group_name"),
    ("model_package_details", "model_package_arn"),
)


def _name(requested: str) -> str:
    return requested.rsplit("/", 1)[-1] if requested.startswith("arn:") else requested


def _versions(response: BaseResponse, requested: str) -> list[Any]:
    """The versions of the card ``requested`` names (name or ARN), oldest first; ResourceNotFound if none."""
    cards = response.sagemaker_backend.model_cards  # type: ignore[attr-defined]
    name = _name(requested)
    versions = cards.get(name)
    if not versions and requested.startswith("arn:"):
        versions = next((v for key, v in list(cards.items()) if key.lower() == name.lower() and v), None)
    if not versions:
        raise ResourceNotFound(f"Modelcard {requested} does not exist.")
    return list(versions)


def _check_content(content: Any) -> None:
    try:
        parsed = json.loads(str(content))
    except ValueError as error:
        raise ValidationError("Content must be a JSON string in the model card JSON schema.") from error
    if not isinstance(parsed, dict):
        raise ValidationError("Content must be a JSON object in the model card JSON schema.")


def create_model_card(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("CreateModelCard", params)
    _check_content(params["Content"])
    arn = self.sagemaker_backend.create_model_card(  # type: ignore[attr-defined]
        model_card_name=params["ModelCardName"],
        security_config=params.get("SecurityConfig"),
        content=params["Content"],
        model_card_status=params["ModelCardStatus"],
        tags=[dict(tag) for tag in params.get("Tags") or []],
    )
    return ActionResult({"ModelCardArn": arn})


def update_model_card(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("UpdateModelCard", params)
    content, status = params.get("Content"), params.get("ModelCardStatus")
    if content is not None and status is not None:
        raise ValidationError(
            "You cannot update both model card content and model card status in a single call."
        )
    if content is None and status is None:
        raise ValidationError("UpdateModelCard needs the Content or the ModelCardStatus to update.")
    if content is not None:
        _check_content(content)
    latest = _versions(self, str(params["ModelCardName"]))[-1]
    arn = self.sagemaker_backend.update_model_card(  # type: ignore[attr-defined]
        model_card_name=latest.model_card_name,
        content=content if content is not None else latest.content,
        model_card_status=status if status is not None else latest.model_card_status,
    )
    return ActionResult({"ModelCardArn": arn})


def _metadata_only(content: str) -> str:
    parsed = json.loads(content)
    kept: dict[str, dict[str, Any]] = {}
    for section, key in METADATA_ONLY_PATHS:
        value = parsed.get(section)
        if isinstance(value, dict) and key in value:
            kept.setdefault(section, {})[key] = value[key]
    return json.dumps(kept)


def describe_model_card(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("DescribeModelCard", params)
    requested = str(params["ModelCardName"])
    versions = _versions(self, requested)
    wanted = params.get("ModelCardVersion")
    if wanted is None:
        version = versions[-1]
    else:
        version = next((v for v in versions if v.model_card_version == wanted), None)
        if version is None:
            raise ResourceNotFound(f"Modelcard with name {requested} and version: {wanted} does not exist")
    content = version.content
    if params.get("IncludedData") == "MetadataOnly":
        content = _metadata_only(content)
    body: dict[str, Any] = {
        "ModelCardArn": version.arn,
        "ModelCardName": version.model_card_name,
        "ModelCardVersion": version.model_card_version,
        "Content": content,
        "ModelCardStatus": version.model_card_status,
        "CreationTime": aware_utc(versions[0].creation_time),
        "CreatedBy": {},
        "LastModifiedTime": aware_utc(version.last_modified_time),
        "LastModifiedBy": {},
    }
    if version.security_config:
        body["SecurityConfig"] = version.security_config
    return ActionResult(body)


def _version_summary(version: Any) -> dict[str, Any]:
    made = aware_utc(version.last_modified_time)
    return {
        "ModelCardName": version.model_card_name,
        "ModelCardArn": version.arn,
        "ModelCardStatus": version.model_card_status,
        "ModelCardVersion": version.model_card_version,
        "CreationTime": made,
        "LastModifiedTime": made,
    }


def list_model_card_versions(self: BaseResponse) -> ActionResult:
    params = _params(self)
    validate_request("ListModelCardVersions", params)
    after, before = _timestamp(params.get("CreationTimeAfter")), _timestamp(params.get("CreationTimeBefore"))
    summaries = [
        summary
        for summary in (_version_summary(v) for v in _versions(self, str(params["ModelCardName"])))
        if (after is None or summary["CreationTime"] > after)
        and (before is None or summary["CreationTime"] < before)
        and (not params.get("ModelCardStatus") or summary["ModelCardStatus"] == params["ModelCardStatus"])
    ]
    ordered = _sorted(summaries, lambda summary: summary["ModelCardVersion"], params.get("SortOrder"))
    return listed(params, ordered, "ModelCardVersionSummaryList")


def delete_model_card(self: BaseResponse) -> EmptyResult:
    params = _params(self)
    validate_request("DeleteModelCard", params)
    latest = _versions(self, str(params["ModelCardName"]))[-1]
    self.sagemaker_backend.delete_model_card(model_card_name=latest.model_card_name)  # type: ignore[attr-defined]
    return EmptyResult()


HANDLERS: dict[str, Callable[[BaseResponse], ActionResult | EmptyResult]] = {
    "create_model_card": create_model_card,
    "update_model_card": update_model_card,
    "describe_model_card": describe_model_card,
    "list_model_card_versions": list_model_card_versions,
    "delete_model_card": delete_model_card,
}
