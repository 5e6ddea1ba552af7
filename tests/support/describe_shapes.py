"""Describe* responses synthesised from botocore's service model, for the complete-or-loud test.

``candidates(operation)``: the paths of every string field in the response that names data, code or
another resource (by its member name: S3 URIs, images, ARNs, query strings, file systems, names of models,
algorithms, feature groups). ``synthesise(operation, base)``: ``base`` (a real-looking response) with every
candidate field filled, each with a distinct valid value, and two elements in every list on the way.
"""

from __future__ import annotations

import copy
import hashlib
import re
from typing import Any

import botocore.session

_MODEL = botocore.session.get_session().get_service_model("sagemaker")
DATA_OR_CODE = re.compile(
    r"(S3Uri|S3OutputPath|S3FailurePath|S3ModelArtifacts|Uri|Url|Image|ImageUri|QueryString|FeatureGroupName"
    r"|FileSystemId|DirectoryPath|AlgorithmName|ModelPackageName|ModelName|Arn|Path|Repository)$"
)
_ACCOUNT_ARN = "arn:aws:sagemaker:us-east-1:123456789012"


def _walk(shape: Any, path: str, seen: tuple[str, ...]) -> list[tuple[str, Any]]:
    if shape.name in seen or len(seen) > 10:
        return []
    found: list[tuple[str, Any]] = []
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            found += _walk(member, f"{path}.{name}" if path else name, (*seen, shape.name))
    elif shape.type_name == "list":
        found += _walk(shape.member, f"{path}[]", (*seen, shape.name))
    elif shape.type_name == "string":
        found.append((path, shape))
    return found


def candidates(operation: str) -> list[str]:
    output = _MODEL.operation_model(operation).output_shape
    return [
        path
        for path, _ in _walk(output, "", ())
        if DATA_OR_CODE.search(path.rsplit(".", 1)[-1].replace("[]", ""))
    ]


def leaves(operation: str) -> dict[str, Any]:
    return dict(_walk(_MODEL.operation_model(operation).output_shape, "", ()))


def value_for(path: str, index: int) -> str:
    """A distinct valid value for the field at `path` (the `index`th list element on the way)."""
    leaf = path.rsplit(".", 1)[-1].replace("[]", "")
    n = int(hashlib.sha256(path.encode()).hexdigest()[:6], 16)
    tag = f"{n:x}-{index}"
    if leaf == "ResolvedImage":
        return (
            f"123456789012.dkr.ecr.us-east-1.amazonaws.com/repo-{n:x}@sha256:"
            + hashlib.sha256(tag.encode()).hexdigest()
        )
    if leaf.endswith(("Image", "ImageUri")):
        return f"123456789012.dkr.ecr.us-east-1.amazonaws.com/repo-{tag}:v1"
    if leaf == "FileSystemId":
        return f"fs-{n:08x}{index}"
    if leaf == "DirectoryPath":
        return f"/dir-{tag}"
    if leaf == "QueryString":
        return f"SELECT {tag}"
    if leaf in ("ModelPackageName", "SourceModelPackageArn", "OutputModelPackageArn"):
        return f"{_ACCOUNT_ARN}:model-package/group-{n:x}/{index + 1}"
    if leaf.endswith("Arn"):
        kind = re.sub(r"(?<!^)(?=[A-Z])", "-", leaf[:-3]).lower() or "thing"
        return f"{_ACCOUNT_ARN}:{kind}/name-{tag}"
    if leaf.endswith(("Name",)):
        return f"name-{tag}"
    if leaf == "Repository":
        return f"https://git.example.com/repo-{tag}"
    if leaf.endswith(("Path",)) and "Local" in leaf:
        return f"/opt/ml/local-{tag}"
    return f"s3://bucket-{n:x}/{leaf.lower()}/{index}/"


def _set(document: dict[str, Any], parts: list[str], path: str, index: int) -> None:
    head, *rest = parts
    is_list = head.endswith("[]")
    key = head.removesuffix("[]")
    if not rest:
        if is_list:
            document[key] = [value_for(path, i) for i in range(2)]
        else:
            document.setdefault(key, value_for(path, index))
        return
    if is_list:
        items = document.setdefault(key, [])
        while len(items) < 2:
            items.append({})
        for position, item in enumerate(items[:2]):
            if isinstance(item, dict):
                _set(item, rest, path, position)
    else:
        child = document.setdefault(key, {})
        if isinstance(child, dict):
            _set(child, rest, path, index)


# Fields that are not data themselves but give it its meaning (where a query ran, how a file system is
# mounted): set wherever their structure was created for a candidate.
_SCAFFOLD = {
    "Catalog": "AwsDataCatalog",
    "Database": "sales",
    "ClusterId": "warehouse",
    "FileSystemType": "EFS",
    "S3UploadMode": "Continuous",
}


def _scaffold(document: Any) -> None:
    if isinstance(document, list):
        for item in document:
            _scaffold(item)
    elif isinstance(document, dict):
        holds_candidates = any(isinstance(value, str) for value in document.values())
        for key, value in _SCAFFOLD.items():
            if holds_candidates and _belongs(key, document):
                document.setdefault(key, value)
        for value in document.values():
            _scaffold(value)


def _belongs(key: str, document: dict[str, Any]) -> bool:
    if key in ("Catalog", "Database"):
        return "QueryString" in document
    if key == "ClusterId":
        return "QueryString" in document and "ClusterRoleArn" in document
    if key == "FileSystemType":
        return "FileSystemId" in document
    return key == "S3UploadMode" and "S3Uri" in document and "LocalPath" in document


def synthesise(operation: str, base: dict[str, Any], fixed: frozenset[str] = frozenset()) -> dict[str, Any]:
    """`base` with every candidate field (but the `fixed` ones, which identify the resource) filled."""
    document = copy.deepcopy(base)
    for path in candidates(operation):
        if path.split(".")[0].replace("[]", "") in fixed:
            continue
        _set(document, path.split("."), path, 0)
    _scaffold(document)
    return document


def values_at(document: Any, path: str) -> list[str]:
    """Every value at `path` in `document` (all elements of the lists on the way)."""
    head, _, rest = path.partition(".")
    key = head.removesuffix("[]")
    value = document.get(key) if isinstance(document, dict) else None
    if value is None:
        return []
    items = value if head.endswith("[]") and isinstance(value, list) else [value]
    if not rest:
        return [item for item in items if isinstance(item, str)]
    return [found for item in items for found in values_at(item, rest)]
