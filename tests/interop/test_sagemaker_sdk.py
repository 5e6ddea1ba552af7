"""The real SageMaker Python SDK v3 (sagemaker==3.27.0, lineage in sagemaker-core 2.27.0,
``sagemaker.core.lineage``) asks its lineage questions of our recorded graph (tests/interop/estate.py).

Each test states the right answer for the estate. Where an SDK helper is wrong on SageMaker's own graph too,
the test asserts what the helper really does and cites the SDK lines that make it so (file paths are inside
site-packages/sagemaker/core/lineage/ of .venv-interop); our graph is never bent to such a helper.

The questions are asked once, by probes/sdk_probe.py, and the answers kept for the package.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from tests.interop.conftest import answer, ids
from tests.interop.estate import Estate

pytestmark = pytest.mark.interop


def _upstream_data(estate: Estate) -> set[str]:
    return {estate.raw_data, estate.train_features, estate.validation_features}


def _endpoints(estate: Estate) -> set[str]:
    return {estate.endpoint_arn, estate.ab_endpoint_arn}


def test_the_sdk_probe_stays_on_loopback(sdk_answers: dict[str, Any]) -> None:
    # Given the SDK asked every question below of the emulator
    # Then it tried to reach nothing else (no telemetry, no config or region lookups)
    assert sdk_answers["network_attempts"] == []


def test_endpoint_context_finds_the_data_behind_each_endpoint(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    for endpoint in ("endpoint", "ab_endpoint"):
        # When EndpointContext.dataset_artifacts() is asked of the updated endpoint and of the A/B one
        datasets = answer(sdk_answers, f"{endpoint}.dataset_artifacts")
        # Then the answer is exactly the raw data and the two feature sets the models were trained from,
        # each once, as DatasetArtifacts (the batch input and scores are not upstream of any endpoint)
        assert ids(datasets) == _upstream_data(estate), endpoint
        assert len(datasets) == 3, endpoint
        assert {entity["class"] for entity in datasets} == {"DatasetArtifact"}


def test_endpoint_context_finds_the_jobs_behind_each_endpoint(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    for endpoint in ("endpoint", "ab_endpoint"):
        # When the endpoint's jobs are asked for
        # Then the training job is the one that produced the model, found through its trial component
        assert answer(sdk_answers, f"{endpoint}.training_job_arns") == [estate.training_job_arn]
        # And the processing job that made the features is upstream too
        assert ids(answer(sdk_answers, f"{endpoint}.processing_jobs")) == {estate.processing_job_arn}
        # And the batch transform, which only used the model, is not
        assert answer(sdk_answers, f"{endpoint}.transform_jobs") == []
        assert ids(answer(sdk_answers, f"{endpoint}.trial_components")) == {
            estate.processing_job_arn,
            estate.training_job_arn,
        }
        # And no pipeline execution: the training job carries no sagemaker:pipeline-execution-arn tag
        assert answer(sdk_answers, f"{endpoint}.pipeline_execution_arn") is None


def test_endpoint_context_models_walks_the_deployment_edges_backwards(sdk_answers: dict[str, Any]) -> None:
    # The right answer would be the model deployed on each endpoint. EndpointContext.models()
    # (context.py:285-306) lists associations with SourceArn = the endpoint context and DestinationType
    # "ModelDeployment", then from each action to DestinationType "Model": it walks context -> action ->
    # model. SageMaker's graph, which the same SDK walks the other way in ModelArtifact.endpoint_contexts()
    # (descendants of a model reach the endpoint) and EndpointContext.dataset_artifacts() (ascendants of the
    # endpoint reach the data), runs model -> ModelDeployment -> endpoint context. So models() is empty on
    # SageMaker's own graph too.
    for endpoint in ("endpoint", "ab_endpoint"):
        assert answer(sdk_answers, f"{endpoint}.models") == [], endpoint


def test_endpoint_context_models_v2_looks_below_the_deployment(sdk_answers: dict[str, Any]) -> None:
    # The right answer would be the model artifacts deployed on each endpoint. models_v2()
    # (context.py:308-355) first looks for ModelDeployment actions in `direction` from the endpoint context
    # (DESCENDANTS by default: nothing is below an endpoint), then for Model artifacts among the DESCENDANTS
    # of each deployment (context.py:342, fixed whatever `direction` is): below a deployment there is only the
    # endpoint. Empty on SageMaker's graph too, in either direction.
    for endpoint in ("endpoint", "ab_endpoint"):
        assert answer(sdk_answers, f"{endpoint}.models_v2") == [], endpoint
        assert answer(sdk_answers, f"{endpoint}.models_v2(ascendants)") == [], endpoint


def test_model_artifact_finds_its_endpoints_data_and_training_job(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # Given the trained model data and the package version built from it (both artifacts of type Model)
    for model in ("model_data", "package"):
        # When ModelArtifact.endpoint_contexts() is asked
        contexts = answer(sdk_answers, f"{model}.endpoint_contexts")
        # Then both endpoints serve it, each once, as EndpointContexts
        assert ids(contexts) == _endpoints(estate), model
        assert len(contexts) == 2, model
        assert {entity["class"] for entity in contexts} == {"EndpointContext"}
        # And its data and its training job are upstream; no pipeline execution is
        assert ids(answer(sdk_answers, f"{model}.dataset_artifacts")) == _upstream_data(estate), model
        assert answer(sdk_answers, f"{model}.training_job_arns") == [estate.training_job_arn], model
        assert answer(sdk_answers, f"{model}.pipeline_execution_arn") is None, model


def test_model_artifact_endpoints_filters_on_a_type_no_entity_has(sdk_answers: dict[str, Any]) -> None:
    # The right answer would be the associations to both endpoint contexts. ModelArtifact.endpoints()
    # (artifact.py:410-431) lists the model's associations with DestinationType "Action", then the
    # actions' with DestinationType "Context". DestinationType is the entity's own type (the same SDK
    # filters on "ModelDeployment" and "Model" in EndpointContext.models(), context.py:294,302), so
    # "Action" and "Context" match no ModelDeployment action nor Endpoint context: empty on SageMaker's
    # graph too.
    for model in ("model_data", "package"):
        assert answer(sdk_answers, f"{model}.endpoints") == [], model


def test_the_package_artifact_carries_the_package_metadata_properties(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # When the SDK loads the package versions' artifacts
    # Then each carries its package's MetadataProperties, the pipeline's version its GeneratedBy too
    assert answer(sdk_answers, "package.metadata_properties") == {
        "Repository": "https://git.example.com/ml/churn",
        "CommitId": "4f2a9c1",
    }
    assert answer(sdk_answers, "pipeline_package.metadata_properties") == {
        "GeneratedBy": estate.pipeline_execution_arn,
        "Repository": "https://git.example.com/ml/churn",
        "CommitId": "9b1e07d",
    }


def test_dataset_artifact_finds_the_endpoints_it_feeds(sdk_answers: dict[str, Any], estate: Estate) -> None:
    # When DatasetArtifact.endpoint_contexts() is asked of the raw data
    contexts = answer(sdk_answers, "raw_data.endpoint_contexts")
    # Then both endpoints serve a model made from it
    assert ids(contexts) == _endpoints(estate)
    assert len(contexts) == 2


def test_dataset_artifact_finds_the_datasets_up_and_downstream(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # The helpers return every DataSet vertex QueryLineage returns; whether that includes the start
    # dataset itself is QueryLineage's (the emulator's) call, so the start is set aside here.
    # When the raw data's downstream datasets are asked for
    downstream = ids(answer(sdk_answers, "raw_data.downstream_datasets")) - {estate.raw_data}
    # Then they are the features made from it and the batch scores of the model trained on them
    assert downstream == {estate.train_features, estate.validation_features, estate.batch_scores}
    # And upstream of the training features there is only the raw data
    upstream = ids(answer(sdk_answers, "train_features.upstream_datasets")) - {estate.train_features}
    assert upstream == {estate.raw_data}


def test_dataset_artifact_trained_models_looks_for_contexts(sdk_answers: dict[str, Any]) -> None:
    # The right answer would be the model trained on the features. DatasetArtifact.trained_models()
    # (artifact.py:539-558) follows the dataset's associations to trial components, then lists their
    # associations with DestinationType "Context": a training job's trial component Produced a Model
    # *artifact*, not a context. Empty on SageMaker's graph too.
    assert answer(sdk_answers, "train_features.trained_models") == []


def test_image_artifact_finds_the_datasets_made_with_it(sdk_answers: dict[str, Any], estate: Estate) -> None:
    # When ImageArtifact.datasets(DESCENDANTS) is asked
    # Then the training image leads to the batch scores (through the model it trained and ran)
    assert ids(answer(sdk_answers, "training_image.datasets(descendants)")) == {estate.batch_scores}
    # And the preprocessing image to the features it made and all that followed from them
    assert ids(answer(sdk_answers, "preprocess_image.datasets(descendants)")) == {
        estate.train_features,
        estate.validation_features,
        estate.batch_scores,
    }
    # And nothing is upstream of an image
    assert answer(sdk_answers, "training_image.datasets(ascendants)") == []
    assert answer(sdk_answers, "preprocess_image.datasets(ascendants)") == []


def test_approval_action_finds_the_data_and_the_endpoints(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # Given the approval of package version 1, found by the package ARN (Action.list(source_uri=...))
    assert answer(sdk_answers, "approval.load") == estate.package_arn
    # When ModelPackageApprovalAction.datasets() is asked
    # Then the approved model's data is upstream of the approval
    assert ids(answer(sdk_answers, "approval.datasets")) == _upstream_data(estate)
    # And endpoints() finds both endpoints serving the approved version
    assert ids(answer(sdk_answers, "approval.endpoints")) == _endpoints(estate)
    # And the pipeline's version, still pending approval and never deployed, serves nowhere
    assert answer(sdk_answers, "pipeline_approval.endpoints") == []


def test_approval_action_model_package_asks_for_the_group_name(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # The right answer would be package version 1. ModelPackageApprovalAction.model_package()
    # (action.py:311-324) calls DescribeModelPackage with source_uri.split("/")[1]: for the package ARN
    # ...:model-package/<group>/<version> that is the group's name, not the package. The SDK's own unit
    # test expects exactly that (aws/sagemaker-python-sdk, tests/unit/sagemaker/lineage/test_action.py,
    # test_model_package: source_uri ".../model-package/pipeline88modelpackage/1", source_type "ARN" ->
    # ModelPackageName="pipeline88modelpackage"). Wrong on SageMaker's graph too.
    assert answer(sdk_answers, "approval.model_package.requested") == [estate.group_name]


def test_describe_model_package_refuses_a_group_name_like_sagemaker(sdk_answers: dict[str, Any]) -> None:
    # Given the SDK asked DescribeModelPackage(ModelPackageName=<group name>) (the test above)
    # Then the emulator refuses it as SageMaker does: no model package has that name (the group's
    # versions are named by ARN or <group>/<version>), rather than answering with one of the versions
    recorded = sdk_answers["answers"]["approval.model_package"]
    assert "error" in recorded, f"the emulator answered with the package {recorded.get('value')!r}"


def test_model_package_group_gives_the_pipeline_execution_that_registered_a_version(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # Given the group's ModelGroup context, found by the group ARN
    assert answer(sdk_answers, "model_group.load") == estate.group_arn
    # When ModelPackageGroup.pipeline_execution_arn() is asked (it reads the PipelineExecutionArn property)
    # Then it is the execution that registered version 2
    assert answer(sdk_answers, "model_group.pipeline_execution_arn") == estate.pipeline_execution_arn


def test_artifact_trials_are_none_for_jobs_outside_experiments(sdk_answers: dict[str, Any]) -> None:
    # Given jobs run outside any experiment: their trial components belong to no trial
    # When Artifact.downstream_trials() / upstream_trials() are asked of the training features
    # Then no trial is found (sagemaker-experiments' TrialComponent.search, i.e. the Search API)
    assert answer(sdk_answers, "train_features.downstream_trials") == []
    assert answer(sdk_answers, "train_features.upstream_trials") == []


def test_artifact_downstream_trials_v2_fails_past_one_trial_component(sdk_answers: dict[str, Any]) -> None:
    # The right answer would be no trial, as above. downstream_trials_v2() finds two trial components
    # below the features (the training job's and the transform's). Artifact._get_trial_from_trial_component
    # (artifact.py:223) counts its search batches as ceil(len % 60) instead of ceil(len / 60): 2 batches, the
    # second one empty, and an empty SearchExpression.Filters is refused by botocore's validation before
    # any request. Fails the same against SageMaker.
    recorded = sdk_answers["answers"]["train_features.downstream_trials_v2"]
    assert "error" in recorded
    assert recorded["error"].startswith("ParamValidationError")
    assert "SearchExpression.Filters" in recorded["error"]


def test_lineage_query_filters_in_each_direction(sdk_answers: dict[str, Any], estate: Estate) -> None:
    # When LineageQuery.query() is asked with a filter in each direction
    # Then the endpoint's ascendant DataSets are the raw data and the features
    assert ids(answer(sdk_answers, "query.endpoint.ascendants.datasets")) == _upstream_data(estate)
    # And the raw data's descendant Endpoint contexts are both endpoints
    assert ids(answer(sdk_answers, "query.raw_data.descendants.endpoints")) == _endpoints(estate)
    # And both ways from the model data, the trial components are the three jobs
    assert ids(answer(sdk_answers, "query.model_data.both.trial_components")) == {
        estate.processing_job_arn,
        estate.training_job_arn,
        estate.transform_job_arn,
    }
    # And below package version 1 are its Approval, its ModelGroup and the three deployments of it
    assert ids(answer(sdk_answers, "query.package.descendants.approvals")) == {estate.package_arn}
    assert ids(answer(sdk_answers, "query.package.descendants.model_groups")) == {estate.group_arn}
    assert ids(answer(sdk_answers, "query.package.descendants.deployments")) == {
        f"{estate.endpoint_arn}?endpoint-config=demo-churn-config-v1",
        f"{estate.endpoint_arn}?endpoint-config=demo-churn-config-v2",
        f"{estate.ab_endpoint_arn}?endpoint-config=interop-churn-ab-config",
    }


def _endpoint_ascendants(estate: Estate) -> dict[str, str]:
    """Everything upstream of the updated endpoint, by what it stands for, with the SDK class of each."""
    return {
        f"{estate.endpoint_arn}?endpoint-config=demo-churn-config-v1": "Action",
        f"{estate.endpoint_arn}?endpoint-config=demo-churn-config-v2": "Action",
        estate.package_arn: "ModelArtifact",  # and the package's Approval action, which shares its URI
        estate.model_data: "ModelArtifact",
        estate.training_image: "ImageArtifact",
        estate.training_image_digest: "ImageArtifact",  # the live deployment's, as SageMaker resolved it
        estate.training_job_arn: "LineageTrialComponent",
        estate.train_features: "DatasetArtifact",
        estate.validation_features: "DatasetArtifact",
        estate.processing_job_arn: "LineageTrialComponent",
        estate.preprocess_image: "ImageArtifact",
        estate.raw_data: "DatasetArtifact",
    }


def test_lineage_query_with_edges_gives_the_endpoint_graph(
    sdk_answers: dict[str, Any], estate: Estate
) -> None:
    # When the whole ascendant graph of the updated endpoint is asked for, with its edges
    graph = answer(sdk_answers, "query.endpoint.ascendants.graph")
    by_arn = {vertex["arn"]: vertex for vertex in graph["vertices"]}
    upstream = [vertex for vertex in graph["vertices"] if vertex["arn"] != graph["start"]]

    # Then the vertices are every entity upstream of it, each once, converted to the right SDK class
    expected = _endpoint_ascendants(estate)
    assert Counter(vertex["id"] for vertex in upstream) == Counter(
        {**dict.fromkeys(expected, 1), estate.package_arn: 2}
    )
    for vertex in upstream:
        if vertex["lineage_source"] != "Approval":
            assert vertex["class"] == expected[vertex["id"]], vertex
    approvals = [vertex for vertex in upstream if vertex["lineage_source"] == "Approval"]
    assert [(vertex["lineage_entity"], vertex["class"]) for vertex in approvals] == [("Action", "Action")]

    # And the edges say how: by what each end stands for
    def named(arn: str) -> str:
        if arn == graph["start"]:
            return "endpoint"
        vertex = by_arn[arn]
        return "approval" if vertex["lineage_source"] == "Approval" else str(vertex["id"])

    edges = {
        (named(edge["source_arn"]), named(edge["destination_arn"]), edge["type"]) for edge in graph["edges"]
    }
    v1 = f"{estate.endpoint_arn}?endpoint-config=demo-churn-config-v1"
    v2 = f"{estate.endpoint_arn}?endpoint-config=demo-churn-config-v2"
    assert {
        (v1, "endpoint", "AssociatedWith"),
        (v2, "endpoint", "AssociatedWith"),
        (estate.package_arn, v1, "ContributedTo"),
        (estate.package_arn, v2, "ContributedTo"),
        ("approval", v1, "AssociatedWith"),
        ("approval", v2, "AssociatedWith"),
        (estate.package_arn, "approval", "AssociatedWith"),
        (estate.model_data, estate.package_arn, "ContributedTo"),
        (estate.training_image, estate.package_arn, "ContributedTo"),
        (estate.training_job_arn, estate.model_data, "Produced"),
        (estate.train_features, estate.training_job_arn, "ContributedTo"),
        (estate.validation_features, estate.training_job_arn, "ContributedTo"),
        (estate.training_image, estate.training_job_arn, "ContributedTo"),
        (estate.processing_job_arn, estate.train_features, "Produced"),
        (estate.processing_job_arn, estate.validation_features, "Produced"),
        (estate.raw_data, estate.processing_job_arn, "ContributedTo"),
        (estate.preprocess_image, estate.processing_job_arn, "ContributedTo"),
        # the image the live deployment runs, by digest, and the tag it was resolved from
        (estate.training_image_digest, v2, "ContributedTo"),
        (estate.training_image, estate.training_image_digest, "AssociatedWith"),
    } <= edges
    assert (estate.training_image_digest, v1, "ContributedTo") not in edges


def test_visualize_draws_the_endpoint_graph(sdk_answers: dict[str, Any]) -> None:
    # When LineageQueryResult.visualize() draws the graph above (pyvis, into an HTML file)
    drawn = answer(sdk_answers, "query.endpoint.ascendants.visualize")
    graph = answer(sdk_answers, "query.endpoint.ascendants.graph")
    # Then every vertex is drawn, with the legend, and an IFrame of the file is returned for a notebook
    assert drawn["written"] is True
    assert drawn["returned"] == "IFrame"
    assert drawn["legend"] is True
    assert drawn["vertices_drawn"] == sorted(vertex["arn"] for vertex in graph["vertices"])


def _rows(sdk_answers: dict[str, Any], name: str) -> Counter[tuple[str, ...]]:
    """The table's rows without their display names: (Direction, Type, Association Type, Lineage Type)."""
    return Counter(tuple(row[1:]) for row in answer(sdk_answers, name))


def test_table_visualizer_lists_what_goes_in_and_out(sdk_answers: dict[str, Any]) -> None:
    # When LineageTableVisualizer.show() is asked about the updated endpoint
    # Then its inputs are its two deployments (the superseded one and the live one)
    assert _rows(sdk_answers, "table.endpoint") == Counter(
        {("Input", "ModelDeployment", "AssociatedWith", "action"): 2}
    )
    # And about the training job: its image and two channels in, its model and checkpoint out
    assert _rows(sdk_answers, "table.training_job") == Counter(
        {
            ("Input", "DataSet", "ContributedTo", "artifact"): 2,
            ("Input", "Image", "ContributedTo", "artifact"): 1,
            ("Output", "Model", "Produced", "artifact"): 1,
            ("Output", "Checkpoint", "Produced", "artifact"): 1,
        }
    )
    # And about the processing job: its image and raw data in, the two feature sets out
    assert _rows(sdk_answers, "table.processing_job") == Counter(
        {
            ("Input", "DataSet", "ContributedTo", "artifact"): 1,
            ("Input", "Image", "ContributedTo", "artifact"): 1,
            ("Output", "DataSet", "Produced", "artifact"): 2,
        }
    )
    # And about package version 1: its model data and image in; out, the three deployments of it, its
    # approval and its group
    assert _rows(sdk_answers, "table.model_package") == Counter(
        {
            ("Input", "Model", "ContributedTo", "artifact"): 1,
            ("Input", "Image", "ContributedTo", "artifact"): 1,
            ("Output", "ModelDeployment", "ContributedTo", "action"): 3,
            ("Output", "Approval", "AssociatedWith", "action"): 1,
            ("Output", "ModelGroup", "AssociatedWith", "context"): 1,
        }
    )
