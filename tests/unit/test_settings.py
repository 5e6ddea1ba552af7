"""LINEAGE_* settings, and the account trust they feed: parsed once, the same for the Lambda and the CLI."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError, NoCredentialsError
from lineage_recorder.errors import ConfigurationError, InvalidEventError
from lineage_recorder.families import BY_NAME as FAMILIES
from lineage_recorder.settings import DEFAULT_PEER_ROLE_NAME, RecorderSettings
from lineage_recorder.trust import (
    Home,
    TrustedAccounts,
    home_from_function_arn,
    own_account_from_function_arn,
    own_account_from_sts,
)


def test_nothing_set_gives_the_defaults() -> None:
    # Given an environment without any LINEAGE_* variable / When read
    settings = RecorderSettings.from_environment({})
    # Then no peers, the default role, no table, every family
    assert settings == RecorderSettings()
    assert settings.peer_accounts == frozenset()
    assert settings.peer_role_name == DEFAULT_PEER_ROLE_NAME
    assert settings.state_table is None
    assert settings.families == tuple(FAMILIES)


def test_empty_values_as_the_stack_writes_them_give_the_defaults() -> None:
    # Given the variables the CDK stack sets when nothing is configured
    environ = {"LINEAGE_PEER_ACCOUNTS": "", "LINEAGE_PEER_ROLE_NAME": "", "LINEAGE_STATE_TABLE": ""}
    # When read / Then they mean "none" and "default"
    assert RecorderSettings.from_environment(environ) == RecorderSettings()


def test_every_variable_is_read() -> None:
    # Given every variable set, with spaces and a trailing comma a person might type
    environ = {
        "LINEAGE_PEER_ACCOUNTS": " 111122223333, 012345678901 ,",
        "LINEAGE_PEER_ROLE_NAME": "LineageReader",
        "LINEAGE_STATE_TABLE": "SageMakerLineageRecorder-StateTable1234-ABC",
        "LINEAGE_FAMILIES": "training,processing",
    }
    # When read
    settings = RecorderSettings.from_environment(environ)
    # Then each value is kept, leading zeros included
    assert settings.peer_accounts == frozenset({"111122223333", "012345678901"})
    assert settings.peer_role_name == "LineageReader"
    assert settings.state_table == "SageMakerLineageRecorder-StateTable1234-ABC"
    assert settings.families == ("training", "processing")


@pytest.mark.parametrize("value", ["all", " all ", "", " "])
def test_all_or_nothing_means_every_family(value: str) -> None:
    assert RecorderSettings.from_environment({"LINEAGE_FAMILIES": value}).families == tuple(FAMILIES)


def test_the_stacks_family_list_is_read_as_is() -> None:
    # Given the list the stack writes (the family names joined by commas)
    environ = {"LINEAGE_FAMILIES": ",".join(FAMILIES)}
    # When read / Then every family, in order
    assert RecorderSettings.from_environment(environ).families == tuple(FAMILIES)


def test_the_process_environment_is_the_default_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LINEAGE_PEER_ACCOUNTS", "111122223333")
    assert RecorderSettings.from_environment().peer_accounts == frozenset({"111122223333"})


@pytest.mark.parametrize(
    ("variable", "value", "complaint"),
    [
        ("LINEAGE_PEER_ACCOUNTS", "11112222333", "LINEAGE_PEER_ACCOUNTS"),  # 11 digits
        ("LINEAGE_PEER_ACCOUNTS", "111122223333;222233334444", "12-digit"),
        ("LINEAGE_PEER_ACCOUNTS", "١١١١٢٢٢٢٣٣٣٣", "12-digit"),  # Arabic-Indic digits are not an id
        ("LINEAGE_PEER_ACCOUNTS", '["111122223333"]', "12-digit"),
        ("LINEAGE_PEER_ROLE_NAME", "role/with/slashes", "LINEAGE_PEER_ROLE_NAME"),
        ("LINEAGE_PEER_ROLE_NAME", "r" * 65, "IAM role name"),
        ("LINEAGE_STATE_TABLE", "ab", "LINEAGE_STATE_TABLE"),
        ("LINEAGE_STATE_TABLE", "table name", "DynamoDB table name"),
        ("LINEAGE_FAMILIES", "training,endpoints-typo", "endpoints-typo"),
        ("LINEAGE_FAMILIES", "all,training", "LINEAGE_FAMILIES"),
        ("LINEAGE_INDEX_PAGES", "-1", "whole number"),
        ("LINEAGE_INDEX_PAGES", "five", "whole number"),
        ("LINEAGE_INDEX_PAGES", "\u0665", "whole number"),  # an Arabic-Indic five is not a page count
        ("LINEAGE_INDEX_PAGES", "1001", "between 0"),
        ("LINEAGE_INDEX_OVERLAP_SECONDS", "1.5", "whole number of seconds"),
        ("LINEAGE_INDEX_OVERLAP_SECONDS", "3601", "between 0"),
    ],
)
def test_a_bad_value_is_refused_with_the_variable_named(variable: str, value: str, complaint: str) -> None:
    # Given one variable with a bad value / When read / Then the error names the variable or the rule
    with pytest.raises(ConfigurationError, match=complaint) as raised:
        RecorderSettings.from_environment({variable: value})
    assert variable in str(raised.value)


@pytest.mark.parametrize(
    ("environ", "enabled"),
    [
        ({"LINEAGE_STATE_TABLE": "state"}, True),  # the stack's default: index on, 5 pages per sync
        ({"LINEAGE_STATE_TABLE": "state", "LINEAGE_INDEX_PAGES": "0"}, False),  # turned off
        ({"LINEAGE_INDEX_PAGES": "20"}, False),  # no state table to keep it in
    ],
)
def test_the_index_is_on_with_a_state_table_unless_its_pages_are_zero(
    environ: dict[str, str], enabled: bool
) -> None:
    assert RecorderSettings.from_environment(environ).index_enabled is enabled


def test_settings_are_frozen() -> None:
    settings = RecorderSettings()
    with pytest.raises(AttributeError):
        settings.peer_role_name = "other"  # type: ignore[misc]


# ------------------------------------------------------------------------------------------ trust


def test_the_own_account_is_recorded_a_peers_events_are_left_to_it_and_no_one_else_is_trusted() -> None:
    # Given a recorder in one account and Region, with one peer
    trusted = TrustedAccounts("123456789012", frozenset({"111122223333"}), region="eu-west-1")
    # When checking events / Then its own are recorded, and a peer's are left to the peer's recorder
    assert trusted.peer_event_reason("123456789012", "eu-west-1") is None
    reason = trusted.peer_event_reason("111122223333", "eu-west-1")
    assert reason is not None and "recorded by that account's own recorder" in reason
    # And any other account, or its own account in another Region, is refused with a message naming it
    with pytest.raises(InvalidEventError, match=r"'999999999999' is not trusted.*LINEAGE_PEER_ACCOUNTS"):
        trusted.peer_event_reason("999999999999", "eu-west-1")
    with pytest.raises(InvalidEventError, match=r"Region 'us-east-1', not the recorder's own \(eu-west-1\)"):
        trusted.peer_event_reason("123456789012", "us-east-1")


@pytest.mark.parametrize(
    ("arn", "complaint"),
    [
        ("arn:aws:sagemaker:eu-west-1:111122223333:training-job/j", "account '111122223333'"),
        ("arn:aws:sagemaker:us-east-1:123456789012:training-job/j", "Region 'us-east-1'"),
        ("arn:aws-cn:sagemaker:eu-west-1:123456789012:training-job/j", "partition 'aws-cn'"),
    ],
)
def test_a_resource_of_another_account_region_or_partition_is_never_recorded(
    arn: str, complaint: str
) -> None:
    trusted = TrustedAccounts("123456789012", frozenset({"111122223333"}), region="eu-west-1")
    with pytest.raises(InvalidEventError, match=complaint):
        trusted.check_resource(arn)
    trusted.check_resource("arn:aws:sagemaker:eu-west-1:123456789012:training-job/j")


def test_a_malformed_own_account_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="own account"):
        TrustedAccounts("")


def test_the_lambdas_own_account_comes_from_its_function_arn() -> None:
    arn = "arn:aws:lambda:eu-west-1:111122223333:function:SageMakerLineageRecorder-Recorder:live"
    assert own_account_from_function_arn(arn) == "111122223333"
    assert home_from_function_arn(arn) == Home("aws", "eu-west-1", "111122223333")
    china = "arn:aws-cn:lambda:cn-north-1:111122223333:function:f"
    assert home_from_function_arn(china) == Home("aws-cn", "cn-north-1", "111122223333")


@pytest.mark.parametrize("arn", [None, "", "function-name", "arn:aws:lambda:eu-west-1::function:f"])
def test_a_function_arn_without_an_account_trusts_no_one(arn: str | None) -> None:
    with pytest.raises(ConfigurationError, match="own account"):
        own_account_from_function_arn(arn)


class _FakeSts:
    def __init__(self, answer: dict[str, Any] | Exception) -> None:
        self._answer = answer

    def get_caller_identity(self) -> dict[str, Any]:
        if isinstance(self._answer, Exception):
            raise self._answer
        return self._answer


def test_the_clis_own_account_comes_from_sts() -> None:
    sts = _FakeSts({"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:user/me"})
    assert own_account_from_sts(sts) == "123456789012"


@pytest.mark.parametrize(
    "answer",
    [
        NoCredentialsError(),
        ClientError({"Error": {"Code": "ExpiredToken", "Message": "expired"}}, "GetCallerIdentity"),
        {"UserId": "no account"},
    ],
    ids=["no-credentials", "expired", "no-account"],
)
def test_when_sts_cannot_say_the_cli_trusts_no_one(answer: dict[str, Any] | Exception) -> None:
    with pytest.raises(ConfigurationError, match="account"):
        own_account_from_sts(_FakeSts(answer))
