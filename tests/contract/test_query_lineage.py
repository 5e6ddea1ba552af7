"""QueryLineage: direction, depth, edges, filters and pagination over a small graph.

The graph (every arrow an association, entities created a few milliseconds apart in this order)::

    data (DataSet artifact) --ContributedTo--> build (ModelBuild action) --Produced--> model (Model artifact)
    image (Image artifact)  --ContributedTo--/                                              |
                                                                                ContributedTo
                                                                                         v
                               endpoint (Endpoint context) <--AssociatedWith-- deploy (ModelDeployment action)

The start entity is among the vertices when it passes the Filters (see the start-entity tests below), so
the unfiltered expectations name it too.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

import pytest

ORDER = ("data", "image", "build", "model", "deploy", "endpoint")


class Graph(dict[str, str]):
    """name -> ARN, plus the entities' CreationTimes and LastModifiedTimes."""

    created: dict[str, datetime]

    def names(self, arns: Iterable[str]) -> set[str]:
        by_arn = {arn: name for name, arn in self.items()}
        return {by_arn.get(arn, arn) for arn in arns}


@pytest.fixture
def graph(lineage, sagemaker):
    g = Graph()
    makers = {
        "data": lambda: lineage.artifact("DataSet", Properties={"stage": "raw"}),
        "image": lambda: lineage.artifact("Image"),
        "build": lambda: lineage.action("ModelBuild", Properties={"framework": "xgboost"}),
        "model": lambda: lineage.artifact("Model", Properties={"framework": "xgboost", "stage": "trained"}),
        "deploy": lambda: lineage.action("ModelDeployment"),
        "endpoint": lambda: lineage.context("Endpoint"),
    }
    for name in ORDER:
        g[name] = makers[name]()
        time.sleep(0.004)
    for source, destination, kind in (
        ("data", "build", "ContributedTo"),
        ("image", "build", "ContributedTo"),
        ("build", "model", "Produced"),
        ("model", "deploy", "ContributedTo"),
        ("deploy", "endpoint", "AssociatedWith"),
    ):
        lineage.associate(g[source], g[destination], kind)
    kinds = {
        "data": "artifact",
        "image": "artifact",
        "model": "artifact",
        "build": "action",
        "deploy": "action",
    }
    g.created = {
        name: lineage.describe(kinds.get(name, "context"), g[name])["CreationTime"] for name in ORDER
    }
    return g


def _vertices(answer: dict[str, Any]) -> list[str]:
    return [vertex["Arn"] for vertex in answer["Vertices"]]


def _edges(answer: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {
        (edge["SourceArn"], edge["DestinationArn"], edge.get("AssociationType")) for edge in answer["Edges"]
    }


def _between(earlier: datetime, later: datetime) -> datetime:
    """A moment strictly between two CreationTimes (they are at least a few milliseconds apart)."""
    assert later - earlier >= timedelta(milliseconds=2), (earlier, later)
    return earlier + (later - earlier) / 2


def test_ascendants_are_the_upstream_entities(graph, sagemaker):
    """API_QueryLineage Direction: "Associations between lineage entities have a direction. This parameter
    determines the direction from the StartArn(s) that the query traverses": Ascendants walks against
    the arrows."""
    # Given: the graph
    # When
    answer = sagemaker.query_lineage(StartArns=[graph["model"]], Direction="Ascendants")

    # Then: the start and what is upstream of it
    assert graph.names(_vertices(answer)) == {"model", "build", "data", "image"}


def test_descendants_are_the_downstream_entities(graph, sagemaker):
    """API_QueryLineage Direction Descendants walks along the arrows."""
    # Given: the graph
    # When
    answer = sagemaker.query_lineage(StartArns=[graph["model"]], Direction="Descendants")

    # Then: the start and what is downstream of it
    assert graph.names(_vertices(answer)) == {"model", "deploy", "endpoint"}


def test_both_is_ascendants_and_descendants_and_is_the_default(graph, sagemaker):
    """API_QueryLineage Direction Both. The reference gives no default; the emulator walks Both when
    Direction is omitted (as the SageMaker Python SDK's LineageQuery does), and Both is the union of the
    two walks, not a walk that turns around."""
    # Given: the graph
    # When
    both = sagemaker.query_lineage(StartArns=[graph["model"]], Direction="Both")
    omitted = sagemaker.query_lineage(StartArns=[graph["model"]])

    # Then
    expected = {"model", "build", "data", "image", "deploy", "endpoint"}
    assert graph.names(_vertices(both)) == expected
    assert graph.names(_vertices(omitted)) == expected


def test_the_start_entity_is_a_vertex_of_an_unfiltered_query(lineage, sagemaker):
    """API_QueryLineage Vertices: "A list of vertices connected to the start entity(ies) in the lineage
    graph". The SageMaker Python SDK reads the start among them: LineageQueryResult._covert_vertices_to_tuples
    marks the vertex whose Arn is a start ARN (sagemaker-core/src/sagemaker/core/lineage/query.py), and
    its real-SageMaker test of that, tests/integ/sagemaker/lineage/test_lineage_visualize.py::
    test_graph_visualize, queries this graph as LineageQuery.query does by default (Direction Both,
    IncludeEdges True, Filters {}, MaxDepth 10) and finds 5 nodes, the start (drawn as a star) among
    them, and 4 edges."""
    # Given: the SDK test's graph
    #   image --ContributedTo--> model (the start) --ContributedTo--> deploy --AssociatedWith--> endpoint
    #   dataset --AssociatedWith--/
    model = lineage.artifact("Model")
    image = lineage.artifact("Image")
    dataset = lineage.artifact("DataSet")
    deploy = lineage.action("ModelDeploy")
    endpoint = lineage.context("Endpoint")
    lineage.associate(image, model, "ContributedTo")
    lineage.associate(dataset, model, "AssociatedWith")
    lineage.associate(model, deploy, "ContributedTo")
    lineage.associate(deploy, endpoint, "AssociatedWith")

    # When
    answer = sagemaker.query_lineage(
        StartArns=[model], Direction="Both", IncludeEdges=True, Filters={}, MaxDepth=10
    )

    # Then
    vertices = {vertex["Arn"]: vertex for vertex in answer["Vertices"]}
    assert set(vertices) == {model, image, dataset, deploy, endpoint}
    assert (vertices[model]["Type"], vertices[model]["LineageType"]) == ("Model", "Artifact")
    assert len(answer["Vertices"]) == 5
    assert _edges(answer) == {
        (image, model, "ContributedTo"),
        (dataset, model, "AssociatedWith"),
        (model, deploy, "ContributedTo"),
        (deploy, endpoint, "AssociatedWith"),
    }


def test_a_start_entity_that_fails_the_filters_is_not_a_vertex(lineage, sagemaker):
    """QueryFilters: "A set of filtering parameters that allow you to specify which entities should be
    returned" - the start included. The SDK's EndpointContext.models_v2 (sagemaker-core/src/sagemaker/
    core/lineage/context.py) asks for the ModelDeployment actions below an endpoint context, then for the
    Model artifacts below each returned vertex; its real-SageMaker test (tests/integ/sagemaker/lineage/
    test_endpoint_context.py::test_model_v2, reported passing in aws/sagemaker-python-sdk#2800, skipped
    later for "existing ARN" failures) expects exactly one model, which holds only if the endpoint context
    (the start, not an Action) is not among the first query's vertices."""
    # Given: endpoint context --> ModelDeployment action --> Model artifact, as the SDK test's fixture
    context = lineage.context("Endpoint")
    action = lineage.action("ModelDeployment")
    model = lineage.artifact("Model")
    lineage.associate(context, action, "AssociatedWith")
    lineage.associate(action, model, "AssociatedWith")

    # When: models_v2's two queries
    deployments = sagemaker.query_lineage(
        StartArns=[context],
        Direction="Descendants",
        IncludeEdges=False,
        Filters={"Types": ["ModelDeployment"], "LineageTypes": ["Action"]},
        MaxDepth=10,
    )
    models = [
        arn
        for vertex in deployments["Vertices"]
        for arn in _vertices(
            sagemaker.query_lineage(
                StartArns=[vertex["Arn"]],
                Direction="Descendants",
                IncludeEdges=False,
                Filters={"Types": ["Model"], "LineageTypes": ["Artifact"]},
                MaxDepth=10,
            )
        )
    ]

    # Then
    assert _vertices(deployments) == [action]
    assert models == [model]


def test_a_start_entity_that_passes_the_filters_is_a_vertex(graph, sagemaker):
    """QueryFilters apply to the start entity as to every other (the two tests above): the SDK's
    DatasetArtifact.upstream_datasets (Filters Types [DataSet], LineageTypes [Artifact], from a dataset)
    then lists the dataset it starts from too."""
    # Given: the graph; data and image are the only DataSet / Image artifacts
    # When
    answer = sagemaker.query_lineage(
        StartArns=[graph["data"]],
        Direction="Both",
        IncludeEdges=False,
        Filters={"Types": ["DataSet"], "LineageTypes": ["Artifact"]},
    )

    # Then
    assert _vertices(answer) == [graph["data"]]


def test_max_depth_limits_the_number_of_associations_walked(graph, sagemaker):
    """API_QueryLineage MaxDepth: "The maximum depth in lineage relationships from the StartArns that are
    traversed. Depth is a measure of the number of Associations from the StartArn entity to the matched
    results"."""
    # Given: the graph
    # When
    one = sagemaker.query_lineage(StartArns=[graph["endpoint"]], Direction="Ascendants", MaxDepth=1)
    two = sagemaker.query_lineage(StartArns=[graph["endpoint"]], Direction="Ascendants", MaxDepth=2)
    default = sagemaker.query_lineage(StartArns=[graph["endpoint"]], Direction="Ascendants")

    # Then: the start (depth 0) and the entities at most MaxDepth associations away
    assert graph.names(_vertices(one)) == {"endpoint", "deploy"}
    assert graph.names(_vertices(two)) == {"endpoint", "deploy", "model"}
    assert graph.names(_vertices(default)) == {"endpoint", "deploy", "model", "build", "data", "image"}


def test_vertices_carry_arn_type_and_lineage_type(graph, sagemaker):
    """API_QueryLineage / Vertex: Arn, Type ("For example: DataSet, Model, Endpoint"), LineageType
    (TrialComponent | Artifact | Context | Action)."""
    # Given: the graph
    # When
    answer = sagemaker.query_lineage(StartArns=[graph["data"]], Direction="Descendants")

    # Then
    described = {graph.names([v["Arn"]]).pop(): (v["Type"], v["LineageType"]) for v in answer["Vertices"]}
    assert described == {
        "data": ("DataSet", "Artifact"),
        "build": ("ModelBuild", "Action"),
        "model": ("Model", "Artifact"),
        "deploy": ("ModelDeployment", "Action"),
        "endpoint": ("Endpoint", "Context"),
    }


def test_edges_only_when_include_edges_is_true(graph, sagemaker):
    """API_QueryLineage IncludeEdges: "Setting this value to True retrieves not only the entities of
    interest but also the Associations ... on the path. Set to False to only return lineage entities".
    The reference gives no default; the emulator treats an omitted IncludeEdges as False."""
    # Given: the graph
    # When
    without = sagemaker.query_lineage(StartArns=[graph["model"]], Direction="Descendants")
    explicit_false = sagemaker.query_lineage(
        StartArns=[graph["model"]], Direction="Descendants", IncludeEdges=False
    )
    with_edges = sagemaker.query_lineage(
        StartArns=[graph["model"]], Direction="Descendants", IncludeEdges=True
    )

    # Then
    assert without.get("Edges", []) == []
    assert explicit_false.get("Edges", []) == []
    assert _edges(with_edges) == {
        (graph["model"], graph["deploy"], "ContributedTo"),
        (graph["deploy"], graph["endpoint"], "AssociatedWith"),
    }


def test_include_edges_returns_the_path_to_each_match(graph, sagemaker):
    """API_QueryLineage IncludeEdges True "retrieves not only the entities of interest but also the
    Associations and lineage entities on the path"."""
    # Given: the graph
    # When: only DataSets are of interest, upstream of the endpoint
    answer = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]],
        Direction="Ascendants",
        IncludeEdges=True,
        Filters={"Types": ["DataSet"]},
    )

    # Then: the dataset, and the entities and associations between it and the endpoint - the endpoint
    # included, as the end of the path (Edges: "A list of edges that connect vertices in the response")
    assert graph.names(_vertices(answer)) == {"data", "build", "model", "deploy", "endpoint"}
    assert _edges(answer) == {
        (graph["data"], graph["build"], "ContributedTo"),
        (graph["build"], graph["model"], "Produced"),
        (graph["model"], graph["deploy"], "ContributedTo"),
        (graph["deploy"], graph["endpoint"], "AssociatedWith"),
    }


def test_filter_types(graph, sagemaker):
    """API_QueryLineage / QueryFilters Types: "Filter the lineage entities connected to the StartArn by
    type. For example: DataSet, Model, Endpoint, or ModelDeployment"; the walk continues through
    entities that do not match."""
    # Given: the graph
    # When
    answer = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"Types": ["DataSet", "Image"]}
    )

    # Then
    assert graph.names(_vertices(answer)) == {"data", "image"}


def test_filter_lineage_types(graph, sagemaker):
    """API_QueryLineage / QueryFilters LineageTypes: "A set of lineage entity types to match on. For
    example: TrialComponent, Artifact, or Context"."""
    # Given: the graph
    # When
    actions = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"LineageTypes": ["Action"]}
    )
    contexts = sagemaker.query_lineage(
        StartArns=[graph["data"]], Direction="Descendants", Filters={"LineageTypes": ["Context"]}
    )

    # Then
    assert graph.names(_vertices(actions)) == {"build", "deploy"}
    assert graph.names(_vertices(contexts)) == {"endpoint"}


def test_filter_created_before_and_after(graph, sagemaker):
    """API_QueryLineage / QueryFilters CreatedBefore "Filter entities created before this date",
    CreatedAfter "... after the create date"."""
    # Given: a moment between the creation of build and of model
    moment = _between(graph.created["build"], graph.created["model"])

    # When
    before = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"CreatedBefore": moment}
    )
    after = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"CreatedAfter": moment}
    )

    # Then: the start (created last) passes CreatedAfter only
    assert graph.names(_vertices(before)) == {"data", "image", "build"}
    assert graph.names(_vertices(after)) == {"model", "deploy", "endpoint"}


def test_filter_modified_before_and_after(graph, lineage, sagemaker):
    """API_QueryLineage / QueryFilters ModifiedBefore "Filter entities modified before this date",
    ModifiedAfter "Filter entities modified after this date"; updating an entity modifies it."""
    # Given: data is updated after everything was created
    time.sleep(0.004)
    sagemaker.update_artifact(ArtifactArn=graph["data"], Properties={"stage": "cleaned"})
    modified = lineage.describe("artifact", graph["data"])["LastModifiedTime"]
    moment = _between(graph.created["endpoint"], modified)

    # When
    after = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"ModifiedAfter": moment}
    )
    before = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"ModifiedBefore": moment}
    )

    # Then: the start (not modified since its creation) passes ModifiedBefore only
    assert graph.names(_vertices(after)) == {"data"}
    assert graph.names(_vertices(before)) == {"image", "build", "model", "deploy", "endpoint"}


def test_filter_properties_matches_any_pair(graph, sagemaker):
    """API_QueryLineage / QueryFilters Properties: "If multiple pairs are provided, an entity is included
    in the results if it matches any of the provided pairs"."""
    # Given: data has stage=raw; build and model have framework=xgboost; model also has stage=trained
    # When
    one_pair = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]], Direction="Ascendants", Filters={"Properties": {"stage": "raw"}}
    )
    two_pairs = sagemaker.query_lineage(
        StartArns=[graph["endpoint"]],
        Direction="Ascendants",
        Filters={"Properties": {"stage": "raw", "framework": "xgboost"}},
    )

    # Then
    assert graph.names(_vertices(one_pair)) == {"data"}
    assert graph.names(_vertices(two_pairs)) == {"data", "build", "model"}


def test_vertices_are_paginated(graph, sagemaker):
    """API_QueryLineage MaxResults: "Limits the number of vertices in the results. Use the NextToken in a
    response to retrieve the next page of results"."""
    # Given: five entities upstream of the endpoint, six vertices with the endpoint itself
    request = {"StartArns": [graph["endpoint"]], "Direction": "Ascendants", "MaxResults": 2}

    # When
    pages, token = [], None
    while True:
        answer = sagemaker.query_lineage(**request, **({"NextToken": token} if token else {}))
        pages.append(_vertices(answer))
        token = answer.get("NextToken")
        if not token:
            break

    # Then
    assert [len(page) for page in pages] == [2, 2, 2]
    every = [arn for page in pages for arn in page]
    assert len(every) == len(set(every))
    assert graph.names(every) == {"endpoint", "deploy", "model", "build", "data", "image"}


def test_default_page_is_50_vertices(lineage, sagemaker):
    """API_QueryLineage MaxResults has a maximum of 50 and no documented default; the emulator returns at
    most 50 vertices per page when MaxResults is omitted."""
    # Given: 52 datasets contributing to one action: 53 vertices with the action itself
    job = lineage.action("Training")
    for _ in range(52):
        lineage.associate(lineage.artifact(), job)

    # When
    first = sagemaker.query_lineage(StartArns=[job], Direction="Ascendants")
    rest = sagemaker.query_lineage(StartArns=[job], Direction="Ascendants", NextToken=first["NextToken"])

    # Then
    assert len(first["Vertices"]) == 50
    assert len(rest["Vertices"]) == 3
    assert "NextToken" not in rest


def test_a_start_arn_that_does_not_exist_is_resource_not_found(sagemaker, raises_aws, missing_entity):
    """API_QueryLineage errors: ResourceNotFound "Resource being access is not found" - the only
    resource a query names is its start. (The reference does not say so explicitly; the emulator
    refuses an unknown start rather than answering an empty graph.)"""
    # Given
    missing = missing_entity("artifact")["ArtifactArn"]

    # When / Then
    with raises_aws("ResourceNotFound"):
        sagemaker.query_lineage(StartArns=[missing], Direction="Both")


def test_query_follows_associations_into_another_account(lineage, peer, sagemaker):
    """Lineage Tracking Entities, "Cross-account lineage": "QueryLineage then can return entities even
    from these shared accounts"."""
    # Given: our model is SameAs the peer account's model, which the peer deployed
    ours = lineage.artifact("Model")
    theirs = peer.artifact("Model")
    their_deploy = peer.action("ModelDeployment")
    peer.associate(theirs, their_deploy)
    sagemaker.add_association(SourceArn=ours, DestinationArn=theirs, AssociationType="SameAs")

    # When
    answer = sagemaker.query_lineage(StartArns=[ours], Direction="Descendants")

    # Then
    assert set(_vertices(answer)) == {ours, theirs, their_deploy}


def test_every_vertex_lineage_type_is_in_the_documented_enum(lineage, sagemaker, backend):
    """API_QueryLineage / Vertex LineageType: TrialComponent | Artifact | Context | Action - also for an
    experiment, which AssociationEntityArn allows as an end ("Conceptually, experiments and trials are
    contexts", Lineage Tracking Entities)."""
    # Given: a dataset associated with an experiment and a trial component
    experiment_name, component_name = lineage.name("exp"), lineage.name("tc")
    experiment = sagemaker.create_experiment(ExperimentName=experiment_name)["ExperimentArn"]
    component = sagemaker.create_trial_component(TrialComponentName=component_name)["TrialComponentArn"]
    dataset = lineage.artifact()
    lineage.associate(dataset, experiment, "AssociatedWith")
    lineage.associate(dataset, component)

    try:
        # When
        answer = sagemaker.query_lineage(StartArns=[dataset], Direction="Descendants")

        # Then
        assert {vertex["Arn"] for vertex in answer["Vertices"]} == {dataset, experiment, component}
        assert {vertex["LineageType"] for vertex in answer["Vertices"]} <= {
            "TrialComponent",
            "Artifact",
            "Context",
            "Action",
        }
    finally:
        if not backend.is_emulator:
            lineage.cleanup()
            sagemaker.delete_trial_component(TrialComponentName=component_name)
            sagemaker.delete_experiment(ExperimentName=experiment_name)


def test_both_does_not_turn_around(graph, sagemaker):
    """API_QueryLineage Direction Both. The reference does not define Both further; the emulator takes the
    union of the Ascendants and the Descendants walks, so a sibling that is reached only by going down and
    then up again (image, from data through build) is not returned."""
    # Given: data and image both contribute to build
    # When
    answer = sagemaker.query_lineage(StartArns=[graph["data"]], Direction="Both")

    # Then
    assert graph.names(_vertices(answer)) == {"data", "build", "model", "deploy", "endpoint"}


def test_default_max_depth_is_10(lineage, sagemaker):
    """API_QueryLineage MaxDepth has a maximum of 10 and no documented default; the emulator walks 10
    associations when MaxDepth is omitted (the SageMaker Python SDK's LineageQuery default)."""
    # Given: a chain of 12 artifacts, 11 associations long
    chain = [lineage.artifact() for _ in range(12)]
    for source, destination in itertools.pairwise(chain):
        lineage.associate(source, destination, "DerivedFrom")

    # When
    answer = sagemaker.query_lineage(StartArns=[chain[0]], Direction="Descendants")

    # Then: the start and the ten artifacts after it
    assert set(_vertices(answer)) == set(chain[:11])


def test_include_edges_returns_every_association_between_returned_entities(lineage, sagemaker):
    """API_QueryLineage Edges: "A list of edges that connect vertices in the response." An entity
    reached twice (an image shared by two jobs) keeps both of its associations."""
    # Given: one image that contributed to two jobs, the second job consuming the first job's output
    image = lineage.artifact("Image")
    prepare = lineage.action("ProcessingJob")
    features = lineage.artifact("DataSet")
    train = lineage.action("TrainingJob")
    for source, destination, kind in (
        (image, prepare, "ContributedTo"),
        (prepare, features, "Produced"),
        (features, train, "ContributedTo"),
        (image, train, "ContributedTo"),
    ):
        lineage.associate(source, destination, kind)

    # When: everything upstream of the training job is asked for, with edges
    answer = sagemaker.query_lineage(StartArns=[train], Direction="Ascendants", IncludeEdges=True)

    # Then: the image's edges to both jobs are there, not only the first one the walk took
    assert _edges(answer) == {
        (image, prepare, "ContributedTo"),
        (prepare, features, "Produced"),
        (features, train, "ContributedTo"),
        (image, train, "ContributedTo"),
    }
