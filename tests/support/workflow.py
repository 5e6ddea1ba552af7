"""The demo's ML workflow as a list of events, and a counter of the SageMaker calls a client makes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from lineage_recorder_cli.demo_workflow import DemoNames, run_workflow

from tests.support.events import ACCOUNT, REGION, envelope

_START = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@dataclass
class CollectingPipeline:
    """Stands in for EventBridge: keeps each published event, stamped with an increasing time."""

    account: str = ACCOUNT
    region: str = REGION
    events: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, detail_type: str, detail: dict[str, Any], resources: list[str]) -> None:
        moment = _START + timedelta(seconds=len(self.events))
        self.events.append(
            envelope(detail_type, detail, resources[0], time=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        )


def workflow_names(index: int) -> DemoNames:
    """The demo's resource names, made distinct per workflow; the datasets stay shared."""
    defaults = DemoNames()
    return DemoNames(**{name: f"{value}-{index}" for name, value in defaults.__dict__.items()})


def workflow_events(sagemaker: Any, workflows: int = 1) -> list[dict[str, Any]]:
    """Create `workflows` copies of the demo's resources and return every event SageMaker would send."""
    pipeline = CollectingPipeline()
    for index in range(workflows):
        run_workflow(sagemaker, pipeline, workflow_names(index))
    return pipeline.events


WRITE_PREFIXES = ("Create", "Add", "Update", "Delete", "Put")


@dataclass
class CallCounter:
    """Counts a client's SageMaker calls by operation, the attempts that were throttled, and those that
    were answered with a server fault (5xx)."""

    calls: Counter[str] = field(default_factory=Counter)
    throttled_attempts: int = 0
    server_faults: int = 0

    def attach(self, client: Any) -> CallCounter:
        client.meta.events.register("before-call.sagemaker", self._on_call)
        client.meta.events.register("needs-retry.sagemaker", self._on_attempt)
        return self

    def _on_call(self, model: Any, **_: Any) -> None:
        self.calls[model.name] += 1

    def _on_attempt(self, response: Any = None, **_: Any) -> None:
        if response is None:
            return
        if response[1].get("Error", {}).get("Code") == "ThrottlingException":
            self.throttled_attempts += 1
        elif getattr(response[0], "status_code", 0) >= 500:
            self.server_faults += 1

    @property
    def writes(self) -> int:
        return sum(count for name, count in self.calls.items() if name.startswith(WRITE_PREFIXES))

    def reset(self) -> None:
        self.calls.clear()
        self.throttled_attempts = 0
        self.server_faults = 0
