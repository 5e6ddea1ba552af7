"""The recorder's settings: the same environment variables in the Lambda (set by the CDK stack) and the CLI.

- ``LINEAGE_PEER_ACCOUNTS``: comma-separated 12-digit ids of the peer accounts; empty or unset for none.
- ``LINEAGE_PEER_ROLE_NAME``: the role the recorder assumes in each peer (default SageMakerLineagePeerReader).
- ``LINEAGE_STATE_TABLE``: the DynamoDB table for idempotency and the dedup registry; unset for none.
- ``LINEAGE_FAMILIES``: comma-separated resource families, or ``all`` (the default).
- ``LINEAGE_INDEX_PAGES``: pages of 100 entities each lineage-index feed reads per sync (default 5);
  ``0`` turns the index off. The index needs the state table (lineage_index.py).
- ``LINEAGE_INDEX_OVERLAP_SECONDS``: how far back each index read starts before the newest entity it read
  last time (default 2), for entities SageMaker lists late.
- ``LINEAGE_QUEUE_ARN``: the SQS queue the function reads (set by the stack); the Lambda rejects a record
  from any other source. Unset: not checked (the CLI reads files).
- ``LINEAGE_REJECTED_QUEUE_URL``: where the Lambda parks invalid records at once (set by the stack).
  Unset: an invalid record fails, and SQS moves it to the dead-letter queue after its receives.

A bad value raises ConfigurationError naming the variable.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lineage_recorder import families as resource_families
from lineage_recorder.errors import ConfigurationError

ENV_PEER_ACCOUNTS = "LINEAGE_PEER_ACCOUNTS"
ENV_PEER_ROLE_NAME = "LINEAGE_PEER_ROLE_NAME"
ENV_STATE_TABLE = "LINEAGE_STATE_TABLE"
ENV_FAMILIES = "LINEAGE_FAMILIES"
ENV_INDEX_PAGES = "LINEAGE_INDEX_PAGES"
ENV_INDEX_OVERLAP = "LINEAGE_INDEX_OVERLAP_SECONDS"
ENV_QUEUE_ARN = "LINEAGE_QUEUE_ARN"
ENV_REJECTED_QUEUE_URL = "LINEAGE_REJECTED_QUEUE_URL"

DEFAULT_PEER_ROLE_NAME = "SageMakerLineagePeerReader"
# The role people assume in a peer account to trace its lineage (the stack's LineageTraceAccess); the
# recorders' own reader role only lists, so `lineage-recorder trace` uses this one by default.
ENV_TRACE_ROLE_NAME = "LINEAGE_TRACE_ROLE_NAME"
DEFAULT_TRACE_ROLE_NAME = "SageMakerLineageTraceReader"
DEFAULT_INDEX_PAGES = 5
MAX_INDEX_PAGES = 1000
DEFAULT_INDEX_OVERLAP_SECONDS = 2
MAX_INDEX_OVERLAP_SECONDS = 3600
ALL_FAMILIES = "all"

ACCOUNT_ID = re.compile(r"[0-9]{12}")
_ROLE_NAME = re.compile(r"[A-Za-z0-9_+=,.@-]{1,64}")
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
_QUEUE_ARN = re.compile(r"arn:[a-z\-]+:sqs:[a-z0-9\-]+:[0-9]{12}:[A-Za-z0-9_\-]{1,80}(\.fifo)?")


def _all_families() -> tuple[str, ...]:
    return tuple(resource_families.BY_NAME)


def _items(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _whole_number(env: Mapping[str, str], variable: str, default: int, unit: str) -> int:
    text = env.get(variable, "").strip() or str(default)
    if not text.isascii() or not text.isdigit():
        raise ConfigurationError(f"{variable}: {text[:32]!r} is not a whole number of {unit}")
    return int(text)


@dataclass(frozen=True)
class RecorderSettings:
    peer_accounts: frozenset[str] = frozenset()
    peer_role_name: str = DEFAULT_PEER_ROLE_NAME
    state_table: str | None = None
    families: tuple[str, ...] = field(default_factory=_all_families)
    index_pages: int = DEFAULT_INDEX_PAGES
    index_overlap_seconds: int = DEFAULT_INDEX_OVERLAP_SECONDS
    queue_arn: str | None = None
    rejected_queue_url: str | None = None

    def __post_init__(self) -> None:
        bad = sorted(account for account in self.peer_accounts if not ACCOUNT_ID.fullmatch(account))
        if bad:
            raise ConfigurationError(f"{ENV_PEER_ACCOUNTS}: {bad} are not 12-digit AWS account ids")
        if not _ROLE_NAME.fullmatch(self.peer_role_name):
            raise ConfigurationError(f"{ENV_PEER_ROLE_NAME}: {self.peer_role_name!r} is not an IAM role name")
        if self.state_table is not None and not _TABLE_NAME.fullmatch(self.state_table):
            raise ConfigurationError(f"{ENV_STATE_TABLE}: {self.state_table!r} is not a DynamoDB table name")
        if not 0 <= self.index_pages <= MAX_INDEX_PAGES:
            raise ConfigurationError(
                f"{ENV_INDEX_PAGES}: {self.index_pages} is not between 0 (index off) and {MAX_INDEX_PAGES}"
            )
        if not 0 <= self.index_overlap_seconds <= MAX_INDEX_OVERLAP_SECONDS:
            raise ConfigurationError(
                f"{ENV_INDEX_OVERLAP}: {self.index_overlap_seconds} is not between 0 and "
                f"{MAX_INDEX_OVERLAP_SECONDS}"
            )
        if self.rejected_queue_url is not None and not self.rejected_queue_url.startswith(
            ("https://", "http://")
        ):
            raise ConfigurationError(
                f"{ENV_REJECTED_QUEUE_URL}: {self.rejected_queue_url[:256]!r} is not a queue URL"
            )
        if self.queue_arn is not None and not _QUEUE_ARN.fullmatch(self.queue_arn):
            raise ConfigurationError(f"{ENV_QUEUE_ARN}: {self.queue_arn[:256]!r} is not an SQS queue ARN")
        if not self.families:
            raise ConfigurationError(f"{ENV_FAMILIES}: at least one resource family must be enabled")
        unknown = [name for name in self.families if name not in resource_families.BY_NAME]
        if unknown:
            raise ConfigurationError(
                f"{ENV_FAMILIES}: unknown resource families {unknown}; use {ALL_FAMILIES!r} or a "
                f"comma-separated list of {sorted(resource_families.BY_NAME)}"
            )

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> RecorderSettings:
        """Read the variables; unset and empty ones take their defaults."""
        env = os.environ if environ is None else environ
        families = _items(env.get(ENV_FAMILIES, ""))
        index_pages = _whole_number(env, ENV_INDEX_PAGES, DEFAULT_INDEX_PAGES, "pages")
        index_overlap = _whole_number(env, ENV_INDEX_OVERLAP, DEFAULT_INDEX_OVERLAP_SECONDS, "seconds")
        return cls(
            peer_accounts=frozenset(_items(env.get(ENV_PEER_ACCOUNTS, ""))),
            peer_role_name=env.get(ENV_PEER_ROLE_NAME, "").strip() or DEFAULT_PEER_ROLE_NAME,
            state_table=env.get(ENV_STATE_TABLE, "").strip() or None,
            families=_all_families() if families in ([], [ALL_FAMILIES]) else tuple(dict.fromkeys(families)),
            index_pages=index_pages,
            index_overlap_seconds=index_overlap,
            queue_arn=env.get(ENV_QUEUE_ARN, "").strip() or None,
            rejected_queue_url=env.get(ENV_REJECTED_QUEUE_URL, "").strip() or None,
        )

    @property
    def enabled_families(self) -> tuple[resource_families.Family, ...]:
        return resource_families.named(self.families)

    @property
    def index_enabled(self) -> bool:
        """The index lives in the state table: without one there is nothing to keep it in between runs."""
        return self.state_table is not None and self.index_pages > 0
