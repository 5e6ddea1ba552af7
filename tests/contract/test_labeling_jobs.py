"""Ground Truth labeling jobs, which moto does not have and the emulator adds.

The documented rules each test holds the emulator to (SageMaker API reference and Developer Guide):

- API_CreateLabelingJob: LabelingJobName, LabelAttributeName, InputConfig, OutputConfig, RoleArn and
  HumanTaskConfig are required; "LabelingJobName is not case sensitive. For example, Example-job and
  example-job are considered the same labeling job name"; LabelAttributeName "can't end with "-metadata""
  and for semantic segmentation "must end with "-ref""; InputConfig.DataSource: "You must specify at least
  one of the following: S3DataSource or SnsDataSource"; a job named like an existing one is ResourceInUse.
- API_DescribeLabelingJob: LabelingJobStatus, LabelCounters, CreationTime, LastModifiedTime,
  JobReferenceCode, LabelingJobArn (``labeling-job/<name in lower case>``), the request echoed, and
  LabelingJobOutput.OutputDatasetS3Uri, which is
  ``<S3OutputPath>/<LabelingJobName>/manifests/output/output.manifest`` (Developer Guide, "Output
  Directories": the top-level directory "is given the same name as your labeling job"; the output manifest
  "is named output.manifest"); a job that does not exist is ResourceNotFound.
- API_StopLabelingJob: a running (streaming) job is stopped; "Any results obtained before the job is stopped
  are placed in the Amazon S3 output bucket".
- API_ListLabelingJobs: NameContains, StatusEquals; SortBy "The default is CreationTime"; SortOrder "The
  default is Ascending"; botocore's paginators-1.json pages it on NextToken / MaxResults /
  LabelingJobSummaryList.
- API_AddTags / API_ListTags: tags given at creation are listed on the job's ARN.

Labeling jobs pay workers in real AWS, so the tests that create one are emulator-only; the ones that create
nothing (a missing job, a request missing required members) run against real SageMaker too.
"""

from __future__ import annotations

from typing import Any

import pytest

EMULATOR_ONLY = "creates a labeling job, which real AWS bills for (and sends to workers)"
PRE_BOUNDING_BOX = "arn:aws:lambda:us-east-1:432418664414:function:PRE-BoundingBox"
PRE_SEGMENTATION = "arn:aws:lambda:us-east-1:432418664414:function:PRE-SemanticSegmentation"
ACS_BOUNDING_BOX = "arn:aws:lambda:us-east-1:432418664414:function:ACS-BoundingBox"


class Labeling:
    def __init__(self, sagemaker: Any, lineage: Any, account: str) -> None:
        self.sm, self.lineage, self.account = sagemaker, lineage, account

    def request(self, name: str | None = None, **overrides: Any) -> dict[str, Any]:
        request: dict[str, Any] = {
            "LabelingJobName": name or self.lineage.name("label"),
            "LabelAttributeName": "people",
            "InputConfig": {
                "DataSource": {"S3DataSource": {"ManifestS3Uri": "s3://contract-labels/in/manifest.json"}}
            },
            "OutputConfig": {"S3OutputPath": "s3://contract-labels/out/"},
            "RoleArn": f"arn:aws:iam::{self.account}:role/ContractRole",
            "HumanTaskConfig": {
                "WorkteamArn": f"arn:aws:sagemaker:us-east-1:{self.account}:workteam/private-crowd/contract",
                "UiConfig": {"UiTemplateS3Uri": "s3://contract-labels/ui/template.liquid"},
                "PreHumanTaskLambdaArn": PRE_BOUNDING_BOX,
                "TaskTitle": "Find people",
                "TaskDescription": "Draw a box around each person",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
                "AnnotationConsolidationConfig": {"AnnotationConsolidationLambdaArn": ACS_BOUNDING_BOX},
            },
        }
        request.update(overrides)
        return request

    def create(self, **overrides: Any) -> str:
        request = self.request(**overrides)
        self.sm.create_labeling_job(**request)
        return str(request["LabelingJobName"])


@pytest.fixture
def labeling(sagemaker, lineage, account) -> Labeling:
    return Labeling(sagemaker, lineage, account)


# ------------------------------------------------------------------------------ describe
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_labeling_job_is_described_completed_with_its_output_manifest(
    labeling, sagemaker, backend, account
):
    # Given an input manifest of two objects in S3
    s3 = backend.client("s3")
    s3.create_bucket(Bucket="contract-labels")
    s3.put_object(
        Bucket="contract-labels",
        Key="in/manifest.json",
        Body=b'{"source-ref": "s3://contract-labels/img/1.jpg"}\n{"source-ref": "s3://contract-labels/img/2.jpg"}\n',
    )
    name = labeling.lineage.name("Find-People")
    request = labeling.request(
        name,
        LabelingJobAlgorithmsConfig={
            "LabelingJobAlgorithmSpecificationArn": (
                "arn:aws:sagemaker:us-east-1:027400017018:labeling-job-algorithm-specification/object-detection"
            )
        },
        Tags=[{"Key": "team", "Value": "vision"}],
    )

    # When
    arn = sagemaker.create_labeling_job(**request)["LabelingJobArn"]
    described = sagemaker.describe_labeling_job(LabelingJobName=name)

    # Then
    assert arn == f"arn:aws:sagemaker:us-east-1:{account}:labeling-job/{name.lower()}"
    assert described["LabelingJobArn"] == arn
    assert described["LabelingJobName"] == name
    assert described["LabelingJobStatus"] == "Completed"
    assert described["LabelingJobOutput"]["OutputDatasetS3Uri"] == (
        f"s3://contract-labels/out/{name}/manifests/output/output.manifest"
    )
    assert described["LabelCounters"] == {
        "TotalLabeled": 2,
        "HumanLabeled": 2,
        "MachineLabeled": 0,
        "FailedNonRetryableError": 0,
        "Unlabeled": 0,
    }
    for member in ("LabelAttributeName", "InputConfig", "OutputConfig", "RoleArn", "HumanTaskConfig"):
        assert described[member] == request[member], member
    assert described["LabelingJobAlgorithmsConfig"] == request["LabelingJobAlgorithmsConfig"]
    assert described["CreationTime"] == described["LastModifiedTime"]
    assert described["JobReferenceCode"]
    assert sagemaker.list_tags(ResourceArn=arn)["Tags"] == [{"Key": "team", "Value": "vision"}]


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_labeling_job_names_are_not_case_sensitive(labeling, sagemaker, raises_aws):
    # Given
    name = labeling.create(name=labeling.lineage.name("Example-job"))

    # When / Then
    assert sagemaker.describe_labeling_job(LabelingJobName=name.lower())["LabelingJobName"] == name
    with raises_aws("ResourceInUse"):
        labeling.create(name=name.upper())


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_streaming_job_runs_until_stopped(labeling, sagemaker, account):
    # Given a streaming job (an SNS input topic)
    sns = {"SnsDataSource": {"SnsTopicArn": f"arn:aws:sns:us-east-1:{account}:contract-labels"}}
    name = labeling.create(InputConfig={"DataSource": sns})
    running = sagemaker.describe_labeling_job(LabelingJobName=name)

    # When
    sagemaker.stop_labeling_job(LabelingJobName=name)

    # Then
    stopped = sagemaker.describe_labeling_job(LabelingJobName=name)
    assert running["LabelingJobStatus"] == "InProgress"
    assert "LabelingJobOutput" not in running
    assert stopped["LabelingJobStatus"] == "Stopped"
    assert stopped["LabelingJobOutput"]["OutputDatasetS3Uri"].endswith(
        f"/{name}/manifests/output/output.manifest"
    )


# ------------------------------------------------------------------------------ validate
@pytest.mark.emulator_only(EMULATOR_ONLY)
@pytest.mark.parametrize(
    ("attribute", "pre_lambda"),
    [("people-metadata", PRE_BOUNDING_BOX), ("people", PRE_SEGMENTATION), ("people-ref", PRE_BOUNDING_BOX)],
    ids=["ends-with-metadata", "segmentation-without-ref", "ref-for-bounding-box"],
)
def test_a_label_attribute_name_against_the_documented_rules_is_refused(
    labeling, sagemaker, raises_aws, attribute, pre_lambda
):
    # Given
    request = labeling.request(LabelAttributeName=attribute)
    request["HumanTaskConfig"]["PreHumanTaskLambdaArn"] = pre_lambda

    # When / Then
    with raises_aws("ValidationException", "LabelAttributeName"):
        sagemaker.create_labeling_job(**request)


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_a_data_source_without_s3_or_sns_is_refused(labeling, sagemaker, raises_aws):
    # Given / When / Then
    with raises_aws("ValidationException", "S3DataSource or SnsDataSource"):
        sagemaker.create_labeling_job(**labeling.request(InputConfig={"DataSource": {}}))


def test_a_request_without_its_human_task_config_is_refused(labeling, unvalidated_sagemaker, raises_aws):
    # Given a request missing a required member
    request = labeling.request()
    del request["HumanTaskConfig"]

    # When / Then
    with raises_aws("ValidationException", "humanTaskConfig"):
        unvalidated_sagemaker.create_labeling_job(**request)


def test_describing_a_labeling_job_that_does_not_exist_is_resource_not_found(sagemaker, lineage, raises_aws):
    # Given / When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.describe_labeling_job(LabelingJobName=lineage.name("no-label"))


@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_stopping_a_labeling_job_that_does_not_exist_is_resource_not_found(sagemaker, lineage, raises_aws):
    # Given / When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.stop_labeling_job(LabelingJobName=lineage.name("no-label"))


# ---------------------------------------------------------------------------------- list
@pytest.mark.emulator_only(EMULATOR_ONLY)
def test_list_labeling_jobs_filters_sorts_oldest_first_and_pages(labeling, sagemaker, account):
    # Given three jobs of this test, one streaming
    names = [labeling.create() for _ in range(2)]
    sns = {"SnsDataSource": {"SnsTopicArn": f"arn:aws:sns:us-east-1:{account}:contract-labels"}}
    names.append(labeling.create(InputConfig={"DataSource": sns}))

    # When
    listed = sagemaker.list_labeling_jobs(NameContains=labeling.lineage.uid)
    running = sagemaker.list_labeling_jobs(NameContains=labeling.lineage.uid, StatusEquals="InProgress")
    pages = list(
        sagemaker.get_paginator("list_labeling_jobs").paginate(
            NameContains=labeling.lineage.uid,
            SortBy="Name",
            SortOrder="Descending",
            PaginationConfig={"PageSize": 2},
        )
    )

    # Then
    summaries = listed["LabelingJobSummaryList"]
    assert [s["LabelingJobName"] for s in summaries] == names
    assert summaries[0]["WorkteamArn"].endswith("workteam/private-crowd/contract")
    assert summaries[0]["PreHumanTaskLambdaArn"] == PRE_BOUNDING_BOX
    assert summaries[0]["AnnotationConsolidationLambdaArn"] == ACS_BOUNDING_BOX
    assert summaries[0]["LabelingJobOutput"]["OutputDatasetS3Uri"].endswith(
        "/manifests/output/output.manifest"
    )
    assert [s["LabelingJobName"] for s in running["LabelingJobSummaryList"]] == [names[2]]
    assert [len(page["LabelingJobSummaryList"]) for page in pages] == [2, 1]
    assert [s["LabelingJobName"] for page in pages for s in page["LabelingJobSummaryList"]] == sorted(
        names, reverse=True
    )
