"""Context options: parsing, defaults and validation (no synth), and cdk.json/docs kept in step with them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from lineage_recorder.families import BY_NAME as FAMILIES

from infra.config import CONTEXT_KEYS, ConfigError, RecorderConfig
from tests.infra.conftest import ROOT, cdk_json


def test_defaults_are_safe() -> None:
    # Given no context at all
    context: dict[str, Any] = {}
    # When the configuration is read
    config = RecorderConfig.from_mapping(context)
    # Then no peers, the smallest concurrency, the pinned Powertools release, 30 days of logs,
    # a topic created by the stack, and every family the recorder handles
    assert config == RecorderConfig(
        peer_accounts=(),
        peer_role_name="SageMakerLineagePeerReader",
        max_concurrency=2,
        powertools_layer_version="3.37.0",
        log_retention_days=30,
        alarm_topic_arn=None,
        families=tuple(FAMILIES),
    )


def test_cdk_json_holds_every_option_at_its_default_and_silences_the_cli() -> None:
    # Given the repository's cdk.json
    data = cdk_json()
    context = data["context"]
    # When its options are read
    from_file = RecorderConfig.from_mapping(context)
    # Then every option is present (so users find them) and equals the built-in default
    assert set(CONTEXT_KEYS) <= set(context)
    assert from_file == RecorderConfig()
    # And the CLI makes no network calls for notices or telemetry, and runs the app from the checkout's venv
    assert data["notices"] is False
    assert context["cli-telemetry"] is False
    assert data["app"] == ".venv/bin/python app.py"


def test_docs_describe_every_option() -> None:
    # Given the README, whose "Deploy to AWS" section is the deployment guide
    guide = (ROOT / "README.md").read_text(encoding="utf-8")
    # When it is searched for each context key / Then each is documented
    missing = [key for key in CONTEXT_KEYS if f"`{key}`" not in guide]
    assert missing == []


def test_values_from_the_command_line_are_strings() -> None:
    # Given context as `npx cdk deploy -c key=value` passes it (strings only)
    context = {
        "lineage:peerAccounts": "111111111111, 222222222222",
        "lineage:peerRoleName": "Reader",
        "lineage:maxConcurrency": "5",
        "lineage:powertoolsLayerVersion": "40",
        "lineage:logRetentionDays": "90",
        "lineage:alarmTopicArn": "arn:aws:sns:eu-west-1:123456789012:ops",
        "lineage:families": "training,transform",
        "lineage:indexPages": "0",
        "lineage:indexOverlapSeconds": "30",
    }
    # When the configuration is read
    config = RecorderConfig.from_mapping(context)
    # Then each value is parsed to its type
    assert config == RecorderConfig(
        peer_accounts=("111111111111", "222222222222"),
        peer_role_name="Reader",
        max_concurrency=5,
        powertools_layer_version="40",
        log_retention_days=90,
        alarm_topic_arn="arn:aws:sns:eu-west-1:123456789012:ops",
        families=("training", "transform"),
        index_pages=0,
        index_overlap_seconds=30,
    )


def test_values_from_cdk_json_are_json() -> None:
    # Given context as cdk.json holds it (JSON lists and numbers)
    context = {
        "lineage:peerAccounts": ["111111111111"],
        "lineage:maxConcurrency": 3,
        "lineage:powertoolsLayerVersion": 41,
        "lineage:families": ["processing"],
        "lineage:alarmTopicArn": "",
    }
    # When the configuration is read
    config = RecorderConfig.from_mapping(context)
    # Then lists stay lists, numbers are accepted, and an empty topic means "create one"
    assert config.peer_accounts == ("111111111111",)
    assert config.max_concurrency == 3
    assert config.powertools_layer_version == "41"
    assert config.families == ("processing",)
    assert config.alarm_topic_arn is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("lineage:peerAccounts", "12345", "12-digit"),
        ("lineage:peerAccounts", [11111111111], "12-digit"),
        ("lineage:peerAccounts", "111111111111,111111111111", "duplicate"),
        ("lineage:peerRoleName", "no spaces allowed", "IAM role name"),
        ("lineage:maxConcurrency", 1, "outside 2..1000"),
        ("lineage:maxConcurrency", "many", "integer"),
        ("lineage:maxConcurrency", True, "integer"),
        ("lineage:powertoolsLayerVersion", "latest", "Powertools release"),
        ("lineage:logRetentionDays", 31, "retention"),
        ("lineage:alarmTopicArn", "ops-alarms", "SNS topic ARN"),
        ("lineage:families", "training,pipelines", "unknown resource families"),
        ("lineage:families", [], "at least one"),
        ("lineage:families", {"training": True}, "list"),
        ("lineage:indexPages", 1001, "outside 0..1000"),
        ("lineage:indexPages", -1, "outside 0..1000"),
        ("lineage:indexOverlapSeconds", 3601, "outside 0..3600"),
        ("lineage:indexOverlapSeconds", "soon", "integer"),
        ("lineage:reconcileSchedule", "daily", "not a schedule"),
        ("lineage:reconcileWindowHours", 0, "outside 1..2160"),
    ],
)
def test_bad_values_fail_with_the_key_named(key: str, value: Any, message: str) -> None:
    # Given one bad context value
    context = {key: value}
    # When the configuration is read / Then it fails, naming the key and the problem
    with pytest.raises(ConfigError, match=re.escape(key)) as error:
        RecorderConfig.from_mapping(context)
    assert message in str(error.value)


def test_the_reconcile_can_be_scheduled_otherwise_or_turned_off() -> None:
    # Given a cron schedule and a wider window, and then "off"
    configured = RecorderConfig.from_mapping(
        {"lineage:reconcileSchedule": "cron(0 3 * * ? *)", "lineage:reconcileWindowHours": "72"}
    )
    off = RecorderConfig.from_mapping({"lineage:reconcileSchedule": "off"})
    # When they are read / Then each is taken as given
    assert (configured.reconcile_schedule, configured.reconcile_window_hours) == ("cron(0 3 * * ? *)", 72)
    assert off.reconcile_schedule == "off"
