"""Request validation driven by botocore's SageMaker service model.

The limits, patterns and enums are read from the model rather than retyped, so the emulator rejects
exactly what the published API definition rejects. Errors read like SageMaker's own:
``1 validation error detected: Value 'x' at 'artifactName' failed to satisfy constraint: ...``.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

import botocore.session
from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from sagemaker_lineage_emulator.errors import ValidationError

_MAX_ECHOED_VALUE = 200


@cache
def sagemaker_model() -> ServiceModel:
    return botocore.session.get_session().get_service_model("sagemaker")


@cache
def _operation(name: str) -> OperationModel:
    return sagemaker_model().operation_model(name)


@cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:
        # A Java-only construct we cannot evaluate; the other constraints still apply.
        return None


def _field_path(parent: str, member: str) -> str:
    name = member[0].lower() + member[1:]
    return f"{parent}.{name}" if parent else name


def _echo(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _MAX_ECHOED_VALUE else text[:_MAX_ECHOED_VALUE] + "..."


def _check_string(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if not isinstance(value, str):
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: Member must be a string"
        )
        return
    meta = shape.metadata
    if "min" in meta and len(value) < meta["min"]:
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and len(value) > meta["max"]:
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}"
        )
    enum = meta.get("enum")
    if enum and value not in enum:
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must satisfy enum value set: [{', '.join(enum)}]"
        )
    pattern = meta.get("pattern")
    compiled = _compiled(pattern) if pattern else None
    if compiled is not None and compiled.fullmatch(value) is None:
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must satisfy regular expression pattern: {pattern}"
        )


def _check_number(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: Member must be a number"
        )
        return
    meta = shape.metadata
    if "min" in meta and value < meta["min"]:
        errors.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value greater than or equal to {meta['min']}"
        )
    if "max" in meta and value > meta["max"]:
        errors.append(
            f"Value '{value}' at '{path}' failed to satisfy constraint: "
            f"Member must have value less than or equal to {meta['max']}"
        )


def _check_size(shape: Shape, size: int, value: Any, path: str, errors: list[str]) -> None:
    meta = shape.metadata
    if "min" in meta and size < meta["min"]:
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}"
        )
    if "max" in meta and size > meta["max"]:
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}"
        )


def _check(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    if value is None:
        return
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(shape, StructureShape)
        if not isinstance(value, dict):
            errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a structure")
            return
        for required in shape.required_members:
            if value.get(required) is None:
                errors.append(
                    f"Value null at '{_field_path(path, required)}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, member_value in value.items():
            member = shape.members.get(name)
            if member is not None:
                _check(member, member_value, _field_path(path, name), errors)
    elif kind == "list":
        assert isinstance(shape, ListShape)
        if not isinstance(value, list):
            errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a list")
            return
        _check_size(shape, len(value), value, path, errors)
        for index, item in enumerate(value):
            _check(shape.member, item, f"{path}.{index + 1}.member", errors)
    elif kind == "map":
        assert isinstance(shape, MapShape)
        if not isinstance(value, dict):
            errors.append(f"Value at '{path}' failed to satisfy constraint: Member must be a map")
            return
        _check_size(shape, len(value), value, path, errors)
        for key, item in value.items():
            _check(shape.key, key, f"{path}.key", errors)
            _check(shape.value, item, f"{path}.{key}", errors)
    elif kind == "string":
        _check_string(shape, value, path, errors)
    elif kind in ("integer", "long", "double", "float"):
        _check_number(shape, value, path, errors)
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(
                f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: Member must be boolean"
            )
    elif kind == "timestamp" and (isinstance(value, bool) or not isinstance(value, int | float | str)):
        errors.append(
            f"Value '{_echo(value)}' at '{path}' failed to satisfy constraint: Member must be a timestamp"
        )


def validate_request(operation_name: str, params: dict[str, Any]) -> None:
    """Raise ValidationError listing every constraint of ``operation_name`` that ``params`` breaks."""
    input_shape = _operation(operation_name).input_shape
    if input_shape is None:
        return
    errors: list[str] = []
    _check(input_shape, params, "", errors)
    if errors:
        noun = "error" if len(errors) == 1 else "errors"
        raise ValidationError(f"{len(errors)} validation {noun} detected: " + "; ".join(errors))


def member_limit(shape_name: str, key: str) -> Any:
    """A limit from the model, e.g. ``member_limit("QueryLineageMaxResults", "max")``."""
    return sagemaker_model().shape_for(shape_name).metadata.get(key)
