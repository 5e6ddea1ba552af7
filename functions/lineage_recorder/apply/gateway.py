"""The gateway: the only code that knows SageMaker's call shapes per lineage kind and how its errors read.

Everything the recorder asks of SageMaker goes through one ``SageMakerGateway``: creating, describing,
updating and listing artifacts, actions and contexts; job trial components; associations; the lineage
index's feeds; and the Describe* calls families make of their resources. Nothing else calls a SageMaker
client (a test fails if another module does), so:

- the IAM actions the function needs are declared here, next to the calls (``LINEAGE_GRANTS``,
  ``LIST_GRANTS``), and the stack derives its grants from them and from the families' Describe* calls;
- a failed call leaves here as one of the recorder's errors (errors.py): ``QuotaExceededError``,
  ``ThrottledError``, ``EntityGoneError`` or ``AwsCallError``, all ``RetryLaterError``. "Already exists"
  and "not found" are answers, not errors, where the caller expects them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.aws import call_failed, error_code, error_message, never_retry_blindly
from lineage_recorder.errors import AwsCallError, QuotaExceededError
from lineage_recorder.plan import EntityKind

# Everything the recorder creates carries this tag, so it can be told apart from SageMaker's own entities.
MANAGED_TAG = {"Key": "lineage-recorder:managed-by", "Value": "sagemaker-lineage-recorder"}

QUOTA_ERROR_CODE = "ResourceLimitExceeded"
# SageMaker answers a missing job or entity with ValidationException ("... not found" / "does not exist")
# as often as with ResourceNotFound; for a Describe* the code alone decides (a malformed name cannot be
# described either).
_NOT_FOUND_CODES = frozenset({"ResourceNotFound", "ResourceNotFoundException"})
_UNDESCRIBABLE_CODES = _NOT_FOUND_CODES | {"ValidationException"}
TRIAL_COMPONENT_ARN_PART = ":experiment-trial-component/"
# CreateArtifact takes no idempotency token and no unique name: repeating one whose answer was lost makes
# a twin. It is never repeated blindly; after such a failure the artifact is looked for, these many
# seconds apart (ListArtifacts may take a moment to show a new artifact), before the create is retried.
NOT_IDEMPOTENT_CREATES = ("CreateArtifact",)
LOOK_AGAIN_AFTER = (0.0, 0.5, 1.0, 2.0)


class EntityGoneError(AwsCallError):
    """A lineage entity named by ARN no longer exists (someone deleted it)."""


@dataclass(frozen=True)
class _KindCalls:
    """SageMaker's operations for one lineage kind, and the names of their parameters and results."""

    create: str
    type_parameter: str
    name_parameter: str | None  # None: artifacts have no unique name
    arn_key: str
    describe: str
    describe_parameter: str
    update: str
    update_parameter: str
    list: str
    summaries_key: str
    has_status: bool


_CALLS: Mapping[EntityKind, _KindCalls] = {
    EntityKind.ARTIFACT: _KindCalls(
        "CreateArtifact", "ArtifactType", None, "ArtifactArn", "DescribeArtifact", "ArtifactArn",
        "UpdateArtifact", "ArtifactArn", "ListArtifacts", "ArtifactSummaries", has_status=False,
    ),
    EntityKind.ACTION: _KindCalls(
        "CreateAction", "ActionType", "ActionName", "ActionArn", "DescribeAction", "ActionName",
        "UpdateAction", "ActionName", "ListActions", "ActionSummaries", has_status=True,
    ),
    EntityKind.CONTEXT: _KindCalls(
        "CreateContext", "ContextType", "ContextName", "ContextArn", "DescribeContext", "ContextName",
        "UpdateContext", "ContextName", "ListContexts", "ContextSummaries", has_status=False,
    ),
}  # fmt: skip
_LIST_TRIAL_COMPONENTS = "ListTrialComponents"
_DESCRIBE_TRIAL_COMPONENT = "DescribeTrialComponent"
_ADD_ASSOCIATION = "AddAssociation"
_LIST_ASSOCIATIONS = "ListAssociations"
_ADD_TAGS = "AddTags"  # creating with Tags needs it

# IAM: the calls that create an entity with MANAGED_TAG (creating with tags also needs AddTags); the
# stack allows them only with exactly that tag (aws:RequestTag, aws:TagKeys; SageMaker's Service
# Authorization Reference lists both keys for CreateArtifact, CreateAction, CreateContext and AddTags).
TAGGED_CREATES: tuple[str, ...] = (
    *(f"sagemaker:{calls.create}" for calls in _CALLS.values()),
    f"sagemaker:{_ADD_TAGS}",
)
# IAM: the actions the gateway calls on each resource type (arn:...:sagemaker:<region>:<account>:<type>/*).
# AddAssociation is authorised against both ends of the association.
LINEAGE_GRANTS: Mapping[str, tuple[str, ...]] = {
    **{
        str(kind): tuple(
            f"sagemaker:{operation}"
            for operation in (calls.create, calls.describe, calls.update, _ADD_TAGS, _ADD_ASSOCIATION)
        )
        for kind, calls in _CALLS.items()
    },
    "experiment-trial-component": (f"sagemaker:{_DESCRIBE_TRIAL_COMPONENT}", f"sagemaker:{_ADD_ASSOCIATION}"),
}
# Only `lineage-recorder migrate` and `prune` (run by a person, never the Lambda: lineage is never deleted
# by the recorder) delete what the recorder made; these are not granted to the function.
_DELETE_ASSOCIATION = "DeleteAssociation"
_LIST_TAGS = "ListTags"
_DELETE_BY_KIND = {
    EntityKind.ARTIFACT: "DeleteArtifact",
    EntityKind.ACTION: "DeleteAction",
    EntityKind.CONTEXT: "DeleteContext",
}
MIGRATION_ONLY_CALLS: tuple[str, ...] = (_DELETE_ASSOCIATION, *_DELETE_BY_KIND.values(), _LIST_TAGS)
# List* calls have no resource-level permissions in IAM: they can only be granted on "*".
LIST_GRANTS: tuple[str, ...] = tuple(
    f"sagemaker:{operation}"
    for operation in (_LIST_TRIAL_COMPONENTS, *(calls.list for calls in _CALLS.values()), _LIST_ASSOCIATIONS)
)


def method_name(operation: str) -> str:
    """The boto3 method of an operation: CreateArtifact -> create_artifact."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")


def is_trial_component(arn: str) -> bool:
    return TRIAL_COMPONENT_ARN_PART in arn


def _already_exists(error: AwsCallError) -> bool:
    return error.code == "ValidationException" and "already exists" in error.message.lower()


@dataclass(frozen=True)
class Described:
    """A Describe* response, or None and why the resource could not be described."""

    body: dict[str, Any] | None
    reason: str | None = None


@dataclass(frozen=True)
class EntityState:
    status: str | None
    properties: dict[str, str]


@dataclass(frozen=True)
class Listed:
    """One entity of a List* page: what it stands for (SourceUri, or a trial component's job ARN)."""

    source: str | None
    arn: str
    created: datetime | None


@dataclass(frozen=True)
class ListedPage:
    entities: tuple[Listed, ...]
    next_token: str | None


class SageMakerGateway:
    def __init__(self, sagemaker: Any) -> None:
        self._sagemaker = sagemaker
        never_retry_blindly(sagemaker, NOT_IDEMPOTENT_CREATES)

    # --- the one place a SageMaker call is made ----------------------------------------------------------
    def _call(self, operation: str, **params: Any) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._sagemaker, method_name(operation))(**params)
        except (ClientError, BotoCoreError) as error:
            raise _failed(operation, error) from error
        response.pop("ResponseMetadata", None)
        return response

    def _pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """botocore's paginator, with its errors read as _call reads them."""
        pages = iter(self._sagemaker.get_paginator(method_name(operation)).paginate(**params))
        while True:
            try:
                page: dict[str, Any] = next(pages)
            except StopIteration:
                return
            except (ClientError, BotoCoreError) as error:
                raise _failed(operation, error) from error
            yield page

    # --- resources (the families' Describe* calls) -------------------------------------------------------
    def paginate(self, operation: str, items_key: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item a List* call pages (botocore's paginator): the backfill's listings."""
        for page in self._pages(operation, **params):
            yield from page.get(items_key) or []

    def list_resource(self, operation: str, items_key: str, **params: str | int) -> Described:
        """Every item a List* call answers for one resource (a pipeline execution's steps), read with
        botocore's paginator, as ``{items_key: [...]}``; None and the reason when the resource is gone."""
        items: list[Any] = []
        try:
            for page in self._pages(operation, **params):
                items.extend(page.get(items_key) or [])
        except AwsCallError as error:
            if error.code in _UNDESCRIBABLE_CODES:
                return Described(None, f"{method_name(operation)} failed: {error.message or error}")
            raise
        return Described({items_key: items})

    def describe_resource(self, operation: str, **params: str | int) -> Described:
        """A resource's description; None and the reason when it is gone or its name cannot be described.
        Throttling and other faults raise, so the record is retried rather than recorded from less."""
        try:
            return Described(self._call(operation, **params))
        except AwsCallError as error:
            if error.code in _UNDESCRIBABLE_CODES:
                return Described(None, f"{method_name(operation)} failed: {error.message or error}")
            raise

    # --- entities ------------------------------------------------------------------------------------
    def create(
        self,
        kind: EntityKind,
        *,
        source_uri: str,
        entity_type: str,
        name: str | None,
        status: str | None,
        properties: dict[str, str],
        source_type: str | None = None,
        metadata: dict[str, str] | None = None,
    ) -> tuple[str, bool]:
        """Create an entity tagged MANAGED_TAG: (ARN, True). An action or context whose name already
        exists (another writer created it first: the name is the lock) answers (its ARN, False).
        `source_type` is Source.SourceType (actions and contexts); `metadata` is MetadataProperties
        (artifacts and actions; contexts have none)."""
        calls = _CALLS[kind]
        source: dict[str, str] = {"SourceUri": source_uri}
        if source_type is not None and kind is not EntityKind.ARTIFACT:
            source["SourceType"] = source_type
        params: dict[str, Any] = {
            calls.type_parameter: entity_type,
            "Source": source,
            "Properties": properties,
            "Tags": [MANAGED_TAG],
        }
        if metadata and kind is not EntityKind.CONTEXT:
            params["MetadataProperties"] = metadata
        if calls.name_parameter is not None:
            if name is None:
                raise ValueError(f"a planned {kind} needs a name: {source_uri}")
            params[calls.name_parameter] = name
        if calls.has_status and status is not None:
            params["Status"] = status
        try:
            return str(self._call(calls.create, **params)[calls.arn_key]), True
        except AwsCallError as error:
            if calls.name_parameter is None and error.outcome_unknown:
                # The artifact may exist although the answer was lost: adopt it rather than make a twin.
                try:
                    found = self._created_after_all(kind, source_uri)
                except AwsCallError:
                    raise error from None  # not found out: the create's outcome is still unknown
                if found is not None:
                    return found, True
                raise
            if calls.name_parameter is None or not _already_exists(error):
                raise
        described = self._call(calls.describe, **{calls.describe_parameter: name})
        return str(described[calls.arn_key]), False

    def _created_after_all(self, kind: EntityKind, source_uri: str) -> str | None:
        """The entity a create whose answer was lost made, if it made one (the oldest for the key)."""
        for pause in LOOK_AGAIN_AFTER:
            time.sleep(pause)
            found = self.find_by_source_uri(kind, source_uri)
            if found is not None:
                return found
        return None

    def find_by_source_uri(self, kind: EntityKind, source_uri: str) -> str | None:
        """The oldest entity of `kind` whose SourceUri is exactly `source_uri`."""
        calls = _CALLS[kind]
        for page in self._pages(
            calls.list, SourceUri=source_uri, SortBy="CreationTime", SortOrder="Ascending"
        ):
            for summary in page.get(calls.summaries_key, []):
                if summary.get("Source", {}).get("SourceUri") == source_uri:
                    return str(summary[calls.arn_key])
        return None

    def find_job_trial_component(self, name: str, job_arn: str) -> str | None:
        """SageMaker's trial component for a job: by its name, else by its source (the job ARN)."""
        try:
            described = self._call(_DESCRIBE_TRIAL_COMPONENT, TrialComponentName=name)
        except AwsCallError as error:
            if error.code not in _UNDESCRIBABLE_CODES:
                raise
        else:
            if described.get("Source", {}).get("SourceArn") in (None, job_arn):
                return str(described["TrialComponentArn"])
        summaries = self._call(_LIST_TRIAL_COMPONENTS, SourceArn=job_arn).get("TrialComponentSummaries", [])
        for summary in summaries:
            if summary.get("TrialComponentSource", {}).get("SourceArn") == job_arn:
                return str(summary["TrialComponentArn"])
        return None

    def state(self, kind: EntityKind, arn: str) -> EntityState:
        calls = _CALLS[kind]
        # Describe accepts the ARN in place of a name for actions and contexts.
        described = self._call(calls.describe, **{calls.describe_parameter: arn})
        return EntityState(status=described.get("Status"), properties=dict(described.get("Properties") or {}))

    def update(
        self,
        kind: EntityKind,
        arn: str,
        *,
        status: str | None,
        properties: dict[str, str],
        removed_properties: list[str],
    ) -> None:
        calls = _CALLS[kind]
        params: dict[str, Any] = {
            calls.update_parameter: arn if calls.name_parameter is None else arn.rsplit("/", 1)[-1]
        }
        if properties:
            params["Properties"] = properties
        if removed_properties:
            params["PropertiesToRemove"] = removed_properties
        if calls.has_status and status is not None:
            params["Status"] = status
        self._call(calls.update, **params)

    # --- associations --------------------------------------------------------------------------------
    def associate(self, source_arn: str, destination_arn: str, association_type: str) -> bool:
        """Add an association; False when it already exists."""
        try:
            self._call(
                _ADD_ASSOCIATION,
                SourceArn=source_arn,
                DestinationArn=destination_arn,
                AssociationType=association_type,
            )
        except AwsCallError as error:
            if _already_exists(error):
                return False
            raise
        return True

    def sources_of(self, destination_arn: str, source_type: str) -> Iterator[str]:
        """The ARNs of every entity of `source_type` associated into `destination_arn`."""
        for page in self._pages(_LIST_ASSOCIATIONS, DestinationArn=destination_arn, SourceType=source_type):
            for summary in page.get("AssociationSummaries", []):
                yield str(summary["SourceArn"])

    def has_association(self, source_arn: str, destination_arn: str, association_type: str) -> bool:
        summaries = self._call(
            _LIST_ASSOCIATIONS,
            SourceArn=source_arn,
            DestinationArn=destination_arn,
            AssociationType=association_type,
        ).get("AssociationSummaries")
        return bool(summaries)

    # --- migrate and prune only (run by a person; MIGRATION_ONLY_CALLS) --------------------------------
    def summaries(self, kind: EntityKind) -> Iterator[dict[str, Any]]:
        """Every List* summary of `kind` in the account."""
        calls = _CALLS[kind]
        for page in self._pages(calls.list):
            yield from page.get(calls.summaries_key, [])

    def is_managed(self, arn: str) -> bool:
        """Whether the entity carries the recorder's MANAGED_TAG."""
        return any(MANAGED_TAG in page.get("Tags", []) for page in self._pages(_LIST_TAGS, ResourceArn=arn))

    def describe_entity(self, kind: EntityKind, arn: str) -> dict[str, Any]:
        calls = _CALLS[kind]
        return self._call(calls.describe, **{calls.describe_parameter: arn})

    def associations(self, arn: str) -> Iterator[tuple[str, str, str]]:
        """(source ARN, destination ARN, association type) of every association to or from `arn`."""
        for end in ("SourceArn", "DestinationArn"):
            for page in self._pages(_LIST_ASSOCIATIONS, **{end: arn}):
                for summary in page.get("AssociationSummaries", []):
                    yield (
                        str(summary["SourceArn"]),
                        str(summary["DestinationArn"]),
                        str(summary.get("AssociationType") or ""),
                    )

    def disassociate(self, source_arn: str, destination_arn: str) -> None:
        """Delete an association; one already gone is fine."""
        try:
            self._call(_DELETE_ASSOCIATION, SourceArn=source_arn, DestinationArn=destination_arn)
        except EntityGoneError:
            return

    def delete_entity(self, kind: EntityKind, name: str) -> None:
        """Delete an entity: an action or context by name, an artifact by ARN; one already gone is fine."""
        calls = _CALLS[kind]
        parameter = calls.name_parameter or calls.arn_key
        try:
            self._call(_DELETE_BY_KIND[kind], **{parameter: name})
        except EntityGoneError:
            return

    # --- the lineage index's feeds -------------------------------------------------------------------
    def list_created(
        self,
        kind: EntityKind | None,
        *,
        created_after: datetime | None,
        page_size: int,
        next_token: str | None = None,
    ) -> ListedPage:
        """One page of the entities of `kind` (None: job trial components) created after a moment,
        oldest first."""
        params: dict[str, Any] = {"SortBy": "CreationTime", "SortOrder": "Ascending", "MaxResults": page_size}
        if created_after is not None:
            params["CreatedAfter"] = created_after
        if next_token:
            params["NextToken"] = next_token
        if kind is None:
            response = self._call(_LIST_TRIAL_COMPONENTS, **params)
            entities = tuple(
                Listed(
                    _text(summary.get("TrialComponentSource", {}).get("SourceArn")),
                    str(summary["TrialComponentArn"]),
                    _moment(summary.get("CreationTime")),
                )
                for summary in response.get("TrialComponentSummaries", [])
            )
        else:
            calls = _CALLS[kind]
            response = self._call(calls.list, **params)
            entities = tuple(
                Listed(
                    _text(summary.get("Source", {}).get("SourceUri")),
                    str(summary[calls.arn_key]),
                    _moment(summary.get("CreationTime")),
                )
                for summary in response.get(calls.summaries_key, [])
            )
        return ListedPage(entities, response.get("NextToken") or None)


def _failed(operation: str, error: ClientError | BotoCoreError) -> AwsCallError:
    if isinstance(error, ClientError):
        code = error_code(error)
        if code == QUOTA_ERROR_CODE:
            return QuotaExceededError("sagemaker", operation, code, error_message(error))
        if code in _NOT_FOUND_CODES:
            return EntityGoneError("sagemaker", operation, code, error_message(error))
    return call_failed("sagemaker", operation, error)


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _moment(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None
