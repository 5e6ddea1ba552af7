"""Tuning jobs, pipelines, feature groups, labeling jobs and model cards, recorded through the recorder
against the emulator: one node per resource whatever the order of the events, the joins with the jobs
and packages, and replays that write nothing."""

from __future__ import annotations

import json
from typing import Any

from lineage_recorder.events.from_describe import event_detail
from lineage_recorder.recorder import Recorder, RecordOutcome, parse_event
from lineage_recorder_cli.commands.trace import trace
from moto.sagemaker.models import sagemaker_backends
from sagemaker_lineage_emulator.store import store_for

from tests.integration.flows import (
    TUNING_DATA,
    job_events,
    pipeline_event,
    pipeline_run,
    step_event,
    training_event,
    tuning_event,
    tuning_job,
)
from tests.integration.jobs import ROLE, processing_job, training_job
from tests.support.events import ACCOUNT, REGION, envelope
from tests.support.graph import GraphSnapshot, snapshot
from tests.support.recording import recorder_for

ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}"


def _record(recorder: Recorder, event: dict[str, Any]) -> RecordOutcome:
    outcome = recorder.record(parse_event(event))
    assert not outcome.ignored, outcome
    return outcome


def _replayed_writes_nothing(recorder: Recorder, sagemaker: Any, events: list[dict[str, Any]]) -> None:
    """Recording every event again (a redelivery, a replay) creates no entity and no association."""
    before = snapshot(sagemaker)
    for event in events:
        outcome = recorder.record(parse_event({**event, "id": f"replay-{event['id']}"}))
        assert outcome.created == [] and outcome.associations_created == 0, outcome
    assert snapshot(sagemaker) == before


def _no_duplicates(graph: GraphSnapshot) -> None:
    assert graph.duplicate_entities == {} and graph.duplicate_associations == {}


# --- feature groups -----------------------------------------------------------------------------------
def _feature_group(sagemaker: Any, name: str) -> dict[str, Any]:
    sagemaker.create_feature_group(
        FeatureGroupName=name,
        RecordIdentifierFeatureName="customer_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=[
            {"FeatureName": "customer_id", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "Fractional"},
        ],
        OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://feature-store/offline"}},
        RoleArn=ROLE,
    )
    detail = event_detail(sagemaker.describe_feature_group(FeatureGroupName=name))
    detail["FeatureGroupStatus"] = "Created"
    return envelope("SageMaker Feature Group State Change", detail, detail["FeatureGroupArn"])


def _ingesting_job(sagemaker: Any, name: str, group: str) -> dict[str, Any]:
    """A processing job whose output is ingested into the feature group `group`."""
    event = processing_job(sagemaker, name, inputs=["s3://raw/customers/"], outputs=[])
    # moto's CreateProcessingJob keeps only S3 outputs: the feature store output is set on its backend.
    job = sagemaker_backends[ACCOUNT][REGION].processing_jobs[name]
    job.processing_output_config = {
        "Outputs": [{"OutputName": "features", "FeatureStoreOutput": {"FeatureGroupName": group}}]
    }
    event["detail"] = event_detail(sagemaker.describe_processing_job(ProcessingJobName=name))
    return event


def test_a_feature_group_joins_the_job_that_fed_it_and_the_jobs_that_read_its_offline_store(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a feature group with a "_" in its name, a processing job that ingested into it (named with
    # other case), and a training job that reads one partition of its offline store
    group_event = _feature_group(sagemaker, "customer_features")
    store = group_event["detail"]["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    ingest = _ingesting_job(sagemaker, "ingest-customers", "Customer_Features")
    partition = f"{store}/year=2026/month=11/"
    train = training_job(sagemaker, "train-on-features", inputs=[partition], output="s3://models/fs/")
    # When the jobs are recorded before the feature group's own event
    events = [ingest, train, group_event]
    for event in events:
        _record(recorder, event)
    # Then there is one FeatureGroup context: the processing job Produced it, it ContributedTo its offline
    # store and to the training job (beside the partition's DataSet)
    graph = snapshot(sagemaker)
    _no_duplicates(graph)
    group = ("FeatureGroup", f"{ARN}:feature-group/customer_features")
    ingest_node = ("ProcessingJob", f"{ARN}:processing-job/ingest-customers")
    train_node = ("TrainingJob", f"{ARN}:training-job/train-on-features")
    assert {
        (ingest_node, group, "Produced"),
        (group, ("DataSet", store), "ContributedTo"),
        (group, train_node, "ContributedTo"),
        (("DataSet", partition), train_node, "ContributedTo"),
    } <= graph.edges
    assert [node for node in graph.nodes if node[0] == "FeatureGroup"] == [group]
    # And the context carries the group's own description (its event came last)
    (context,) = sagemaker.list_contexts(ContextType="FeatureGroup")["ContextSummaries"]
    properties = sagemaker.describe_context(ContextName=context["ContextName"])["Properties"]
    assert properties["FeatureGroupName"] == "customer_features"
    assert properties["OfflineStoreTable"].startswith("AwsDataCatalog.sagemaker_featurestore.")
    _replayed_writes_nothing(recorder, sagemaker, events)


# --- model cards --------------------------------------------------------------------------------------
def _registered_package(sagemaker: Any) -> str:
    sagemaker.create_model_package_group(ModelPackageGroupName="churn-models")
    return str(
        sagemaker.create_model_package(
            ModelPackageGroupName="churn-models",
            ModelApprovalStatus="PendingManualApproval",
            InferenceSpecification={
                "Containers": [
                    {
                        "Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/serve:1",
                        "ModelDataUrl": "s3://models/churn/model.tar.gz",
                    }
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
        )["ModelPackageArn"]
    )


def _card_event(sagemaker: Any, name: str, version: int | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"ModelCardName": name}
    if version is not None:
        params["ModelCardVersion"] = version
    described = sagemaker.describe_model_card(**params)
    detail = {
        "ModelCardName": name,
        "ModelCardVersion": described["ModelCardVersion"],
        "ModelCardStatus": described["ModelCardStatus"],
        "AccountId": ACCOUNT,
    }
    return envelope("SageMaker Model Card State Change", detail, described["ModelCardArn"])


def test_each_model_card_version_is_kept_and_linked_to_the_package_it_describes(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a registered package, and a card about it, drafted and then approved (two versions)
    package = _registered_package(sagemaker)
    content: dict[str, Any] = {
        "model_overview": {"model_name": "churn"},
        "intended_uses": {"risk_rating": "Low"},
        "model_package_details": {"model_package_arn": package},
    }
    sagemaker.create_model_card(
        ModelCardName="churn-card", Content=json.dumps(content), ModelCardStatus="Draft"
    )
    drafted = _card_event(sagemaker, "churn-card")
    sagemaker.update_model_card(ModelCardName="churn-card", ModelCardStatus="Approved")
    approved = _card_event(sagemaker, "churn-card")
    # When the approval's event is processed before the draft's
    events = [approved, drafted]
    for event in events:
        _record(recorder, event)
    # Then each version is its own ModelCard artifact, with its status, AssociatedWith the package
    graph = snapshot(sagemaker)
    _no_duplicates(graph)
    card = f"{ARN}:model-card/churn-card"
    versions = {node for node in graph.nodes if node[0] == "ModelCard"}
    assert versions == {("ModelCard", f"{card}?version=1"), ("ModelCard", f"{card}?version=2")}
    for version in versions:
        assert (version, ("Model", package), "AssociatedWith") in graph.edges
    statuses = {
        summary["Source"]["SourceUri"]: sagemaker.describe_artifact(ArtifactArn=summary["ArtifactArn"])[
            "Properties"
        ]["ModelCardStatus"]
        for summary in sagemaker.list_artifacts(ArtifactType="ModelCard")["ArtifactSummaries"]
    }
    assert statuses == {f"{card}?version=1": "Draft", f"{card}?version=2": "Approved"}
    _replayed_writes_nothing(recorder, sagemaker, events)


def test_a_card_naming_a_package_sagemaker_does_not_have_links_nothing_and_says_so(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a card whose content names a package that does not exist
    missing = f"{ARN}:model-package/nobody/1"
    content = {"model_package_details": {"model_package_arn": missing}}
    sagemaker.create_model_card(
        ModelCardName="orphan-card", Content=json.dumps(content), ModelCardStatus="Draft"
    )
    # When recorded
    outcome = _record(recorder, _card_event(sagemaker, "orphan-card"))
    # Then the card version is recorded, no package artifact is invented, and the skipped value says why
    graph = snapshot(sagemaker)
    assert ("Model", missing) not in graph.nodes
    assert [(skipped.value, skipped.reason) for skipped in outcome.skipped] == [
        (missing, "SageMaker has no such model package")
    ]


# --- tuning jobs --------------------------------------------------------------------------------------
def test_a_tuning_job_groups_every_training_job_it_launched_whatever_the_order(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a tuning job that launched five training jobs
    jobs = tuning_job(sagemaker, "churn-tune", 5)
    assert len(jobs) == 5
    trainings = [training_event(sagemaker, job) for job in jobs]
    tuning = tuning_event(sagemaker, "churn-tune")
    best = tuning["detail"]["BestTrainingJob"]["TrainingJobArn"]
    # When two training events arrive before the tuning event and three after it
    events = [*trainings[:2], tuning, *trainings[2:]]
    for event in events:
        _record(recorder, event)
    # Then there is one HyperParameterTuningJob context, every training job is AssociatedWith it, each job
    # read the tuning data, and the best training job is named on it
    graph = snapshot(sagemaker)
    _no_duplicates(graph)
    context = ("HyperParameterTuningJob", f"{ARN}:hyper-parameter-tuning-job/churn-tune")
    members = {edge[0] for edge in graph.edges if edge[1] == context and edge[2] == "AssociatedWith"}
    assert members == {("TrainingJob", event["detail"]["TrainingJobArn"]) for event in trainings}
    for member in members:
        assert (("DataSet", TUNING_DATA), member, "ContributedTo") in graph.edges
    (summary,) = sagemaker.list_contexts(ContextType="HyperParameterTuningJob")["ContextSummaries"]
    properties = sagemaker.describe_context(ContextName=summary["ContextName"])["Properties"]
    assert properties["BestTrainingJobArn"] == best
    assert properties["Status"] == "Completed"
    assert properties["TrainingJobsCompleted"] == "5"
    _replayed_writes_nothing(recorder, sagemaker, events)


def test_the_tuning_event_alone_links_the_best_training_job(recorder: Recorder, sagemaker: Any) -> None:
    # Given a tuning job whose training jobs' events have not arrived (a slow queue)
    tuning_job(sagemaker, "lone-tune", 3)
    tuning = tuning_event(sagemaker, "lone-tune")
    # When only the tuning event is recorded
    _record(recorder, tuning)
    # Then its best training job is linked already; when that job's own event comes, nothing is duplicated
    best = tuning["detail"]["BestTrainingJob"]
    context = ("HyperParameterTuningJob", f"{ARN}:hyper-parameter-tuning-job/lone-tune")
    assert (("TrainingJob", best["TrainingJobArn"]), context, "AssociatedWith") in snapshot(sagemaker).edges
    _record(recorder, training_event(sagemaker, best["TrainingJobName"]))
    graph = snapshot(sagemaker)
    _no_duplicates(graph)
    assert (("DataSet", TUNING_DATA), ("TrainingJob", best["TrainingJobArn"]), "ContributedTo") in graph.edges


# Ground Truth's built-in pre- and post-labeling functions (in AWS's account) for text classification.
LABELING_FUNCTIONS = "arn:aws:lambda:us-east-1:432418664414:function"


def _pipeline_graph(recorder: Recorder, sagemaker: Any, events: list[dict[str, Any]]) -> GraphSnapshot:
    for event in events:
        _record(recorder, event)
    graph = snapshot(sagemaker)
    _no_duplicates(graph)
    return graph


def test_a_pipeline_execution_answers_which_run_produced_a_model_in_any_order(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a succeeded prepare-train-register execution, its steps' events, the jobs' and the package's
    # own events, and the execution's event
    execution, steps = pipeline_run(sagemaker)
    assert {step["StepName"] for step in steps} == {"Prepare", "Train", "Register"}
    step_events = [step_event(execution, step) for step in steps]
    jobs_events = job_events(sagemaker, steps)
    execution_event = pipeline_event(
        "SageMaker Model Building Pipeline Execution Status Change",
        execution,
        currentPipelineExecutionStatus="Succeeded",
        previousPipelineExecutionStatus="Executing",
    )
    # When the package and the jobs are recorded first, then the steps (last first), then the execution
    events = [*reversed(jobs_events), *reversed(step_events), execution_event]
    graph = _pipeline_graph(recorder, sagemaker, events)
    # Then the execution is a context AssociatedWith its pipeline's, and each step's resource (the two job
    # nodes, the registered package) is AssociatedWith the execution; the package (GeneratedBy) too
    context = ("PipelineExecution", execution)
    pipeline = ("Pipeline", execution.rsplit("/execution/", 1)[0])
    assert (context, pipeline, "AssociatedWith") in graph.edges
    members = {edge[0] for edge in graph.edges if edge[1] == context}
    package = next(
        step["Metadata"]["RegisterModel"]["Arn"] for step in steps if step["StepName"] == "Register"
    )
    assert {node[0] for node in members} == {"ProcessingJob", "TrainingJob", "Model"}
    assert ("Model", package) in members
    # And the model's lineage reaches the raw data through the steps' own jobs
    assert any(edge[0] == ("DataSet", "s3://raw/churn/") for edge in graph.edges)
    # And the execution's state is on its context
    (summary,) = sagemaker.list_contexts(ContextType="PipelineExecution")["ContextSummaries"]
    assert (
        sagemaker.describe_context(ContextName=summary["ContextName"])["Properties"]["Status"] == "Succeeded"
    )
    _replayed_writes_nothing(recorder, sagemaker, events)


def test_step_events_alone_record_the_whole_execution(recorder: Recorder, sagemaker: Any) -> None:
    # Given an execution whose own event was lost: only its steps' events arrive
    execution, steps = pipeline_run(sagemaker)
    # When they are recorded
    graph = _pipeline_graph(recorder, sagemaker, [step_event(execution, step) for step in steps])
    # Then every step's resource is AssociatedWith the execution, which carries its state
    members = {edge[0][0] for edge in graph.edges if edge[1] == ("PipelineExecution", execution)}
    assert members == {"ProcessingJob", "TrainingJob", "Model"}


def test_a_step_sagemaker_does_not_list_is_not_recorded(recorder: Recorder, sagemaker: Any) -> None:
    # Given a step event naming a step the execution does not have (a forged or mistaken event)
    execution, _ = pipeline_run(sagemaker)
    event = step_event(execution, {"StepName": "Invented", "StepStatus": "Succeeded"})
    # When recorded / Then nothing is written, and the outcome says SageMaker does not list the step
    outcome = recorder.record(parse_event(event))
    assert outcome.unconfirmed and "lists no step 'Invented'" in str(outcome.ignored_reason)
    assert snapshot(sagemaker).nodes == frozenset()


# --- labeling jobs ------------------------------------------------------------------------------------
def test_a_labeling_job_s_output_manifest_is_the_data_a_training_job_reads(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a completed labeling job, and a training job reading its output manifest
    sagemaker.create_labeling_job(
        LabelingJobName="churn-labels",
        LabelAttributeName="churned",
        InputConfig={"DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://labeling/churn/input.manifest"}}},
        OutputConfig={"S3OutputPath": "s3://labeling/churn/output"},
        RoleArn=ROLE,
        LabelCategoryConfigS3Uri="s3://labeling/churn/categories.json",
        HumanTaskConfig={
            "WorkteamArn": f"{ARN}:workteam/private-crowd/churn-team",
            "UiConfig": {"UiTemplateS3Uri": "s3://labeling/churn/template.liquid"},
            "PreHumanTaskLambdaArn": f"{LABELING_FUNCTIONS}:PRE-TextMultiClass",
            "TaskTitle": "Churn",
            "TaskDescription": "Did the customer churn?",
            "NumberOfHumanWorkersPerDataObject": 1,
            "TaskTimeLimitInSeconds": 300,
            "AnnotationConsolidationConfig": {
                "AnnotationConsolidationLambdaArn": f"{LABELING_FUNCTIONS}:ACS-TextMultiClass"
            },
        },
    )
    described = sagemaker.describe_labeling_job(LabelingJobName="churn-labels")
    manifest = described["LabelingJobOutput"]["OutputDatasetS3Uri"]
    train = training_job(sagemaker, "train-on-labels", inputs=[manifest], output="s3://models/labels/")
    # The labeling event carries only the status; the ARN is the envelope's
    labeling = envelope(
        "SageMaker Ground Truth Labeling Job State Change",
        {"LabelingJobStatus": "Completed"},
        described["LabelingJobArn"],
    )
    # When the training job is recorded before the labeling job
    events = [train, labeling]
    for event in events:
        _record(recorder, event)
    # Then the labeling job (an action of its own) read the input manifest and Produced the output manifest,
    # which ContributedTo the training job: one DataSet
    graph = snapshot(sagemaker)
    _no_duplicates(graph)
    node = ("LabelingJob", described["LabelingJobArn"])
    assert {
        (("DataSet", "s3://labeling/churn/input.manifest"), node, "ContributedTo"),
        (node, ("DataSet", manifest), "Produced"),
        (("DataSet", manifest), ("TrainingJob", f"{ARN}:training-job/train-on-labels"), "ContributedTo"),
    } <= graph.edges
    _replayed_writes_nothing(recorder, sagemaker, events)


# --- order --------------------------------------------------------------------------------------------
def _forget_lineage() -> None:
    """Drop every lineage entity and association the recorder wrote, keeping SageMaker's resources (and its
    own trial components), so the same events can be recorded again from nothing."""
    forgotten = sagemaker_backends[ACCOUNT][REGION].__dict__.pop("_lineage_store")
    # SageMaker's own trial components for the jobs stay, with their sources.
    store_for(ACCOUNT, REGION).trial_component_sources.update(forgotten.trial_component_sources)


def _details(sagemaker: Any) -> dict[str, Any]:
    """Per SourceUri: a context's properties (without the recorder's own clock) and an artifact's
    MetadataProperties."""
    found: dict[str, Any] = {}
    for page in sagemaker.get_paginator("list_contexts").paginate():
        for summary in page["ContextSummaries"]:
            properties = sagemaker.describe_context(ContextName=summary["ContextName"]).get("Properties", {})
            found[summary["Source"]["SourceUri"]] = {
                key: value for key, value in properties.items() if key != "SourceLastModified"
            }
    for page in sagemaker.get_paginator("list_artifacts").paginate():
        for summary in page["ArtifactSummaries"]:
            described = sagemaker.describe_artifact(ArtifactArn=summary["ArtifactArn"])
            found[summary["Source"]["SourceUri"]] = described.get("MetadataProperties", {})
    return found


def test_every_order_of_the_new_families_events_gives_the_same_graph(sagemaker: Any) -> None:
    # Given an estate with a tuning job, a pipeline run, a feature group fed and read by jobs, a labeling job
    # and a model card, and every event it sends
    jobs = tuning_job(sagemaker, "order-tune", 3)
    execution, steps = pipeline_run(sagemaker)
    group = _feature_group(sagemaker, "order_features")
    store = group["detail"]["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"]
    package = next(
        step["Metadata"]["RegisterModel"]["Arn"] for step in steps if step["StepName"] == "Register"
    )
    content = {"model_package_details": {"model_package_arn": package}}
    sagemaker.create_model_card(
        ModelCardName="order-card", Content=json.dumps(content), ModelCardStatus="Draft"
    )
    events = [
        *(training_event(sagemaker, job) for job in jobs),
        tuning_event(sagemaker, "order-tune"),
        *job_events(sagemaker, steps),
        *(step_event(execution, step) for step in steps),
        pipeline_event(
            "SageMaker Model Building Pipeline Execution Status Change",
            execution,
            currentPipelineExecutionStatus="Succeeded",
        ),
        _ingesting_job(sagemaker, "order-ingest", "order_features"),
        training_job(sagemaker, "order-read", inputs=[f"{store}/year=2026/"], output="s3://models/order/"),
        group,
        _card_event(sagemaker, "order-card"),
    ]
    # When they are recorded in order, and then, from nothing, in reverse order
    in_order = _pipeline_graph(recorder_for(sagemaker), sagemaker, events)
    details = _details(sagemaker)
    _forget_lineage()
    assert snapshot(sagemaker).edges == frozenset()
    reversed_order = _pipeline_graph(recorder_for(sagemaker), sagemaker, list(reversed(events)))
    # Then the graphs are the same, node for node and edge for edge
    assert reversed_order.nodes == in_order.nodes
    assert reversed_order.edges == in_order.edges
    # And so is what each node says: the contexts' state and every artifact's MetadataProperties (which
    # SageMaker sets only at creation, whichever event created the artifact)
    assert _details(sagemaker) == details
    assert {node[0] for node in in_order.nodes} >= {
        "HyperParameterTuningJob",
        "Pipeline",
        "PipelineExecution",
        "FeatureGroup",
        "ModelCard",
    }


# --- the trace shows the groups -----------------------------------------------------------------------
def test_an_ascendants_trace_says_which_run_and_tuning_job_each_vertex_was_part_of(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a recorded pipeline run, and a recorded tuning job's best training job
    execution, steps = pipeline_run(sagemaker)
    events = [*job_events(sagemaker, steps), *(step_event(execution, step) for step in steps)]
    jobs = tuning_job(sagemaker, "trace-tune", 2)
    events += [*(training_event(sagemaker, job) for job in jobs), tuning_event(sagemaker, "trace-tune")]
    _pipeline_graph(recorder, sagemaker, events)
    package = next(
        step["Metadata"]["RegisterModel"]["Arn"] for step in steps if step["StepName"] == "Register"
    )
    pipeline = execution.rsplit("/execution/", 1)[0]
    # When the package's lineage is traced upstream
    tree = trace(sagemaker, package, direction="ascendants", depth=10, output_format="tree").splitlines()
    # Then the package and each step's job say they were part of the execution, and it of its pipeline
    run_lines = [index for index, line in enumerate(tree) if f"PipelineExecution {execution}" in line]
    assert len(run_lines) >= 3, "\n".join(tree)  # the package, the training job, the processing job
    for index in run_lines:
        assert tree[index].strip().startswith("in [AssociatedWith]")
        assert f"Pipeline {pipeline}" in tree[index + 1]
    # And the JSON carries those edges too
    graph = json.loads(trace(sagemaker, package, direction="ascendants", depth=10, output_format="json"))
    (run,) = [vertex["Arn"] for vertex in graph["Vertices"] if vertex["Type"] == "PipelineExecution"]
    (whole,) = [vertex["Arn"] for vertex in graph["Vertices"] if vertex["Type"] == "Pipeline"]
    assert {"SourceArn": run, "DestinationArn": whole, "AssociationType": "AssociatedWith"} in graph["Edges"]
    # And a tuned model's trace names its tuning job
    model = training_event(sagemaker, jobs[0])["detail"]["ModelArtifacts"]["S3ModelArtifacts"]
    tuned = trace(sagemaker, model, direction="ascendants", depth=10, output_format="tree")
    assert f"in [AssociatedWith] HyperParameterTuningJob {ARN}:hyper-parameter-tuning-job/trace-tune" in tuned


def test_a_tuning_job_of_hundreds_of_training_jobs_costs_its_event_the_same(
    recorder: Recorder, sagemaker: Any
) -> None:
    # Given a tuning job that launched 200 training jobs, none of whose events has been processed
    jobs = tuning_job(sagemaker, "wide-tune", 200)
    assert len(jobs) == 200
    # When its own event is recorded
    outcome = _record(recorder, tuning_event(sagemaker, "wide-tune"))
    # Then it writes what a tuning job of three would: its context and its best job, linked (each of the
    # other 199 links itself from its own event), so it fits any Lambda time budget
    # (the best job's node is SageMaker's own trial component when it has one: reused, not created)
    assert len(outcome.created) + len(outcome.reused) == 2, outcome
    assert outcome.associations_created == 1, outcome
