"""The gateway is the only code that calls SageMaker (decision 4 and docs/architecture.md).

Read from the source of the Lambda package: outside ``apply/gateway.py`` no module calls a method named
like a SageMaker operation, and none names a SageMaker write operation (which a ``getattr`` could call).
The integration test ``test_one_writer`` checks the same at run time, from the call stack.
"""

from __future__ import annotations

import ast
from pathlib import Path

import botocore.session
from botocore import xform_name
from lineage_recorder.families import ALL

PACKAGE = Path(__file__).resolve().parents[2] / "functions" / "lineage_recorder"
GATEWAY = PACKAGE / "apply" / "gateway.py"
_OPERATIONS = botocore.session.get_session().get_service_model("sagemaker").operation_names
SAGEMAKER_METHODS = frozenset(xform_name(operation) for operation in _OPERATIONS)
WRITE_PREFIXES = ("Create", "Update", "Delete", "Add", "Put", "Associate", "Disassociate")
WRITE_OPERATIONS = frozenset(operation for operation in _OPERATIONS if operation.startswith(WRITE_PREFIXES))
WRITE_NAMES = WRITE_OPERATIONS | {xform_name(operation) for operation in WRITE_OPERATIONS}


def _modules() -> list[Path]:
    return sorted(path for path in PACKAGE.rglob("*.py") if path != GATEWAY)


# CloudTrail's names for the API calls a family acts on (its rule filters on them): event names, not calls.
CLOUDTRAIL_EVENT_NAMES = frozenset(
    name for family in ALL if family.status_field == "eventName" for name in family.statuses
)


def _sagemaker_uses(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in SAGEMAKER_METHODS
        ):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} calls .{node.func.attr}()")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value in WRITE_NAMES - CLOUDTRAIL_EVENT_NAMES
        ):
            found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} names {node.value!r}")
    return found


def test_the_check_sees_the_gateways_own_calls() -> None:
    # Given the gateway itself / When read the same way / Then its writes are found (the check can fail)
    names = {
        node.value
        for node in ast.walk(ast.parse(GATEWAY.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert {"CreateArtifact", "AddAssociation", "UpdateAction"} <= names & WRITE_NAMES


def test_no_module_but_the_gateway_calls_sagemaker() -> None:
    # Given every module of the Lambda package except the gateway
    modules = _modules()
    assert len(modules) > 20
    # When their source is read / Then none calls a SageMaker operation or names a write
    found = [use for path in modules for use in _sagemaker_uses(path)]
    assert found == []
