"""The recorder's DynamoDB state table in the emulator, shaped as the CDK stack creates it."""

from __future__ import annotations

from typing import Any

STATE_TABLE = "lineage-recorder-state"


def create_state_table(dynamodb: Any, name: str = STATE_TABLE) -> str:
    dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name
