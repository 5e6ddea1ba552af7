"""Search over trial components, in the request shapes the SageMaker Python SDK sends.

The SDK (sagemaker-core) calls Search with Resource ``ExperimentTrialComponent`` only:
- lineage/artifact.py ``Artifact._get_trial_from_trial_component`` (behind ``downstream_trials``,
  ``downstream_trials_v2`` and ``upstream_trials``): Filters ``TrialComponentArn`` Equals <arn>, joined
  with Operator ``Or``; it then reads ``Parents[].TrialName`` of every result;
- experiments/trial_component.py ``_trial_component_is_associated_to_trial``: Filters
  ``TrialComponentName`` Equals and ``Parents.TrialName`` Equals (no Operator: And);
- experiments/_utils.py ``is_run_trial_component``: ``TrialComponentName`` Equals, MaxResults 1, then Tags;
- analytics.py ``ExperimentAnalytics``: ``Parents.ExperimentName`` Equals, with SortBy / SortOrder and
  NextToken.

Every search is scoped to this test's components (TrialComponentName Contains the test's uid), so the
tests hold in a real account. SageMaker's Search reads an index that follows writes shortly after; against
real AWS each search is repeated for up to a minute until it shows what the test wrote.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

TRIAL_COMPONENT = "ExperimentTrialComponent"


@dataclass
class Experiments:
    """Trial components, trials and experiments of one test; deleted afterwards on real AWS."""

    sm: Any
    uid: str
    components: list[str] = field(default_factory=list)
    trials: list[str] = field(default_factory=list)
    experiments: list[str] = field(default_factory=list)
    members: list[tuple[str, str]] = field(default_factory=list)

    def component(self, name: str, **extra: Any) -> str:
        arn = str(self.sm.create_trial_component(TrialComponentName=name, **extra)["TrialComponentArn"])
        self.components.append(name)
        return arn

    def experiment(self, name: str) -> str:
        self.sm.create_experiment(ExperimentName=name)
        self.experiments.append(name)
        return name

    def trial(self, name: str, experiment: str) -> str:
        self.sm.create_trial(TrialName=name, ExperimentName=experiment)
        self.trials.append(name)
        return name

    def join(self, trial: str, component: str) -> None:
        self.sm.associate_trial_component(TrialName=trial, TrialComponentName=component)
        self.members.append((trial, component))

    def cleanup(self) -> None:
        for action, calls in (
            (
                "disassociate_trial_component",
                [{"TrialName": t, "TrialComponentName": c} for t, c in self.members],
            ),
            ("delete_trial_component", [{"TrialComponentName": c} for c in self.components]),
            ("delete_trial", [{"TrialName": t} for t in self.trials]),
            ("delete_experiment", [{"ExperimentName": e} for e in self.experiments]),
        ):
            for request in calls:
                with contextlib.suppress(ClientError):
                    getattr(self.sm, action)(**request)


@pytest.fixture
def experiments(backend, sagemaker, lineage) -> Iterator[Experiments]:
    helper = Experiments(sagemaker, lineage.uid)
    yield helper
    if not backend.is_emulator:
        lineage.cleanup()  # associations first: a component with associations cannot be deleted
        helper.cleanup()


def _scoped(uid: str, *filters: dict[str, Any], operator: str = "And") -> dict[str, Any]:
    """A SearchExpression limited to this test's components (TrialComponentName may repeat Contains)."""
    inner: dict[str, Any] = {"Filters": list(filters), "Operator": operator}
    return {
        "Filters": [{"Name": "TrialComponentName", "Operator": "Contains", "Value": uid}],
        "SubExpressions": [inner],
        "Operator": "And",
    }


def _settled(
    backend, ask: Callable[[], dict[str, Any]], done: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Ask once in the emulator; against real AWS, until ``done`` holds or a minute has passed."""
    deadline = time.monotonic() + (0 if backend.is_emulator else 60)
    while True:
        answer = ask()
        if done(answer) or time.monotonic() >= deadline:
            return answer
        time.sleep(3)


@pytest.fixture
def search(backend, sagemaker) -> Callable[..., dict[str, Any]]:
    """``search(expected, **request)``: a trial-component Search, settled on ``expected`` results."""
    return lambda expected, **request: _search(backend, sagemaker, expected, **request)


def _names(answer: dict[str, Any]) -> list[str]:
    return [result["TrialComponent"]["TrialComponentName"] for result in answer["Results"]]


def _search(backend, sagemaker, expected: int, **request: Any) -> dict[str, Any]:
    return _settled(
        backend,
        lambda: sagemaker.search(Resource=TRIAL_COMPONENT, **request),
        lambda answer: len(answer["Results"]) == expected,
    )


# ----------------------------------------------------------------------------------- SDK shapes
def test_trial_component_arns_joined_with_or_find_each_component_and_its_parents(
    backend, sagemaker, experiments, lineage
):
    """SDK lineage/artifact.py ``_get_search_expression``: one Filter per ARN, Name ``TrialComponentArn``,
    Operator Equals, the expression's Operator ``Or``; ``_get_trial_from_trial_component`` then reads
    ``parent["TrialName"]`` of each result's Parents. API_TrialComponent (SearchRecord.TrialComponent)
    Parents: "An array of the parents of the component. A parent is a trial the component is associated
    with and the experiment the trial is part of. A component might not have any parents"."""
    # Given: two components, the first in a trial; a third not asked for
    experiment = experiments.experiment(lineage.name("exp"))
    trial = experiments.trial(lineage.name("trial"), experiment)
    first_name = lineage.name("first")
    first = experiments.component(first_name)
    second = experiments.component(lineage.name("second"))
    experiments.component(lineage.name("third"))
    experiments.join(trial, first_name)

    # When
    answer = _search(
        backend,
        sagemaker,
        2,
        SearchExpression={
            "Filters": [
                {"Name": "TrialComponentArn", "Operator": "Equals", "Value": first},
                {"Name": "TrialComponentArn", "Operator": "Equals", "Value": second},
            ],
            "Operator": "Or",
        },
    )

    # Then
    records = {
        result["TrialComponent"]["TrialComponentArn"]: result["TrialComponent"]
        for result in answer["Results"]
    }
    assert set(records) == {first, second}
    assert records[first]["Parents"] == [{"TrialName": trial, "ExperimentName": experiment}]
    assert records[second].get("Parents", []) == []
    assert records[first]["TrialComponentName"] == first_name


def test_downstream_trials_are_the_parents_of_the_associated_components(
    backend, sagemaker, experiments, lineage
):
    """SDK lineage/artifact.py ``Artifact.downstream_trials``: ListAssociations(SourceArn=<artifact>), then
    Search for the destinations' TrialComponentArns and collect ``Parents[].TrialName`` (the SDK's
    real-AWS test tests/integ/sagemaker/lineage/test_artifact.py::test_downstream_trials expects the one
    trial)."""
    # Given: a dataset contributing to a component that belongs to a trial
    experiment = experiments.experiment(lineage.name("exp"))
    trial = experiments.trial(lineage.name("trial"), experiment)
    name = lineage.name("tc")
    component = experiments.component(name)
    experiments.join(trial, name)
    dataset = lineage.artifact()
    lineage.associate(dataset, component)

    # When: the SDK's calls
    destinations = [
        summary["DestinationArn"]
        for summary in sagemaker.list_associations(SourceArn=dataset)["AssociationSummaries"]
    ]
    answer = _search(
        backend,
        sagemaker,
        len(destinations),
        SearchExpression={
            "Filters": [
                {"Name": "TrialComponentArn", "Operator": "Equals", "Value": arn} for arn in destinations
            ],
            "Operator": "Or",
        },
    )
    trials = {
        parent["TrialName"] for result in answer["Results"] for parent in result["TrialComponent"]["Parents"]
    }

    # Then
    assert destinations == [component]
    assert trials == {trial}


def test_upstream_trials_come_from_query_lineage_then_search(backend, sagemaker, experiments, lineage):
    """SDK lineage/artifact.py ``Artifact.upstream_trials``: QueryLineage(StartArns=[<artifact>], Direction
    Ascendants, Filters {LineageTypes: [TrialComponent]}, IncludeEdges False), then Search the vertices'
    ARNs as above (tests/integ/sagemaker/lineage/test_artifact.py::test_upstream_trials expects the one
    trial)."""
    # Given: a component that produced a model, the component in a trial
    experiment = experiments.experiment(lineage.name("exp"))
    trial = experiments.trial(lineage.name("trial"), experiment)
    name = lineage.name("tc")
    component = experiments.component(name)
    experiments.join(trial, name)
    model = lineage.artifact("Model")
    lineage.associate(component, model, "Produced")

    # When
    vertices = sagemaker.query_lineage(
        StartArns=[model],
        Direction="Ascendants",
        IncludeEdges=False,
        Filters={"LineageTypes": ["TrialComponent"]},
        MaxDepth=10,
    )["Vertices"]
    arns = [vertex["Arn"] for vertex in vertices]
    answer = _search(
        backend,
        sagemaker,
        len(arns),
        SearchExpression={
            "Filters": [{"Name": "TrialComponentArn", "Operator": "Equals", "Value": arn} for arn in arns],
            "Operator": "Or",
        },
    )

    # Then
    assert arns == [component]
    assert [
        parent["TrialName"] for result in answer["Results"] for parent in result["TrialComponent"]["Parents"]
    ] == [trial]


def test_trial_component_name_and_parents_trial_name_both_have_to_match(
    backend, sagemaker, experiments, lineage
):
    """SDK experiments/trial_component.py ``_trial_component_is_associated_to_trial``: Filters
    TrialComponentName Equals and Parents.TrialName Equals, no Operator. API_SearchExpression Operator:
    "If you want every conditional statement in all lists to be satisfied ... specify And ... The default
    value is And"."""
    # Given: a component in one of two trials
    experiment = experiments.experiment(lineage.name("exp"))
    inside = experiments.trial(lineage.name("in"), experiment)
    outside = experiments.trial(lineage.name("out"), experiment)
    name = lineage.name("tc")
    experiments.component(name)
    experiments.join(inside, name)

    def ask(trial: str) -> dict[str, Any]:
        return dict(
            sagemaker.search(
                Resource=TRIAL_COMPONENT,
                SearchExpression={
                    "Filters": [
                        {"Name": "TrialComponentName", "Operator": "Equals", "Value": name},
                        {"Name": "Parents.TrialName", "Operator": "Equals", "Value": trial},
                    ]
                },
            )
        )

    # When
    found = _settled(backend, lambda: ask(inside), lambda answer: bool(answer["Results"]))
    not_found = ask(outside)

    # Then
    assert _names(found) == [name]
    assert not_found["Results"] == []


def test_parents_experiment_name_selects_the_experiments_components(backend, sagemaker, experiments, lineage):
    """SDK analytics.py ``ExperimentAnalytics._get_trial_components``: Filter Parents.ExperimentName Equals
    <experiment>, read page by page with NextToken."""
    # Given: two components in trials of the experiment, one in another experiment's trial, one in none
    ours, theirs = (
        experiments.experiment(lineage.name("ours")),
        experiments.experiment(lineage.name("theirs")),
    )
    ours_trial = experiments.trial(lineage.name("t1"), ours)
    theirs_trial = experiments.trial(lineage.name("t2"), theirs)
    names = [lineage.name(stem) for stem in ("a", "b", "c", "d")]
    for name in names:
        experiments.component(name)
    experiments.join(ours_trial, names[0])
    experiments.join(ours_trial, names[1])
    experiments.join(theirs_trial, names[2])
    request = {
        "Resource": TRIAL_COMPONENT,
        "SearchExpression": {
            "Filters": [{"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": ours}]
        },
        "MaxResults": 1,
    }

    def every_page() -> dict[str, Any]:
        found: list[dict[str, Any]] = []
        page = sagemaker.search(**request)
        found.extend(page["Results"])
        while page.get("NextToken"):
            page = sagemaker.search(**request, NextToken=page["NextToken"])
            found.extend(page["Results"])
        return {"Results": found}

    # When
    answer = _settled(backend, every_page, lambda answer: len(answer["Results"]) == 2)

    # Then
    assert sorted(_names(answer)) == sorted(names[:2])


def test_a_job_component_is_found_by_its_source_arn(backend, sagemaker, jobs):
    """API_TrialComponent (SearchRecord) Source: "The Amazon Resource Name (ARN) and job type of the source
    of the component"; a nested property is named with dots (API_NestedFilters: "InputDataConfig.
    DataSource.S3DataSource.S3Uri")."""
    # Given
    name = jobs.create("training")
    job_arn = jobs.arn("training", name)

    # When
    answer = _search(
        backend,
        sagemaker,
        1,
        SearchExpression={"Filters": [{"Name": "Source.SourceArn", "Operator": "Equals", "Value": job_arn}]},
    )

    # Then
    (result,) = answer["Results"]
    assert result["TrialComponent"]["Source"] == {"SourceArn": job_arn, "SourceType": "SageMakerTrainingJob"}
    assert result["TrialComponent"]["TrialComponentName"].lower() == f"{name}-aws-training-job".lower()


def test_tags_given_at_creation_are_searchable_as_tags_key(backend, sagemaker, experiments, lineage):
    """API_CreateTrialComponent Tags: "A list of tags to associate with the component"; API_Filter Tags:
    "To define a tag filter, enter a value with the form Tags.<key>"; SearchRecord.TrialComponent Tags:
    "You can use Search API to search on the tags". The SDK's is_run_trial_component reads the Tags of
    the one result."""
    # Given
    tagged, untagged = lineage.name("tagged"), lineage.name("plain")
    experiments.component(tagged, Tags=[{"Key": "team", "Value": "vision"}])
    experiments.component(untagged)

    # When
    answer = _search(
        backend,
        sagemaker,
        1,
        SearchExpression=_scoped(lineage.uid, {"Name": "Tags.team", "Operator": "Equals", "Value": "vision"}),
    )
    other_value = sagemaker.search(
        Resource=TRIAL_COMPONENT,
        SearchExpression=_scoped(lineage.uid, {"Name": "Tags.team", "Operator": "Equals", "Value": "nlp"}),
    )
    listed = sagemaker.list_tags(ResourceArn=answer["Results"][0]["TrialComponent"]["TrialComponentArn"])

    # Then
    assert _names(answer) == [tagged]
    assert {"Key": "team", "Value": "vision"} in answer["Results"][0]["TrialComponent"]["Tags"]
    assert other_value["Results"] == []
    assert {"Key": "team", "Value": "vision"} in listed["Tags"]


# ------------------------------------------------------------------------------------ operators
@pytest.fixture
def three(experiments, lineage) -> dict[str, str]:
    """Components alpha, beta, gamma; only beta has a StartTime (2024-01-02T00:00:00Z)."""
    names = {stem: lineage.name(stem) for stem in ("alpha", "beta", "gamma")}
    experiments.component(names["alpha"], DisplayName="alpha display")
    experiments.component(
        names["beta"], DisplayName="beta display", StartTime=datetime(2024, 1, 2, tzinfo=UTC)
    )
    experiments.component(names["gamma"], DisplayName="gamma display")
    return names


@pytest.mark.parametrize(
    ("search_filter", "expected"),
    [
        ({"Name": "DisplayName", "Operator": "Equals", "Value": "beta display"}, {"beta"}),
        ({"Name": "DisplayName", "Value": "beta display"}, {"beta"}),
        ({"Name": "DisplayName", "Operator": "NotEquals", "Value": "beta display"}, {"alpha", "gamma"}),
        ({"Name": "DisplayName", "Operator": "Contains", "Value": "mma dis"}, {"gamma"}),
        (
            {"Name": "DisplayName", "Operator": "In", "Value": "alpha display,gamma display"},
            {"alpha", "gamma"},
        ),
        ({"Name": "StartTime", "Operator": "Exists"}, {"beta"}),
        ({"Name": "StartTime", "Operator": "NotExists"}, {"alpha", "gamma"}),
        ({"Name": "StartTime", "Operator": "GreaterThan", "Value": "2024-01-01T00:00:00"}, {"beta"}),
        ({"Name": "StartTime", "Operator": "GreaterThanOrEqualTo", "Value": "2024-01-02T00:00:00"}, {"beta"}),
        ({"Name": "StartTime", "Operator": "LessThan", "Value": "2024-01-02T00:00:00"}, set()),
        ({"Name": "StartTime", "Operator": "LessThanOrEqualTo", "Value": "2024-01-02T00:00:00"}, {"beta"}),
    ],
    ids=[
        "equals",
        "no-operator-is-equals",
        "not-equals",
        "contains",
        "in",
        "exists",
        "not-exists",
        "greater-than",
        "greater-than-or-equal-to",
        "less-than",
        "less-than-or-equal-to",
    ],
)
def test_filter_operators(search, lineage, three, search_filter, expected):
    """API_Filter Operator: Equals "The value of Name equals Value", NotEquals "doesn't equal", Exists "The
    Name property exists", NotExists, GreaterThan / GreaterThanOrEqualTo / LessThan / LessThanOrEqualTo,
    In "one of the comma delimited strings in Value", Contains "contains the string Value"; "If you specify
    a Value, but not an Operator, SageMaker uses the equals operator"; Value: "For timestamp properties,
    Value must be an ISO 8601 date-time string of the following format: YYYY-mm-dd'T'HH:MM:SS"."""
    # Given: alpha, beta, gamma
    by_name = {name: stem for stem, name in three.items()}

    # When
    answer = search(len(expected), SearchExpression=_scoped(lineage.uid, search_filter))

    # Then
    assert {by_name[name] for name in _names(answer)} == expected


def test_sub_expressions_combine_with_and_or_or(backend, sagemaker, lineage, three):
    """API_SearchExpression: "A list of SearchExpression objects. A search expression object can be nested
    in a list of search expression objects"; Operator And / Or."""
    # Given: alpha, beta, gamma
    by_name = {name: stem for stem, name in three.items()}
    alpha_or_gamma = {
        "Filters": [
            {"Name": "DisplayName", "Operator": "Equals", "Value": "alpha display"},
            {"Name": "DisplayName", "Operator": "Equals", "Value": "gamma display"},
        ],
        "Operator": "Or",
    }
    not_alpha = {"Filters": [{"Name": "DisplayName", "Operator": "NotEquals", "Value": "alpha display"}]}

    # When
    answer = _search(
        backend,
        sagemaker,
        1,
        SearchExpression={
            "Filters": [{"Name": "TrialComponentName", "Operator": "Contains", "Value": lineage.uid}],
            "SubExpressions": [alpha_or_gamma, not_alpha],
            "Operator": "And",
        },
    )

    # Then
    assert {by_name[name] for name in _names(answer)} == {"gamma"}


def test_a_nested_filter_needs_one_parent_to_satisfy_all_its_filters(
    backend, sagemaker, experiments, lineage
):
    """API_SearchExpression: "A list of NestedFilter objects ... A nested filter is satisfied if a single
    object in the list satisfies all Boolean expressions"; API_NestedFilters NestedPropertyName "The name
    of the property to use in the nested filters"."""
    # Given: a component in trial t1 (of experiment e1) and in trial t2 (of experiment e2)
    e1, e2 = experiments.experiment(lineage.name("e1")), experiments.experiment(lineage.name("e2"))
    t1, t2 = experiments.trial(lineage.name("t1"), e1), experiments.trial(lineage.name("t2"), e2)
    name = lineage.name("tc")
    experiments.component(name)
    experiments.join(t1, name)
    experiments.join(t2, name)

    def nested(trial: str, experiment: str) -> dict[str, Any]:
        return {
            "Filters": [{"Name": "TrialComponentName", "Operator": "Equals", "Value": name}],
            "NestedFilters": [
                {
                    "NestedPropertyName": "Parents",
                    "Filters": [
                        {"Name": "Parents.TrialName", "Operator": "Equals", "Value": trial},
                        {"Name": "Parents.ExperimentName", "Operator": "Equals", "Value": experiment},
                    ],
                }
            ],
        }

    # When
    same_parent = _search(backend, sagemaker, 1, SearchExpression=nested(t1, e1))
    crossed = sagemaker.search(Resource=TRIAL_COMPONENT, SearchExpression=nested(t1, e2))

    # Then
    assert _names(same_parent) == [name]
    assert crossed["Results"] == []


# ------------------------------------------------------------------------------ sort and pages
def test_results_sort_by_a_property_and_page_with_next_token(backend, sagemaker, experiments, lineage):
    """API_Search SortBy "The name of the resource property used to sort the SearchResults", SortOrder
    Ascending | Descending, MaxResults "The maximum number of results to return", NextToken "If more than
    MaxResults resources match ... the response includes a NextToken"."""
    # Given: five components
    names = [lineage.name(f"n{index}") for index in range(5)]
    for name in names:
        experiments.component(name)
    expression = {"Filters": [{"Name": "TrialComponentName", "Operator": "Contains", "Value": lineage.uid}]}
    _search(backend, sagemaker, 5, SearchExpression=expression, MaxResults=100)

    # When
    pages, token = [], None
    while True:
        answer = sagemaker.search(
            Resource=TRIAL_COMPONENT,
            SearchExpression=expression,
            SortBy="TrialComponentName",
            SortOrder="Ascending",
            MaxResults=2,
            **({"NextToken": token} if token else {}),
        )
        pages.append(_names(answer))
        token = answer.get("NextToken")
        if not token:
            break

    # Then
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [name for page in pages for name in page] == sorted(names)


def test_results_default_to_last_modified_first(backend, sagemaker, experiments, lineage):
    """API_Search SortBy: "The default is LastModifiedTime"; SortOrder: "The default is Descending"."""
    # Given: three components created (so last modified) one after another
    names = []
    for index in range(3):
        names.append(lineage.name(f"m{index}"))
        experiments.component(names[-1])
        time.sleep(0.01 if backend.is_emulator else 1.1)

    # When
    answer = _search(
        backend,
        sagemaker,
        3,
        SearchExpression={
            "Filters": [{"Name": "TrialComponentName", "Operator": "Contains", "Value": lineage.uid}]
        },
    )

    # Then
    assert _names(answer) == list(reversed(names))


# ---------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("resource", ["Artifact", "Action", "Context"])
def test_lineage_entities_are_not_a_search_resource(unvalidated_sagemaker, raises_aws, resource):
    """API_Search Resource: Valid Values TrainingJob | Experiment | ExperimentTrial |
    ExperimentTrialComponent | Endpoint | Model | ModelPackage | ModelPackageGroup | Pipeline |
    PipelineExecution | FeatureGroup | FeatureMetadata | Image | ImageVersion | Project |
    HyperParameterTuningJob | ModelCard | PipelineVersion | Job | HubContent - no Artifact, Action or
    Context, and SearchRecord has no member to return one in. Lineage entities are listed with
    ListArtifacts / ListActions / ListContexts or reached with QueryLineage instead."""
    # Given / When / Then
    with raises_aws("ValidationException", "enum"):
        unvalidated_sagemaker.search(
            Resource=resource,
            SearchExpression={
                "Filters": [{"Name": f"{resource}Type", "Operator": "Equals", "Value": "DataSet"}]
            },
        )


@pytest.mark.emulator_only("which Search resources the emulator implements is the emulator's own limit")
def test_a_resource_the_emulator_does_not_search_is_refused_by_name(sagemaker, raises_aws):
    """API_Search Resource ``Model`` is valid, but neither moto nor the lineage emulator searches models:
    the answer is a ValidationException naming the resource and what the emulator does search, not an
    empty result that would read as "no such model"."""
    # Given / When / Then
    with raises_aws("ValidationException", "'Model'") as caught:
        sagemaker.search(
            Resource="Model",
            SearchExpression={"Filters": [{"Name": "ModelName", "Operator": "Equals", "Value": "m"}]},
        )
    assert "ExperimentTrialComponent" in caught.value.response["Error"]["Message"]


def test_other_resources_are_still_searched(backend, sagemaker, experiments, lineage):
    """API_Search Resource ``Experiment`` with SearchRecord.Experiment (answered by moto in the emulator)."""
    # Given
    name = experiments.experiment(lineage.name("exp"))

    # When
    answer = _settled(
        backend,
        lambda: sagemaker.search(
            Resource="Experiment",
            SearchExpression={"Filters": [{"Name": "ExperimentName", "Operator": "Equals", "Value": name}]},
        ),
        lambda answer: bool(answer["Results"]),
    )

    # Then
    assert [result["Experiment"]["ExperimentName"] for result in answer["Results"]] == [name]


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ({"Filters": [{"Name": "NoSuchProperty", "Operator": "Equals", "Value": "x"}]}, "NoSuchProperty"),
        ({"Operator": "And"}, None),
        (
            {
                "Filters": [
                    {"Name": "Source.SourceArn", "Operator": "Contains", "Value": "training-job"},
                    {"Name": "Parents.TrialName", "Operator": "Contains", "Value": "t"},
                ]
            },
            "CONTAINS",
        ),
        ({"Filters": [{"Name": "DisplayName", "Operator": "GreaterThan", "Value": "a"}]}, None),
        (
            {
                "SubExpressions": [
                    {"Filters": [{"Name": "DisplayName", "Operator": "Equals", "Value": str(index)}] * 16}
                    for index in range(3)
                ]
            },
            None,
        ),
    ],
    ids=["unknown-property", "empty-expression", "two-contains", "greater-than-on-text", "over-50-elements"],
)
def test_search_expressions_sagemaker_refuses(sagemaker, raises_aws, experiments, expression, message):
    """API_Filter Name: "You must specify a valid property for the resource"; API_SearchExpression: "You
    must specify at least one subexpression, filter, or nested filter"; API_Filter Operator Contains: "A
    SearchExpression can include only one Contains operator for all other values of Name ... 'CONTAINS'
    operator usage limit of 1 exceeded"; GreaterThan: "Not supported for text properties"; API_SearchRequest
    SearchExpression: "The maximum number of recursive SubExpressions, NestedFilters, and Filters that can
    be included in a SearchExpression object is 50" (here 3 + 48)."""
    # Given: a component, so that a filter has something to be evaluated against
    experiments.component(f"ct-{experiments.uid}-tc", DisplayName="display")

    # When / Then
    with raises_aws("ValidationException", message):
        sagemaker.search(Resource=TRIAL_COMPONENT, SearchExpression=expression)


def test_results_carry_the_documented_trial_component_fields(backend, sagemaker, experiments, lineage):
    """SearchRecord.TrialComponent: TrialComponentName, DisplayName, TrialComponentArn, CreationTime,
    LastModifiedTime, Parameters ("The hyperparameters of the component"), Tags, Parents."""
    # Given
    name = lineage.name("tc")
    arn = experiments.component(
        name, DisplayName="shown", Parameters={"lr": {"NumberValue": 0.1}, "opt": {"StringValue": "adam"}}
    )
    before = datetime.now(UTC) - timedelta(minutes=5)

    # When
    answer = _search(
        backend,
        sagemaker,
        1,
        SearchExpression={
            "Filters": [
                {"Name": "TrialComponentName", "Operator": "Equals", "Value": name},
                {"Name": "Parameters.lr", "Operator": "LessThan", "Value": "0.5"},
                {"Name": "Parameters.opt", "Operator": "Equals", "Value": "adam"},
            ]
        },
    )

    # Then
    (result,) = answer["Results"]
    record = result["TrialComponent"]
    assert (record["TrialComponentName"], record["TrialComponentArn"], record["DisplayName"]) == (
        name,
        arn,
        "shown",
    )
    assert record["Parameters"] == {"lr": {"NumberValue": 0.1}, "opt": {"StringValue": "adam"}}
    assert record["CreationTime"] >= before
    assert record["LastModifiedTime"] >= record["CreationTime"]


@pytest.mark.emulator_only("what other accounts make discoverable is set up outside the suite")
def test_cross_account_search_shows_only_what_other_accounts_share(sagemaker, experiments, lineage):
    """API_Search CrossAccountFilterOption: "When the value is "CrossAccount" the search results will only
    include resources made discoverable to you from other accounts. When the value is "SameAccount" or
    null the search results will only include resources from your account"; nothing is shared here."""
    # Given: one of our own components
    name = experiments.component(lineage.name("tc")).rsplit("/", 1)[-1]
    expression = {"Filters": [{"Name": "TrialComponentName", "Operator": "Equals", "Value": name}]}

    # When
    same = sagemaker.search(
        Resource=TRIAL_COMPONENT, SearchExpression=expression, CrossAccountFilterOption="SameAccount"
    )
    cross = sagemaker.search(
        Resource=TRIAL_COMPONENT, SearchExpression=expression, CrossAccountFilterOption="CrossAccount"
    )

    # Then
    assert _names(same) == [name]
    assert cross["Results"] == []
