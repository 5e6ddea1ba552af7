"""Model cards: one ModelCard artifact per card version, AssociatedWith the model package version the card
describes; the containers of the SageMaker model it describes ContributedTo it.

Every change to a card (its content or its status: Draft, PendingReview, Approved, Archived) is a new
version, and versions do not change, so each version is its own artifact: ``<card ARN>?version=<n>``,
with its status and who created and last changed it. "Who approved it?" is then the version whose status
is Approved, kept after the card moves on (docs/decisions.md, "A model card version is an artifact").

What the card says it describes is its author's word: the model package (``model_package_details.
model_package_arn`` in the card's content) and the model (``model_overview.model_id``) are linked only
when SageMaker has them (DescribeModelPackage, DescribeModel); otherwise the value is skipped and said.
Other content (intended uses, evaluation notes) is documentation, not lineage; the risk rating is kept.

Event: SageMaker Model Card State Change, any status. Describe: DescribeModelCard (the event's version),
DescribeModelPackage (only whether it exists), DescribeModel.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import Field

from lineage_recorder.events.base import SAGEMAKER_ARN_PREFIX, Tolerant
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.families.base import (
    DescribeCall,
    Describer,
    Family,
    confirmed_as,
    detail_with_arn,
    name_from_arn,
    validated,
)
from lineage_recorder.families.builder import ASSOCIATED_WITH, PlanBuilder, same_home
from lineage_recorder.families.model_package import (
    PACKAGE_OWNED_ELSEWHERE,
    ModelPackage,
    described_package,
    package_artifact,
)
from lineage_recorder.families.models import DESCRIBE_MODEL, Model, described_model
from lineage_recorder.families.reasons import IDENTITY
from lineage_recorder.naming import bounded_properties
from lineage_recorder.plan import EntityKey, EntityKind, Plan, PlannedEntity

MODEL_CARD = "ModelCard"
RESOURCE_TYPE = "model-card"
# botocore: ModelCardName is [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}.
MODEL_CARD_ARN_PATTERN = SAGEMAKER_ARN_PREFIX + RESOURCE_TYPE + "/[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
STATUSES = ("Draft", "PendingReview", "Approved", "Archived")
# botocore: Content is at most 100,000 characters.
_MAX_CONTENT = 100_000

DESCRIBE_MODEL_CARD = DescribeCall(
    "DescribeModelCard",
    RESOURCE_TYPE,
    "ModelCardName",
    not_lineage=(
        ("CreatedBy.IamIdentity.Arn", IDENTITY),
        ("LastModifiedBy.IamIdentity.Arn", IDENTITY),
    ),
)


class UserContextSpec(Tolerant):
    UserProfileName: str | None = None
    UserProfileArn: str | None = None
    IamIdentity: dict[str, Any] | None = None

    def who(self) -> str | None:
        identity = self.IamIdentity.get("Arn") if self.IamIdentity else None
        return (
            self.UserProfileArn or (identity if isinstance(identity, str) else None) or self.UserProfileName
        )


class ModelCardVersion(Tolerant):
    ModelCardArn: str = Field(pattern=MODEL_CARD_ARN_PATTERN)
    ModelCardName: str | None = None
    ModelCardVersion: int | None = None
    ModelCardStatus: str | None = None
    Content: str | None = None
    CreatedBy: UserContextSpec | None = None
    LastModifiedBy: UserContextSpec | None = None


def version_uri(card_arn: str, version: int | None) -> str:
    return card_arn if version is None else f"{card_arn}?version={version}"


def card_content(card: ModelCardVersion) -> dict[str, Any]:
    """The card's content document; {} when it is not a JSON object (a card need not have content)."""
    text = (card.Content or "")[:_MAX_CONTENT]
    try:
        document = json.loads(text) if text else {}
    except (ValueError, RecursionError):
        return {}
    return document if isinstance(document, dict) else {}


def _member(document: dict[str, Any], section: str, key: str) -> str | None:
    part = document.get(section)
    value = part.get(key) if isinstance(part, dict) else None
    return value if isinstance(value, str) and value else None


def plan_model_card(
    card: ModelCardVersion,
    *,
    package: ModelPackage | None,
    model: Model | None,
    unlinked: tuple[tuple[str, str, str], ...] = (),
) -> Plan:
    """`package`: the model package version the card names, as SageMaker describes it; `model`: the
    SageMaker model it describes, as SageMaker describes it; `unlinked`: (field, value, why) of what the
    card names that could not be linked."""
    content = card_content(card)
    plan = PlanBuilder(card.ModelCardArn)
    risk = content.get("intended_uses")
    node = plan.add(
        PlannedEntity(
            key=EntityKey(EntityKind.ARTIFACT, version_uri(card.ModelCardArn, card.ModelCardVersion)),
            entity_type=MODEL_CARD,
            properties=bounded_properties(
                [
                    ("ModelCardName", card.ModelCardName or name_from_arn(card.ModelCardArn)),
                    (
                        "ModelCardVersion",
                        None if card.ModelCardVersion is None else str(card.ModelCardVersion),
                    ),
                    ("ModelCardStatus", card.ModelCardStatus),
                    ("CreatedBy", card.CreatedBy.who() if card.CreatedBy else None),
                    ("LastModifiedBy", card.LastModifiedBy.who() if card.LastModifiedBy else None),
                    ("ModelId", _member(content, "model_overview", "model_id")),
                    ("RiskRating", risk.get("risk_rating") if isinstance(risk, dict) else None),
                ]
            ),
        )
    )
    if package is not None:
        plan.edge(node, plan.add(package_artifact(package, reference=True)), ASSOCIATED_WITH)
    if model is not None:
        plan.model_containers(model, MODEL_FIELD, node)
    for field, value, why in unlinked:
        plan.skip(field, value, why)
    return plan.build()


PACKAGE_FIELD = "Content.model_package_details.model_package_arn"
MODEL_FIELD = "Content.model_overview.model_id"
_ELSEWHERE = "another account's or Region's: that account's recorder records it, and SameAs links it"


def _card_package(
    describer: Describer, value: str | None, like: str
) -> tuple[ModelPackage | None, tuple[str, str, str] | None]:
    """The package version the card names, as SageMaker describes it; or why it is not linked. Only a
    package in the card's own account and Region is described (the recorder's grants reach no further)."""
    if value is None:
        return None, None
    if not (value.startswith("arn:") and ":model-package/" in value):
        return None, (PACKAGE_FIELD, value, "not a model package ARN")
    if not same_home(value, like):
        return None, (PACKAGE_FIELD, value, f"a model package {_ELSEWHERE}")
    package = described_package(describer, value)
    if package is None:
        return None, (PACKAGE_FIELD, value, "SageMaker has no such model package")
    return package, None


def _card_model(
    describer: Describer, model_id: str | None, like: str
) -> tuple[Model | None, tuple[str, str, str] | None]:
    """The SageMaker model the card describes, named by ARN or by name; or why it is not linked (a card
    may describe a model outside SageMaker, or another account's)."""
    if model_id is None:
        return None, None
    if model_id.startswith("arn:"):
        if ":model/" not in model_id:
            return None, (
                MODEL_FIELD,
                model_id,
                "not a SageMaker model ARN (a package is linked by its own field)",
            )
        if not same_home(model_id, like):
            return None, (MODEL_FIELD, model_id, f"a model {_ELSEWHERE}")
        model_id = name_from_arn(model_id)
    model = described_model(describer, model_id)
    if model is None:
        return None, (
            MODEL_FIELD,
            model_id,
            "no SageMaker model of that name here (a model outside SageMaker?)",
        )
    return model, None


def prepare_model_card(event: SageMakerEvent, describer: Describer) -> Plan:
    """The event's card version as SageMaker describes it; one it does not know is not recorded."""
    from_event = validated(ModelCardVersion, detail_with_arn(event, "ModelCardArn"), "the event detail")
    arn = from_event.ModelCardArn
    version = {"ModelCardVersion": from_event.ModelCardVersion} if from_event.ModelCardVersion else {}
    card = confirmed_as(
        ModelCardVersion,
        describer,
        DESCRIBE_MODEL_CARD,
        name_from_arn(arn),
        arn_field="ModelCardArn",
        claimed_arn=arn,
        **version,
    )
    content = card_content(card)
    package, package_problem = _card_package(
        describer, _member(content, "model_package_details", "model_package_arn"), card.ModelCardArn
    )
    model, model_problem = _card_model(
        describer, _member(content, "model_overview", "model_id"), card.ModelCardArn
    )
    unlinked = tuple(problem for problem in (package_problem, model_problem) if problem is not None)
    return plan_model_card(card, package=package, model=model, unlinked=unlinked)


FAMILY = Family(
    name="model-card",
    detail_type="SageMaker Model Card State Change",
    arn_field="ModelCardArn",
    status_field="ModelCardStatus",
    statuses=STATUSES,
    describes=(DESCRIBE_MODEL_CARD, PACKAGE_OWNED_ELSEWHERE, DESCRIBE_MODEL),
    prepare=prepare_model_card,
)
