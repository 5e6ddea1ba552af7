"""The Lambda handler: partial batch failures, and a clear log line for every rejected record."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from lineage_recorder import handler
from lineage_recorder_cli.local_aws import LocalLambdaContext

from tests.integration.jobs import processing_job, training_job
from tests.support.events import envelope, sqs_batch, training_event
from tests.support.graph import snapshot
from tests.support.state_table import create_state_table

CONTEXT = LocalLambdaContext("123456789012", "us-east-1")
GROUND_TRUTH = "arn:aws:lambda:us-east-1:432418664414:function"


@pytest.fixture
def fresh_handler(emulator: None) -> Any:
    handler.recorder.cache_clear()
    yield handler
    handler.recorder.cache_clear()


def test_bad_records_fail_alone_and_good_ones_are_recorded(
    fresh_handler: Any, sagemaker: Any, logs: list[dict[str, Any]]
) -> None:
    # Given a batch mixing a good event with malformed ones
    good = training_job(sagemaker, "good", inputs=["s3://features/train/"], output="s3://models/")
    not_sagemaker = {**training_event("x", inputs=[], image="i", output="o"), "source": "com.attacker"}
    no_arn = training_event("y", inputs=[], image="i", output="o")
    no_arn["detail"]["TrainingJobArn"] = "not-an-arn"
    no_arn["resources"] = []
    batch = sqs_batch(["{not json", not_sagemaker, good, "[]", no_arn])
    # When the handler runs
    response = fresh_handler.lambda_handler(batch, LocalLambdaContext("123456789012", "us-east-1"))
    # Then exactly the bad records are reported as failures
    assert {item["itemIdentifier"] for item in response["batchItemFailures"]} == {
        "message-0",
        "message-1",
        "message-3",
        "message-4",
    }
    # And the good one is recorded
    assert ("DataSet", "s3://features/train/") in snapshot(sagemaker).nodes
    # And the recorded event's log lines carry its id as the correlation id
    recorded = [line for line in logs if line["message"] == "Lineage recorded"]
    assert [line.get("correlation_id") for line in recorded] == [good["id"]]
    # And each rejection is logged with its reason
    rejections = [line for line in logs if line.get("message") == "Record rejected"]
    assert len(rejections) == 4
    assert all(line["reason"] for line in rejections)
    assert any("source" in line["reason"] for line in rejections)
    assert any("TrainingJobArn" in line["reason"] for line in rejections)


def test_skipped_placeholder_values_are_logged_as_warnings(
    fresh_handler: Any, sagemaker: Any, logs: list[dict[str, Any]]
) -> None:
    # Given a job whose values are the published sample's placeholders (SageMaker describes them as given)
    event = training_job(
        sagemaker, "placeholders", inputs=["S3Uri"], output="S3OutputPath", image="TrainingImage"
    )
    # When handled
    response = fresh_handler.lambda_handler(sqs_batch([event]), CONTEXT)
    # Then the record succeeds, and every skipped value has a warning naming the field
    assert response["batchItemFailures"] == []
    warnings = [line for line in logs if line["level"] == "WARNING" and line.get("field")]
    assert {line["field"] for line in warnings} == {
        "AlgorithmSpecification.TrainingImage",
        "InputDataConfig[0].DataSource.S3DataSource.S3Uri",
        "ModelArtifacts.S3ModelArtifacts",
    }


def test_throttling_that_outlasts_retries_fails_the_record_for_redelivery(
    fresh_handler: Any, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given SageMaker throttles every lineage write
    import sagemaker_lineage_emulator

    event = training_job(sagemaker, "throttled", inputs=["s3://features/train/"], output="s3://models/")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"CreateArtifact"}))
    )
    # When handled
    response = fresh_handler.lambda_handler(
        sqs_batch([event]), LocalLambdaContext("123456789012", "us-east-1")
    )
    # Then the record is reported failed (SQS will redeliver it), never dropped
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == ["message-0"]


def test_metrics_count_what_each_record_did(
    fresh_handler: Any, sagemaker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recordable job, a second one with the same image and a placeholder input, and an event for a
    # job SageMaker does not know
    good = training_job(sagemaker, "metered", inputs=["s3://features/train/"], output="s3://models/")
    second = training_job(sagemaker, "second", inputs=["S3Uri"], output="s3://models/")
    unknown = training_event(
        "unknown", inputs=["s3://x/"], image="1.dkr.ecr.us-east-1.amazonaws.com/r:1", output="s3://y/"
    )
    # When all three are handled in one batch
    fresh_handler.lambda_handler(sqs_batch([good, second, unknown]), CONTEXT)
    # Then the EMF metrics Lambda publishes add up what happened
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert len(emitted) == 1
    metrics = emitted[0]
    # image, dataset, model; then the second job's model (its image is shared, its input a placeholder)
    assert metrics["EntitiesCreated"] == [3, 1]
    assert metrics["EntitiesReused"] == [1, 2]  # the trial component; then the image and trial component
    assert metrics["AssociationsCreated"] == [3, 2]
    assert metrics["SkippedValues"] == [0, 1]
    assert metrics["DescribeFallbacks"] == [0, 0]
    # And the unknown job wrote nothing and is counted as not confirmed
    assert metrics["EventsUnconfirmed"] == [1]


def test_a_reached_quota_fails_the_record_once_with_a_clear_log_line_and_metric(
    fresh_handler: Any,
    sagemaker: Any,
    logs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given an account whose artifact quota is used up (SageMaker answers ResourceLimitExceeded)
    import sagemaker_lineage_emulator

    event = training_job(sagemaker, "over-quota", inputs=["s3://features/train/"], output="s3://models/")
    sagemaker_lineage_emulator.configure(quotas={"artifact": 0})
    calls: list[str] = []
    from lineage_recorder import aws

    aws.client("sagemaker").meta.events.register(
        "before-call.sagemaker.CreateArtifact", lambda model, **_: calls.append(model.name)
    )
    # When handled
    response = fresh_handler.lambda_handler(
        sqs_batch([event]), LocalLambdaContext("123456789012", "us-east-1")
    )
    # Then the record fails (SQS retries it far apart, then the DLQ keeps it), without a retry storm
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == ["message-0"]
    assert calls == ["CreateArtifact"]
    # And the log line and the metric say it is the quota
    quota_lines = [line for line in logs if line["message"].startswith("SageMaker lineage quota reached")]
    assert len(quota_lines) == 1 and "ResourceLimitExceeded" in quota_lines[0]["reason"]
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert emitted[0]["QuotaExceeded"] == [1.0]


def test_created_totals_are_published_for_the_quota_alarms(
    fresh_handler: Any, sagemaker: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a recordable job
    event = training_job(sagemaker, "counted", inputs=["s3://features/train/"], output="s3://models/")
    # When handled
    fresh_handler.lambda_handler(sqs_batch([event]), LocalLambdaContext("123456789012", "us-east-1"))
    # Then the running totals the stack alarms on are published
    emitted = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    assert emitted[0]["ArtifactsCreatedTotal"] == [3.0]
    assert emitted[0]["AssociationsCreatedTotal"] == [3.0]


def test_lineage_families_limits_what_the_function_records(
    fresh_handler: Any, sagemaker: Any, monkeypatch: pytest.MonkeyPatch, logs: list[dict[str, Any]]
) -> None:
    # Given a function configured to record only processing jobs
    monkeypatch.setenv("LINEAGE_FAMILIES", "processing")
    event = training_job(sagemaker, "not-enabled", inputs=["s3://features/train/"], output="s3://models/")
    # When a training job's event arrives (a rule deployed before the change, or a redrive)
    response = fresh_handler.lambda_handler(
        sqs_batch([event]), LocalLambdaContext("123456789012", "us-east-1")
    )
    # Then it is ignored with the reason, not failed, and nothing is written
    assert response["batchItemFailures"] == []
    ignored = [line for line in logs if line["message"] == "Event ignored"]
    assert [line["reason"] for line in ignored] == ["the training family is not enabled (LINEAGE_FAMILIES)"]
    assert snapshot(sagemaker).edges == frozenset()


def test_a_sagemaker_event_no_family_records_is_ignored_with_its_reason(
    fresh_handler: Any, emulator: None, logs: list[dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a SageMaker event of a kind the recorder has no family for
    event = training_event("x", inputs=[], image="i", output="o")
    event.update(
        {"detail-type": "SageMaker Notebook Instance State Change", "detail": {"NotebookInstanceName": "n"}}
    )
    # When handled
    response = fresh_handler.lambda_handler(
        sqs_batch([event]), LocalLambdaContext("123456789012", "us-east-1")
    )
    # Then it is not failed (it would only fill the DLQ): it is ignored, said why, and counted
    assert response["batchItemFailures"] == []
    (line,) = [line for line in logs if line["message"] == "Event ignored"]
    assert line["reason"] == "no resource family records 'SageMaker Notebook Instance State Change' events"
    emitted = [json.loads(out) for out in capsys.readouterr().out.splitlines() if '"_aws"' in out]
    assert emitted[0]["EventsIgnored"] == [1]


def test_a_record_to_retry_is_logged_and_counted(
    fresh_handler: Any,
    sagemaker: Any,
    monkeypatch: pytest.MonkeyPatch,
    logs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given SageMaker throttles every lineage write beyond the retries
    import sagemaker_lineage_emulator

    event = training_job(sagemaker, "retried", inputs=["s3://features/train/"], output="s3://models/")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    sagemaker_lineage_emulator.configure(
        faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0, operations=frozenset({"CreateArtifact"}))
    )
    # When handled
    fresh_handler.lambda_handler(sqs_batch([event]), LocalLambdaContext("123456789012", "us-east-1"))
    # Then one warning names the throttled call, and RecordsRetried counts it
    (line,) = [line for line in logs if line["message"] == "Record failed; SQS will deliver it again"]
    assert "CreateArtifact failed: ThrottlingException" in line["reason"]
    emitted = [json.loads(out) for out in capsys.readouterr().out.splitlines() if '"_aws"' in out]
    assert emitted[0]["RecordsRetried"] == [1]


def test_events_that_differ_only_by_their_resource_are_each_recorded(
    fresh_handler: Any, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the replay guard's state table, and two labeling jobs completing: their events' details are the
    # same ({"LabelingJobStatus": "Completed"}); only the envelope's resources differ
    monkeypatch.setenv("LINEAGE_STATE_TABLE", create_state_table(boto3.client("dynamodb")))
    events = []
    for name in ("first-labels", "second-labels"):
        arn = sagemaker.create_labeling_job(
            LabelingJobName=name,
            LabelAttributeName="label",
            InputConfig={
                "DataSource": {"S3DataSource": {"ManifestS3Uri": f"s3://labels/{name}/in.manifest"}}
            },
            OutputConfig={"S3OutputPath": f"s3://labels/{name}/"},
            RoleArn="arn:aws:iam::123456789012:role/TestRole",
            HumanTaskConfig={
                "WorkteamArn": "arn:aws:sagemaker:us-east-1:123456789012:workteam/private-crowd/team",
                "UiConfig": {"UiTemplateS3Uri": f"s3://labels/{name}/template.liquid"},
                "PreHumanTaskLambdaArn": f"{GROUND_TRUTH}:PRE-TextMultiClass",
                "TaskTitle": "t",
                "TaskDescription": "d",
                "NumberOfHumanWorkersPerDataObject": 1,
                "TaskTimeLimitInSeconds": 300,
                "AnnotationConsolidationConfig": {
                    "AnnotationConsolidationLambdaArn": f"{GROUND_TRUTH}:ACS-TextMultiClass"
                },
            },
        )["LabelingJobArn"]
        events.append(
            envelope(
                "SageMaker Ground Truth Labeling Job State Change", {"LabelingJobStatus": "Completed"}, arn
            )
        )
    # When each is handled in its own invocation (the replay guard remembers the first)
    for event in events:
        assert fresh_handler.lambda_handler(sqs_batch([event]), CONTEXT)["batchItemFailures"] == []
    # Then both labeling jobs are recorded: neither is taken for a replay of the other
    nodes = snapshot(sagemaker).nodes
    assert {("LabelingJob", event["resources"][0]) for event in events} <= nodes


def test_an_unforeseen_failure_fails_its_record_alone_logged_and_counted(
    fresh_handler: Any,
    sagemaker: Any,
    monkeypatch: pytest.MonkeyPatch,
    logs: list[dict[str, Any]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Given a batch of a training job's event, whose planning hits a bug (a KeyError), and a good event
    from lineage_recorder.families import training

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("a key the planner expected")

    monkeypatch.setattr(training, "plan_training_job", broken)
    bad = training_job(sagemaker, "hits-a-bug", inputs=["s3://features/train/"], output="s3://models/")
    good = processing_job(sagemaker, "fine", inputs=["s3://raw/"], outputs=["s3://features/fine/"])
    # When handled
    response = fresh_handler.lambda_handler(sqs_batch([bad, good]), CONTEXT)
    # Then only the bad record fails (SQS delivers it again), and the good one is recorded
    assert [item["itemIdentifier"] for item in response["batchItemFailures"]] == ["message-0"]
    assert ("DataSet", "s3://features/fine/") in snapshot(sagemaker).nodes
    # And the failure is logged with its type and message, and counted
    (line,) = [
        line for line in logs if line["message"] == "Record failed unexpectedly; SQS will deliver it again"
    ]
    assert line["reason"] == "KeyError: 'a key the planner expected'"
    emitted = [json.loads(out) for out in capsys.readouterr().out.splitlines() if '"_aws"' in out]
    assert emitted[0]["RecordsFailedUnexpectedly"] == [1]


def test_threads_that_start_at_once_share_one_recorder(
    fresh_handler: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given building the recorder takes a moment (as a cold start does), and eight threads asking at once
    import threading
    import time

    from lineage_recorder.trust import home_from_function_arn

    real_build = fresh_handler.build_recording
    builds: list[int] = []

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        builds.append(1)
        time.sleep(0.05)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(fresh_handler, "build_recording", slow_build)
    home = home_from_function_arn(CONTEXT.invoked_function_arn)
    barrier = threading.Barrier(8)
    runtimes: list[Any] = []

    def ask() -> None:
        barrier.wait()
        runtimes.append(fresh_handler.recorder(home))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    # When they all ask for the recorder
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Then it was built once, and every thread got the same one (one set of in-memory claims)
    assert len(builds) == 1
    assert len({id(runtime) for runtime in runtimes}) == 1


def _stack_queue(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, str, str]:
    """The stack's queue, named to the recorder as its own (LINEAGE_QUEUE_ARN): (sqs, url, arn)."""
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="lineage-recorder-queue")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    monkeypatch.setenv("LINEAGE_QUEUE_ARN", arn)
    return sqs, url, arn


def _received(sqs: Any, url: str, arn: str, body: dict[str, Any]) -> dict[str, Any]:
    """`body` sent to the queue and received, as the event source hands it to the function."""
    sqs.send_message(QueueUrl=url, MessageBody=json.dumps(body))
    (message,) = sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"]
    return {
        "Records": [
            {
                "messageId": message["MessageId"],
                "receiptHandle": message["ReceiptHandle"],
                "body": message["Body"],
                "attributes": message["Attributes"],
                "messageAttributes": {},
                "md5OfBody": message["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
                "awsRegion": "us-east-1",
            }
        ]
    }


def _visibility_timeouts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The visibility each ChangeMessageVisibility the recorder makes asks for (botocore's event hook)."""
    from lineage_recorder import aws

    asked: list[int] = []
    aws.client("sqs").meta.events.register(
        "provide-client-params.sqs.ChangeMessageVisibility",
        lambda params, **_: asked.append(int(params["VisibilityTimeout"])),
    )
    return asked


def test_a_record_that_must_be_retried_comes_back_after_a_pause_growing_with_its_receives(
    fresh_handler: Any, sagemaker: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the stack's queue, and a job event SageMaker throttles (beyond botocore's retries)
    import sagemaker_lineage_emulator

    sqs, url, arn = _stack_queue(monkeypatch)
    event = training_job(sagemaker, "stormy", inputs=["s3://features/train/"], output="s3://models/")
    asked = _visibility_timeouts(monkeypatch)
    sagemaker_lineage_emulator.configure(faults=sagemaker_lineage_emulator.FaultInjection(rate=1.0))
    # When the handler gets it on its first receive, and again on its fourth
    first = fresh_handler.lambda_handler(_received(sqs, url, arn, event), CONTEXT)
    batch = _received(sqs, url, arn, event)
    batch["Records"][0]["attributes"]["ApproximateReceiveCount"] = "4"
    fourth = fresh_handler.lambda_handler(batch, CONTEXT)
    sagemaker_lineage_emulator.configure(faults=sagemaker_lineage_emulator.FaultInjection())
    # Then both fail, and each is kept invisible for its pause: a minute, then eight
    assert len(first["batchItemFailures"]) == len(fourth["batchItemFailures"]) == 1
    assert asked == [60, 480]


def test_a_record_left_when_time_is_nearly_up_is_not_started_and_comes_back_soon(
    fresh_handler: Any, sagemaker: Any, monkeypatch: pytest.MonkeyPatch, logs: list[dict[str, Any]]
) -> None:
    # Given the stack's queue, a job event, and an invocation with ten seconds left
    sqs, url, arn = _stack_queue(monkeypatch)
    event = training_job(sagemaker, "late", inputs=["s3://features/late/"], output="s3://models/")
    asked = _visibility_timeouts(monkeypatch)
    nearly_out = LocalLambdaContext("123456789012", "us-east-1", remaining_millis=10_000)
    # When the handler gets it
    response = fresh_handler.lambda_handler(_received(sqs, url, arn, event), nearly_out)
    # Then it is not recorded, fails for redelivery soon (not after a storm's pause), and says why
    assert len(response["batchItemFailures"]) == 1
    assert ("DataSet", "s3://features/late/") not in snapshot(sagemaker).nodes
    assert asked == [10]
    assert any("nearly up" in str(line.get("reason")) for line in logs)
