"""DynamoDB conditional writes are atomic, which the recorder's dedup registry relies on.

DynamoDB Developer Guide, "Condition expressions": "If the condition expression evaluates to true, the
operation succeeds; otherwise, the operation fails" and conditional writes are checked and applied as
one operation, so of concurrent writers with `attribute_not_exists` exactly one succeeds.
"""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
import sagemaker_lineage_emulator
from botocore.exceptions import ClientError
from moto import mock_aws

from tests.support.state_table import create_state_table


def _claim(dynamodb: Any, table: str, owner: str) -> bool:
    try:
        dynamodb.put_item(
            TableName=table,
            Item={"id": {"S": "key"}, "owner": {"S": owner}},
            ConditionExpression="attribute_not_exists(id)",
        )
    except ClientError as error:
        assert error.response["Error"]["Code"] == "ConditionalCheckFailedException"
        return False
    return True


@pytest.mark.parametrize("attempt", range(3))
def test_of_many_concurrent_conditional_puts_exactly_one_succeeds(
    attempt: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the in-process emulator and a table, and sixteen writers racing for one key
    for key, value in {
        "AWS_ACCESS_KEY_ID": "t",
        "AWS_SECRET_ACCESS_KEY": "t",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    sagemaker_lineage_emulator.install()
    with mock_aws():
        table = create_state_table(boto3.client("dynamodb"))
        clients = [boto3.client("dynamodb") for _ in range(16)]
        start = threading.Barrier(len(clients))
        wins: list[bool] = []

        def write(index: int) -> None:
            start.wait()
            wins.append(_claim(clients[index], table, f"writer-{index}"))

        # When they all write at once
        threads = [threading.Thread(target=write, args=(index,)) for index in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    # Then exactly one condition held
    assert sorted(wins) == [False] * 15 + [True]
