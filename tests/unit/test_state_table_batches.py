"""The state table's batch writes when DynamoDB leaves part of a batch unprocessed (under load)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from lineage_recorder.errors import UnprocessedItemsError
from lineage_recorder.plan import EntityKey, EntityKind
from lineage_recorder.state import table as table_module
from lineage_recorder.state.keys import TableKeyStore
from lineage_recorder.state.table import StateTable


@dataclass
class ThrottledTable:
    """A fake DynamoDB client: BatchGetItem finds nothing; BatchWriteItem leaves the last item of each
    request unprocessed for the first `unprocessed_rounds` calls, as DynamoDB does when throttled."""

    unprocessed_rounds: int
    written: dict[str, dict[str, Any]] = field(default_factory=dict)
    write_calls: int = 0

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803 (boto3's name)
        return {"Responses": {name: [] for name in RequestItems}}

    def batch_write_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:  # noqa: N803
        self.write_calls += 1
        ((table, requests),) = RequestItems.items()
        held = requests[-1:] if self.write_calls <= self.unprocessed_rounds else []
        for request in requests[: len(requests) - len(held)]:
            item = request["PutRequest"]["Item"]
            self.written[item["id"]["S"]] = item
        return {"UnprocessedItems": {table: held} if held else {}}


@pytest.fixture
def pauses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The back-off pauses taken, by attempt, without waiting for them."""
    taken: list[int] = []
    monkeypatch.setattr(table_module, "back_off", taken.append)
    return taken


def _keys(count: int) -> dict[EntityKey, str]:
    return {EntityKey(EntityKind.ARTIFACT, f"s3://data/{n}"): f"arn:artifact/{n}" for n in range(count)}


def test_unprocessed_items_are_written_again_after_a_growing_pause(pauses: list[int]) -> None:
    # Given a table that leaves one item unprocessed twice
    table = ThrottledTable(unprocessed_rounds=2)
    # When three keys are recorded
    added = TableKeyStore(StateTable(table, "state")).put_absent(_keys(3))
    # Then all three are written, after pauses for the second and third rounds
    assert (added, len(table.written), table.write_calls) == (3, 3, 3)
    assert pauses == [1, 2]


def test_a_table_that_never_takes_the_items_fails_the_record_instead_of_spinning(pauses: list[int]) -> None:
    # Given a table that always leaves an item unprocessed
    table = ThrottledTable(unprocessed_rounds=1_000)
    # When keys are recorded / Then it gives up with an error SQS redelivery can retry
    with pytest.raises(UnprocessedItemsError, match="unwritten"):
        TableKeyStore(StateTable(table, "state")).put_absent(_keys(2))
    assert len(pauses) == table.write_calls - 1
