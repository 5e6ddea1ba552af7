"""The naive baseline: the manual approach the SageMaker documentation shows, on the recorder's own plans.

For every delivered event, with no cache and no idempotency:

1. the same family preparer as the recorder (``lineage_recorder.families``): Describe* and plan;
2. for every planned entity: a job's node is its trial component when DescribeTrialComponent finds it
   (as in the documentation's example); otherwise ListArtifacts / ListActions / ListContexts with the
   SourceUri, and Create* when nothing is listed;
3. for an entity the plan marks as mutable (an approval, an endpoint, the recorder's own job node) that
   already existed: Describe* it and Update* it when the plan's state differs and is not older;
4. for every edge: AddAssociation, and an "already exists" error counts as success;
5. for a supersession (an endpoint's earlier deployments): ListAssociations into the endpoint, then
   Describe* and Update* each earlier deployment that is not marked yet.

It ends with the same graph as the recorder; only the number of calls differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from time import perf_counter
from typing import Any

import boto3
from botocore.exceptions import ClientError
from lineage_recorder.apply.gateway import SageMakerGateway, is_trial_component
from lineage_recorder.apply.reconciler import REVISION_PROPERTY
from lineage_recorder.aws import client_config
from lineage_recorder.errors import RetryLaterError
from lineage_recorder.families import BY_DETAIL_TYPE
from lineage_recorder.families.base import Describer
from lineage_recorder.plan import EntityKind, PlannedEntity
from lineage_recorder.recorder import parse_event

from bench.driver import BatchOutcome
from bench.workload import REGION

_LIST = {
    EntityKind.ARTIFACT: ("list_artifacts", "ArtifactSummaries", "ArtifactArn"),
    EntityKind.ACTION: ("list_actions", "ActionSummaries", "ActionArn"),
    EntityKind.CONTEXT: ("list_contexts", "ContextSummaries", "ContextArn"),
}
_DESCRIBE = {
    EntityKind.ARTIFACT: ("describe_artifact", "ArtifactArn"),
    EntityKind.ACTION: ("describe_action", "ActionName"),
    EntityKind.CONTEXT: ("describe_context", "ContextName"),
}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _already_exists(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return _code(error) == "ValidationException" and "already exists" in message


class NaiveRecorder:
    """Records one event the documented manual way; see the module docstring."""

    def __init__(self, sagemaker: Any) -> None:
        self._sagemaker = sagemaker

    def record(self, body: dict[str, Any]) -> None:
        event = parse_event(body)
        family = BY_DETAIL_TYPE[event.detail_type]
        if family.ignored_status(event) is not None:
            return
        plan = family.prepare(event, Describer(SageMakerGateway(self._sagemaker), family.describes))
        arns: dict[Any, str] = {}
        for entity in plan.entities:
            arn, existed = self._get_or_create(entity)
            arns[entity.key] = arn
            # A job's node that is SageMaker's own trial component is SageMaker's to keep, not updated.
            if existed and getattr(entity, "reconcile", False) and not is_trial_component(arn):
                self._update_if_changed(entity.key.kind, arn, entity.status, self._desired(entity), entity)
        for edge in plan.edges:
            try:
                self._sagemaker.add_association(
                    SourceArn=arns[edge.source],
                    DestinationArn=arns[edge.destination],
                    AssociationType=edge.association_type,
                )
            except ClientError as error:
                if not _already_exists(error):
                    raise
        for supersession in getattr(plan, "supersessions", ()):
            self._supersede(supersession, arns)

    # ------------------------------------------------------------------ entities
    def _get_or_create(self, entity: PlannedEntity) -> tuple[str, bool]:
        if entity.trial_component_name is not None:
            try:
                described = self._sagemaker.describe_trial_component(
                    TrialComponentName=entity.trial_component_name
                )
                if described.get("Source", {}).get("SourceArn") in (None, entity.key.source_uri):
                    return str(described["TrialComponentArn"]), True
            except ClientError as error:
                if _code(error) not in ("ValidationException", "ResourceNotFound"):
                    raise
        operation, summaries_key, arn_key = _LIST[entity.key.kind]
        listed = getattr(self._sagemaker, operation)(SourceUri=entity.key.source_uri)
        for summary in listed.get(summaries_key, []):
            if summary.get("Source", {}).get("SourceUri") == entity.key.source_uri:
                return str(summary[arn_key]), True
        return self._create(entity)

    def _create(self, entity: PlannedEntity) -> tuple[str, bool]:
        common: dict[str, Any] = {
            "Source": {"SourceUri": entity.key.source_uri},
            "Properties": self._desired(entity),
        }
        kind = entity.key.kind
        if kind is EntityKind.ARTIFACT:
            return str(
                self._sagemaker.create_artifact(ArtifactType=entity.entity_type, **common)["ArtifactArn"]
            ), False
        name = str(entity.name)
        try:
            if kind is EntityKind.ACTION:
                if entity.status is not None:
                    common["Status"] = entity.status
                response = self._sagemaker.create_action(
                    ActionName=name, ActionType=entity.entity_type, **common
                )
                return str(response["ActionArn"]), False
            response = self._sagemaker.create_context(
                ContextName=name, ContextType=entity.entity_type, **common
            )
            return str(response["ContextArn"]), False
        except ClientError as error:
            if not _already_exists(error):
                raise
        operation, parameter = _DESCRIBE[kind]
        described = getattr(self._sagemaker, operation)(**{parameter: name})
        return str(described["ActionArn" if kind is EntityKind.ACTION else "ContextArn"]), True

    @staticmethod
    def _desired(entity: PlannedEntity) -> dict[str, str]:
        properties = dict(entity.properties)
        revision = getattr(entity, "revision", None)
        if revision is not None:
            properties[REVISION_PROPERTY] = revision
        return properties

    # ------------------------------------------------------------------- updates
    def _update_if_changed(
        self,
        kind: EntityKind,
        arn: str,
        status: str | None,
        desired: dict[str, str],
        entity: PlannedEntity | None = None,
    ) -> None:
        operation, parameter = _DESCRIBE[kind]
        current = getattr(self._sagemaker, operation)(**{parameter: arn})
        properties = dict(current.get("Properties") or {})
        revision = getattr(entity, "revision", None)
        if revision is not None and properties.get(REVISION_PROPERTY, "") > revision:
            return  # the entity already shows a newer state of the resource
        removed = [key for key in getattr(entity, "removed_properties", ()) if key in properties]
        changed = {key: value for key, value in desired.items() if properties.get(key) != value}
        if not changed and not removed and (status is None or status == current.get("Status")):
            return
        changes: dict[str, Any] = {}
        if changed:
            changes["Properties"] = changed
        if removed:
            changes["PropertiesToRemove"] = removed
        if kind is EntityKind.ARTIFACT:
            self._sagemaker.update_artifact(ArtifactArn=arn, **changes)
        elif kind is EntityKind.ACTION:
            if status is not None:
                changes["Status"] = status
            self._sagemaker.update_action(ActionName=arn.rsplit("/", 1)[-1], **changes)
        else:
            self._sagemaker.update_context(ContextName=arn.rsplit("/", 1)[-1], **changes)

    def _supersede(self, supersession: Any, arns: dict[Any, str]) -> None:
        current_arn = arns[supersession.current]
        pages = self._sagemaker.get_paginator("list_associations").paginate(
            DestinationArn=arns[supersession.anchor], SourceType=supersession.source_type
        )
        for page in pages:
            for summary in page.get("AssociationSummaries", []):
                if summary["SourceArn"] != current_arn:
                    self._update_if_changed(
                        EntityKind.ACTION,
                        str(summary["SourceArn"]),
                        supersession.status,
                        dict(supersession.properties),
                    )


class Baseline:
    """The baseline as a system under test: each delivered event recorded the naive way, one by one."""

    name = "baseline"

    def __init__(self) -> None:
        self._recorder: NaiveRecorder | None = None

    def cold_start(self) -> None:
        sagemaker = boto3.session.Session().client("sagemaker", region_name=REGION, config=client_config())
        self._recorder = NaiveRecorder(sagemaker)

    def prepare_account(self) -> None:
        """The manual approach keeps nothing between events: nothing to prepare."""

    def deliver(self, events: Sequence[dict[str, Any]]) -> BatchOutcome:
        if self._recorder is None:
            self.cold_start()
        assert self._recorder is not None
        latencies: list[float] = []
        reasons: list[str] = []
        for body in events:
            start = perf_counter()
            try:
                self._recorder.record(body)
            except (ClientError, RetryLaterError, ValueError, KeyError) as error:
                reasons.append(f"{type(error).__name__}: {str(error)[:300]}")
            latencies.append(perf_counter() - start)
        return BatchOutcome(
            latencies=latencies, failures=len(reasons), reasons=reasons, per_record_timing=True
        )
