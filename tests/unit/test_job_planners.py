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


def test_a_failed_or_stopped_training_job_records_what_describe_says_it_wrote() -> None:
    for status in ("Failed", "Stopped"):
        # Given a job that ended badly, whose description reports model artifacts and a checkpoint
        detail = training_detail(
            "t3",
            inputs=["s3://data/x/"],
            image=IMAGE,
            output="s3://m/",
            model="s3://model-bucket/model.tar.gz",
            checkpoint="s3://ckpt/t3/",
            status=status,
        )
        detail["FailureReason"] = "AlgorithmError: " + "x" * 500
        # When planned
        plan = plan_training_job(TrainingJob.model_validate(detail))
        # Then what it wrote is recorded as produced by a node that says how it ended
        arn = job_arn("training", "t3")
        assert (arn, "s3://model-bucket/model.tar.gz", "Produced") in _edges(plan)
        assert (arn, "s3://ckpt/t3/", "Produced") in _edges(plan)
        node = plan.entity(EntityKey(EntityKind.ACTION, arn))
        assert node.status == status
        assert all(len(value) <= 256 for _, value in node.properties)


def test_a_failed_training_job_without_model_artifacts_is_not_given_its_output_path() -> None:
    # Given a failed job whose description reports no model artifacts
    detail = training_detail("t6", inputs=["s3://data/x/"], image=IMAGE, output="s3://m/", status="Failed")
    # When planned / Then the output prefix is not taken for a model it never wrote
    plan = plan_training_job(TrainingJob.model_validate(detail))
    assert not any(entity.entity_type == "Model" for entity in plan.entities)


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


def test_stopped_processing_records_no_end_of_job_output_and_says_why() -> None:
    plan = plan_processing_job(_processing("Stopped"))
    assert "Produced" not in {edge.association_type for edge in plan.edges}
    (skipped,) = plan.skipped
    assert skipped.field == "ProcessingOutputConfig.Outputs[0].S3Output.S3Uri"
    assert "only when the job completes" in skipped.reason


def test_a_failed_processing_job_records_the_continuous_outputs_it_uploaded() -> None:
    # Given a failed job with a continuous output (uploaded while it ran)
    arn = job_arn("processing", "p1")
    job = _processing("Failed").model_dump()
    job["ProcessingOutputConfig"]["Outputs"][0]["S3Output"]["S3UploadMode"] = "Continuous"
    # When planned / Then the output is produced by the failed job
    plan = plan_processing_job(ProcessingJob.model_validate(job))
    assert (arn, "s3://feat/train/", "Produced") in _edges(plan)
    assert plan.entity(EntityKey(EntityKind.ACTION, arn)).status == "Failed"


def test_queries_and_feature_groups_are_lineage_of_their_own_scheme() -> None:
    # Given a job reading an Athena query and a Redshift query, and ingesting into a feature group
    arn = job_arn("processing", "p2")
    athena_query = "SELECT * FROM customers WHERE month = '2026-11'"
    job = ProcessingJob.model_validate(
        {
            "ProcessingJobArn": arn,
            "ProcessingJobStatus": "Completed",
            "AppSpecification": {"ImageUri": IMAGE},
            "ProcessingInputs": [
                {
                    "InputName": "athena",
                    "DatasetDefinition": {
                        "AthenaDatasetDefinition": {
                            "Catalog": "AwsDataCatalog",
                            "Database": "sales",
                            "QueryString": athena_query,
                            "WorkGroup": "primary",
                            "OutputS3Uri": "s3://athena-results/p2/",
                        }
                    },
                },
                {
                    "InputName": "redshift",
                    "DatasetDefinition": {
                        "RedshiftDatasetDefinition": {
                            "ClusterId": "warehouse",
                            "Database": "dev",
                            "QueryString": "SELECT 1",
                            "OutputS3Uri": "s3://redshift-unload/p2/",
                        }
                    },
                },
            ],
            "ProcessingOutputConfig": {
                "Outputs": [
                    {"OutputName": "features", "FeatureStoreOutput": {"FeatureGroupName": "churn-features"}}
                ]
            },
        }
    )
    # When planned
    plan = plan_processing_job(job)
    # Then each query is a DataSet keyed by engine, location and the query's digest, with its text, and
    # its results location is read too
    queries = {
        e.key.source_uri: e for e in plan.entities if e.key.source_uri.startswith(("athena:", "redshift:"))
    }
    athena = next(uri for uri in queries if uri.startswith("athena://AwsDataCatalog/sales?query=sha256:"))
    redshift = next(uri for uri in queries if uri.startswith("redshift://warehouse/dev?query=sha256:"))
    assert dict(queries[athena].properties)["QueryString"] == athena_query
    edges = _edges(plan)
    for uri in (athena, redshift, "s3://athena-results/p2/", "s3://redshift-unload/p2/"):
        assert (uri, arn, "ContributedTo") in edges, uri
    # And the feature group it ingested into is a DataSet keyed by the feature group's ARN
    feature_group = "arn:aws:sagemaker:us-east-1:123456789012:feature-group/churn-features"
    assert (arn, feature_group, "Produced") in edges
    assert plan.skipped == ()
    # And the same query run again is the same artifact
    assert plan_processing_job(job).entities == plan.entities


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


ACCOUNT_ARN = "arn:aws:sagemaker:us-east-1:123456789012"


def test_every_kind_of_training_data_becomes_an_artifact_or_a_skipped_value() -> None:
    # Given a job reading S3 (from a hub), EFS, FSx for Lustre, a SageMaker dataset and a source of a kind
    # the recorder does not know, fine-tuning a base model from a package, and registering its output
    arn = job_arn("training", "t7")
    hub = f"{ACCOUNT_ARN}:hub-content/SageMakerPublicHub/Model/llama/1.0.0"
    dataset = f"{ACCOUNT_ARN}:dataset/churn-curated"
    base = f"{ACCOUNT_ARN}:hub-content/SageMakerPublicHub/Model/base/2.0.0"
    source_package = f"{ACCOUNT_ARN}:model-package/base-models/4"
    output_package = f"{ACCOUNT_ARN}:model-package/tuned-models/1"
    detail = training_detail(
        "t7", inputs=[], image=IMAGE, output="s3://m/", model="s3://models-out/t7/model.tar.gz"
    )
    detail["InputDataConfig"] = [
        {
            "ChannelName": "a",
            "DataSource": {
                "S3DataSource": {"S3Uri": "s3://data-a/a/", "HubAccessConfig": {"HubContentArn": hub}}
            },
        },
        {
            "ChannelName": "b",
            "DataSource": {
                "FileSystemDataSource": {
                    "FileSystemId": "fs-0123456789abcdef0",
                    "FileSystemType": "EFS",
                    "DirectoryPath": "/data/b",
                }
            },
        },
        {
            "ChannelName": "c",
            "DataSource": {
                "FileSystemDataSource": {
                    "FileSystemId": "fs-0fedcba987654321f",
                    "FileSystemType": "FSxLustre",
                    "DirectoryPath": "/fsx/c",
                }
            },
        },
        {"ChannelName": "d", "DataSource": {"DatasetSource": {"DatasetArn": dataset}}},
        {"ChannelName": "e", "DataSource": {"NewKindOfSource": {"Location": "somewhere"}}},
        {
            "ChannelName": "f",
            "DataSource": {"FileSystemDataSource": {"FileSystemId": "not-a-fs", "FileSystemType": "EFS"}},
        },
    ]
    detail["ServerlessJobConfig"] = {"BaseModelArn": base}
    detail["ModelPackageConfig"] = {"SourceModelPackageArn": source_package}
    detail["OutputModelPackageArn"] = output_package
    detail["TensorBoardOutputConfig"] = {"S3OutputPath": "s3://tensorboard-logs/t7/"}
    # When planned
    plan = plan_training_job(TrainingJob.model_validate(detail))
    # Then each becomes the artifact its SourceUri scheme says, contributing to or produced by the job
    edges = _edges(plan)
    for uri in (
        "s3://data-a/a/",
        hub,
        "efs://fs-0123456789abcdef0/data/b",
        "fsx-lustre://fs-0fedcba987654321f/fsx/c",
        dataset,
        base,
        source_package,
    ):
        assert (uri, arn, "ContributedTo") in edges, uri
    assert (arn, output_package, "Produced") in edges
    assert (arn, "s3://tensorboard-logs/t7/", "Produced") in edges
    assert ("artifact", "TensorBoard", "s3://tensorboard-logs/t7/") in _nodes(plan)
    # And what cannot be represented is skipped with its field and reason, never dropped
    skipped = {skip.field: skip.reason for skip in plan.skipped}
    assert skipped.keys() == {
        "InputDataConfig[4].DataSource.NewKindOfSource",
        "InputDataConfig[5].DataSource.FileSystemDataSource",
    }
    assert "not a file system id" in skipped["InputDataConfig[5].DataSource.FileSystemDataSource"]


def test_an_algorithm_job_records_the_algorithm_and_its_image() -> None:
    from lineage_recorder.families.algorithms import Algorithm

    arn = job_arn("training", "t8")
    detail = training_detail(
        "t8", inputs=["s3://data-x/"], image=IMAGE, output="s3://m/", model="s3://models-out/model.tar.gz"
    )
    detail["AlgorithmSpecification"] = {"AlgorithmName": "in-house"}
    algorithm = Algorithm.model_validate(
        {
            "AlgorithmName": "in-house",
            "AlgorithmArn": f"{ACCOUNT_ARN}:algorithm/in-house",
            "TrainingSpecification": {
                "TrainingImage": IMAGE,
                "AdditionalS3DataSource": {"S3Uri": "s3://extra/"},
            },
        }
    )
    # When planned with the algorithm's description
    plan = plan_training_job(TrainingJob.model_validate(detail), algorithm)
    # Then the Algorithm (by ARN), its training image and its extra data contributed to the job
    edges = _edges(plan)
    assert (f"{ACCOUNT_ARN}:algorithm/in-house", arn, "ContributedTo") in edges
    assert (IMAGE, arn, "ContributedTo") in edges
    assert ("s3://extra/", arn, "ContributedTo") in edges
    assert ("artifact", "Algorithm", f"{ACCOUNT_ARN}:algorithm/in-house") in _nodes(plan)
    # And a Marketplace algorithm (another account's) is recorded, its unseen image said
    detail["AlgorithmSpecification"] = {
        "AlgorithmName": "arn:aws:sagemaker:us-east-1:865070037744:algorithm/vendor"
    }
    marketplace = plan_training_job(TrainingJob.model_validate(detail), None)
    assert ("arn:aws:sagemaker:us-east-1:865070037744:algorithm/vendor", arn, "ContributedTo") in _edges(
        marketplace
    )
    assert [skip.field for skip in marketplace.skipped] == [
        "AlgorithmSpecification.AlgorithmName.TrainingSpecification.TrainingImage"
    ]
