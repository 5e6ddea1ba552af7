"""Grafts the lineage extension onto moto's SageMaker service, in-process and in moto's server.

moto's dispatcher calls any method of ``SageMakerResponse`` named after the snake-cased operation, so
adding methods is enough to serve new operations; wrapping existing ones adds the behaviours moto
lacks (job trial components, SourceArn filtering, tags on lineage entities, UpdateEndpoint, shadow
variants, fault injection).
"""

from __future__ import annotations

import random
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.dynamodb.responses import DynamoHandler
from moto.sagemaker.responses import SageMakerResponse

from sagemaker_lineage_emulator import endpoints, settings, trial_components
from sagemaker_lineage_emulator.errors import ThrottlingError
from sagemaker_lineage_emulator.responses import (
    HANDLERS,
    add_tags_to_entity,
    delete_tags_from_entity,
    lineage_entity_for_tags,
)

# ThrottlingException is a common AWS error, not a shape in SageMaker's model; moto warns on each one.
warnings.filterwarnings("ignore", message=r".*ThrottlingException does not match an error shape.*")

_install_lock = threading.Lock()
_installed = False
_random_lock = threading.Lock()
_random = random.Random()
_seeded_for: settings.FaultInjection | None = None


def _should_throttle(operation: str) -> bool:
    global _seeded_for  # noqa: PLW0603 - the fault RNG is process-wide, like the settings it follows
    faults = settings.current().faults
    if not faults.applies_to(operation):
        return False
    with _random_lock:
        # Reseed whenever a new FaultInjection is configured (identity, not equality: configuring the
        # same seed again must replay the same sequence of throttled calls).
        if faults is not _seeded_for:
            _random.seed(faults.seed)
            _seeded_for = faults
        return _random.random() < faults.rate


def _with_fault_injection(original: Callable[[BaseResponse], Any]) -> Callable[[BaseResponse], Any]:
    def call_action(self: BaseResponse) -> Any:
        operation = self._get_action()
        latency = settings.current().latency
        if latency > 0:
            time.sleep(latency)
        if _should_throttle(operation):
            status, headers, body = self.serialized(ActionResult(ThrottlingError("Rate exceeded")))
            headers["status"] = status
            return status, headers, body
        return original(self)

    return call_action


def _with_lineage_tags(original: Callable[[BaseResponse], Any], action: str) -> Callable[[BaseResponse], Any]:
    def handle(self: BaseResponse) -> Any:
        entity = lineage_entity_for_tags(self, self._get_param("ResourceArn"))
        if entity is None:
            return original(self)
        if action == "add":
            return ActionResult({"Tags": add_tags_to_entity(entity, self._get_param("Tags") or [])})
        if action == "delete":
            delete_tags_from_entity(entity, self._get_param("TagKeys") or [])
            return EmptyResult()
        return ActionResult({"Tags": list(entity.tags)})

    return handle


# DynamoDB evaluates a ConditionExpression and writes atomically (Developer Guide, "Condition
# expressions"); moto checks and writes in separate steps, so concurrent requests could both pass.
_DYNAMODB_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")
_dynamodb_write_lock = threading.RLock()


def _atomic(original: Callable[[DynamoHandler], Any]) -> Callable[[DynamoHandler], Any]:
    def write(self: DynamoHandler) -> Any:
        with _dynamodb_write_lock:
            return original(self)

    return write


def install() -> None:
    """Add the lineage operations to moto's SageMaker. Idempotent; call before starting a server."""
    global _installed  # noqa: PLW0603
    with _install_lock:
        if _installed:
            return
        for name, handler in HANDLERS.items():
            setattr(SageMakerResponse, name, handler)
        for name in trial_components.JOB_KINDS:
            setattr(
                SageMakerResponse,
                name,
                trial_components.with_trial_component(getattr(SageMakerResponse, name), name),
            )
        patches: dict[str, Callable[[BaseResponse], Any]] = {
            "describe_trial_component": trial_components.describe_trial_component,
            "list_trial_components": trial_components.list_trial_components,
            "call_action": _with_fault_injection(SageMakerResponse.call_action),
            "update_endpoint": endpoints.update_endpoint,
            "create_endpoint_config": endpoints.with_shadow_variants(
                SageMakerResponse.create_endpoint_config
            ),
        }
        for name, action in (("add_tags", "add"), ("list_tags", "list"), ("delete_tags", "delete")):
            patches[name] = _with_lineage_tags(getattr(SageMakerResponse, name), action)
        for name, patched in patches.items():
            setattr(SageMakerResponse, name, patched)
        for name in _DYNAMODB_WRITES:
            setattr(DynamoHandler, name, _atomic(getattr(DynamoHandler, name)))
        _installed = True
