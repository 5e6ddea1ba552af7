"""Planners of the tuning, pipeline, feature-group, labeling and model-card families, and the joins
between them and the job families (docs/architecture.md, "SageMaker's conventions")."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lineage_recorder.families.feature_group import FeatureGroup, plan_feature_group
from lineage_recorder.families.feature_store import offline_store_feature_group
from lineage_recorder.families.labeling import LabelingJob, plan_labeling_job
from lineage_recorder.families.model_card import ModelCardVersion, plan_model_card
from lineage_recorder.families.model_package import ModelPackage, plan_model_package
from lineage_recorder.families.pipeline import PipelineExecution, PipelineStep, plan_pipeline_execution
from lineage_recorder.families.processing import ProcessingJob, plan_processing_job
from lineage_recorder.families.training import TrainingJob, plan_training_job
from lineage_recorder.families.tuning import TuningJob, plan_tuning_job
from lineage_recorder.plan import EntityKey, EntityKind, Plan

from tests.support.family_samples import SAMPLES

ACCOUNT = "arn:aws:sagemaker:us-east-1:123456789012"
TUNING = f"{ACCOUNT}:hyper-parameter-tuning-job/churn-tune"
EXECUTION = f"{ACCOUNT}:pipeline/churn-pipeline/execution/p4jn9xou8a8s"


def _sample_response(family: str, operation: str) -> dict[str, Any]:
    document = json.loads((SAMPLES / f"{family}.json").read_text())
    (response,) = document["describe"][operation].values()
    return dict(response)


def _edges(plan: Plan) -> set[tuple[str, str, str]]:
    return {(str(edge.source), str(edge.destination), edge.association_type) for edge in plan.edges}


def _training(name: str, **more: Any) -> TrainingJob:
    return TrainingJob.model_validate(
        {
            "TrainingJobArn": f"{ACCOUNT}:training-job/{name}",
            "TrainingJobStatus": "Completed",
            "AlgorithmSpecification": {"TrainingImage": "123456789012.dkr.ecr.us-east-1.amazonaws.com/t:1"},
            **more,
        }
    )


def test_a_tuning_job_is_a_context_its_best_training_job_and_warm_start_parents_link_to() -> None:
    # Given a completed tuning job, warm-started from another, with a best training job
    job = TuningJob.model_validate(_sample_response("tuning", "DescribeHyperParameterTuningJob"))
    # When planned
    plan = plan_tuning_job(job)
    # Then the tuning job is a HyperParameterTuningJob context keyed by its ARN, with its state
    context = plan.entity(EntityKey(EntityKind.CONTEXT, TUNING))
    assert context.entity_type == "HyperParameterTuningJob" and context.reconcile
    properties = dict(context.properties)
    assert properties["Status"] == "Completed"
    assert properties["BestTrainingJobName"] == "churn-tune-002-5a1b2c3d"
    assert properties["ObjectiveMetricName"] == "validation:auc"
    assert properties["BestObjectiveMetricValue"] == "0.91"
    assert properties["TrainingJobsCompleted"] == "3"
    # And the best training job (a reference: its own family owns it) is AssociatedWith it, and the parent
    # tuning job DerivedFrom-links to it
    best = f"{ACCOUNT}:training-job/churn-tune-002-5a1b2c3d"
    parent = f"{ACCOUNT}:hyper-parameter-tuning-job/churn-tune-first"
    assert _edges(plan) == {
        (f"action:{best}", f"context:{TUNING}", "AssociatedWith"),
        (f"context:{parent}", f"context:{TUNING}", "DerivedFrom"),
    }
    assert plan.entity(EntityKey(EntityKind.ACTION, best)).reference
    assert plan.entity(EntityKey(EntityKind.CONTEXT, parent)).reference


def test_a_training_job_a_tuning_job_launched_links_itself_to_the_same_context() -> None:
    # Given a training job DescribeTrainingJob says a tuning job launched
    plan = plan_training_job(_training("churn-tune-001-1a2b3c4d", TuningJobArn=TUNING))
    # When planned / Then it is AssociatedWith the tuning job's context, planned as a reference with the
    # same key, type and name as the tuning family's own plan (one node, whichever comes first)
    job = f"{ACCOUNT}:training-job/churn-tune-001-1a2b3c4d"
    assert (f"action:{job}", f"context:{TUNING}", "AssociatedWith") in _edges(plan)
    referenced = plan.entity(EntityKey(EntityKind.CONTEXT, TUNING))
    owned = plan_tuning_job(
        TuningJob.model_validate(_sample_response("tuning", "DescribeHyperParameterTuningJob"))
    ).entity(EntityKey(EntityKind.CONTEXT, TUNING))
    assert referenced.reference and not owned.reference
    assert (referenced.entity_type, referenced.name) == (owned.entity_type, owned.name)


def test_a_training_job_with_a_malformed_tuning_job_arn_says_so() -> None:
    plan = plan_training_job(_training("t1", TuningJobArn="arn:aws:sagemaker:us-east-1:123456789012:model/x"))
    assert [(skipped.field, skipped.reason) for skipped in plan.skipped] == [
        ("TuningJobArn", "not the ARN of a hyper-parameter-tuning-job")
    ]
    assert not any(entity.key.kind is EntityKind.CONTEXT for entity in plan.entities)


def test_a_pipeline_execution_groups_every_step_s_resource_under_its_pipeline() -> None:
    # Given a succeeded execution whose steps trained, tuned, evaluated, checked quality and registered
    execution = PipelineExecution.model_validate(
        _sample_response("pipeline-execution", "DescribePipelineExecution")
    )
    steps = [
        PipelineStep.model_validate(step)
        for step in _sample_response("pipeline-execution", "ListPipelineExecutionSteps")[
            "PipelineExecutionSteps"
        ]
    ]
    registered = ModelPackage.model_validate(_sample_response("pipeline-execution", "DescribeModelPackage"))
    # When planned, with the registered package as SageMaker describes it
    plan = plan_pipeline_execution(execution, steps, {registered.ModelPackageArn: registered})
    # Then the execution is a PipelineExecution context AssociatedWith its Pipeline context, and every
    # step's resource is AssociatedWith the execution: jobs by their nodes, the package by its artifact
    pipeline = f"{ACCOUNT}:pipeline/churn-pipeline"
    package = f"{ACCOUNT}:model-package/churn-models/3"
    train = f"{ACCOUNT}:training-job/pipelines-p4jn9xou8a8s-train-a1b2c3d4e5"
    evaluate = f"{ACCOUNT}:processing-job/pipelines-p4jn9xou8a8s-evaluate-k2l3m4n5o6"
    check = f"{ACCOUNT}:processing-job/pipelines-p4jn9xou8a8s-checkquality-q1w2e3r4t5"
    assert _edges(plan) == {
        (f"context:{EXECUTION}", f"context:{pipeline}", "AssociatedWith"),
        (f"artifact:{package}", f"context:{EXECUTION}", "AssociatedWith"),
        (f"action:{evaluate}", f"context:{EXECUTION}", "AssociatedWith"),
        (f"context:{TUNING}", f"context:{EXECUTION}", "AssociatedWith"),
        (f"action:{train}", f"context:{EXECUTION}", "AssociatedWith"),
        (f"action:{check}", f"context:{EXECUTION}", "AssociatedWith"),
    }
    context = plan.entity(EntityKey(EntityKind.CONTEXT, EXECUTION))
    assert context.entity_type == "PipelineExecution"
    assert dict(context.properties)["Status"] == "Succeeded"
    assert plan.entity(EntityKey(EntityKind.CONTEXT, pipeline)).entity_type == "Pipeline"
    # And the condition step (no resource) is neither linked nor said to be unknown
    assert plan.skipped == ()
    # And the package is planned whole (a reference with its MetadataProperties): whichever event creates
    # its artifact, SageMaker's only chance to set them is not lost
    planned = plan.entity(EntityKey(EntityKind.ARTIFACT, registered.ModelPackageArn))
    assert planned.reference and dict(planned.metadata)["GeneratedBy"] == EXECUTION


def test_a_registered_package_sagemaker_cannot_describe_is_said_not_invented() -> None:
    execution = PipelineExecution.model_validate({"PipelineExecutionArn": EXECUTION})
    gone = f"{ACCOUNT}:model-package/churn-models/9"
    step = PipelineStep.model_validate({"StepName": "Register", "Metadata": {"RegisterModel": {"Arn": gone}}})
    plan = plan_pipeline_execution(execution, [step], {})
    assert EntityKey(EntityKind.ARTIFACT, gone) not in {entity.key for entity in plan.entities}
    assert [skipped.value for skipped in plan.skipped] == [gone]


def test_a_step_of_a_kind_the_recorder_does_not_know_is_said() -> None:
    execution = PipelineExecution.model_validate({"PipelineExecutionArn": EXECUTION})
    step = PipelineStep.model_validate({"StepName": "New", "Metadata": {"QuantumJob": {"Arn": "arn:aws:x"}}})
    plan = plan_pipeline_execution(execution, [step])
    assert [(skipped.field, skipped.reason) for skipped in plan.skipped] == [
        ("PipelineExecutionSteps[0].Metadata.QuantumJob", "a step the recorder does not know yet")
    ]


def test_a_package_a_pipeline_generated_joins_the_execution_context() -> None:
    # Given a model package version whose GeneratedBy is a pipeline execution
    package = ModelPackage.model_validate(
        {
            "ModelPackageArn": f"{ACCOUNT}:model-package/churn-models/3",
            "ModelPackageGroupName": "churn-models",
            "ModelPackageVersion": 3,
            "MetadataProperties": {"GeneratedBy": EXECUTION},
        }
    )
    # When planned, SageMaker having confirmed the execution / Then the package artifact is AssociatedWith
    # the execution's context (a reference, named as the pipeline families name it)
    plan = plan_model_package(package, execution_confirmed=True)
    assert (f"artifact:{package.ModelPackageArn}", f"context:{EXECUTION}", "AssociatedWith") in _edges(plan)
    referenced = plan.entity(EntityKey(EntityKind.CONTEXT, EXECUTION))
    execution = PipelineExecution.model_validate({"PipelineExecutionArn": EXECUTION})
    owned = plan_pipeline_execution(execution, []).entity(EntityKey(EntityKind.CONTEXT, EXECUTION))
    assert referenced.reference and (referenced.entity_type, referenced.name) == (
        owned.entity_type,
        owned.name,
    )


def test_a_generated_by_sagemaker_does_not_confirm_invents_no_execution() -> None:
    # Given a package whose GeneratedBy names an execution SageMaker does not have (any text may be there)
    package = ModelPackage.model_validate(
        {
            "ModelPackageArn": f"{ACCOUNT}:model-package/churn-models/3",
            "ModelPackageGroupName": "churn-models",
            "MetadataProperties": {"GeneratedBy": EXECUTION},
        }
    )
    # When planned unconfirmed / Then no execution context is planned, and the value is said
    plan = plan_model_package(package, execution_confirmed=False)
    assert EntityKey(EntityKind.CONTEXT, EXECUTION) not in {entity.key for entity in plan.entities}
    assert [(skipped.field, skipped.value) for skipped in plan.skipped] == [
        ("MetadataProperties.GeneratedBy", EXECUTION)
    ]


def test_a_feature_group_contributes_to_its_offline_store() -> None:
    group = FeatureGroup.model_validate(_sample_response("feature-group", "DescribeFeatureGroup"))
    plan = plan_feature_group(group)
    key = f"{ACCOUNT}:feature-group/customer_features"
    store = "s3://feature-store/offline/123456789012/sagemaker/us-east-1/offline-store/customer_features-1763715600/data"
    assert _edges(plan) == {(f"context:{key}", f"artifact:{store}", "ContributedTo")}
    context = plan.entity(EntityKey(EntityKind.CONTEXT, key))
    assert context.entity_type == "FeatureGroup"
    assert dict(context.properties)["OfflineStoreTable"] == (
        "AwsDataCatalog.sagemaker_featurestore.customer_features_1763715600"
    )
    # A valid entity name although the group's name has "_"
    assert context.name is not None and "_" not in context.name


def test_processing_into_a_feature_group_and_training_from_its_offline_store_join_one_context() -> None:
    # Given a processing job that ingested into "Customer_Features" and a training job that reads a
    # partition of that group's offline store
    processing = ProcessingJob.model_validate(
        {
            "ProcessingJobArn": f"{ACCOUNT}:processing-job/ingest",
            "ProcessingJobStatus": "Completed",
            "ProcessingOutputConfig": {
                "Outputs": [
                    {"OutputName": "fs", "FeatureStoreOutput": {"FeatureGroupName": "Customer_Features"}}
                ]
            },
        }
    )
    partition = (
        "s3://feature-store/offline/123456789012/sagemaker/us-east-1/offline-store/"
        "customer_features-1763715600/data/year=2026/"
    )
    training = _training(
        "t-fs",
        InputDataConfig=[{"ChannelName": "train", "DataSource": {"S3DataSource": {"S3Uri": partition}}}],
    )
    # When both are planned, SageMaker describing the group's offline store as the one the partition is in
    store = partition.removesuffix("/year=2026/")
    written = plan_processing_job(processing)
    read = plan_training_job(training, offline_stores={f"{ACCOUNT}:feature-group/customer_features": store})
    # Then both name the same FeatureGroup context (the ARN with the name in lower case): the processing job
    # Produced it, and it ContributedTo the training job beside the partition's DataSet
    key = f"context:{ACCOUNT}:feature-group/customer_features"
    assert (f"action:{ACCOUNT}:processing-job/ingest", key, "Produced") in _edges(written)
    assert (key, f"action:{ACCOUNT}:training-job/t-fs", "ContributedTo") in _edges(read)
    assert (f"artifact:{partition}", f"action:{ACCOUNT}:training-job/t-fs", "ContributedTo") in _edges(read)


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        ("s3://b/p/123456789012/sagemaker/us-east-1/offline-store/fg-1-1763715600/data", "fg-1"),
        ("s3://b/123456789012/sagemaker/us-east-1/offline-store/My_FG-1763715600", "my_fg"),
        ("s3://b/p/123456789012/sagemaker/us-east-1/not-offline/fg-1763715600/data", None),
        ("s3://b/p/fg-1763715600/data", None),
    ],
)
def test_offline_store_uris_name_their_feature_group(uri: str, expected: str | None) -> None:
    arn, why_not = offline_store_feature_group(uri, like=f"{ACCOUNT}:training-job/t")
    assert why_not is None
    assert arn == (None if expected is None else f"{ACCOUNT}:feature-group/{expected}")


def test_another_account_s_offline_store_is_said_not_linked() -> None:
    uri = "s3://b/p/210987654321/sagemaker/us-east-1/offline-store/fg-1763715600/data"
    arn, why_not = offline_store_feature_group(uri, like=f"{ACCOUNT}:training-job/t")
    assert arn is None and why_not is not None and "210987654321" in why_not


def test_a_labeling_job_reads_its_manifest_and_produces_the_one_training_reads() -> None:
    # Given a completed labeling job, and a training job that reads its output manifest
    job = LabelingJob.model_validate(_sample_response("labeling", "DescribeLabelingJob"))
    output = "s3://labeling/churn/output/churn-labels/manifests/output/output.manifest"
    labeled = plan_labeling_job(job)
    trained = plan_training_job(
        _training("t-labels", InputDataConfig=[{"DataSource": {"S3DataSource": {"S3Uri": output}}}])
    )
    # Then the input manifest, category config, template and labeling functions ContributedTo the
    # labeling action, which Produced the output manifest: the one DataSet the training job reads
    node = f"action:{ACCOUNT}:labeling-job/churn-labels"
    assert {
        ("artifact:s3://labeling/churn/input.manifest", node, "ContributedTo"),
        ("artifact:s3://labeling/churn/categories.json", node, "ContributedTo"),
        ("artifact:s3://labeling/churn/template.liquid", node, "ContributedTo"),
        (
            "artifact:arn:aws:lambda:us-east-1:432418664414:function:PRE-TextMultiClass",
            node,
            "ContributedTo",
        ),
        (node, f"artifact:{output}", "Produced"),
    } <= _edges(labeled)
    assert (f"artifact:{output}", f"action:{ACCOUNT}:training-job/t-labels", "ContributedTo") in _edges(
        trained
    )
    action = labeled.entity(EntityKey(EntityKind.ACTION, f"{ACCOUNT}:labeling-job/churn-labels"))
    # And it is an action of its own (SageMaker makes no trial component for labeling), saying who labeled
    assert action.entity_type == "LabelingJob" and action.trial_component_name is None
    assert dict(action.properties)["WorkteamArn"] == f"{ACCOUNT}:workteam/private-crowd/churn-team"


def test_each_model_card_version_is_an_artifact_associated_with_its_package() -> None:
    card = ModelCardVersion.model_validate(_sample_response("model-card", "DescribeModelCard"))
    package = ModelPackage.model_validate(_sample_response("model-card", "DescribeModelPackage"))
    plan = plan_model_card(card, package=package, model=None)
    version = f"{ACCOUNT}:model-card/churn-card?version=2"
    package = f"{ACCOUNT}:model-package/churn-models/3"
    assert _edges(plan) == {(f"artifact:{version}", f"artifact:{package}", "AssociatedWith")}
    properties = dict(plan.entity(EntityKey(EntityKind.ARTIFACT, version)).properties)
    assert properties["ModelCardStatus"] == "Approved"
    assert properties["LastModifiedBy"] == f"{ACCOUNT}:user-profile/d-abc/risk-officer"
    assert properties["RiskRating"] == "Medium"


def test_what_a_card_names_but_cannot_be_linked_is_said() -> None:
    card = ModelCardVersion.model_validate(_sample_response("model-card", "DescribeModelCard"))
    why = ("Content.model_package_details.model_package_arn", "arn:x", "SageMaker has no such model package")
    plan = plan_model_card(card, package=None, model=None, unlinked=(why,))
    assert plan.edges == ()
    assert [(skipped.field, skipped.value, skipped.reason) for skipped in plan.skipped] == [why]


@pytest.mark.parametrize("content", ["not json", "[1, 2]", "[" * 5000, ""])
def test_a_card_whose_content_is_not_a_document_is_still_recorded(content: str) -> None:
    card = ModelCardVersion.model_validate(
        {**_sample_response("model-card", "DescribeModelCard"), "Content": content}
    )
    plan = plan_model_card(card, package=None, model=None)
    assert [entity.entity_type for entity in plan.entities] == ["ModelCard"]


def test_steps_without_a_resource_are_quiet_and_an_athena_step_s_results_belong_to_the_run() -> None:
    # Given an execution with a ForEach, a Cleanup and an Athena step
    execution = PipelineExecution.model_validate({"PipelineExecutionArn": EXECUTION})
    steps = [
        PipelineStep.model_validate({"StepName": "Each", "Metadata": {"ForEach": {"Status": "Succeeded"}}}),
        PipelineStep.model_validate({"StepName": "Tidy", "Metadata": {"Cleanup": {"CleanedSteps": []}}}),
        PipelineStep.model_validate(
            {
                "StepName": "Query",
                "Metadata": {
                    "Athena": {"QueryExecutionId": "q-1", "S3OutputLocation": "s3://athena/results/q-1/"}
                },
            }
        ),
    ]
    # When planned
    plan = plan_pipeline_execution(execution, steps, {})
    # Then nothing is said to be unknown, and the query's results are AssociatedWith the run
    assert plan.skipped == ()
    assert ("artifact:s3://athena/results/q-1/", f"context:{EXECUTION}", "AssociatedWith") in _edges(plan)


def test_data_laid_out_as_an_offline_store_sagemaker_does_not_confirm_is_said_not_linked() -> None:
    # Given a training job reading a path laid out as the offline store of "customer_features" created at
    # another time than the group SageMaker has now (deleted and created again), or of a group it lacks
    old = (
        "s3://feature-store/offline/123456789012/sagemaker/us-east-1/offline-store/"
        "customer_features-1700000000/data/"
    )
    current = (
        "s3://feature-store/offline/123456789012/sagemaker/us-east-1/offline-store/"
        "customer_features-1763715600/data"
    )
    training = _training(
        "t-old", InputDataConfig=[{"ChannelName": "old", "DataSource": {"S3DataSource": {"S3Uri": old}}}]
    )
    for stores in ({f"{ACCOUNT}:feature-group/customer_features": current}, {}):
        # When planned / Then no feature group is linked, and the path is said with why
        plan = plan_training_job(training, offline_stores=stores)
        assert not any(entity.entity_type == "FeatureGroup" for entity in plan.entities)
        assert [skipped.value for skipped in plan.skipped] == [old]
        # (the data itself is still recorded as what the job read)
        assert (f"artifact:{old}", f"action:{ACCOUNT}:training-job/t-old", "ContributedTo") in _edges(plan)
