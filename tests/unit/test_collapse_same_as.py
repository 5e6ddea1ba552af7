"""`trace --collapse-same-as`: SameAs twins become one vertex, as the SageMaker SDK shows them."""

from __future__ import annotations

from lineage_recorder_cli.lineage_graph import LineageGraph, collapse_same_as

PROD, DEV = "111111111111", "123456789012"
ENDPOINT = f"arn:aws:sagemaker:us-east-1:{PROD}:context/prod-endpoint"
DEPLOYMENT = f"arn:aws:sagemaker:us-east-1:{PROD}:action/prod-deployment"
PACKAGE_IN_PROD = f"arn:aws:sagemaker:us-east-1:{PROD}:artifact/package-prod"
PACKAGE_IN_DEV = f"arn:aws:sagemaker:us-east-1:{DEV}:artifact/package-dev"
MODEL_DATA_IN_DEV = f"arn:aws:sagemaker:us-east-1:{DEV}:artifact/model-data"


def _edge(source: str, destination: str, kind: str) -> tuple[tuple[str, str], dict[str, str]]:
    return (source, destination), {
        "SourceArn": source,
        "DestinationArn": destination,
        "AssociationType": kind,
    }


def _cross_account_graph() -> LineageGraph:
    graph = LineageGraph(ENDPOINT)
    for arn, kind in (
        (ENDPOINT, "Context"),
        (DEPLOYMENT, "Action"),
        (PACKAGE_IN_PROD, "Artifact"),
        (PACKAGE_IN_DEV, "Artifact"),
        (MODEL_DATA_IN_DEV, "Artifact"),
    ):
        graph.vertices[arn] = {"Arn": arn, "Type": "", "LineageType": kind}
    graph.edges.update(
        dict(
            [
                _edge(DEPLOYMENT, ENDPOINT, "AssociatedWith"),
                _edge(PACKAGE_IN_PROD, DEPLOYMENT, "ContributedTo"),
                _edge(PACKAGE_IN_PROD, PACKAGE_IN_DEV, "SameAs"),
                _edge(MODEL_DATA_IN_DEV, PACKAGE_IN_DEV, "ContributedTo"),
            ]
        )
    )
    return graph


def test_twins_merge_into_the_one_in_the_start_entitys_account() -> None:
    # Given prod's package artifact SameAs dev's, with the model data linked to dev's twin
    graph = _cross_account_graph()
    # When collapsed
    collapsed = collapse_same_as(graph)
    # Then one package vertex remains, prod's, named with its dev twin
    assert PACKAGE_IN_DEV not in collapsed.vertices
    assert collapsed.twins == {PACKAGE_IN_PROD: [PACKAGE_IN_DEV]}
    # And no SameAs edge is left; dev's edge now reaches the prod representative
    kinds = {edge["AssociationType"] for edge in collapsed.edges.values()}
    assert "SameAs" not in kinds
    assert (MODEL_DATA_IN_DEV, PACKAGE_IN_PROD) in collapsed.edges
    assert (PACKAGE_IN_PROD, DEPLOYMENT) in collapsed.edges


def test_a_graph_without_twins_is_unchanged() -> None:
    # Given a graph with no SameAs edge
    graph = _cross_account_graph()
    del graph.edges[(PACKAGE_IN_PROD, PACKAGE_IN_DEV)]
    # When collapsed / Then every vertex and edge is still there
    collapsed = collapse_same_as(graph)
    assert set(collapsed.vertices) == set(graph.vertices)
    assert set(collapsed.edges) == set(graph.edges)
    assert collapsed.twins == {}
