"""A plan may name a node another family owns (a reference): one node results, whichever plan comes first,
and it shows its owner's state (docs/decisions.md, "Nodes another family owns").

The referencing plan here is a tuning job's, made by hand: the training job it launched is its reference.
"""

from __future__ import annotations

from typing import Any

import pytest
from lineage_recorder.families.builder import job_node
from lineage_recorder.families.jobs import TRAINING
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind, Plan, PlannedEdge, PlannedEntity
from lineage_recorder.recorder import parse_event

from tests.integration.jobs import training_job
from tests.support.graph import snapshot
from tests.support.recording import applier_for, recorder_for

TUNING_ARN = "arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/churn-tuning"


def _tuning_plan(training_arn: str) -> Plan:
    """A tuning job's plan: its own node, and the training job it launched as a reference."""
    tuning = PlannedEntity(
        EntityKey(EntityKind.ACTION, TUNING_ARN), "HyperParameterTuningJob", name="churn-tuning"
    )
    launched = job_node(TRAINING, training_arn, reference=True)
    return Plan(
        resource_arn=TUNING_ARN,
        entities=(tuning, launched),
        edges=(PlannedEdge(launched.key, tuning.key, AssociationType.CONTRIBUTED_TO),),
    )


def _node_of(sagemaker: Any, job_arn: str) -> dict[str, Any]:
    (summary,) = sagemaker.list_actions(SourceUri=job_arn)["ActionSummaries"]
    return dict(sagemaker.describe_action(ActionName=summary["ActionArn"]))


@pytest.mark.parametrize("order", ["reference-first", "owner-first"])
def test_a_referenced_job_has_one_node_showing_its_own_state_in_either_order(
    sagemaker: Any, trial_components: bool, order: str
) -> None:
    # Given a finished training job, its own event, and a tuning job's plan that references it
    event = parse_event(
        training_job(sagemaker, "launched-1", inputs=["s3://data/train/"], output="s3://models/")
    )
    training_arn = event.detail["TrainingJobArn"]
    applier = applier_for(sagemaker)
    recorder = recorder_for(sagemaker, applier=applier)
    # When both are recorded, in either order
    if order == "reference-first":
        applier.apply(_tuning_plan(training_arn))
        recorder.record(event)
    else:
        recorder.record(event)
        applier.apply(_tuning_plan(training_arn))
    # Then the job has exactly one node, linked to the tuning job
    graph = snapshot(sagemaker)
    assert graph.duplicate_entities == {}
    assert (
        ("TrainingJob", training_arn),
        ("HyperParameterTuningJob", TUNING_ARN),
        "ContributedTo",
    ) in graph.edges
    if trial_components:
        # SageMaker's own trial component is the node: nothing was created for the job
        assert sagemaker.list_actions(SourceUri=training_arn)["ActionSummaries"] == []
        return
    # And the recorder's node shows the job's own state, however it was first created
    node = _node_of(sagemaker, training_arn)
    assert node["Status"] == "Completed"
    assert node["Properties"]["JobName"] == "launched-1"


def test_a_reference_never_changes_the_node_its_owner_recorded(sagemaker: Any) -> None:
    # Given a training job recorded by its own family, without SageMaker's trial component
    import sagemaker_lineage_emulator

    sagemaker_lineage_emulator.configure(create_job_trial_components=False)
    event = parse_event(training_job(sagemaker, "owned", inputs=["s3://data/train/"], output="s3://models/"))
    applier = applier_for(sagemaker)
    recorder_for(sagemaker, applier=applier).record(event)
    before = _node_of(sagemaker, event.detail["TrainingJobArn"])
    # When another family's plan references it with other properties and no status
    reference = PlannedEntity(
        EntityKey(EntityKind.ACTION, event.detail["TrainingJobArn"]),
        "TrainingJob",
        name="owned-training-job",
        properties=(("JobName", "something-else"), ("Note", "from the tuning job")),
        reference=True,
    )
    result = applier.apply(Plan(resource_arn=TUNING_ARN, entities=(reference,)))
    # Then the owner's node is reused as it is
    assert result.updated == [] and result.created == []
    after = _node_of(sagemaker, event.detail["TrainingJobArn"])
    assert (after["Status"], after["Properties"]) == (before["Status"], before["Properties"])


def test_an_edge_to_an_entity_known_only_by_arn_is_written_without_resolving_it(sagemaker: Any) -> None:
    # Given two entities that exist (as a peer's twin would), known only by their ARNs
    first = sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": "s3://a/"})["ArtifactArn"]
    second = sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": "s3://b/"})["ArtifactArn"]
    from lineage_recorder.plan import ExistingEntity

    plan = Plan(
        resource_arn="",
        edges=(PlannedEdge(ExistingEntity(first), ExistingEntity(second), AssociationType.SAME_AS),),
    )
    # When applied twice
    applier = applier_for(sagemaker)
    created = applier.apply(plan).associations_created
    again = applier.apply(plan)
    # Then the association is written once, and nothing was created or looked up
    assert created == [(first, second)]
    assert (again.associations_created, again.associations_existing) == ([], 1)
    assert len(sagemaker.list_artifacts()["ArtifactSummaries"]) == 2
