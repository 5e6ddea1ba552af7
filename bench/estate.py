"""Creates a workload's SageMaker resources in the emulator, step by step, and builds each event as
SageMaker sends it: the envelope around the Describe* view of the resource right after the change.

Steps are applied in time order, only up to the moment the next delivery happens, so an event that is
delivered late is described after later changes, as in a real account. Nothing here is counted: the
estate is set up with its own client, outside ``CallCounter.counting``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from lineage_recorder.events.from_describe import event_detail

from bench.workload import ACCOUNT, EXECUTION_OF, REGION, Call, EventSpec, Step, Workload

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


class Estate:
    def __init__(self, workload: Workload, sagemaker: Any) -> None:
        self._sagemaker = sagemaker
        self._steps = workload.steps
        self._applied = 0
        self._bodies: dict[int, dict[str, Any]] = {}
        # pipeline name -> the ARN of its latest execution (SageMaker chooses the id when it starts)
        self._executions: dict[str, str] = {}

    def advance_to(self, time: float) -> None:
        """Apply every step that happened at or before ``time`` (minutes)."""
        while self._applied < len(self._steps) and self._steps[self._applied].time <= time:
            self._apply(self._steps[self._applied])
            self._applied += 1

    def event(self, index: int) -> dict[str, Any]:
        """The event of step ``index`` as EventBridge delivers it (the step must have been applied)."""
        return self._bodies[index]

    def _resolved(self, value: str) -> str:
        if value.startswith(EXECUTION_OF):
            return self._executions[value.removeprefix(EXECUTION_OF)]
        return value

    def _detail(self, spec: EventSpec) -> dict[str, Any]:
        params = {
            key: self._resolved(value) if isinstance(value, str) else value
            for key, value in spec.describe.params.items()
        }
        described = event_detail(self._call(Call(spec.describe.operation, params)))
        if spec.kind in ("pipeline-step", "pipeline-execution"):
            # Pipeline events spell their fields in camelCase and carry no Describe* view.
            detail: dict[str, Any] = {
                "pipelineArn": described["PipelineArn"],
                "pipelineExecutionArn": described["PipelineExecutionArn"],
            }
            status = described["PipelineExecutionStatus"]
            if spec.kind == "pipeline-step":
                detail.update(currentStepStatus=status, previousStepStatus="Executing")
            else:
                detail.update(
                    currentPipelineExecutionStatus=status, previousPipelineExecutionStatus="Executing"
                )
        elif spec.detail_only is not None:
            detail = {key: described[key] for key in spec.detail_only if key in described}
        else:
            detail = described
        detail.update(spec.overrides)
        return detail

    def _apply(self, step: Step) -> None:
        for call in step.calls:
            response = self._call(call)
            if call.operation == "start_pipeline_execution":
                self._executions[call.params["PipelineName"]] = response["PipelineExecutionArn"]
        spec = step.event
        detail = self._detail(spec)
        resource = self._resolved(spec.resource_arn)
        resources = (
            [resource.rsplit("/execution/", 1)[0], resource] if "/execution/" in resource else [resource]
        )
        self._bodies[spec.index] = {
            "version": "0",
            "id": spec.event_id,
            "detail-type": spec.detail_type,
            "source": "aws.sagemaker",
            "account": ACCOUNT,
            "time": (START + timedelta(minutes=step.time)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": REGION,
            "resources": resources,
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
