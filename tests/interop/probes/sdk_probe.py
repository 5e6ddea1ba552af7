"""Ask the real SageMaker Python SDK v3 (``sagemaker.core.lineage``) about the recorded estate.

Run by tests/interop with .venv-interop's python: ``sdk_probe.py QUESTIONS.json ANSWERS.json``. QUESTIONS is
the estate (tests/interop/estate.py, ``Estate.as_input``); ANSWERS is ``{"answers": {name: {"value": ...} or
{"error": "Type: message"}}, "network_attempts": [...], "model_package_requests": [...]}``.

The start entities are found the way a user finds them, with the SDK's own list helpers (an endpoint's
context by its ARN as SourceUri, an artifact by its URI, the approval by the package ARN). Entities in the
answers are ``{"class": <SDK class>, "id": <what it stands for>}``: Source.SourceUri of an artifact, action
or context, Source.SourceArn of a trial component.

No network: ``_guard`` refuses anything but loopback; the Session gets an explicit SDK config with
TelemetryOptOut (sagemaker.core.config.config_schema.TELEMETRY_OPT_OUT_PATH), so it reads no config file
(session_helper.Session._initialize loads one only when sagemaker_config is empty).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import _guard  # before the SDK: refuse any connection that is not loopback
import boto3
from sagemaker.core.helper.session_helper import Session
from sagemaker.core.lineage.action import Action, ModelPackageApprovalAction
from sagemaker.core.lineage.artifact import Artifact, DatasetArtifact, ImageArtifact, ModelArtifact
from sagemaker.core.lineage.context import Context, EndpointContext, ModelPackageGroup
from sagemaker.core.lineage.lineage_trial_component import LineageTrialComponent
from sagemaker.core.lineage.query import (
    LineageEntityEnum,
    LineageFilter,
    LineageQuery,
    LineageQueryDirectionEnum,
    LineageSourceEnum,
)
from sagemaker.core.lineage.visualizer import LineageTableVisualizer

ASCENDANTS = LineageQueryDirectionEnum.ASCENDANTS
DESCENDANTS = LineageQueryDirectionEnum.DESCENDANTS
BOTH = LineageQueryDirectionEnum.BOTH
SDK_CONFIG = {"SchemaVersion": "1.0", "SageMaker": {"PythonSDK": {"Modules": {"TelemetryOptOut": True}}}}

answers: dict[str, Any] = {}


def ask(name: str, question: Callable[[], Any]) -> None:
    """Record the answer, or the error, of one question."""
    try:
        answers[name] = {"value": question()}
    except Exception as error:  # noqa: BLE001 - every helper's failure is an answer of its own
        answers[name] = {"error": f"{type(error).__name__}: {error}"[:2000]}


def _source_field(source: Any, name: str) -> Any:
    if source is None:
        return None
    if isinstance(source, dict):
        return source.get(name) or source.get("".join(part.title() for part in name.split("_")))
    return getattr(source, name, None)


def identify(entity: Any) -> Any:
    """What an SDK object stands for."""
    if entity is None or isinstance(entity, str | int | float | bool):
        return entity
    if hasattr(entity, "destination_arn"):  # an association summary
        return {
            "source_arn": entity.source_arn,
            "source_type": getattr(entity, "source_type", None),
            "destination_arn": entity.destination_arn,
            "destination_type": getattr(entity, "destination_type", None),
            "association_type": getattr(entity, "association_type", None),
        }
    source = getattr(entity, "source", None)
    if isinstance(entity, LineageTrialComponent):
        return _source_field(source, "source_arn")
    return _source_field(source, "source_uri")


def described(entities: Any) -> Any:
    if isinstance(entities, list):
        return [{"class": type(entity).__name__, "id": identify(entity)} for entity in entities]
    return identify(entities)


def _one(summaries: Any, what: str) -> Any:
    found = list(summaries)
    if len(found) != 1:
        raise LookupError(f"{len(found)} lineage entities for {what}")
    return found[0]


def main(questions_path: str, answers_path: str) -> None:
    estate = json.loads(Path(questions_path).read_text())
    boto_session = boto3.Session(region_name="us-east-1")
    session = Session(boto_session=boto_session, sagemaker_config=SDK_CONFIG)
    client = session.sagemaker_client
    # ModelPackageApprovalAction.model_package() builds its own DescribeModelPackage call: keep what it sent.
    package_requests: list[str] = []
    client.meta.events.register(
        "provide-client-params.sagemaker.DescribeModelPackage",
        lambda params, **_: package_requests.append(str(params.get("ModelPackageName"))),
    )

    def context(source_uri: str, kind: type[Context]) -> Context:
        summary = _one(Context.list(source_uri=source_uri, sagemaker_session=session), source_uri)
        return kind.load(context_name=summary.context_name, sagemaker_session=session)

    def artifact(source_uri: str, kind: type[Artifact]) -> Artifact:
        summary = _one(Artifact.list(source_uri=source_uri, sagemaker_session=session), source_uri)
        return kind.load(artifact_arn=summary.artifact_arn, sagemaker_session=session)

    def approval(package_arn: str) -> ModelPackageApprovalAction:
        summaries = Action.list(source_uri=package_arn, action_type="Approval", sagemaker_session=session)
        summary = _one(summaries, f"the approval of {package_arn}")
        return ModelPackageApprovalAction.load(action_name=summary.action_name, sagemaker_session=session)

    # --- EndpointContext, for the updated endpoint and for the one with two production variants
    for label, endpoint_arn in (
        ("endpoint", estate["endpoint_arn"]),
        ("ab_endpoint", estate["ab_endpoint_arn"]),
    ):
        ask(f"{label}.load", lambda arn=endpoint_arn: described(context(arn, EndpointContext)))
        ask(
            f"{label}.dataset_artifacts",
            lambda arn=endpoint_arn: described(context(arn, EndpointContext).dataset_artifacts()),
        )
        ask(
            f"{label}.training_job_arns",
            lambda arn=endpoint_arn: context(arn, EndpointContext).training_job_arns(),
        )
        ask(
            f"{label}.processing_jobs",
            lambda arn=endpoint_arn: described(context(arn, EndpointContext).processing_jobs()),
        )
        ask(
            f"{label}.transform_jobs",
            lambda arn=endpoint_arn: described(context(arn, EndpointContext).transform_jobs()),
        )
        ask(
            f"{label}.trial_components",
            lambda arn=endpoint_arn: described(context(arn, EndpointContext).trial_components()),
        )
        ask(f"{label}.models", lambda arn=endpoint_arn: described(context(arn, EndpointContext).models()))
        ask(
            f"{label}.models_v2",
            lambda arn=endpoint_arn: described(context(arn, EndpointContext).models_v2()),
        )
        ask(
            f"{label}.models_v2(ascendants)",
            lambda arn=endpoint_arn: described(context(arn, EndpointContext).models_v2(direction=ASCENDANTS)),
        )
        ask(
            f"{label}.pipeline_execution_arn",
            lambda arn=endpoint_arn: context(arn, EndpointContext).pipeline_execution_arn(),
        )

    # --- ModelArtifact: the trained model data, and the package version (an artifact of type Model too)
    for label, uri in (("model_data", estate["model_data"]), ("package", estate["package_arn"])):
        ask(
            f"{label}.endpoint_contexts",
            lambda uri=uri: described(artifact(uri, ModelArtifact).endpoint_contexts()),
        )
        ask(
            f"{label}.dataset_artifacts",
            lambda uri=uri: described(artifact(uri, ModelArtifact).dataset_artifacts()),
        )
        ask(f"{label}.training_job_arns", lambda uri=uri: artifact(uri, ModelArtifact).training_job_arns())
        ask(f"{label}.endpoints", lambda uri=uri: described(artifact(uri, ModelArtifact).endpoints()))
        ask(
            f"{label}.pipeline_execution_arn",
            lambda uri=uri: artifact(uri, ModelArtifact).pipeline_execution_arn(),
        )

    # What the SDK reads of the package's MetadataProperties (set when the artifact was created).
    for label, uri in (
        ("package", estate["package_arn"]),
        ("pipeline_package", estate["pipeline_package_arn"]),
    ):
        ask(
            f"{label}.metadata_properties",
            lambda uri=uri: getattr(artifact(uri, ModelArtifact), "metadata_properties", None),
        )

    # --- DatasetArtifact
    raw, train = estate["raw_data"], estate["train_features"]
    ask("raw_data.endpoint_contexts", lambda: described(artifact(raw, DatasetArtifact).endpoint_contexts()))
    ask(
        "raw_data.downstream_datasets",
        lambda: described(artifact(raw, DatasetArtifact).downstream_datasets()),
    )
    ask(
        "train_features.upstream_datasets",
        lambda: described(artifact(train, DatasetArtifact).upstream_datasets()),
    )
    ask("train_features.trained_models", lambda: described(artifact(train, DatasetArtifact).trained_models()))

    # --- ImageArtifact
    for label, image in (
        ("training_image", estate["training_image"]),
        ("preprocess_image", estate["preprocess_image"]),
    ):
        ask(
            f"{label}.datasets(descendants)",
            lambda image=image: described(artifact(image, ImageArtifact).datasets(DESCENDANTS)),
        )
        ask(
            f"{label}.datasets(ascendants)",
            lambda image=image: described(artifact(image, ImageArtifact).datasets(ASCENDANTS)),
        )

    # --- ModelPackageApprovalAction: the approved version, and the pipeline's version pending approval
    package = estate["package_arn"]
    ask("approval.load", lambda: described(approval(package)))
    ask("approval.datasets", lambda: described(approval(package).datasets()))
    ask("approval.endpoints", lambda: described(approval(package).endpoints()))

    def model_package() -> Any:
        package_requests.clear()
        action = approval(package)
        try:
            response = action.model_package()
        finally:
            answers["approval.model_package.requested"] = {"value": list(package_requests)}
        return None if response is None else response.get("ModelPackageArn")

    ask("approval.model_package", model_package)
    ask(
        "pipeline_approval.endpoints", lambda: described(approval(estate["pipeline_package_arn"]).endpoints())
    )

    # --- ModelPackageGroup
    ask("model_group.load", lambda: described(context(estate["group_arn"], ModelPackageGroup)))
    ask(
        "model_group.pipeline_execution_arn",
        lambda: context(estate["group_arn"], ModelPackageGroup).pipeline_execution_arn(),
    )

    # --- Trials (sagemaker-experiments' TrialComponent.search, i.e. the Search API)
    ask(
        "train_features.downstream_trials",
        lambda: sorted(artifact(train, Artifact).downstream_trials(sagemaker_session=session)),
    )
    ask(
        "train_features.downstream_trials_v2",
        lambda: sorted(artifact(train, Artifact).downstream_trials_v2()),
    )
    ask("train_features.upstream_trials", lambda: sorted(artifact(train, Artifact).upstream_trials()))

    # --- LineageQuery, with filters, in each direction
    def query(start: str, direction: LineageQueryDirectionEnum, **filters: Any) -> Any:
        result = LineageQuery(session).query(
            start_arns=[start],
            direction=direction,
            include_edges=False,
            query_filter=LineageFilter(**filters) if filters else None,
        )
        return described([vertex.to_lineage_object() for vertex in result.vertices])

    def arn_of(source_uri: str) -> str:
        return str(
            _one(Artifact.list(source_uri=source_uri, sagemaker_session=session), source_uri).artifact_arn
        )

    def context_arn_of(source_uri: str) -> str:
        return str(
            _one(Context.list(source_uri=source_uri, sagemaker_session=session), source_uri).context_arn
        )

    artifact_filter = {"entities": [LineageEntityEnum.ARTIFACT], "sources": [LineageSourceEnum.DATASET]}
    ask(
        "query.endpoint.ascendants.datasets",
        lambda: query(context_arn_of(estate["endpoint_arn"]), ASCENDANTS, **artifact_filter),
    )
    ask(
        "query.raw_data.descendants.endpoints",
        lambda: query(
            arn_of(raw),
            DESCENDANTS,
            entities=[LineageEntityEnum.CONTEXT],
            sources=[LineageSourceEnum.ENDPOINT],
        ),
    )
    ask(
        "query.model_data.both.trial_components",
        lambda: query(arn_of(estate["model_data"]), BOTH, entities=[LineageEntityEnum.TRIAL_COMPONENT]),
    )
    ask(
        "query.package.descendants.approvals",
        lambda: query(
            arn_of(package),
            DESCENDANTS,
            entities=[LineageEntityEnum.ACTION],
            sources=[LineageSourceEnum.APPROVAL],
        ),
    )
    ask(
        "query.package.descendants.model_groups",
        lambda: query(
            arn_of(package),
            DESCENDANTS,
            entities=[LineageEntityEnum.CONTEXT],
            sources=[LineageSourceEnum.MODEL_GROUP],
        ),
    )
    ask(
        "query.package.descendants.deployments",
        lambda: query(
            arn_of(package),
            DESCENDANTS,
            entities=[LineageEntityEnum.ACTION],
            sources=[LineageSourceEnum.MODEL_DEPLOYMENT],
        ),
    )

    # The whole ascendant graph of the updated endpoint, with its edges, then drawn with pyvis.
    graph: dict[str, Any] = {}

    def endpoint_graph() -> Any:
        start = context_arn_of(estate["endpoint_arn"])
        result = LineageQuery(session).query(start_arns=[start], direction=ASCENDANTS, include_edges=True)
        graph["result"] = result
        vertices = [
            {
                "arn": vertex.arn,
                "lineage_entity": vertex.lineage_entity,
                "lineage_source": vertex.lineage_source,
                **(described([vertex.to_lineage_object()])[0]),
            }
            for vertex in result.vertices
        ]
        edges = [
            {
                "source_arn": edge.source_arn,
                "destination_arn": edge.destination_arn,
                "type": edge.association_type,
            }
            for edge in result.edges
        ]
        return {"start": start, "vertices": vertices, "edges": edges}

    ask("query.endpoint.ascendants.graph", endpoint_graph)

    def visualize() -> Any:
        result = graph.get("result")
        if result is None:
            raise RuntimeError("the graph query failed; nothing to draw")
        path = Path(tempfile.mkdtemp()) / "lineage.html"
        shown = result.visualize(path=str(path))
        html = path.read_text() if path.is_file() else ""
        return {
            "returned": type(shown).__name__,
            "written": path.is_file(),
            "vertices_drawn": sorted(vertex.arn for vertex in result.vertices if vertex.arn in html),
            "legend": "StartArn" in html,
        }

    ask("query.endpoint.ascendants.visualize", visualize)

    # --- LineageTableVisualizer: every association in and out of one entity, as a DataFrame
    table = LineageTableVisualizer(session)

    def rows(**start: str) -> Any:
        frame = table.show(**start)
        return None if frame is None else [[str(cell) for cell in row] for row in frame.values.tolist()]

    ask("table.endpoint", lambda: rows(endpoint_arn=estate["endpoint_arn"]))
    ask("table.training_job", lambda: rows(training_job_name=estate["training_job_name"]))
    ask("table.processing_job", lambda: rows(processing_job_name=estate["processing_job_name"]))
    ask("table.model_package", lambda: rows(model_package_arn=package))

    Path(answers_path).write_text(
        json.dumps({"answers": answers, "network_attempts": _guard.attempts}, default=str, indent=1)
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
