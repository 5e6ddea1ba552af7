"""Hostile and malformed input at the Lambda handler (issue 6, item 6).

Thousands of generated and mutated events go through ``lambda_handler`` in SQS batches that mix good
records with bad ones. Whatever arrives:

- the handler never raises;
- every failed record is reported alone in ``batchItemFailures``, with one "Record rejected" log line
  whose reason names why, and every other record is logged as recorded or ignored;
- records that must fail (envelope, structure, account, not JSON objects) fail, and never call SageMaker;
- every good record in the batch is recorded: its lineage is in the emulator's graph afterwards;
- every SageMaker request the handler sends passes botocore's model (lengths, patterns, enums) and
  carries no control or line-separator characters (tests/support/api_guard.py).

``make test`` runs bounded sizes (at least 10,000 events, seconds); ``LINEAGE_SOAK=1`` (``make soak``)
runs the same properties at large sizes.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lineage_recorder import aws, handler
from lineage_recorder.errors import ConfigurationError
from lineage_recorder.observability import logger as recorder_logger
from lineage_recorder_cli.commands.record import record_sources
from lineage_recorder_cli.local_aws import LocalLambdaContext
from lineage_recorder_cli.main import main
from moto.sagemaker.models import sagemaker_backends

from tests.support.api_guard import ApiGuard
from tests.support.events import REGION, sqs_batch
from tests.support.hostile import (
    ARABIC_INDIC_ZERO,
    OWN_ACCOUNT,
    PEER_ACCOUNTS,
    Expect,
    HostileRecord,
    Mix,
    bad_details,
    bad_envelopes,
    batches,
    create_job,
    good_processing,
    good_training,
    good_transform,
    not_objects,
    other_digits,
    recorded_edges,
    untrusted_records,
)
from tests.support.logs import LogCollector
from tests.support.report import report

MIN_EVENTS = 10_000
SOAK = os.environ.get("LINEAGE_SOAK") == "1"
# Rejecting a record costs about a millisecond; a record that reaches SageMaker costs ~15 emulated calls
# (~75 ms). The bounded mix keeps those few per batch; the soak mix has many more.
BOUNDED_MIX = Mix(
    bad_envelopes=40,
    bad_details=32,
    untrusted=19,
    not_objects=24,
    mutated=1,
    random=6,
    hostile_uris=2,
    unhandled=4,
    peers=2,
)
BOUNDED_BATCHES = 80  # x 130 hostile records, + a good one each: over 10,000 events
SOAK_MIX = Mix(
    bad_envelopes=25,
    bad_details=15,
    untrusted=10,
    not_objects=15,
    mutated=15,
    random=15,
    hostile_uris=5,
    unhandled=5,
    peers=5,
)
SOAK_BATCHES = 300
MAX_REASON_LENGTH = 1_500  # a hostile event must not blow up the log line that rejects it

must_fail = st.one_of(bad_envelopes(), bad_details(), untrusted_records(), not_objects())

RECORD_REJECTED = "Record rejected"
SETTLED = (
    "Lineage recorded",
    "Event ignored",
    "Event already recorded; nothing to do",
    "Event not confirmed by SageMaker; nothing recorded",
)
RETRIED = "Record failed; SQS will deliver it again"


@dataclass
class Attack:
    """The Lambda handler on the emulator, with its SageMaker client guarded and its logs collected."""

    guard: ApiGuard
    logs: LogCollector
    reader: Any  # a separate client for reading the graph, so the guard sees only the handler's calls
    thrown: int = 0
    batches: int = 0

    def throw(self, records: list[HostileRecord], *, fresh_lineage: bool = True) -> dict[str, Any]:
        if fresh_lineage:
            # Each batch starts from an empty graph (moto's reset of the SageMaker backend clears the
            # lineage store), and a recorder whose key registry has not seen earlier batches.
            sagemaker_backends[OWN_ACCOUNT][REGION].reset()
            handler.recorder.cache_clear()
        # The jobs SageMaker holds: an event about any other job is not confirmed, and writes nothing.
        for record in records:
            if record.job is not None:
                create_job(self.reader, record.job)
        self.guard.clear()
        self.logs.lines.clear()
        self.thrown += len(records)
        self.batches += 1
        response: dict[str, Any] = handler.lambda_handler(
            sqs_batch([record.body for record in records]), LocalLambdaContext(OWN_ACCOUNT, REGION)
        )
        return response

    def problems_with(self, records: list[HostileRecord], response: dict[str, Any]) -> list[str]:
        """Every way the handler's answer, logs, SageMaker calls and graph break the properties."""
        failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
        lines_by_message: dict[str, list[dict[str, Any]]] = {}
        for line in self.logs.lines:
            lines_by_message.setdefault(str(line.get("message_id")), []).append(line)
        problems = [f"SageMaker request not validated: {violation}" for violation in self.guard.violations]
        problems += [
            f"{line.get('message_id')}: failed for a reason other than its content: {line.get('reason')}"
            for line in self.logs.lines
            if line["message"] == RETRIED
        ]
        goods: list[HostileRecord] = []
        for index, record in enumerate(records):
            message_id = f"message-{index}"
            lines = lines_by_message.get(message_id, [])
            rejections = [line for line in lines if line["message"] == RECORD_REJECTED]
            settled = [line for line in lines if line["message"] in SETTLED]
            where = f"{message_id} [{record.expect.value}: {record.label}]"
            if message_id in failed:
                if len(rejections) != 1 or settled:
                    problems.append(f"{where} failed without exactly one rejection line: {lines}")
                    continue
                reason = str(rejections[0].get("reason", ""))
                if rejections[0]["level"] != "ERROR" or not reason:
                    problems.append(f"{where} rejected without an error naming why: {rejections[0]}")
                if len(reason) > MAX_REASON_LENGTH:
                    problems.append(f"{where} rejected with a {len(reason)}-character reason")
                if record.why not in reason:
                    problems.append(
                        f"{where} rejected, but the reason does not name {record.why!r}: {reason}"
                    )
                if record.expect in (Expect.GOOD, Expect.IGNORED):
                    problems.append(f"{where} is {record.expect.value} but was rejected: {reason}")
            else:
                if len(settled) != 1 or rejections:
                    problems.append(f"{where} succeeded without exactly one recorded/ignored line: {lines}")
                    continue
                if record.expect is Expect.BAD:
                    problems.append(f"{where} must fail but was {settled[0]['message']!r}")
                if record.expect is Expect.IGNORED and settled[0]["message"] != "Event ignored":
                    problems.append(f"{where} must be ignored but was {settled[0]['message']!r}")
                if record.expect is Expect.GOOD:
                    if settled[0]["message"] != "Lineage recorded":
                        problems.append(f"{where} is good but was {settled[0]['message']!r}")
                    goods.append(record)
        if goods:
            edges = recorded_edges(self.reader)
            for record in goods:
                missing = record.edges - edges
                if missing:
                    problems.append(
                        f"good record [{record.label}] is not in the graph: missing {sorted(missing)}"
                    )
        return problems


@pytest.fixture
def attack(emulator: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Attack]:
    # Given the recorder configured with two peer accounts, as the CDK stack would configure it
    monkeypatch.setenv("LINEAGE_PEER_ACCOUNTS", ",".join(PEER_ACCOUNTS))
    handler.recorder.cache_clear()
    guarded = aws.client("sagemaker")  # the very client the handler's recorder uses (cached per process)
    guard = ApiGuard()
    guard.install(guarded)
    collector = LogCollector()
    collector.setFormatter(recorder_logger.registered_formatter)
    service_logger = logging.getLogger("lineage-recorder")
    service_logger.addHandler(collector)
    # Powertools' Tracer logs a traceback for every exception a traced method raises, so for every
    # rejected record; formatting thousands of them would dominate the run. The recorder's own
    # "Record rejected" line is what is checked.
    tracer_logger = logging.getLogger("aws_lambda_powertools.tracing.tracer")
    tracer_level = tracer_logger.level
    tracer_logger.setLevel(logging.CRITICAL)
    yield Attack(guard=guard, logs=collector, reader=boto3.client("sagemaker"))
    tracer_logger.setLevel(tracer_level)
    service_logger.removeHandler(collector)
    guard.uninstall(guarded)
    handler.recorder.cache_clear()


def _hypothesis(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,  # the same events on every run: a failure in CI reproduces locally
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )


def _mixed_batches(attack: Attack, examples: int, mix: Mix) -> None:
    @_hypothesis(examples)
    @given(records=batches(mix, goods=(1, 1) if mix is BOUNDED_MIX else (1, 3)))
    def one_batch(records: list[HostileRecord]) -> None:
        # Given a batch mixing good records with hostile ones
        # When the handler receives it (it must not raise)
        response = attack.throw(records)
        # Then each record is settled alone, as its kind demands, and the good ones are in the graph
        problems = attack.problems_with(records, response)
        assert not problems, "\n".join(problems[:15])

    one_batch()


@pytest.mark.soak
def test_hostile_batches_never_crash_the_handler_and_good_records_still_land(attack: Attack) -> None:
    # Given / When eighty batches of ~125 generated and mutated events (under make soak, three hundred
    # batches with five times as many reaching SageMaker) / Then see _mixed_batches
    if SOAK:
        _mixed_batches(attack, SOAK_BATCHES, SOAK_MIX)
    else:
        _mixed_batches(attack, BOUNDED_BATCHES, BOUNDED_MIX)
    report(f"hostile input: {attack.thrown} events in {attack.batches} batches, none crashed the handler")
    # And at least 10,000 events were thrown at the handler
    assert attack.thrown >= (3 if SOAK else 1) * MIN_EVENTS, f"only {attack.thrown} events"


def test_records_that_must_fail_never_reach_sagemaker(attack: Attack) -> None:
    @_hypothesis(20)
    @given(records=st.lists(must_fail, min_size=50, max_size=50))
    def one_batch(records: list[HostileRecord]) -> None:
        # Given a batch of records that must all be rejected
        # When the handler receives it
        response = attack.throw(records, fresh_lineage=False)
        # Then every one fails alone, with its reason
        problems = attack.problems_with(records, response)
        assert not problems, "\n".join(problems[:15])
        assert len(response["batchItemFailures"]) == len(records)
        # And not one SageMaker call was made for them: the envelope, the account and the detail's
        # structure are checked before anything is described or written
        assert attack.guard.calls == []

    one_batch()


def test_what_the_fuzzer_found_stays_fixed(attack: Attack) -> None:
    # Given the inputs that broke the parsing layer before it was fixed, beside good records
    records: list[HostileRecord] = []

    def envelope_with(label: str, why: str, **fields: Any) -> None:
        event, _ = good_training()
        event.update(fields)
        records.append(HostileRecord(json.dumps(event), Expect.BAD, label, why=why))

    # epochs beyond datetime's range raised OverflowError/OSError, not a validation error: no log line
    envelope_with("time 1e300", "time", time=1e300)
    envelope_with("time -1e20 ms", "time", time=-(10**20))
    envelope_with("time 1e400 as text", "time", time="1e400")
    # a Unicode-aware \d let other scripts' digits through the envelope's patterns
    envelope_with(
        "Arabic-Indic region digit", "region", region="us-east-" + other_digits("1", ARABIC_INDIC_ZERO)
    )
    # an unparseable timestamp echoed the whole input into the reason
    envelope_with("huge time text", "time", time="x" * 100_000)
    detail_event, _ = good_processing()
    detail_event["detail"]["ProcessingStartTime"] = 10**30
    records.append(
        HostileRecord(json.dumps(detail_event), Expect.BAD, "detail epoch", why="ProcessingStartTime")
    )
    # a multi-line FailureReason became an action property SageMaker's ".*" refuses: retried to the DLQ
    failed, edges = good_training()
    failed["detail"]["TrainingJobStatus"] = "Failed"
    failed["detail"]["FailureReason"] = "AlgorithmError: boom\n\nTraceback (most recent call last):\r\n  ..."
    inputs_only = frozenset(edge for edge in edges if edge[2] == "ContributedTo")
    records.append(
        HostileRecord(
            json.dumps(failed),
            Expect.GOOD,
            "multi-line FailureReason",
            edges=inputs_only,
            job=failed["detail"],
        )
    )
    # a line separator in a URI reached CreateArtifact as a SourceUri
    separated, _ = good_processing()
    separated["detail"]["ProcessingInputs"][0]["S3Input"]["S3Uri"] = "s3://bucket/\u2028/"
    records.append(HostileRecord(json.dumps(separated), Expect.ANY, "U+2028 in an S3 URI"))
    # When handled in one batch
    problems = _problems(attack, records)
    # Then each settles as it should, and nothing invalid reached SageMaker
    assert problems == []


# --------------------------------------------------------------------------------------------------------
# The same account trust in `lineage-recorder record`, and a recorder that cannot know its own account.


def test_the_record_command_trusts_the_same_accounts(
    emulator: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Given events from the recorder's own account (moto's, from STS), a configured peer, and a stranger
    monkeypatch.setenv("LINEAGE_PEER_ACCOUNTS", PEER_ACCOUNTS[0])
    events = [
        good_training(OWN_ACCOUNT)[0],
        good_processing(PEER_ACCOUNTS[0])[0],
        good_transform("999999999999")[0],
    ]
    assert create_job(boto3.client("sagemaker"), events[0]["detail"])
    path = tmp_path / "events.json"
    path.write_text(json.dumps(events))
    # When recorded through the CLI's code path
    summary = record_sources([path], endpoint_url=None)
    # Then its own is recorded, the peer's is left to the peer's recorder, and the stranger alone fails,
    # with a reason naming its account
    assert summary.recorded == 1
    assert [item["event"] for item in summary.ignored] == [f"{path}[1]"]
    assert "recorded by that account's own recorder" in summary.ignored[0]["reason"]
    assert [failure["event"] for failure in summary.failed] == [f"{path}[2]"]
    assert "'999999999999' is not trusted" in summary.failed[0]["reason"]


def test_the_record_command_stops_when_sts_cannot_say_whose_account_it_is(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given an endpoint where nothing answers, so STS GetCallerIdentity fails
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    for variable in (  # `record` quiets Powertools in os.environ: restore them for the tests after this one
        "POWERTOOLS_LOG_LEVEL",
        "POWERTOOLS_METRICS_DISABLED",
        "POWERTOOLS_TRACE_DISABLED",
        "POWERTOOLS_METRICS_NAMESPACE",
    ):
        monkeypatch.delenv(variable, raising=False)
    path = tmp_path / "events.json"
    path.write_text(json.dumps(good_training()[0]))
    # When recording against it
    status = main(["record", "--endpoint-url", "http://127.0.0.1:9", str(path)])
    # Then nothing is trusted: the command stops, saying why, with status 2
    assert status == 2
    assert "cannot tell which account" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("variable", "value", "function_arn"),
    [
        ("LINEAGE_PEER_ACCOUNTS", "not-an-account", None),
        ("LINEAGE_FAMILIES", "training,typo", None),
        (None, None, "lineage-recorder-local"),  # an ARN without an account
    ],
)
def test_a_misconfigured_recorder_fails_the_invocation_not_its_records(
    attack: Attack,
    monkeypatch: pytest.MonkeyPatch,
    variable: str | None,
    value: str,
    function_arn: str | None,
) -> None:
    # Given a bad LINEAGE_* variable, or a context whose function ARN names no account
    if variable:
        monkeypatch.setenv(variable, value)
    context = LocalLambdaContext(OWN_ACCOUNT, REGION)
    if function_arn:
        context.invoked_function_arn = function_arn
    handler.recorder.cache_clear()
    # When the handler is invoked / Then the invocation fails (a function error, not a bad record)
    with pytest.raises(ConfigurationError):
        handler.lambda_handler(sqs_batch([good_training()[0]]), context)
    # And the log says why
    assert [line["message"] for line in attack.logs.lines] == ["Recorder misconfigured"]


# --------------------------------------------------------------------------------------------------------
# Defects this fuzzer found outside the parsing layer (events/jobs.py), since fixed there. The strategies
# above generate these inputs too; each is also pinned here.


def _problems(attack: Attack, records: list[HostileRecord]) -> list[str]:
    return attack.problems_with(records, attack.throw(records))


def test_an_event_model_name_never_reaches_describe_model_unvalidated(attack: Attack) -> None:
    # Given good transform events whose ModelName breaks SageMaker's ModelName pattern
    records = []
    for model_name in ("../../etc/passwd", "m" * 64, "model\nname", "modèle"):
        event, _ = good_transform()
        event["detail"]["ModelName"] = model_name
        # SageMaker holds such a job where its request model lets the name through
        records.append(
            HostileRecord(json.dumps(event), Expect.ANY, f"ModelName {model_name!r}", job=event["detail"])
        )
    # When handled / Then no request carries them
    assert _problems(attack, records) == []


def test_a_job_arn_longer_than_256_characters_is_rejected(attack: Attack) -> None:
    # Given good transform events whose job ARN has a 300-character partition, or region
    records = []
    for part, longer in (
        ("partition", ("arn:aws:", "arn:aws" + "-x" * 150 + ":")),
        ("region", (":us", ":us" + "-x" * 150)),
    ):
        event, _ = good_transform()
        event["detail"]["TransformJobArn"] = event["detail"]["TransformJobArn"].replace(*longer, 1)
        records.append(HostileRecord(json.dumps(event), Expect.BAD, f"long {part}", why="TransformJobArn"))
    # When handled / Then each is rejected as invalid, without an invalid SageMaker request
    assert _problems(attack, records) == []


def test_a_job_arn_with_non_ascii_digits_is_rejected(attack: Attack) -> None:
    # Given a good transform event whose job ARN spells its account in Arabic-Indic digits
    event, _ = good_transform()
    arn = event["detail"]["TransformJobArn"]
    event["detail"]["TransformJobArn"] = arn.replace(
        OWN_ACCOUNT, other_digits(OWN_ACCOUNT, ARABIC_INDIC_ZERO)
    )
    record = HostileRecord(
        json.dumps(event), Expect.BAD, "Arabic-Indic account digits", why="TransformJobArn"
    )
    # When handled / Then it is rejected as invalid
    assert _problems(attack, [record]) == []
