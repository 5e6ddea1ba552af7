"""The List and Describe calls DataHub's SageMaker source makes that moto alone answers with an HTML 500.

DataHub (metadata-ingestion/src/datahub/ingestion/source/aws/sagemaker_processors): feature_groups.py pages
through ListFeatureGroups and describes each group; jobs.py (JobProcessor.get_all_jobs) pages through the
List operation of every job type - auto_ml, compilation, edge_packaging, hyper_parameter_tuning, labeling,
processing, training, transform - and describes each job it listed (get_job_details). One failing List
ends the ingestion run.
"""

from __future__ import annotations

import pytest

# DataHub's job_classes.py: the List operation of each job type and the key of its summaries.
DATAHUB_LISTS = {
    "list_feature_groups": "FeatureGroupSummaries",
    "list_auto_ml_jobs": "AutoMLJobSummaries",
    "list_compilation_jobs": "CompilationJobSummaries",
    "list_edge_packaging_jobs": "EdgePackagingJobSummaries",
    "list_hyper_parameter_tuning_jobs": "HyperParameterTuningJobSummaries",
    "list_labeling_jobs": "LabelingJobSummaryList",
    "list_processing_jobs": "ProcessingJobSummaries",
    "list_training_jobs": "TrainingJobSummaries",
    "list_transform_jobs": "TransformJobSummaries",
}


@pytest.mark.parametrize("operation", list(DATAHUB_LISTS))
def test_every_list_datahub_pages_through_answers_a_list(sagemaker, operation):
    """API_ListFeatureGroups FeatureGroupSummaries, API_ListLabelingJobs LabelingJobSummaryList,
    API_ListEdgePackagingJobs EdgePackagingJobSummaries, and the other job lists: each answers a list
    (Required: Yes), empty in an account that has none of them."""
    # Given: the account as it is
    # When
    answer = getattr(sagemaker, operation)(MaxResults=1)

    # Then
    assert isinstance(answer[DATAHUB_LISTS[operation]], list)
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize(
    ("operation", "request_"),
    [
        ("describe_feature_group", {"FeatureGroupName": "ct-no-such-feature-group"}),
        ("describe_labeling_job", {"LabelingJobName": "ct-no-such-labeling-job"}),
        ("describe_edge_packaging_job", {"EdgePackagingJobName": "ct-no-such-edge-packaging-job"}),
        ("describe_auto_ml_job", {"AutoMLJobName": "ct-no-such-automl-job"}),
    ],
    ids=["feature-group", "labeling-job", "edge-packaging-job", "automl-job"],
)
def test_describing_what_does_not_exist_is_resource_not_found(sagemaker, raises_aws, operation, request_):
    """API_DescribeFeatureGroup, API_DescribeLabelingJob, API_DescribeEdgePackagingJob,
    API_DescribeAutoMLJob errors: ResourceNotFound "Resource being access is not found"."""
    # Given / When / Then
    with raises_aws("ResourceNotFound"):
        getattr(sagemaker, operation)(**request_)


@pytest.mark.emulator_only("a feature group with an offline store needs an IAM role and a bucket in real AWS")
def test_list_feature_groups_lists_and_filters_the_groups(sagemaker, account, lineage):
    """API_ListFeatureGroups: FeatureGroupSummary (FeatureGroupName, FeatureGroupArn, CreationTime,
    FeatureGroupStatus), NameContains "A string that partially matches one or more FeatureGroups names",
    SortBy Name, SortOrder; API_DescribeFeatureGroup FeatureGroupName "The name or Amazon Resource Name
    (ARN) of the FeatureGroup"."""
    # Given: two feature groups
    names = [lineage.name("fg-a"), lineage.name("fg-b")]
    arns = [
        sagemaker.create_feature_group(
            FeatureGroupName=name,
            RecordIdentifierFeatureName="id",
            EventTimeFeatureName="time",
            FeatureDefinitions=[
                {"FeatureName": "id", "FeatureType": "String"},
                {"FeatureName": "time", "FeatureType": "String"},
            ],
            OfflineStoreConfig={"S3StorageConfig": {"S3Uri": "s3://contract/offline"}},
            RoleArn=f"arn:aws:iam::{account}:role/contract",
        )["FeatureGroupArn"]
        for name in names
    ]

    # When
    listed = sagemaker.list_feature_groups(NameContains=lineage.uid, SortBy="Name", SortOrder="Ascending")
    only_b = sagemaker.list_feature_groups(NameContains="fg-b")
    by_arn = sagemaker.describe_feature_group(FeatureGroupName=arns[0])

    # Then
    assert [s["FeatureGroupName"] for s in listed["FeatureGroupSummaries"]] == names
    assert [s["FeatureGroupArn"] for s in listed["FeatureGroupSummaries"]] == arns
    assert all(s["FeatureGroupStatus"] == "Created" for s in listed["FeatureGroupSummaries"])
    assert [s["FeatureGroupName"] for s in only_b["FeatureGroupSummaries"]] == [names[1]]
    assert by_arn["FeatureGroupName"] == names[0]
