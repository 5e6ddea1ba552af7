"""Which values may become a SourceUri.

Keys are the exact strings SageMaker was given (SageMaker does not normalise them), so a valid value
is kept verbatim; a value that is not a URI at all (the published samples carry placeholders such as
"S3Uri" or "TrainingImage") is refused with a reason.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_SOURCE_URI_LENGTH = 2048
# Unicode categories that never belong in a key: control (Cc), invisible formatting such as bidi overrides
# and zero-width characters (Cf), lone surrogates (Cs, not encodable as UTF-8), and line and paragraph
# separators (Zl, Zp: SageMaker's pattern ".*" is a Java regex, whose "." stops at them).
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Hosts, registries and ARNs are ASCII: the patterns spell their classes out ([0-9], not \d, which in
# Python matches any script's digits), and S3 keys alone may hold other Unicode text.
# SageMaker accepts s3:// and https:// forms for S3Uri (botocore model: "(https|s3)://([^/]+)/?(.*)").
_S3_URI = re.compile(r"(s3://[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]|https://[a-z0-9][a-z0-9.\-]*[a-z0-9])(/.*)?")
# registry host (with a dot or a port) / repository path, then an optional :tag or @digest
_IMAGE_URI = re.compile(
    r"[a-z0-9]([a-z0-9\-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9\-]*[a-z0-9])?)+(:[0-9]+)?"
    r"/[a-z0-9]+([._\-/][a-z0-9]+)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?(@sha256:[a-f0-9]{64})?"
)
_SAGEMAKER_ARN = re.compile(r"arn:aws[a-z\-]*:sagemaker:[a-z0-9\-]+:[0-9]{12}:[a-z\-]+/[!-~]+")


def _unsafe_character(value: str) -> bool:
    return any(unicodedata.category(character) in _UNSAFE_CATEGORIES for character in value)


def _common_problem(value: str) -> str | None:
    if not value:
        return "empty"
    if len(value) > MAX_SOURCE_URI_LENGTH:
        return f"longer than {MAX_SOURCE_URI_LENGTH} characters"
    if _unsafe_character(value):
        return "contains control, invisible formatting or line-separator characters"
    return None


def s3_uri_problem(value: str) -> str | None:
    """None when ``value`` is a usable S3 URI, else why not."""
    problem = _common_problem(value)
    if problem:
        return problem
    if not _S3_URI.fullmatch(value):
        return "not an s3://bucket/key (or https://) URI"
    return None


def image_uri_problem(value: str) -> str | None:
    problem = _common_problem(value)
    if problem:
        return problem
    if not _IMAGE_URI.fullmatch(value):
        return "not a container image URI (registry/repository[:tag|@digest])"
    return None


def sagemaker_arn_problem(value: str) -> str | None:
    problem = _common_problem(value)
    if problem:
        return problem
    if not _SAGEMAKER_ARN.fullmatch(value):
        return "not a SageMaker ARN"
    return None


# Data that is not in S3 gets a SourceUri of its own scheme (docs/architecture.md, "SourceUri schemes"):
# file systems by their id and directory, queries by their engine, location and the query's digest.
FILE_SYSTEM_SCHEMES = {"EFS": "efs", "FSxLustre": "fsx-lustre"}
_FILE_SYSTEM_ID = re.compile(r"fs-[0-9a-f]{8,40}")
_DIRECTORY = re.compile(r"/[!-~]*")
QUERY_SCHEMES = ("athena", "redshift")
_LOCATION_PART = re.compile(r"[A-Za-z0-9_.\-]{1,255}")


def file_system_uri(file_system_type: str | None, file_system_id: str | None, directory: str | None) -> str:
    """``efs://fs-0123abcd/data/train``: the file system SageMaker mounted, and the directory read."""
    scheme = FILE_SYSTEM_SCHEMES.get(file_system_type or "")
    if scheme is None:
        raise ValueError(f"not a file system type SageMaker mounts: {file_system_type!r}")
    if not file_system_id or not _FILE_SYSTEM_ID.fullmatch(file_system_id):
        raise ValueError(f"not a file system id (fs-...): {file_system_id!r}")
    path = directory or "/"
    if not _DIRECTORY.fullmatch(path):
        raise ValueError(f"not an absolute directory path: {path[:256]!r}")
    return f"{scheme}://{file_system_id}{path}"


def query_uri(engine: str, location: tuple[str | None, ...], query: str | None) -> str:
    """``athena://AwsDataCatalog/sales?query=sha256:...``: a query is identified by where it ran and its
    text (the digest keeps the key short; the text itself is kept as a property)."""
    if engine not in QUERY_SCHEMES:
        raise ValueError(f"not a query engine: {engine!r}")
    parts = [part for part in location if part]
    if not parts or not all(_LOCATION_PART.fullmatch(part) for part in parts):
        raise ValueError(f"not a {engine} location: {'/'.join(parts)[:256]!r}")
    if not query or not query.strip():
        raise ValueError("no query")
    digest = hashlib.sha256(query.encode()).hexdigest()
    return f"{engine}://{'/'.join(parts)}?query=sha256:{digest}"


_ARN = re.compile(r"arn:aws[a-z\-]*:[a-z0-9\-]+:[a-z0-9\-]*:[0-9]{0,12}:[!-~]+")


def arn_problem(value: str) -> str | None:
    """None when ``value`` is an ARN of any service, else why not."""
    problem = _common_problem(value)
    if problem:
        return problem
    if not _ARN.fullmatch(value):
        return "not an ARN"
    return None
