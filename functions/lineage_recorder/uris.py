"""Which values may become a SourceUri.

Keys are the exact strings SageMaker was given (SageMaker does not normalise them), so a valid value
is kept verbatim; a value that is not a URI at all (the published samples carry placeholders such as
"S3Uri" or "TrainingImage") is refused with a reason.
"""

from __future__ import annotations

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
