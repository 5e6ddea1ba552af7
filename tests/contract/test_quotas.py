"""Account quotas on manually created lineage entities (SageMaker Developer Guide, "Lineage Tracking
Entity Quotas": 3,000 actions, 6,000 artifacts, 6,000 associations, 500 contexts per account and Region).
"""

from __future__ import annotations

from typing import Any

import pytest
import sagemaker_lineage_emulator

EMULATOR_ONLY = "configures the emulator's quotas; real accounts have the published defaults"


def _create_one(lineage: Any, kind: str, anchor: str | None) -> None:
    if kind == "association":
        assert anchor is not None
        lineage.associate(lineage.artifact(), anchor)
    else:
        lineage.create(kind, "Custom")


@pytest.mark.emulator_only(EMULATOR_ONLY)
@pytest.mark.parametrize("kind", ["artifact", "action", "context", "association"])
def test_reaching_a_quota_answers_resource_limit_exceeded(emulator, lineage, raises_aws, kind):
    """API_CreateArtifact / API_CreateAction / API_CreateContext / API_AddAssociation errors:
    ResourceLimitExceeded "You have exceeded a SageMaker resource limit"; the limit is configurable with
    ``configure(quotas={...})``."""
    # Given: a quota of 3 (artifacts get room for the ones the association case needs)
    anchor = lineage.action("Training") if kind == "association" else None
    emulator.configure(quotas={kind: 3, "artifact": 3 if kind == "artifact" else 100})
    for _ in range(3):
        _create_one(lineage, kind, anchor)

    # When / Then
    with raises_aws("ResourceLimitExceeded"):
        _create_one(lineage, kind, anchor)


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_deleting_frees_room_under_the_quota(emulator, lineage, raises_aws):
    """Quotas count existing entities: after a delete, one more can be created."""
    # Given: the action quota is full
    emulator.configure(quotas={"action": 2})
    first = lineage.action()
    lineage.action()
    with raises_aws("ResourceLimitExceeded"):
        lineage.action()

    # When
    lineage.delete("action", first)

    # Then
    assert lineage.action()


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_quotas_are_per_account(emulator, lineage, peer, raises_aws):
    """The published quotas are per account (and Region): one account's usage does not use another's."""
    # Given: this account is at its context quota
    emulator.configure(quotas={"context": 1})
    lineage.context()
    with raises_aws("ResourceLimitExceeded"):
        lineage.context()

    # When / Then: the peer account can still create one
    assert peer.context()


@pytest.mark.emulator_only("reads the emulator's defaults")
def test_default_quotas_are_the_published_numbers(emulator):
    """SageMaker Developer Guide, "Lineage Tracking Entity Quotas": actions 3,000, artifacts 6,000,
    associations 6,000, contexts 500."""
    # Given: no configuration
    # When
    quotas = emulator.current().quotas

    # Then
    assert quotas == {"action": 3000, "artifact": 6000, "association": 6000, "context": 500}
    assert quotas == sagemaker_lineage_emulator.DEFAULT_QUOTAS


@pytest.mark.emulator_only("fills the emulator's default context quota")
@pytest.mark.in_process_only("500 creates are cheap in-process but slow over HTTP")
def test_the_default_context_quota_is_500(emulator, sagemaker, raises_aws):
    """SageMaker Developer Guide, "Lineage Tracking Entity Quotas": 500 contexts per account and Region,
    with the emulator's defaults untouched."""
    # Given: 500 contexts
    for index in range(500):
        sagemaker.create_context(
            ContextName=f"ct-quota-{index}", ContextType="Custom", Source={"SourceUri": "s3://q"}
        )

    # When / Then
    with raises_aws("ResourceLimitExceeded"):
        sagemaker.create_context(
            ContextName="ct-quota-500", ContextType="Custom", Source={"SourceUri": "s3://q"}
        )
