"""DataHub's SageMaker source (acryl-datahub[sagemaker]==1.7.0.17) ingests the recorded estate
(tests/interop/estate.py); the tests read the lineage it derives from the MCEs its file sink wrote.

What DataHub takes from the lineage graph (datahub/ingestion/source/aws/sagemaker_processors/lineage.py,
LineageProcessor.get_lineage), and so what these tests check of our graph's shape:

- model -> endpoint: for each action of type ModelDeployment, the SourceUri of its incoming artifacts of type
  Model / Image, and of its outgoing contexts of type Endpoint whose Source.SourceType is "ARN" (lines
  135-172); a SageMaker Model is then matched by its PrimaryContainer's ModelDataUrl / Image (models.py,
  get_model_wu, lines 424-425);
- model -> group: for each context of type ModelGroup whose Source.SourceType is "ARN", its incoming artifacts
  of type Model (the package versions) and their incoming Model / Image artifacts (lines 174-222).

Jobs and their datasets come from the Describe* of each job, not from the graph (jobs.py). Where DataHub is
wrong whatever the graph, the test asserts what it really does and cites the lines (paths inside
site-packages/datahub/ingestion/source/aws/ of .venv-interop).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.interop.conftest import answer
from tests.interop.estate import Estate

pytestmark = pytest.mark.interop

ENV = "PROD"


def _model_urn(name: str) -> str:
    return f"urn:li:mlModel:(urn:li:dataPlatform:sagemaker,{name},{ENV})"


def _deployment_urn(name: str) -> str:
    return f"urn:li:mlModelDeployment:(urn:li:dataPlatform:sagemaker,{name},{ENV})"


def _group_urn(name: str) -> str:
    return f"urn:li:mlModelGroup:(urn:li:dataPlatform:sagemaker,{name},{ENV})"


def _s3_urn(uri: str) -> str:
    return f"urn:li:dataset:(urn:li:dataPlatform:s3,{uri.removeprefix('s3://').rstrip('/')},{ENV})"


def _job_urn(kind: str, name: str, arn: str) -> str:
    return f"urn:li:dataJob:(urn:li:dataFlow:(sagemaker,{kind}:{name},{ENV}),{arn})"


def _snapshots(run: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """urn -> aspect name (short) -> aspect, from the MCEs of one ingestion run."""
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for record in run["records"]:
        snapshot = record.get("proposedSnapshot")
        if not snapshot:
            continue
        (body,) = snapshot.values()
        aspects = found.setdefault(body["urn"], {})
        for aspect in body["aspects"]:
            ((name, value),) = aspect.items()
            aspects[name.rsplit(".", 1)[-1]] = value
    return found


@pytest.fixture(scope="module")
def ingested(datahub_answers: dict[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    return _snapshots(answer(datahub_answers, "lineage"))


def _model(ingested: dict[str, dict[str, dict[str, Any]]], name: str) -> dict[str, Any]:
    properties: dict[str, Any] = ingested[_model_urn(name)]["MLModelProperties"]
    return properties


def test_the_datahub_probe_stays_on_loopback(datahub_answers: dict[str, Any]) -> None:
    # Given DataHub ingested the estate (its CLI version check, which always calls pypi.org and
    # api.github.com, is turned off in the probe)
    # Then it tried to reach nothing but the emulator
    assert datahub_answers["network_attempts"] == []


def test_the_default_recipe_ingests_without_failures(datahub_answers: dict[str, Any]) -> None:
    # Given the recipe a user would run against SageMaker: the source with only its Region
    run = answer(datahub_answers, "default")
    # Then the whole account is ingested without failures (SageMaker answers ListFeatureGroups and
    # ListLabelingJobs with empty lists where there are none)
    assert run["failures"] == []
    assert _model_urn("demo-churn-model") in _snapshots(run)


def test_the_lineage_recipe_ingests_without_failures_or_warnings(datahub_answers: dict[str, Any]) -> None:
    run = answer(datahub_answers, "lineage")
    assert run["failures"] == []
    assert run["warnings"] == []


def test_datahub_sees_every_endpoint_model_and_group(
    ingested: dict[str, dict[str, dict[str, Any]]], estate: Estate
) -> None:
    # Then both endpoints, the group and the three SageMaker models are entities
    assert {urn for urn in ingested if urn.startswith("urn:li:mlModelDeployment:")} == {
        _deployment_urn(estate.endpoint_name),
        _deployment_urn(estate.ab_endpoint_name),
    }
    assert {urn for urn in ingested if urn.startswith("urn:li:mlModelGroup:")} == {
        _group_urn(estate.group_name)
    }
    assert {urn for urn in ingested if urn.startswith("urn:li:mlModel:")} == {
        _model_urn(estate.challenger_model),
        _model_urn(estate.serving_model),
    }


def test_datahub_links_the_model_with_its_own_model_data_to_its_endpoint(
    ingested: dict[str, dict[str, dict[str, Any]]], estate: Estate
) -> None:
    # Given the challenger model (PrimaryContainer: the training image and the model data), deployed only on
    # the A/B endpoint
    # When DataHub derives its deployments from the ModelDeployment actions of our graph
    deployments = _model(ingested, estate.challenger_model)["deployments"]
    # Then the one deployment is the A/B endpoint. DataHub names it in the URN by the endpoint's ARN
    # (models.py: get_model_endpoints returns ARNs, lines 244-248, and get_model_wu puts them in
    # make_ml_model_deployment_urn as if names, lines 481-486), while the endpoint's own entity is named by
    # EndpointName (get_endpoint_wu, line 188): the two URNs never join, against SageMaker's graph too.
    assert deployments == [_deployment_urn(estate.ab_endpoint_arn)]


def test_datahub_puts_the_registered_model_in_its_group(
    ingested: dict[str, dict[str, dict[str, Any]]], estate: Estate
) -> None:
    # Given the model data was registered as package versions of the group
    # When DataHub derives groups from the ModelGroup context and the package artifacts of our graph
    # Then the model whose PrimaryContainer holds that model data is in the group, browsable under it
    model = _model(ingested, estate.challenger_model)
    assert model["groups"] == [_group_urn(estate.group_name)]
    assert ingested[_model_urn(estate.challenger_model)]["BrowsePaths"]["paths"] == [
        f"/sagemaker/{estate.group_name}"
    ]


def test_datahub_cannot_link_a_model_built_from_a_package(
    ingested: dict[str, dict[str, dict[str, Any]]], estate: Estate
) -> None:
    # The right answer would be: the serving model is deployed on both endpoints and in the group. DataHub
    # matches a SageMaker Model to the lineage only by PrimaryContainer.ModelDataUrl and .Image
    # (models.py, get_model_wu, lines 424-425); a model built from a model package has neither (its
    # container names the ModelPackageName, and it has Containers, not PrimaryContainer). Our graph has the
    # package artifact ContributedTo both deployments, which DataHub keys by the package ARN
    # (lineage.py:146) and no model is ever looked up by. So nothing is linked, against SageMaker too.
    model = _model(ingested, estate.serving_model)
    assert model["deployments"] == []
    assert model["groups"] == []


def test_datahub_derives_each_jobs_inputs_and_outputs(
    ingested: dict[str, dict[str, dict[str, Any]]], estate: Estate
) -> None:
    def io(kind: str, name: str, arn: str) -> tuple[set[str], set[str]]:
        job = ingested[_job_urn(kind, name, arn)]["DataJobInputOutput"]
        return set(job["inputDatasets"]), set(job["outputDatasets"])

    # The training job read the two feature sets and wrote its model (under S3OutputPath) and checkpoint
    assert io("training", estate.training_job_name, estate.training_job_arn) == (
        {_s3_urn(estate.train_features), _s3_urn(estate.validation_features)},
        {_s3_urn(estate.models_path), _s3_urn(estate.checkpoint)},
    )
    # The batch transform read its input and wrote the scores
    transform_name = estate.transform_job_arn.rsplit("/", 1)[-1]
    assert io("transform", transform_name, estate.transform_job_arn) == (
        {_s3_urn(estate.batch_input)},
        {_s3_urn(estate.batch_scores)},
    )
    # The processing job read the raw data. Its two outputs are missing: process_processing_job collects
    # output_datasets (jobs.py:720-743) but never passes them to SageMakerJob (jobs.py:751-758), so DataHub
    # drops every processing job's outputs, against SageMaker too.
    assert io("processing", estate.processing_job_name, estate.processing_job_arn) == (
        {_s3_urn(estate.raw_data)},
        set(),
    )


def test_datahub_lists_the_models_training_and_downstream_jobs(
    ingested: dict[str, dict[str, dict[str, Any]]], estate: Estate
) -> None:
    # The model made from the training job's model data was trained by it and is used by the batch transform
    model = _model(ingested, estate.challenger_model)
    transform_name = estate.transform_job_arn.rsplit("/", 1)[-1]
    assert model["trainingJobs"] == [_job_urn("training", estate.training_job_name, estate.training_job_arn)]
    assert model["downstreamJobs"] == [_job_urn("transform", transform_name, estate.transform_job_arn)]
