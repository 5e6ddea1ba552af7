"""Creates a workload's SageMaker resources in the emulator, step by step, and builds each event as
SageMaker sends it: the envelope around the Describe* view of the resource right after the change.

Steps are applied in time order, only up to the moment the next delivery happens, so an event that is
delivered late is described after later changes, as in a real account. Nothing here is counted: the
estate is set up with its own client, outside ``CallCounter.counting``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lineage_recorder_cli.local_aws import event_detail

from bench.workload import ACCOUNT, REGION, Call, Step, Workload

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


class Estate:
    def __init__(self, workload: Workload, sagemaker: Any) -> None:
        self._sagemaker = sagemaker
        self._steps = workload.steps
        self._applied = 0
        self._bodies: dict[int, dict[str, Any]] = {}

    def advance_to(self, time: float) -> None:
        """Apply every step that happened at or before ``time`` (minutes)."""
        while self._applied < len(self._steps) and self._steps[self._applied].time <= time:
            self._apply(self._steps[self._applied])
            self._applied += 1

    def event(self, index: int) -> dict[str, Any]:
        """The event of step ``index`` as EventBridge delivers it (the step must have been applied)."""
        return self._bodies[index]

    def _apply(self, step: Step) -> None:
        for call in step.calls:
            self._call(call)
        spec = step.event
        detail = event_detail(self._call(spec.describe))
        detail.update(spec.overrides)
        self._bodies[spec.index] = {
            "version": "0",
            "id": spec.event_id,
            "detail-type": spec.detail_type,
            "source": "aws.sagemaker",
            "account": ACCOUNT,
            "time": (START + timedelta(minutes=step.time)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": [spec.resource_arn],
            "detail": detail,
        }

    def _call(self, call: Call) -> dict[str, Any]:
        try:
            response: dict[str, Any] = getattr(self._sagemaker, call.operation)(**call.params)
        except NotImplementedError:
            if call.operation != "update_endpoint":
                raise
            # moto alone lacks UpdateEndpoint; its CreateEndpoint replaces an endpoint of the same name.
            response = self._sagemaker.create_endpoint(**call.params)
        return response
