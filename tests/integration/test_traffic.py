"""Correct under real event traffic: repeats, any order, and throttling, through the Lambda handler.

Bounded sizes run in `make test`; `make soak` (LINEAGE_SOAK=1) runs the same tests with thousands of
events and sixteen workers.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import botocore.retries.standard
import pytest
import sagemaker_lineage_emulator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from lineage_recorder import aws, handler
from lineage_recorder.apply.reconciler import REVISION_PROPERTY
from lineage_recorder.observability import logger as recorder_logger
from lineage_recorder_cli.local_aws import DrainReport, LocalEventPipeline, LocalLambdaContext
from moto import mock_aws

from tests.support.events import ACCOUNT, REGION, sqs_batch
from tests.support.graph import snapshot
from tests.support.logs import LogCollector
from tests.support.report import report
from tests.support.state_table import create_state_table
from tests.support.workflow import CallCounter, workflow_events

SOAK = os.environ.get("LINEAGE_SOAK") == "1"
CONTEXT = LocalLambdaContext(ACCOUNT, REGION)


@pytest.fixture(params=["state-table", "no-state-table"])
def deployment(request: pytest.FixtureRequest, emulator: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """The recorder as deployed (state table for idempotency and the registry) or as the CLI runs it."""
    if request.param == "state-table":
        monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
    else:
        monkeypatch.delenv("LINEAGE_STATE_TABLE", raising=False)
    handler.recorder.cache_clear()
    return str(request.param)


def _deliver(events: list[dict[str, Any]], batch_size: int = 10) -> list[dict[str, Any]]:
    failures = []
    for start in range(0, len(events), batch_size):
        response = handler.lambda_handler(sqs_batch(events[start : start + batch_size]), CONTEXT)
        failures.extend(response["batchItemFailures"])
    return failures


# Properties that hold a resource's times: the wall clock of the run that made it, different in each run.
_CLOCK_PROPERTIES = frozenset({REVISION_PROPERTY, "CreationTime", "ResolutionTime"})


def _properties(body: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in body.get("Properties", {}).items() if k not in _CLOCK_PROPERTIES))


def _entity_states(sagemaker: Any) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(type, SourceUri) -> status and properties, for every action and context."""
    states: dict[tuple[str, str], tuple[Any, ...]] = {}
    for page in sagemaker.get_paginator("list_actions").paginate():
        for summary in page["ActionSummaries"]:
            body = sagemaker.describe_action(ActionName=summary["ActionArn"])
            key = (summary["ActionType"], summary["Source"]["SourceUri"])
            states[key] = (body.get("Status"), _properties(body))
    for page in sagemaker.get_paginator("list_contexts").paginate():
        for summary in page["ContextSummaries"]:
            body = sagemaker.describe_context(ContextName=summary["ContextArn"])
            key = (summary["ContextType"], summary["Source"]["SourceUri"])
            states[key] = (_properties(body),)
    return states


def test_ten_deliveries_of_every_event_give_the_same_graph_and_cost_no_writes(
    deployment: str, sagemaker: Any
) -> None:
    # Given the whole workflow recorded once
    events = workflow_events(sagemaker)
    assert _deliver(events) == []
    graph, states = snapshot(sagemaker), _entity_states(sagemaker)
    counter = CallCounter().attach(aws.client("sagemaker"))
    # When every event is delivered ten more times (new SQS messages, same EventBridge events)
    failures = _deliver([event for event in events for _ in range(10)])
    # Then nothing failed, the graph and every entity's state are unchanged
    assert failures == []
    assert snapshot(sagemaker) == graph
    assert _entity_states(sagemaker) == states
    assert graph.duplicate_entities == {}
    # And the repeats wrote nothing to SageMaker (with the state table, they did not even read)
    assert counter.writes == 0, counter.calls
    if deployment == "state-table":
        assert sum(counter.calls.values()) == 0, counter.calls


def _graph_of(order: list[int] | None) -> tuple[Any, Any]:
    """Record the workflow's events in `order` (None: as published) in a fresh account."""
    sagemaker_lineage_emulator.install()
    sagemaker_lineage_emulator.reset()
    aws.forget_clients()
    handler.recorder.cache_clear()
    with mock_aws():
        sagemaker = boto3.client("sagemaker")
        events = workflow_events(sagemaker)
        chosen = events if order is None else [events[index] for index in order]
        assert _deliver(chosen, batch_size=1) == []
        result = snapshot(sagemaker), _entity_states(sagemaker)
    aws.forget_clients()
    handler.recorder.cache_clear()
    return result


@pytest.fixture(scope="module")
def published_order_graph() -> Iterator[tuple[Any, Any]]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        for key, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "POWERTOOLS_TRACE_DISABLED": "true",
        }.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        yield _graph_of(None)


# The demo workflow: processing, training (InProgress, then Completed twice), transform, two package
# events (registered, approved), two endpoint events (created, updated).
WORKFLOW_EVENTS = 9


@pytest.mark.soak
@settings(
    max_examples=300 if SOAK else 12,
    deadline=None,
    derandomize=True,
    # A failing order is reported as found: shrinking a whole workflow replay takes minutes.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(order=st.permutations(range(WORKFLOW_EVENTS)))
def test_every_order_of_the_workflows_events_gives_the_same_graph(
    order: list[int], published_order_graph: tuple[Any, Any]
) -> None:
    # Given the graph of the events in the order SageMaker published them
    # When the same events arrive in another order: an endpoint before its training job, a package
    # before its job, an approval before the registration
    graph, states = _graph_of(order)
    # Then the graph, and every action's and context's state, are the same
    expected_graph, expected_states = published_order_graph
    assert (graph.nodes, graph.edges) == (expected_graph.nodes, expected_graph.edges)
    assert graph.duplicate_entities == graph.duplicate_associations == {}
    assert states == expected_states


def test_the_workflow_has_the_number_of_events_the_order_test_permutes(sagemaker: Any) -> None:
    assert len(workflow_events(sagemaker)) == WORKFLOW_EVENTS


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's standard retries as deployed (8 attempts), without waiting seconds between them."""
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "8")
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.001)


@pytest.fixture
def failure_causes() -> Iterator[Counter[str]]:
    """Why records failed, from the recorder's own "Record failed" log lines: the error and operation."""
    causes: Counter[str] = Counter()

    class Tally(LogCollector):
        def emit(self, record: logging.LogRecord) -> None:
            super().emit(record)
            line = self.lines.pop()
            if line.get("message", "").startswith("Record failed"):
                reason = str(line.get("reason", ""))
                match = re.search(r"\((\w+)\) when calling the (\w+) operation", reason)
                causes[f"{match[1]}:{match[2]}" if match else reason[:60]] += 1

    tally = Tally()
    tally.setFormatter(recorder_logger.registered_formatter)
    service_logger = logging.getLogger("lineage-recorder")
    service_logger.addHandler(tally)
    yield causes
    service_logger.removeHandler(tally)


def _queue_depth(sqs: Any, url: str) -> tuple[int, int]:
    """(visible, in flight) messages of a queue."""
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]), int(
        attributes["ApproximateNumberOfMessagesNotVisible"]
    )


# The soak's hundreds of workflows need more than the default quotas (500 contexts: two per workflow).
SOAK_QUOTAS = {"artifact": 100_000, "action": 100_000, "context": 100_000, "association": 100_000}


MAX_DRAIN_ROUNDS = 20


def _fresh_account() -> None:
    sagemaker_lineage_emulator.install()
    sagemaker_lineage_emulator.reset()
    if SOAK:
        sagemaker_lineage_emulator.configure(quotas=SOAK_QUOTAS)
    handler.recorder.cache_clear()
    aws.forget_clients()


@dataclass
class FaultyRun:
    """What draining a whole workflow's events through the local pipeline under faults gave."""

    events: int
    counter: CallCounter
    dead_lettered: int
    left_in_queue: int
    duplicates: int
    lost: int
    missing: list[str]
    same_graph: bool
    unlogged_failures: int


def _drain_under_faults(
    monkeypatch: pytest.MonkeyPatch,
    *,
    with_state_table: bool,
    workflows: int,
    workers: int,
    faults: Any = None,
    lost_responses: Any = None,
    label: str,
    failure_causes: Counter[str],
) -> FaultyRun:
    """The workflows recorded once without faults, then again in a fresh account with their events routed
    by the EventBridge rules to SQS and its DLQ and drained by `workers` threads under the given faults."""
    # The graph the workflows give without faults
    _fresh_account()
    monkeypatch.delenv("LINEAGE_STATE_TABLE", raising=False)
    with mock_aws():
        events = workflow_events(boto3.client("sagemaker"), workflows)
        assert _deliver(events) == []
        expected = snapshot(boto3.client("sagemaker"))
    _fresh_account()
    with mock_aws():
        if with_state_table:
            monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
        sagemaker = boto3.client("sagemaker")
        replayed = workflow_events(sagemaker, workflows)
        sqs = boto3.client("sqs")
        pipeline = LocalEventPipeline(boto3.client("events"), sqs, account=ACCOUNT, region=REGION)
        for event in replayed:
            pipeline.publish(event["detail-type"], event["detail"], event["resources"])
        counter = CallCounter().attach(aws.client("sagemaker"))
        sagemaker_lineage_emulator.configure(faults=faults, lost_responses=lost_responses)
        reports: list[DrainReport] = []
        # A worker stops when it finds the queue empty, though others may still hold messages that
        # will fail and come back: drain in rounds until nothing is queued or in flight.
        for _ in range(MAX_DRAIN_ROUNDS):
            threads = [
                threading.Thread(target=lambda: reports.append(pipeline.drain(handler.lambda_handler)))
                for _ in range(workers)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if _queue_depth(sqs, pipeline.queue_url) == (0, 0):
                break
        sagemaker_lineage_emulator.configure(
            faults=sagemaker_lineage_emulator.FaultInjection(),
            lost_responses=sagemaker_lineage_emulator.FaultInjection(),
        )
        graph = snapshot(sagemaker)
        dead_lettered = sum(_queue_depth(sqs, pipeline.dlq_url))
        left_in_queue, in_flight = _queue_depth(sqs, pipeline.queue_url)
    _fresh_account()
    redelivered = sum(report.failed_attempts for report in reports)
    duplicates = len(graph.duplicate_entities) + len(graph.duplicate_associations)
    lost = len(expected.nodes - graph.nodes) + len(expected.edges - graph.edges)
    # Every record the handler failed must have said why in a "Record failed" log line.
    unlogged = redelivered - sum(failure_causes.values())
    report(
        f"{label}: events={len(replayed)} workers={workers} state_table={with_state_table} "
        f"throttled_attempts={counter.throttled_attempts} server_faults={counter.server_faults} "
        f"redelivered_records={redelivered} dead_lettered={dead_lettered} left_in_queue={left_in_queue} "
        f"in_flight={in_flight} duplicates={duplicates} lost={lost} unlogged_failures={unlogged} "
        f"failed_by={dict(failure_causes.most_common(4))}"
    )
    return FaultyRun(
        events=len(replayed),
        counter=counter,
        dead_lettered=dead_lettered,
        left_in_queue=left_in_queue,
        duplicates=duplicates,
        lost=lost,
        missing=sorted(map(str, expected.nodes - graph.nodes))
        + sorted(map(str, expected.edges - graph.edges)),
        same_graph=(graph.nodes, graph.edges) == (expected.nodes, expected.edges),
        unlogged_failures=unlogged,
    )


@pytest.mark.soak
@pytest.mark.parametrize("with_state_table", [True, False], ids=["state-table", "no-state-table"])
def test_with_thirty_percent_of_calls_throttled_every_event_is_recorded_once(
    with_state_table: bool, fast_retries: None, failure_causes: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workflows, workers = (150, 16) if SOAK else (3, 4)
    # Given the graph the workflows give without faults, and the same workflows in a fresh account with
    # the emulator throttling 30% of SageMaker calls
    # When several workers drain the queue at once, SQS redelivering only the failed records
    run = _drain_under_faults(
        monkeypatch,
        with_state_table=with_state_table,
        workflows=workflows,
        workers=workers,
        faults=sagemaker_lineage_emulator.FaultInjection(rate=0.3, seed=7),
        label="traffic",
        failure_causes=failure_causes,
    )
    # Then the throttling really happened, and retries and redelivery absorbed it
    assert run.counter.throttled_attempts > 0
    # And nothing went to the DLQ or was left behind, nothing is lost and nothing is duplicated. (Under
    # make soak's 16 threads, moto's SQS has been seen to report a message or two "in flight" after every
    # worker stopped; `lost` is what proves every event's lineage is there, so in_flight is reported only.)
    assert (run.dead_lettered, run.left_in_queue, run.unlogged_failures) == (0, 0, 0)
    assert (run.lost, run.duplicates) == (0, 0), run.missing[:20]
    assert run.same_graph


# Every SageMaker write the recorder makes.
WRITES = frozenset(
    {
        "CreateArtifact",
        "CreateAction",
        "CreateContext",
        "AddAssociation",
        "UpdateArtifact",
        "UpdateAction",
        "UpdateContext",
        "AddTags",
    }
)


@pytest.mark.soak
@pytest.mark.parametrize("with_state_table", [True, False], ids=["state-table", "no-state-table"])
def test_with_a_third_of_write_answers_lost_every_event_is_recorded_once(
    with_state_table: bool, fast_retries: None, failure_causes: Counter[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    workflows, workers = (150, 16) if SOAK else (3, 4)
    # Given the same workflows, with the emulator making 30% of SageMaker's writes and then answering
    # them with a server fault (the write is done; its answer is lost, as when a connection drops)
    # When several workers drain the queue at once
    run = _drain_under_faults(
        monkeypatch,
        with_state_table=with_state_table,
        workflows=workflows,
        workers=workers,
        lost_responses=sagemaker_lineage_emulator.FaultInjection(rate=0.3, operations=WRITES, seed=11),
        label="lost-responses",
        failure_causes=failure_causes,
    )
    # Then answers really were lost, and no create was repeated into a twin: nothing is duplicated,
    # nothing is lost, and nothing went to the DLQ
    assert run.counter.server_faults > 0
    assert (run.dead_lettered, run.left_in_queue, run.unlogged_failures) == (0, 0, 0)
    assert (run.lost, run.duplicates) == (0, 0), run.missing[:20]
    assert run.same_graph
