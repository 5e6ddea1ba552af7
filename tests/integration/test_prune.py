"""`lineage-recorder prune`: only the recorder's own entities go, associations first, never one that lineage
someone else made still points at (unless forced); a dry run deletes nothing; the state forgets what went."""

from __future__ import annotations

from typing import Any

from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.recorder import Recorder, parse_event
from lineage_recorder.state import in_memory_state
from lineage_recorder_cli.commands.prune import _orphaned
from lineage_recorder_cli.prune import prune
from lineage_recorder_cli.resource_events import endpoint_deleted_event, endpoint_event

from tests.integration.deployments import SERVING_IMAGE, as_event, endpoint_config, model
from tests.integration.jobs import processing_job, training_job
from tests.support.cli import run_cli
from tests.support.graph import snapshot
from tests.support.recording import recorder_for

SCRATCH = "s3://scratch/"


def _uris(sagemaker: Any) -> set[str]:
    return {summary["Source"]["SourceUri"] for summary in sagemaker.list_artifacts()["ArtifactSummaries"]}


def test_a_dry_run_counts_and_apply_deletes_only_the_recorders_entities_under_the_prefix(
    sagemaker: Any,
) -> None:
    # Given jobs recorded over scratch data and kept data, and an artifact someone else made under scratch
    state = in_memory_state()
    recorder = recorder_for(sagemaker, state)
    recorder.record(
        parse_event(processing_job(sagemaker, "tmp", inputs=[f"{SCRATCH}a/"], outputs=[f"{SCRATCH}b/"]))
    )
    recorder.record(
        parse_event(processing_job(sagemaker, "keep", inputs=["s3://kept/a/"], outputs=["s3://kept/b/"]))
    )
    theirs = sagemaker.create_artifact(ArtifactType="DataSet", Source={"SourceUri": f"{SCRATCH}theirs/"})
    gateway = SageMakerGateway(sagemaker)
    before = snapshot(sagemaker)
    # When a dry run asks for everything under the scratch prefix
    dry = prune(sagemaker, gateway, state, apply=False, source_uri_prefix=SCRATCH)
    # Then it counts the recorder's two scratch data sets and deletes nothing
    assert dry.by_type == {"DataSet": 2} and dry.deleted == 0
    assert snapshot(sagemaker) == before
    # When it is applied
    done = prune(sagemaker, gateway, state, apply=True, source_uri_prefix=SCRATCH)
    # Then those two are gone with their associations; the other artifact and the kept lineage stay
    assert done.deleted == 2 and done.associations_deleted == 2
    assert _uris(sagemaker) >= {f"{SCRATCH}theirs/", "s3://kept/a/", "s3://kept/b/"}
    assert not {f"{SCRATCH}a/", f"{SCRATCH}b/"} & _uris(sagemaker)
    assert theirs["ArtifactArn"] in {
        s["ArtifactArn"] for s in sagemaker.list_artifacts()["ArtifactSummaries"]
    }


def test_an_entity_someone_elses_lineage_points_at_is_kept_unless_forced(sagemaker: Any) -> None:
    # Given a recorded data set, and an action someone else made that the data set feeds... and one that
    # points at it
    state = in_memory_state()
    recorder_for(sagemaker, state).record(
        parse_event(training_job(sagemaker, "t", inputs=[f"{SCRATCH}train/"], output="s3://models/"))
    )
    (data,) = sagemaker.list_artifacts(SourceUri=f"{SCRATCH}train/")["ArtifactSummaries"]
    theirs = sagemaker.create_action(
        ActionName="their-review", Source={"SourceUri": "review-1"}, ActionType="Review"
    )
    sagemaker.add_association(
        SourceArn=theirs["ActionArn"], DestinationArn=data["ArtifactArn"], AssociationType="AssociatedWith"
    )
    gateway = SageMakerGateway(sagemaker)
    # When it is pruned, then pruned with --force
    kept = prune(sagemaker, gateway, state, apply=True, source_uri_prefix=f"{SCRATCH}train/")
    assert f"{SCRATCH}train/" in _uris(sagemaker)
    forced = prune(sagemaker, gateway, state, apply=True, force=True, source_uri_prefix=f"{SCRATCH}train/")
    # Then it was kept, naming who points at it, and went only when forced
    assert kept.kept == {data["ArtifactArn"]: [theirs["ActionArn"]]} and kept.deleted == 0
    assert forced.deleted == 1
    assert f"{SCRATCH}train/" not in _uris(sagemaker)


def test_a_pruned_key_is_created_again_by_the_next_record_not_reused(sagemaker: Any) -> None:
    # Given a recorded job whose input was pruned, with the recorder's state kept
    state = in_memory_state()
    recorder: Recorder = recorder_for(sagemaker, state)
    recorder.record(
        parse_event(training_job(sagemaker, "first", inputs=[f"{SCRATCH}shared/"], output="s3://m/"))
    )
    prune(sagemaker, SageMakerGateway(sagemaker), state, apply=True, source_uri_prefix=f"{SCRATCH}shared/")
    # When another job reading the same data is recorded
    outcome = recorder.record(
        parse_event(training_job(sagemaker, "second", inputs=[f"{SCRATCH}shared/"], output="s3://m2/"))
    )
    # Then the data set exists again (a new artifact), linked to the job
    assert not outcome.ignored
    graph = snapshot(sagemaker)
    assert ("DataSet", f"{SCRATCH}shared/") in graph.nodes
    assert any(edge[0] == ("DataSet", f"{SCRATCH}shared/") for edge in graph.edges)


def test_orphaned_picks_the_lineage_of_a_deleted_endpoint(sagemaker: Any) -> None:
    # Given a recorded endpoint, then deleted (and marked so), and a live one
    state = in_memory_state()
    recorder = recorder_for(sagemaker, state)
    model(sagemaker, "m", {"Image": SERVING_IMAGE, "ModelDataUrl": "s3://models/m.tar.gz"})
    endpoint_config(sagemaker, "c", ["m"])
    gone = sagemaker.create_endpoint(EndpointName="gone", EndpointConfigName="c")["EndpointArn"]
    sagemaker.create_endpoint(EndpointName="live", EndpointConfigName="c")
    recorder.record(parse_event(as_event(endpoint_event(sagemaker, "gone"))))
    recorder.record(parse_event(as_event(endpoint_event(sagemaker, "live"))))
    sagemaker.delete_endpoint(EndpointName="gone")
    recorder.record(parse_event(as_event(endpoint_deleted_event(gone, "gone"), "2030-01-01T00:00:00Z")))
    gateway = SageMakerGateway(sagemaker)
    # When the orphaned lineage is listed (a dry run)
    report = prune(sagemaker, gateway, state, apply=False, orphaned=_orphaned(gateway))
    # Then it is the deleted endpoint's context and deployment, not the live one's
    assert report.by_type == {"Endpoint": 1, "ModelDeployment": 1}


def test_prune_without_a_filter_is_refused_with_what_to_say(sagemaker: Any) -> None:
    # When prune is run with no filter / Then nothing is pruned, and it says how to choose
    result = run_cli("prune", "--endpoint-url", "http://127.0.0.1:9")
    assert result.returncode == 2
    assert "say what to prune" in result.stderr and "Traceback" not in result.stderr
