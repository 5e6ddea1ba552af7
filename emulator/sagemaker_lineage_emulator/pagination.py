"""Opaque NextToken handling shared by every List* and QueryLineage.

Filtering and sorting happen before a page is cut, so the pages of one query are consistent. The token
binds the offset to the request's filters: replaying it with other filters is a ValidationException,
as it is in SageMaker.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Sequence
from typing import Any, TypeVar

from sagemaker_lineage_emulator.errors import ValidationError

T = TypeVar("T")


def _fingerprint(query: dict[str, Any]) -> str:
    canonical = json.dumps(query, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def page(
    items: Sequence[T], query: dict[str, Any], next_token: str | None, max_results: int
) -> tuple[list[T], str | None]:
    """Return one page of ``items`` and the token for the next page, or None after the last."""
    fingerprint = _fingerprint(query)
    offset = 0
    if next_token:
        try:
            decoded = json.loads(base64.urlsafe_b64decode(next_token.encode()))
            offset = int(decoded["offset"])
            token_fingerprint = decoded["query"]
        except (ValueError, KeyError, TypeError) as error:
            raise ValidationError(f"Invalid pagination token: {next_token!r}") from error
        if token_fingerprint != fingerprint or offset < 0:
            raise ValidationError("The pagination token does not belong to this request.")
    chunk = list(items[offset : offset + max_results])
    end = offset + len(chunk)
    if end >= len(items):
        return chunk, None
    token = base64.urlsafe_b64encode(json.dumps({"offset": end, "query": fingerprint}).encode()).decode()
    return chunk, token
