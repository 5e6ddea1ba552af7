"""Job planners: the lineage a job description implies (docs/architecture.md, "SageMaker's conventions")."""

from __future__ import annotations

from lineage_recorder.families.models import Model
from lineage_recorder.families.processing import ProcessingJob, plan_processing_job
from lineage_recorder.families.training import TrainingJob, plan_training_job
from lineage_recorder.families.transform import TransformJob, plan_transform_job
from lineage_recorder.plan import EntityKey, EntityKind, Plan

from tests.support.events import job_arn, training_detail

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/train:1"


def _nodes(plan: Plan) -> set[tuple[str, str, str]]:
    return {(entity.key.kind, entity.entity_type, entity.key.source_uri) for entity in plan.entities}


def _edges(plan: Plan) -> set[tuple[str, str, str]]:
    return {
        (edge.source.source_uri, edge.destination.source_uri, edge.association_type) for edge in plan.edges
    }


def test_completed_training_job_records_image_channels_model_and_checkpoint() -> None:
    # Given a completed training job with two channels, a model and a checkpoint
    arn = job_arn("training", "t1")
    job = TrainingJob.model_validate(
        training_detail(
            "t1",
            inputs=["s3://data/train/", "s3://data/val/"],
            image=IMAGE,
            output="s3://models/",
            model="s3://models/t1/output/model.tar.gz",
            checkpoint="s3://ckpt/t1/",
        )
    )
    # When planned
    plan = plan_training_job(job)
    # Then the entities and edges follow SageMaker's conventions exactly
    assert _nodes(plan) == {
        ("action", "TrainingJob", arn),
        ("artifact", "Image", IMAGE),
        ("artifact", "DataSet", "s3://data/train/"),
        ("artifact", "DataSet", "s3://data/val/"),
        ("artifact", "Model", "s3://models/t1/output/model.tar.gz"),
        ("artifact", "Checkpoint", "s3://ckpt/t1/"),
    }
    assert _edges(plan) == {
        (IMAGE, arn, "ContributedTo"),
        ("s3://data/train/", arn, "ContributedTo"),
        ("s3://data/val/", arn, "ContributedTo"),
        (arn, "s3://models/t1/output/model.tar.gz", "Produced"),
        (arn, "s3://ckpt/t1/", "Produced"),
    }
    node = plan.entity(EntityKey(EntityKind.ACTION, arn))
    assert node.trial_component_name == "t1-aws-training-job"
    assert node.name == "t1-training-job"
    assert plan.skipped == ()


def test_training_without_model_artifacts_falls_back_to_the_output_path() -> None:
    job = TrainingJob.model_validate(training_detail("t2", inputs=[], image=IMAGE, output="s3://models/out/"))
    assert ("artifact", "Model", "s3://models/out/") in _nodes(plan_training_job(job))


def test_failed_training_records_inputs_image_and_node_but_no_outputs() -> None:
    # Given a failed job that declared outputs
    detail = training_detail(
        "t3",
        inputs=["s3://data/x/"],
        image=IMAGE,
        output="s3://m/",
        model="s3://model-bucket/model.tar.gz",
        status="Failed",
    )
    detail["FailureReason"] = "AlgorithmError: " + "x" * 500
    plan = plan_training_job(TrainingJob.model_validate(detail))
    # Then nothing it may have written is recorded, and the reason is kept within limits
    assert {edge.association_type for edge in plan.edges} == {"ContributedTo"}
    assert not any(entity.entity_type in ("Model", "Checkpoint") for entity in plan.entities)
    node = plan.entity(EntityKey(EntityKind.ACTION, job_arn("training", "t3")))
    assert node.status == "Failed"
    assert all(len(value) <= 256 for _, value in node.properties)


def test_placeholder_values_are_skipped_with_the_field_and_reason() -> None:
    # Given the published sample's placeholders
    job = TrainingJob.model_validate(
        training_detail("t4", inputs=["S3Uri"], image="TrainingImage", output="S3OutputPath")
    )
    # When planned
    plan = plan_training_job(job)
    # Then only the job node remains and every placeholder is reported
    assert [entity.entity_type for entity in plan.entities] == ["TrainingJob"]
    assert {skipped.field for skipped in plan.skipped} == {
        "AlgorithmSpecification.TrainingImage",
        "InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        "OutputDataConfig.S3OutputPath",
    }
    assert all(skipped.reason for skipped in plan.skipped)


def test_the_same_uri_twice_is_one_entity_in_the_plan() -> None:
    job = TrainingJob.model_validate(
        training_detail(
            "t5", inputs=["s3://data-bucket/a/", "s3://data-bucket/a/"], image=IMAGE, output="s3://m/"
        )
    )
    plan = plan_training_job(job)
    assert sum(1 for entity in plan.entities if entity.key.source_uri == "s3://data-bucket/a/") == 1


def _processing(status: str) -> ProcessingJob:
    return ProcessingJob.model_validate(
        {
            "ProcessingJobArn": job_arn("processing", "p1"),
            "ProcessingJobStatus": status,
            "AppSpecification": {"ImageUri": IMAGE},
            "ProcessingInputs": [
                {"InputName": "raw", "S3Input": {"S3Uri": "s3://raw/"}},
                {"InputName": "code"},
            ],
            "ProcessingOutputConfig": {
                "Outputs": [{"OutputName": "train", "S3Output": {"S3Uri": "s3://feat/train/"}}]
            },
        }
    )


def test_processing_records_image_every_input_and_every_output() -> None:
    arn = job_arn("processing", "p1")
    plan = plan_processing_job(_processing("Completed"))
    assert _edges(plan) == {
        (IMAGE, arn, "ContributedTo"),
        ("s3://raw/", arn, "ContributedTo"),
        (arn, "s3://feat/train/", "Produced"),
    }
    assert ("artifact", "DataSet", "s3://feat/train/") in _nodes(plan)


def test_stopped_processing_records_no_outputs() -> None:
    plan = plan_processing_job(_processing("Stopped"))
    assert "Produced" not in {edge.association_type for edge in plan.edges}


def test_transform_records_input_output_and_the_models_image_data_and_package() -> None:
    # Given a transform job and its multi-container model, one from a model package
    arn = job_arn("transform", "x1")
    package = "arn:aws:sagemaker:us-east-1:123456789012:model-package/churn/3"
    job = TransformJob.model_validate(
        {
            "TransformJobArn": arn,
            "TransformJobStatus": "Completed",
            "ModelName": "m1",
            "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3://batch/in/"}}},
            "TransformOutput": {"S3OutputPath": "s3://batch/out/"},
        }
    )
    model = Model.model_validate(
        {
            "PrimaryContainer": {},
            "Containers": [
                {"Image": IMAGE, "ModelDataUrl": "s3://model-bucket/model.tar.gz"},
                {"Image": IMAGE + "-post", "ModelPackageName": package},
            ],
        }
    )
    # When planned
    plan = plan_transform_job(job, model)
    # Then
    assert _edges(plan) == {
        ("s3://batch/in/", arn, "ContributedTo"),
        (IMAGE, arn, "ContributedTo"),
        (IMAGE + "-post", arn, "ContributedTo"),
        ("s3://model-bucket/model.tar.gz", arn, "ContributedTo"),
        (package, arn, "ContributedTo"),
        (arn, "s3://batch/out/", "Produced"),
    }


def test_transform_without_a_describable_model_still_records_the_data() -> None:
    job = TransformJob.model_validate(
        {
            "TransformJobArn": job_arn("transform", "x2"),
            "TransformJobStatus": "Completed",
            "TransformInput": {"DataSource": {"S3DataSource": {"S3Uri": "s3Uri"}}},
            "TransformOutput": {"S3OutputPath": "s3://batch/out/"},
        }
    )
    plan = plan_transform_job(job, None)
    assert _edges(plan) == {(job_arn("transform", "x2"), "s3://batch/out/", "Produced")}
    assert [skipped.value for skipped in plan.skipped] == ["s3Uri"]
