"""Grafts the lineage extension onto moto's SageMaker service, in-process and in moto's server.

moto's dispatcher calls any method of ``SageMakerResponse`` named after the snake-cased operation, so
adding methods is enough to serve new operations; wrapping existing ones adds the behaviours moto
lacks (job trial components, SourceArn filtering, Search over trial components, tags on lineage entities,
on inference components and on new trial components, UpdateEndpoint, shadow variants, inference components
and endpoints without models to host them, an AWS-style answer for an unknown Region, fault injection).
"""

from __future__ import annotations

import json
import random
import threading
import time
import warnings
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult, BaseResponse, EmptyResult
from moto.dynamodb.responses import DynamoHandler
from moto.sagemaker.models import FakeEndpointConfig, FeatureGroup, SageMakerModelBackend, sagemaker_backends
from moto.sagemaker.responses import SageMakerResponse
from moto.settings import allow_unknown_region

from sagemaker_lineage_emulator import (
    endpoints,
    feature_groups,
    inference_components,
    inventory,
    labeling,
    model_cards,
    pipelines,
    search,
    settings,
    trial_components,
    tuning,
)
from sagemaker_lineage_emulator.errors import ThrottlingError, ValidationError
from sagemaker_lineage_emulator.responses import (
    HANDLERS,
    Tagged,
    add_tags_to_entity,
    delete_tags_from_entity,
    lineage_entity_for_tags,
)

# ThrottlingException is a common AWS error, not a shape in SageMaker's model; moto warns on each one.
warnings.filterwarnings("ignore", message=r".*ThrottlingException does not match an error shape.*")

INVALID_SIGNATURE = "InvalidSignatureException"
_install_lock = threading.Lock()
_installed = False
_random_lock = threading.Lock()
# One random sequence per kind of fault, reseeded whenever a new FaultInjection of that kind is configured
# (identity, not equality: configuring the same seed again must replay the same sequence).
_randoms: dict[str, tuple[settings.FaultInjection | None, random.Random]] = {}
INTERNAL_FAILURE = "InternalFailure"


def _draw(kind: str, faults: settings.FaultInjection, operation: str) -> bool:
    if not faults.applies_to(operation):
        return False
    with _random_lock:
        seeded_for, rng = _randoms.get(kind, (None, random.Random()))
        if faults is not seeded_for:
            rng = random.Random(faults.seed)
            _randoms[kind] = (faults, rng)
        return rng.random() < faults.rate


def _should_throttle(operation: str) -> bool:
    return _draw("throttle", settings.current().faults, operation)


def _lost_response(response: BaseResponse) -> tuple[int, dict[str, Any], str]:
    """What a client sees when the call ran but its answer was lost: a server fault (HTTP 500)."""
    body = json.dumps({"__type": INTERNAL_FAILURE, "message": "An internal error occurred (injected)."})
    headers: dict[str, Any] = {
        **response.response_headers,
        "status": 500,
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-ErrorType": INTERNAL_FAILURE,
    }
    return 500, headers, body


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
        result = original(self)
        status = result[0] if isinstance(result, tuple) else 200
        if int(status) < 300 and _draw("lose", settings.current().lost_responses, operation):
            return _lost_response(self)
        return result

    return call_action


def _with_known_region(original: Callable[[BaseResponse], Any]) -> Callable[[BaseResponse], Any]:
    """A Region SageMaker does not have answers like AWS, not with moto's KeyError (an HTML 500).

    Against real AWS a client for an unknown Region fails resolving its endpoint; a request that does
    reach an endpoint signed for a Region it does not serve is refused with InvalidSignatureException
    "Credential should be scoped to a valid region" (HTTP 403). The emulator is such an endpoint.
    """

    def call_action(self: BaseResponse) -> Any:
        region = self.region
        if region not in sagemaker_backends[self.current_account] and not allow_unknown_region():
            # Serialised by hand: the code is not an error shape of SageMaker's model, which moto warns of.
            message = f"Credential should be scoped to a valid region, not '{region}'."
            body = json.dumps({"__type": INVALID_SIGNATURE, "message": message})
            headers: dict[str, Any] = {
                **self.response_headers,
                "status": 403,
                "content-type": "application/x-amz-json-1.1",
                "x-amzn-ErrorType": INVALID_SIGNATURE,
            }
            return 403, headers, body
        return original(self)

    return call_action


def _require_moto_resource(response: BaseResponse, resource_arn: str) -> None:
    """moto's tag operations fail with an AttributeError (an HTML 500) for a resource that does not exist.

    SageMaker answers ValidationException (aws/amazon-sagemaker-feedback#108: ListTags and AddTags on an
    app that no longer exists).
    """
    backend = response.sagemaker_backend  # type: ignore[attr-defined]
    try:
        resource = backend._get_resource_from_arn(resource_arn)
    except (AttributeError, KeyError, ValueError):
        resource = None
    if resource is None:
        raise ValidationError(f"Resource {resource_arn} does not exist or cannot be tagged.")


def _with_lineage_tags(original: Callable[[BaseResponse], Any], action: str) -> Callable[[BaseResponse], Any]:
    def handle(self: BaseResponse) -> Any:
        resource_arn = self._get_param("ResourceArn")
        entity: Tagged | None = lineage_entity_for_tags(self, resource_arn)
        if entity is None:
            entity = inference_components.component_for_tags(resource_arn)
        if entity is None:
            _require_moto_resource(self, resource_arn)
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
        handlers = {
            **HANDLERS,
            **inventory.HANDLERS,
            **inference_components.HANDLERS,
            **tuning.HANDLERS,
            **pipelines.HANDLERS,
            # After inventory's: real labeling jobs replace its empty list and its ResourceNotFound.
            **labeling.HANDLERS,
            **feature_groups.HANDLERS,
            **model_cards.HANDLERS,
        }
        for name, handler in handlers.items():
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
            "create_trial_component": trial_components.with_creation_tags(
                SageMakerResponse.create_trial_component
            ),
            "search": search.with_emulated_resources(SageMakerResponse.search),
            "describe_model_package": inventory.describe_model_package(
                SageMakerResponse.describe_model_package
            ),
            "call_action": _with_known_region(_with_fault_injection(SageMakerResponse.call_action)),
            "update_endpoint": endpoints.update_endpoint,
            "describe_endpoint": endpoints.with_deployed_images(SageMakerResponse.describe_endpoint),
            "create_endpoint_config": endpoints.with_shadow_variants(
                SageMakerResponse.create_endpoint_config
            ),
        }
        for name, wrap in tuning.WRAPPERS.items():
            patches[name] = wrap(getattr(SageMakerResponse, name))
        for name, action in (("add_tags", "add"), ("list_tags", "list"), ("delete_tags", "delete")):
            patches[name] = _with_lineage_tags(getattr(SageMakerResponse, name), action)
        for name, patched in patches.items():
            setattr(SageMakerResponse, name, patched)
        # Endpoints for inference components: variants without a model, and today's instance types.
        model_checks: tuple[tuple[type, str, Callable[..., None]], ...] = (
            (SageMakerModelBackend, "validate_production_variants", endpoints.validate_variant_models),
            (FakeEndpointConfig, "validate_instance_type", endpoints.validate_instance_type),
        )
        for owner, name, check in model_checks:
            setattr(owner, name, check)
        # Feature groups described as SageMaker does; labeling jobs and feature groups found by ARN for tags.
        find_by_arn = SageMakerModelBackend._get_resource_from_arn
        model_patches: tuple[tuple[type, str, Callable[..., Any]], ...] = (
            (FeatureGroup, "describe", feature_groups.describe),
            (
                SageMakerModelBackend,
                "_get_resource_from_arn",
                labeling.resource_from_arn(feature_groups.resource_from_arn(find_by_arn)),
            ),
        )
        for owner, name, patch in model_patches:
            setattr(owner, name, patch)
        for name in _DYNAMODB_WRITES:
            setattr(DynamoHandler, name, _atomic(getattr(DynamoHandler, name)))
        _installed = True
