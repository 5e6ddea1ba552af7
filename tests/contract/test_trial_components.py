"""The trial components SageMaker creates for jobs, and how lineage sees them.

Against real SageMaker these tests never start a job: they read the jobs named by
LINEAGE_TEST_TRAINING_JOB_NAME / _PROCESSING_ / _TRANSFORM_ and skip when those are unset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

JOB_KINDS = {
    # kind: (trial component name suffix, SageMaker source type)
    "training": ("-aws-training-job", "SageMakerTrainingJob"),
    "processing": ("-aws-processing-job", "SageMakerProcessingJob"),
    "transform": ("-aws-transform-job", "SageMakerTransformJob"),
}


@pytest.mark.parametrize("kind", list(JOB_KINDS))
def test_a_job_has_a_trial_component_named_after_it(jobs, sagemaker, kind):
    """Lineage Tracking Entities: "SageMaker automatically creates tracking entities for trial components
    ... when you create SageMaker jobs such as processing jobs, training jobs, and batch transform
    jobs"; the component is named ``<job>-aws-<kind>-job`` and API_DescribeTrialComponent's Source gives
    "The Amazon Resource Name (ARN) of the source and, optionally, the job type"."""
    suffix, source_type = JOB_KINDS[kind]
    # Given
    name = jobs.create(kind)
    job_arn = jobs.arn(kind, name)

    # When
    component = sagemaker.describe_trial_component(TrialComponentName=f"{name}{suffix}")

    # Then
    assert component["TrialComponentName"].lower() == f"{name}{suffix}".lower()
    assert component["Source"] == {"SourceArn": job_arn, "SourceType": source_type}


def test_list_trial_components_honours_source_arn(jobs, sagemaker):
    """API_ListTrialComponents SourceArn: "A filter that returns only components that have the specified
    source Amazon Resource Name (ARN)"."""
    # Given: a training job (and, in the emulator, other components that must not be listed)
    name = jobs.create("training")
    job_arn = jobs.arn("training", name)
    if jobs.backend.is_emulator:
        sagemaker.create_trial_component(TrialComponentName=f"ct-{jobs.uid}-unrelated")

    # When
    summaries = sagemaker.list_trial_components(SourceArn=job_arn)["TrialComponentSummaries"]

    # Then
    assert [summary["TrialComponentSource"]["SourceArn"] for summary in summaries] == [job_arn]
    assert summaries[0]["TrialComponentName"].lower() == f"{name}-aws-training-job".lower()


def test_list_trial_components_honours_experiment_name(lineage, sagemaker, backend):
    """API_ListTrialComponents ExperimentName: "A filter that returns only components that are part of the
    specified experiment"."""
    # Given: a component in a trial of the experiment, and one outside it
    experiment, trial = lineage.name("exp"), lineage.name("trial")
    inside, outside = lineage.name("in"), lineage.name("out")
    sagemaker.create_experiment(ExperimentName=experiment)
    sagemaker.create_trial(TrialName=trial, ExperimentName=experiment)
    for component in (inside, outside):
        sagemaker.create_trial_component(TrialComponentName=component)
    sagemaker.associate_trial_component(TrialName=trial, TrialComponentName=inside)

    try:
        # When
        summaries = sagemaker.list_trial_components(ExperimentName=experiment)["TrialComponentSummaries"]

        # Then
        assert [summary["TrialComponentName"] for summary in summaries] == [inside]
    finally:
        if not backend.is_emulator:
            sagemaker.disassociate_trial_component(TrialName=trial, TrialComponentName=inside)
            for component in (inside, outside):
                sagemaker.delete_trial_component(TrialComponentName=component)
            sagemaker.delete_trial(TrialName=trial)
            sagemaker.delete_experiment(ExperimentName=experiment)


def test_describe_missing_trial_component_is_resource_not_found(sagemaker, raises_aws, lineage):
    """API_DescribeTrialComponent errors: ResourceNotFound."""
    # Given / When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_trial_component(TrialComponentName=lineage.name("no-such-component"))


def test_association_to_a_job_trial_component_shows_the_job_source_type(jobs, lineage, sagemaker):
    """API_ListAssociations AssociationSummary SourceType/DestinationType: for a job's trial component it
    is the component's source type (e.g. SageMakerTrainingJob), and the SourceType filter selects by it."""
    # Given: a dataset contributing to a training job's trial component
    name = jobs.create("training")
    component_arn = sagemaker.describe_trial_component(TrialComponentName=f"{name}-aws-training-job")[
        "TrialComponentArn"
    ]
    dataset = lineage.artifact("DataSet")
    model = lineage.artifact("Model")
    lineage.associate(dataset, component_arn)
    lineage.associate(component_arn, model, "Produced")

    # When
    (into,) = sagemaker.list_associations(SourceArn=dataset)["AssociationSummaries"]
    from_jobs = sagemaker.list_associations(DestinationArn=model, SourceType="SageMakerTrainingJob")

    # Then
    assert into["DestinationArn"] == component_arn
    assert into["DestinationType"] == "SageMakerTrainingJob"
    assert into["DestinationName"].lower() == f"{name}-aws-training-job".lower()
    assert [s["SourceArn"] for s in from_jobs["AssociationSummaries"]] == [component_arn]


def test_a_training_job_trial_component_is_a_training_job_vertex(jobs, lineage, sagemaker):
    """SageMaker Developer Guide, Model Dashboard "Introduction to entities": "TrainingJob: A type of trial
    component"; API_QueryLineage Vertex Type "TrainingJob" with LineageType "TrialComponent"."""
    # Given
    name = jobs.create("training")
    component_arn = sagemaker.describe_trial_component(TrialComponentName=f"{name}-aws-training-job")[
        "TrialComponentArn"
    ]
    dataset = lineage.artifact("DataSet")
    lineage.associate(dataset, component_arn)

    # When
    answer = sagemaker.query_lineage(
        StartArns=[dataset], Direction="Descendants", Filters={"Types": ["TrainingJob"]}
    )

    # Then
    assert {(v["Arn"], v["Type"], v["LineageType"]) for v in answer["Vertices"]} >= {
        (component_arn, "TrainingJob", "TrialComponent")
    }


def test_list_trial_components_filters_by_creation_time(jobs, sagemaker):
    """API_ListTrialComponents CreatedAfter "A filter that returns only components created after the
    specified time", CreatedBefore "... created before the specified time"."""
    # Given: a training job's component and its creation time
    name = jobs.create("training")
    job_arn = jobs.arn("training", name)
    created = sagemaker.describe_trial_component(TrialComponentName=f"{name}-aws-training-job")[
        "CreationTime"
    ]
    a_minute = timedelta(minutes=1)

    # When
    after_earlier = sagemaker.list_trial_components(SourceArn=job_arn, CreatedAfter=created - a_minute)
    after_later = sagemaker.list_trial_components(SourceArn=job_arn, CreatedAfter=created + a_minute)
    before_later = sagemaker.list_trial_components(SourceArn=job_arn, CreatedBefore=created + a_minute)
    before_earlier = sagemaker.list_trial_components(SourceArn=job_arn, CreatedBefore=created - a_minute)

    # Then
    assert len(after_earlier["TrialComponentSummaries"]) == 1
    assert after_later["TrialComponentSummaries"] == []
    assert len(before_later["TrialComponentSummaries"]) == 1
    assert before_earlier["TrialComponentSummaries"] == []


def test_query_lineage_date_filters_apply_to_trial_components(jobs, lineage, sagemaker):
    """API_QueryLineage / QueryFilters CreatedBefore, CreatedAfter, ModifiedBefore, ModifiedAfter filter
    every kind of lineage entity, trial components included."""
    # Given: a dataset contributing to a training job's trial component
    name = jobs.create("training")
    component = sagemaker.describe_trial_component(TrialComponentName=f"{name}-aws-training-job")
    dataset = lineage.artifact("DataSet")
    lineage.associate(dataset, component["TrialComponentArn"])
    a_minute = timedelta(minutes=1)

    # When
    kept = sagemaker.query_lineage(
        StartArns=[dataset],
        Direction="Descendants",
        Filters={
            "CreatedAfter": component["CreationTime"] - a_minute,
            "ModifiedBefore": datetime.now(UTC) + a_minute,
        },
    )
    dropped = sagemaker.query_lineage(
        StartArns=[dataset],
        Direction="Descendants",
        Filters={"CreatedBefore": component["CreationTime"] - a_minute},
    )

    # Then: the component passes or fails the date filters as the dataset (the start, created after it) does
    assert {vertex["Arn"] for vertex in kept["Vertices"]} == {component["TrialComponentArn"], dataset}
    assert dropped["Vertices"] == []


@pytest.mark.emulator_only("switches the emulator's SageMaker-like trial components off")
def test_trial_components_can_be_switched_off(emulator, jobs, sagemaker, raises_aws):
    """Emulator switch ``configure(create_job_trial_components=False)``: jobs then get no trial component,
    like accounts where SageMaker did not create one (docs/architecture.md, "SageMaker's conventions")."""
    # Given
    emulator.configure(create_job_trial_components=False)

    # When
    name = jobs.create("training")

    # Then
    assert (
        sagemaker.list_trial_components(SourceArn=jobs.arn("training", name))["TrialComponentSummaries"] == []
    )
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_trial_component(TrialComponentName=f"{name}-aws-training-job")


def test_trial_components_list_oldest_first_with_their_source_job(jobs, sagemaker):
    """API_ListTrialComponents SortBy "The property used to sort results. The default value is
    CreationTime", SortOrder Ascending; API_TrialComponentSummary TrialComponentSource "The Amazon
    Resource Name (ARN) and job type of the source of a trial component". The lineage index reads
    SageMaker's job nodes this way, without a SourceArn filter."""
    # Given: two jobs and when their components were created
    names = {kind: jobs.create(kind) for kind in ("training", "processing")}
    created = {
        kind: sagemaker.describe_trial_component(TrialComponentName=f"{name}{JOB_KINDS[kind][0]}")[
            "CreationTime"
        ]
        for kind, name in names.items()
    }

    # When: every component created since the older one is listed, oldest first
    summaries = [
        summary
        for page in sagemaker.get_paginator("list_trial_components").paginate(
            CreatedAfter=min(created.values()) - timedelta(seconds=1),
            SortBy="CreationTime",
            SortOrder="Ascending",
        )
        for summary in page["TrialComponentSummaries"]
    ]

    # Then: both jobs' components are there, each naming its job, in creation order
    sources = {summary.get("TrialComponentSource", {}).get("SourceArn") for summary in summaries}
    assert {jobs.arn(kind, name) for kind, name in names.items()} <= sources
    times = [summary["CreationTime"] for summary in summaries]
    assert times == sorted(times)


@pytest.mark.emulator_only("tags a training job; the real-AWS run only reads the jobs it is given")
def test_the_sdk_finds_a_models_pipeline_execution_through_the_training_job_tags(jobs, lineage, sagemaker):
    """SageMaker Python SDK lineage/artifact.py ``ModelArtifact.pipeline_execution_arn``: QueryLineage
    (Ascendants, Filters {LineageTypes: [TrialComponent], Types: [TrainingJob]}, IncludeEdges False) from
    the model, DescribeTrialComponent(TrialComponentName=<the vertex ARN's resource name>)["Source"]
    ["SourceArn"], then ListTags(ResourceArn=<that job>) and the tag ``sagemaker:pipeline-execution-arn``
    (API_ListTags: "Returns the tags for the specified SageMaker resource")."""
    # Given: a training job tagged by its pipeline, whose trial component produced a model
    name = jobs.create("training")
    job_arn = jobs.arn("training", name)
    execution = "arn:aws:sagemaker:us-east-1:123456789012:pipeline/p/execution/e1"
    sagemaker.add_tags(
        ResourceArn=job_arn, Tags=[{"Key": "sagemaker:pipeline-execution-arn", "Value": execution}]
    )
    component_arn = sagemaker.describe_trial_component(TrialComponentName=f"{name}-aws-training-job")[
        "TrialComponentArn"
    ]
    model = lineage.artifact("Model")
    lineage.associate(component_arn, model, "Produced")

    # When: the SDK's calls
    vertices = sagemaker.query_lineage(
        StartArns=[model],
        Direction="Ascendants",
        IncludeEdges=False,
        Filters={"Types": ["TrainingJob"], "LineageTypes": ["TrialComponent"]},
        MaxDepth=10,
    )["Vertices"]
    sources = [
        sagemaker.describe_trial_component(
            TrialComponentName=vertex["Arn"].split(":", 5)[5].split("/", 1)[1]
        )["Source"]["SourceArn"]
        for vertex in vertices
    ]
    tags = [tag for source in sources for tag in sagemaker.list_tags(ResourceArn=source)["Tags"]]

    # Then
    assert [vertex["Arn"] for vertex in vertices] == [component_arn]
    assert sources == [job_arn]
    assert {"Key": "sagemaker:pipeline-execution-arn", "Value": execution} in tags


def test_list_tags_of_a_job_that_does_not_exist_is_a_validation_exception(
    backend, account, sagemaker, raises_aws
):
    """API_ListTags documents no error of its own, only the common ones; SageMaker answers ListTags and
    AddTags on a resource that no longer exists with ValidationException (aws/amazon-sagemaker-feedback#108).
    moto alone fails with an AttributeError (an HTML 500)."""
    # Given
    missing = f"arn:aws:sagemaker:{backend.region}:{account}:training-job/ct-no-such-job-{'0' * 8}"

    # When / Then
    with raises_aws("ValidationException"):
        sagemaker.list_tags(ResourceArn=missing)
