"""A guard on a boto3 SageMaker client: every request it sends is checked against botocore's model first.

The emulator validates lineage requests the same way, but not moto's own operations (Describe*), and it
evaluates the model's patterns with Python's ``re``, whose ``.`` matches characters that SageMaker's Java
``.`` stops at (carriage return, NEL, line and paragraph separators). The guard sees every call, before
it leaves the client, and keeps what it found for the test to assert on; it never changes a call.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sagemaker_lineage_emulator.errors import ValidationError
from sagemaker_lineage_emulator.validation import validate_request

_EVENT = "before-parameter-build.sagemaker"
# Control characters, lone surrogates, line and paragraph separators: never valid in a SageMaker string.
_NEVER_VALID = frozenset({"Cc", "Cs", "Zl", "Zp"})


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key, f"{path}.<key>")
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


@dataclass
class ApiGuard:
    calls: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    def install(self, client: Any) -> None:
        client.meta.events.register(_EVENT, self._check, unique_id="hostile-input-api-guard")

    def uninstall(self, client: Any) -> None:
        client.meta.events.unregister(_EVENT, unique_id="hostile-input-api-guard")

    def clear(self) -> None:
        self.calls.clear()
        self.violations.clear()

    def _check(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        operation = model.name
        self.calls.append(operation)
        try:
            validate_request(operation, params)
        except ValidationError as error:
            self.violations.append(f"{operation}: {getattr(error, 'message', error)}"[:600])
        for path, text in _strings(params):
            categories = sorted({unicodedata.category(character) for character in text} & _NEVER_VALID)
            if categories:
                self.violations.append(f"{operation}: {path} carries {categories} characters: {text[:80]!r}")
