"""Recording training, processing and transform jobs against the emulator, end to end."""

from __future__ import annotations

from typing import Any

import pytest
from lineage_recorder.recorder import Recorder, parse_event

from tests.integration.jobs import IMAGE, processing_job, training_job, transform_job
from tests.support.events import training_event
from tests.support.graph import snapshot
from tests.support.recording import recorder_for

RAW = "s3://raw-data/customers/"
FEATURES = "s3://features/train/"
MODELS = "s3://models/"
BATCH_IN = "s3://batch-data/in/"
BATCH_OUT = "s3://batch-data/out/"


def _workflow(sagemaker: Any) -> list[dict[str, Any]]:
    prepare = processing_job(sagemaker, "prep", inputs=[RAW], outputs=[FEATURES])
    train = training_job(sagemaker, "train", inputs=[FEATURES], output=MODELS, checkpoint="s3://ckpt/train/")
    model_data = train["detail"]["ModelArtifacts"]["S3ModelArtifacts"]
    score = transform_job(
        sagemaker, "score", model_name="m", model_data=model_data, source=BATCH_IN, output=BATCH_OUT
    )
    return [prepare, train, score]


def _record_all(recorder: Recorder, events: list[dict[str, Any]]) -> None:
    for event in events:
        recorder.record(parse_event(event))


def test_the_workflow_produces_exactly_the_conventional_graph(
    recorder: Recorder, sagemaker: Any, trial_components: bool
) -> None:
    # Given a processing job feeding a training job whose model a transform job uses
    events = _workflow(sagemaker)
    prep_arn, train_arn, score_arn = (event["resources"][0] for event in events)
    model_data = events[1]["detail"]["ModelArtifacts"]["S3ModelArtifacts"]
    # When the three completion events are recorded
    _record_all(recorder, events)
    # Then the graph holds exactly these entities and edges
    graph = snapshot(sagemaker)
    assert graph.nodes == {
        ("ProcessingJob", prep_arn),
        ("TrainingJob", train_arn),
        ("TransformJob", score_arn),
        ("Image", IMAGE),
        ("DataSet", RAW),
        ("DataSet", FEATURES),
        ("Model", model_data),
        ("Checkpoint", "s3://ckpt/train/"),
        ("DataSet", BATCH_IN),
        ("DataSet", BATCH_OUT),
    }
    assert graph.edges == {
        (("Image", IMAGE), ("ProcessingJob", prep_arn), "ContributedTo"),
        (("DataSet", RAW), ("ProcessingJob", prep_arn), "ContributedTo"),
        (("ProcessingJob", prep_arn), ("DataSet", FEATURES), "Produced"),
        (("Image", IMAGE), ("TrainingJob", train_arn), "ContributedTo"),
        (("DataSet", FEATURES), ("TrainingJob", train_arn), "ContributedTo"),
        (("TrainingJob", train_arn), ("Model", model_data), "Produced"),
        (("TrainingJob", train_arn), ("Checkpoint", "s3://ckpt/train/"), "Produced"),
        (("Image", IMAGE), ("TransformJob", score_arn), "ContributedTo"),
        (("DataSet", BATCH_IN), ("TransformJob", score_arn), "ContributedTo"),
        (("Model", model_data), ("TransformJob", score_arn), "ContributedTo"),
        (("TransformJob", score_arn), ("DataSet", BATCH_OUT), "Produced"),
    }
    # And a processing output consumed by training is one shared artifact; nothing is duplicated
    assert graph.entity_keys[("artifact", FEATURES)] == 1
    assert graph.duplicate_entities == {}
    assert graph.duplicate_associations == {}


def test_job_node_is_sagemakers_trial_component_when_it_exists(recorder: Recorder, sagemaker: Any) -> None:
    # Given SageMaker created the job's trial component (the emulator's default)
    event = training_job(sagemaker, "tc-job", inputs=[FEATURES], output=MODELS)
    # When recorded
    recorder.record(parse_event(event))
    # Then the inputs point at the trial component, and the recorder created no job action
    associations = sagemaker.list_associations(DestinationType="SageMakerTrainingJob")["AssociationSummaries"]
    assert {a["DestinationName"] for a in associations} == {"tc-job-aws-training-job"}
    assert sagemaker.list_actions(SourceUri=event["resources"][0])["ActionSummaries"] == []


def test_job_node_is_a_recorder_action_when_no_trial_component_exists(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given an account where the job has no trial component
    import sagemaker_lineage_emulator

    sagemaker_lineage_emulator.configure(create_job_trial_components=False)
    event = training_job(sagemaker, "bare-job", inputs=[FEATURES], output=MODELS)
    # When recorded
    recorder.record(parse_event(event))
    # Then an action of type TrainingJob keyed by the job ARN stands for the job, tagged as the recorder's
    actions = sagemaker.list_actions(SourceUri=event["resources"][0])["ActionSummaries"]
    assert [(a["ActionName"], a["ActionType"], a["Status"]) for a in actions] == [
        ("bare-job-training-job", "TrainingJob", "Completed")
    ]
    tags = sagemaker.list_tags(ResourceArn=actions[0]["ActionArn"])["Tags"]
    assert {"Key": "lineage-recorder:managed-by", "Value": "sagemaker-lineage-recorder"} in tags


def test_recording_the_same_events_again_creates_nothing(
    recorder: Recorder, sagemaker: Any, trial_components: bool
) -> None:
    # Given a recorded workflow
    events = _workflow(sagemaker)
    _record_all(recorder, events)
    before = snapshot(sagemaker)
    # When every event is recorded again, with a fresh recorder (no warm cache)
    fresh = recorder_for(sagemaker)
    outcomes = [fresh.record(parse_event(event)) for event in events]
    # Then nothing new exists and the outcomes say so
    assert snapshot(sagemaker) == before
    assert all(outcome.created == [] for outcome in outcomes)
    assert all(outcome.associations_created == 0 for outcome in outcomes)
    assert sum(outcome.associations_existing for outcome in outcomes) == len(before.edges)


def test_results_are_the_same_with_and_without_sagemakers_trial_components(sagemaker: Any) -> None:
    # Given the same workflow recorded in both worlds
    import boto3
    import sagemaker_lineage_emulator
    from moto import mock_aws

    graphs = []
    for enabled in (True, False):
        sagemaker_lineage_emulator.configure(create_job_trial_components=enabled)
        with mock_aws():
            client = boto3.client("sagemaker")
            _record_all(recorder_for(client), _workflow(client))
            graphs.append(snapshot(client))
    # Then the graphs are identical once job nodes are named by their job ARN
    assert graphs[0].nodes == graphs[1].nodes
    assert graphs[0].edges == graphs[1].edges


def test_entities_sagemaker_already_created_are_reused(recorder: Recorder, sagemaker: Any) -> None:
    # Given SageMaker already has an artifact for the training input
    existing = sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": FEATURES})[
        "ArtifactArn"
    ]
    event = training_job(sagemaker, "reuse", inputs=[FEATURES], output=MODELS)
    # When the job is recorded
    outcome = recorder.record(parse_event(event))
    # Then that artifact is used, not a second one
    assert existing in outcome.reused
    assert len(sagemaker.list_artifacts(SourceUri=FEATURES)["ArtifactSummaries"]) == 1
    # And only what the recorder created carries its tag; SageMaker's artifact is left untouched
    managed = {"Key": "lineage-recorder:managed-by", "Value": "sagemaker-lineage-recorder"}
    assert outcome.created
    assert all(managed in sagemaker.list_tags(ResourceArn=arn)["Tags"] for arn in outcome.created)
    assert managed not in sagemaker.list_tags(ResourceArn=existing)["Tags"]


def test_a_failed_job_records_what_sagemaker_says_it_wrote_and_nothing_more(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a training job that failed after writing checkpoints, and reported no model artifacts (moto
    # cannot fail a job, so the event and Describe are set to say so)
    from moto.sagemaker.models import sagemaker_backends

    checkpoints = "s3://checkpoints/broken/"
    event = training_job(sagemaker, "broken", inputs=[FEATURES], output=MODELS, checkpoint=checkpoints)
    backend_job = sagemaker_backends["123456789012"]["us-east-1"].training_jobs["broken"]
    backend_job.training_job_status = "Failed"
    backend_job.model_artifacts = {}
    event["detail"]["TrainingJobStatus"] = "Failed"
    # When recorded
    recorder.record(parse_event(event))
    # Then its inputs contributed, its checkpoints were produced, and no model is invented
    graph = snapshot(sagemaker)
    produced = {(source, target) for source, target, kind in graph.edges if kind == "Produced"}
    assert produced == {(("TrainingJob", backend_job.arn), ("Checkpoint", checkpoints))}
    assert not any(node[0] == "Model" for node in graph.nodes)


def test_in_progress_events_are_ignored_without_any_call(recorder: Recorder, sagemaker: Any) -> None:
    event = training_event("running", inputs=[FEATURES], image=IMAGE, output=MODELS, status="InProgress")
    outcome = recorder.record(parse_event(event))
    assert outcome.ignored
    assert "InProgress" in str(outcome.ignored_reason)
    assert sagemaker.list_artifacts()["ArtifactSummaries"] == []


def test_a_job_sagemaker_does_not_know_writes_nothing_and_says_why(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given an event for a job SageMaker has never had (SageMaker never deletes jobs): a forged message
    event = training_event(
        "never-ran",
        inputs=["s3://attacker/data/"],
        image=IMAGE,
        output=MODELS,
        model=MODELS + "v/model.tar.gz",
    )
    # When recorded
    outcome = recorder.record(parse_event(event))
    # Then nothing is written from its body, and the outcome says why
    assert outcome.unconfirmed and outcome.created == []
    assert "SageMaker does not know this resource" in str(outcome.ignored_reason)
    assert "describe_training_job" in str(outcome.ignored_reason)
    assert snapshot(sagemaker).nodes == frozenset()


def test_an_event_naming_another_accounts_or_regions_job_is_rejected(sagemaker: Any) -> None:
    # Given a recorder in its own account and Region, and jobs of the same name elsewhere
    from lineage_recorder.errors import InvalidEventError
    from lineage_recorder.trust import TrustedAccounts

    job = training_job(sagemaker, "twin-named", inputs=[FEATURES], output=MODELS)
    recorder = recorder_for(sagemaker, trusted_accounts=TrustedAccounts("123456789012", region="us-east-1"))
    for other in ("111122223333", "us-west-2", "aws-cn"):
        arn = job["detail"]["TrainingJobArn"]
        forged = (
            arn.replace("123456789012", other)
            if other.isdigit()
            else arn.replace("us-east-1", other)
            if other.startswith("us-")
            else arn.replace("arn:aws:", f"arn:{other}:")
        )
        event = {**job, "resources": [forged], "detail": {**job["detail"], "TrainingJobArn": forged}}
        # When recorded / Then it is rejected before SageMaker is asked, naming what is foreign
        with pytest.raises(InvalidEventError, match="never recorded here"):
            recorder.record(parse_event(event))
    assert snapshot(sagemaker).nodes == frozenset()


def test_a_transform_whose_model_is_gone_still_records_its_data(recorder: Recorder, sagemaker: Any) -> None:
    # Given a transform job whose model was deleted before the event was processed
    event = transform_job(
        sagemaker,
        "orphan",
        model_name="gone",
        model_data=MODELS + "x/model.tar.gz",
        source=BATCH_IN,
        output=BATCH_OUT,
    )
    sagemaker.delete_model(ModelName="gone")
    # When recorded
    outcome = recorder.record(parse_event(event))
    # Then the data lineage is there and the missing model is reported
    assert any("describe_model" in reason for reason in outcome.fallbacks)
    nodes = snapshot(sagemaker).nodes
    assert ("DataSet", BATCH_IN) in nodes and ("DataSet", BATCH_OUT) in nodes
    assert not any(node[0] == "Model" for node in nodes)


def test_a_cached_arn_deleted_by_hand_is_recreated_not_reused(sagemaker: Any) -> None:
    # Given a recorder whose registry knows the dataset's artifact, which someone then deletes
    recorder = recorder_for(sagemaker)
    recorder.record(parse_event(training_job(sagemaker, "first", inputs=[FEATURES], output=MODELS)))
    (dataset,) = sagemaker.list_artifacts(SourceUri=FEATURES)["ArtifactSummaries"]
    for association in sagemaker.list_associations(SourceArn=dataset["ArtifactArn"])["AssociationSummaries"]:
        sagemaker.delete_association(
            SourceArn=association["SourceArn"], DestinationArn=association["DestinationArn"]
        )
    sagemaker.delete_artifact(ArtifactArn=dataset["ArtifactArn"])
    # When another job reading the same dataset is recorded by the same recorder
    second = training_job(sagemaker, "second", inputs=[FEATURES], output=MODELS)
    recorder.record(parse_event(second))
    # Then the dataset is recorded again, once, and linked to the second job
    recreated = sagemaker.list_artifacts(SourceUri=FEATURES)["ArtifactSummaries"]
    assert len(recreated) == 1 and recreated[0]["ArtifactArn"] != dataset["ArtifactArn"]
    assert (("DataSet", FEATURES), ("TrainingJob", second["resources"][0]), "ContributedTo") in snapshot(
        sagemaker
    ).edges
