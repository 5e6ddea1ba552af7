"""Configuration of the recorder stack: typed, validated, and readable from CDK context.

`RecorderConfig` is what the `LineageRecorder` construct takes. `app.py` builds it from the CDK context
(`cdk.json` or `npx cdk ... -c key=value`) with :meth:`RecorderConfig.from_context`; users who drop the
construct into their own app can build it directly. Every option has a safe default, and a bad value
fails the synth with a message that names the context key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_cdk import aws_logs as logs
from constructs import Node
from lineage_recorder.families import BY_NAME as FAMILIES
from lineage_recorder.settings import (
    DEFAULT_INDEX_OVERLAP_SECONDS,
    DEFAULT_INDEX_PAGES,
    MAX_INDEX_OVERLAP_SECONDS,
    MAX_INDEX_PAGES,
)

CONTEXT_PREFIX = "lineage:"

# Context keys (all documented in README.md, "Deploy to AWS").
CTX_PEER_ACCOUNTS = f"{CONTEXT_PREFIX}peerAccounts"
CTX_PEER_ROLE_NAME = f"{CONTEXT_PREFIX}peerRoleName"
CTX_MAX_CONCURRENCY = f"{CONTEXT_PREFIX}maxConcurrency"
CTX_POWERTOOLS_LAYER_VERSION = f"{CONTEXT_PREFIX}powertoolsLayerVersion"
CTX_LOG_RETENTION_DAYS = f"{CONTEXT_PREFIX}logRetentionDays"
CTX_ALARM_TOPIC_ARN = f"{CONTEXT_PREFIX}alarmTopicArn"
CTX_FAMILIES = f"{CONTEXT_PREFIX}families"
CTX_INDEX_PAGES = f"{CONTEXT_PREFIX}indexPages"
CTX_INDEX_OVERLAP_SECONDS = f"{CONTEXT_PREFIX}indexOverlapSeconds"
CTX_ALARM_EMAILS = f"{CONTEXT_PREFIX}alarmEmails"
CTX_OPERATOR_ROLE_ARN = f"{CONTEXT_PREFIX}operatorRoleArn"
CTX_TRACE_PRINCIPALS = f"{CONTEXT_PREFIX}tracePrincipals"
CTX_ARCHIVE_RETENTION_DAYS = f"{CONTEXT_PREFIX}archiveRetentionDays"
CTX_RECONCILE_SCHEDULE = f"{CONTEXT_PREFIX}reconcileSchedule"
CTX_RECONCILE_WINDOW_HOURS = f"{CONTEXT_PREFIX}reconcileWindowHours"

CONTEXT_KEYS = (
    CTX_PEER_ACCOUNTS,
    CTX_PEER_ROLE_NAME,
    CTX_MAX_CONCURRENCY,
    CTX_POWERTOOLS_LAYER_VERSION,
    CTX_LOG_RETENTION_DAYS,
    CTX_ALARM_TOPIC_ARN,
    CTX_FAMILIES,
    CTX_INDEX_PAGES,
    CTX_INDEX_OVERLAP_SECONDS,
    CTX_ALARM_EMAILS,
    CTX_OPERATOR_ROLE_ARN,
    CTX_TRACE_PRINCIPALS,
    CTX_ARCHIVE_RETENTION_DAYS,
    CTX_RECONCILE_SCHEDULE,
    CTX_RECONCILE_WINDOW_HOURS,
)

ALL_FAMILIES = "all"

DEFAULT_PEER_ROLE_NAME = "SageMakerLineagePeerReader"
# The smallest value Lambda accepts for an SQS event source's maximum concurrency: at most two recorder
# invocations call SageMaker at a time, far below the lineage APIs' rate limits.
DEFAULT_MAX_CONCURRENCY = 2
MAX_CONCURRENCY_RANGE = (2, 1000)
# The Powertools release pinned in pyproject.toml, so the layer carries the version the tests ran with.
DEFAULT_POWERTOOLS_LAYER_VERSION = "3.37.0"
DEFAULT_LOG_RETENTION_DAYS = 30
# How long the EventBridge archive keeps the SageMaker events the rules route, for replays; 0: no archive.
DEFAULT_ARCHIVE_RETENTION_DAYS = 30
MAX_ARCHIVE_RETENTION_DAYS = 3650
# The daily reconcile (lineage_recorder/reconcile.py): an EventBridge Scheduler expression ("off": none),
# and the window of resource creation times it looks at.
DEFAULT_RECONCILE_SCHEDULE = "rate(1 day)"
RECONCILE_OFF = "off"
DEFAULT_RECONCILE_WINDOW_HOURS = 48
MAX_RECONCILE_WINDOW_HOURS = 24 * 90
_SCHEDULE_EXPRESSION = re.compile(r"(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))")

# The retentions CloudWatch Logs accepts for a log group (the finite aws_logs.RetentionDays values).
LOG_RETENTION_BY_DAYS: Mapping[int, logs.RetentionDays] = {
    1: logs.RetentionDays.ONE_DAY,
    3: logs.RetentionDays.THREE_DAYS,
    5: logs.RetentionDays.FIVE_DAYS,
    7: logs.RetentionDays.ONE_WEEK,
    14: logs.RetentionDays.TWO_WEEKS,
    30: logs.RetentionDays.ONE_MONTH,
    60: logs.RetentionDays.TWO_MONTHS,
    90: logs.RetentionDays.THREE_MONTHS,
    120: logs.RetentionDays.FOUR_MONTHS,
    150: logs.RetentionDays.FIVE_MONTHS,
    180: logs.RetentionDays.SIX_MONTHS,
    365: logs.RetentionDays.ONE_YEAR,
    400: logs.RetentionDays.THIRTEEN_MONTHS,
    545: logs.RetentionDays.EIGHTEEN_MONTHS,
    731: logs.RetentionDays.TWO_YEARS,
    1096: logs.RetentionDays.THREE_YEARS,
    1827: logs.RetentionDays.FIVE_YEARS,
    2192: logs.RetentionDays.SIX_YEARS,
    2557: logs.RetentionDays.SEVEN_YEARS,
    2922: logs.RetentionDays.EIGHT_YEARS,
    3288: logs.RetentionDays.NINE_YEARS,
    3653: logs.RetentionDays.TEN_YEARS,
}
VALID_LOG_RETENTION_DAYS = tuple(LOG_RETENTION_BY_DAYS)

_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_SNS_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
_LAYER_NUMBER = re.compile(r"^[1-9]\d*$")
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
# An address SNS can subscribe (one @, a dot in the domain, no spaces).
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# An IAM role or user ARN, with its path (SSO roles live under aws-reserved/...).
_IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:(role|user)/[\w+=,.@/-]{1,512}$")
_IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")


class ConfigError(ValueError):
    """A configuration value is invalid; the message names the context key."""


def _default_families() -> tuple[str, ...]:
    return tuple(FAMILIES)


@dataclass(frozen=True)
class RecorderConfig:
    """Everything about the recorder that differs between deployments.

    Attributes:
        peer_accounts: 12-digit ids of the accounts the recorder links to with SameAs associations.
        peer_role_name: name of the read-only role the recorder assumes in each peer account.
        max_concurrency: maximum concurrent recorder invocations (SQS event source maximum concurrency).
        powertools_layer_version: the public Powertools layer, pinned either by Powertools release
            ("3.37.0", resolved at deploy time from the public SSM parameter) or by layer version
            number ("40", the ARN is written into the template).
        log_retention_days: retention of the function's log group.
        alarm_topic_arn: an existing SNS topic for alarm notifications; None creates one.
        families: the resource families to record (names of `lineage_recorder.families.ALL`).
        index_pages: pages of 100 entities each lineage-index feed reads per sync; 0 turns the index off.
        index_overlap_seconds: how far back each index read starts before the newest entity it read.
        alarm_emails: addresses the alarm topic notifies (each confirms its subscription by e-mail).
        operator_role_arn: the role of this account that may read, redrive and purge the queues; None:
            only the function reads them, and nobody can redrive (the synth warns).
        trace_principals: IAM role or user ARNs that may assume the trace role (QueryLineage and Describe
            on this account's lineage, for `lineage-recorder trace` across accounts); empty: no trace role.
        archive_retention_days: days the EventBridge archive keeps the routed SageMaker events; 0: none.
        reconcile_schedule: when the reconcile runs (an EventBridge Scheduler rate() or cron()
            expression), or "off".
        reconcile_window_hours: how far back (by creation time) each reconcile looks.
    """

    peer_accounts: tuple[str, ...] = ()
    peer_role_name: str = DEFAULT_PEER_ROLE_NAME
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY
    powertools_layer_version: str = DEFAULT_POWERTOOLS_LAYER_VERSION
    log_retention_days: int = DEFAULT_LOG_RETENTION_DAYS
    alarm_topic_arn: str | None = None
    families: tuple[str, ...] = field(default_factory=_default_families)
    index_pages: int = DEFAULT_INDEX_PAGES
    index_overlap_seconds: int = DEFAULT_INDEX_OVERLAP_SECONDS
    alarm_emails: tuple[str, ...] = ()
    operator_role_arn: str | None = None
    trace_principals: tuple[str, ...] = ()
    archive_retention_days: int = DEFAULT_ARCHIVE_RETENTION_DAYS
    reconcile_schedule: str = DEFAULT_RECONCILE_SCHEDULE
    reconcile_window_hours: int = DEFAULT_RECONCILE_WINDOW_HOURS

    def __post_init__(self) -> None:
        for account in self.peer_accounts:
            if not _ACCOUNT_ID.match(account):
                raise ConfigError(
                    f"{CTX_PEER_ACCOUNTS}: {account!r} is not a 12-digit AWS account id "
                    "(write account ids as JSON strings so that leading zeros survive)"
                )
        if len(set(self.peer_accounts)) != len(self.peer_accounts):
            raise ConfigError(f"{CTX_PEER_ACCOUNTS}: duplicate account ids in {list(self.peer_accounts)}")
        if not _ROLE_NAME.match(self.peer_role_name):
            raise ConfigError(f"{CTX_PEER_ROLE_NAME}: {self.peer_role_name!r} is not a valid IAM role name")
        low, high = MAX_CONCURRENCY_RANGE
        if not low <= self.max_concurrency <= high:
            raise ConfigError(
                f"{CTX_MAX_CONCURRENCY}: {self.max_concurrency} is outside {low}..{high}, "
                "the range Lambda accepts for an SQS event source"
            )
        version = self.powertools_layer_version
        if not (_LAYER_NUMBER.match(version) or _SEMVER.match(version)):
            raise ConfigError(
                f"{CTX_POWERTOOLS_LAYER_VERSION}: {version!r} is neither a Powertools release (like "
                f"{DEFAULT_POWERTOOLS_LAYER_VERSION!r}) nor a layer version number (like '40')"
            )
        if self.log_retention_days not in VALID_LOG_RETENTION_DAYS:
            raise ConfigError(
                f"{CTX_LOG_RETENTION_DAYS}: {self.log_retention_days} is not a retention CloudWatch Logs "
                f"accepts; choose one of {list(VALID_LOG_RETENTION_DAYS)}"
            )
        if self.alarm_topic_arn is not None and not _SNS_TOPIC_ARN.match(self.alarm_topic_arn):
            raise ConfigError(f"{CTX_ALARM_TOPIC_ARN}: {self.alarm_topic_arn!r} is not an SNS topic ARN")
        if not self.families:
            raise ConfigError(f"{CTX_FAMILIES}: at least one resource family must be enabled")
        unknown = [name for name in self.families if name not in FAMILIES]
        if unknown:
            raise ConfigError(
                f"{CTX_FAMILIES}: unknown resource families {unknown}; known: {sorted(FAMILIES)} "
                f"or {ALL_FAMILIES!r}"
            )
        if len(set(self.families)) != len(self.families):
            raise ConfigError(f"{CTX_FAMILIES}: duplicate families in {list(self.families)}")
        if not 0 <= self.index_pages <= MAX_INDEX_PAGES:
            raise ConfigError(
                f"{CTX_INDEX_PAGES}: {self.index_pages} is outside 0..{MAX_INDEX_PAGES} (0: index off)"
            )
        if not 0 <= self.index_overlap_seconds <= MAX_INDEX_OVERLAP_SECONDS:
            raise ConfigError(
                f"{CTX_INDEX_OVERLAP_SECONDS}: {self.index_overlap_seconds} is outside "
                f"0..{MAX_INDEX_OVERLAP_SECONDS}"
            )
        for email in self.alarm_emails:
            if not _EMAIL.match(email):
                raise ConfigError(f"{CTX_ALARM_EMAILS}: {email!r} is not an e-mail address")
        if self.operator_role_arn is not None and not _IAM_ROLE_ARN.match(self.operator_role_arn):
            raise ConfigError(f"{CTX_OPERATOR_ROLE_ARN}: {self.operator_role_arn!r} is not an IAM role ARN")
        for principal in self.trace_principals:
            if not _IAM_PRINCIPAL_ARN.match(principal):
                raise ConfigError(
                    f"{CTX_TRACE_PRINCIPALS}: {principal!r} is not an IAM role or user ARN (exact principals "
                    "only: no account roots, no wildcards)"
                )
        if not 0 <= self.archive_retention_days <= MAX_ARCHIVE_RETENTION_DAYS:
            raise ConfigError(
                f"{CTX_ARCHIVE_RETENTION_DAYS}: {self.archive_retention_days} is outside "
                f"0..{MAX_ARCHIVE_RETENTION_DAYS} (0: no archive)"
            )
        if self.reconcile_schedule != RECONCILE_OFF and not _SCHEDULE_EXPRESSION.fullmatch(
            self.reconcile_schedule
        ):
            raise ConfigError(
                f"{CTX_RECONCILE_SCHEDULE}: {self.reconcile_schedule!r} is not a schedule: give rate(1 day), "
                f"cron(0 3 * * ? *) or {RECONCILE_OFF}"
            )
        if not 1 <= self.reconcile_window_hours <= MAX_RECONCILE_WINDOW_HOURS:
            raise ConfigError(
                f"{CTX_RECONCILE_WINDOW_HOURS}: {self.reconcile_window_hours} is outside "
                f"1..{MAX_RECONCILE_WINDOW_HOURS}"
            )

    @property
    def log_retention(self) -> logs.RetentionDays:
        return LOG_RETENTION_BY_DAYS[self.log_retention_days]

    @classmethod
    def from_context(cls, node: Node) -> RecorderConfig:
        """Read the configuration from CDK context; absent keys take their defaults."""
        return cls.from_mapping({key: node.try_get_context(key) for key in CONTEXT_KEYS})

    @classmethod
    def from_mapping(cls, context: Mapping[str, Any]) -> RecorderConfig:
        """Parse context values, which are JSON values from cdk.json or strings from `-c key=value`."""
        kwargs: dict[str, Any] = {}
        peers = _as_str_list(context.get(CTX_PEER_ACCOUNTS), CTX_PEER_ACCOUNTS)
        if peers is not None:
            kwargs["peer_accounts"] = tuple(peers)
        role_name = _as_str(context.get(CTX_PEER_ROLE_NAME), CTX_PEER_ROLE_NAME)
        if role_name is not None:
            kwargs["peer_role_name"] = role_name
        concurrency = _as_int(context.get(CTX_MAX_CONCURRENCY), CTX_MAX_CONCURRENCY)
        if concurrency is not None:
            kwargs["max_concurrency"] = concurrency
        layer = context.get(CTX_POWERTOOLS_LAYER_VERSION)
        if isinstance(layer, int) and not isinstance(layer, bool):
            layer = str(layer)
        layer = _as_str(layer, CTX_POWERTOOLS_LAYER_VERSION)
        if layer is not None:
            kwargs["powertools_layer_version"] = layer
        retention = _as_int(context.get(CTX_LOG_RETENTION_DAYS), CTX_LOG_RETENTION_DAYS)
        if retention is not None:
            kwargs["log_retention_days"] = retention
        topic = _as_str(context.get(CTX_ALARM_TOPIC_ARN), CTX_ALARM_TOPIC_ARN)
        if topic is not None:
            kwargs["alarm_topic_arn"] = topic
        for key, name in (
            (CTX_INDEX_PAGES, "index_pages"),
            (CTX_INDEX_OVERLAP_SECONDS, "index_overlap_seconds"),
        ):
            number = _as_int(context.get(key), key)
            if number is not None:
                kwargs[name] = number
        for key, name in ((CTX_ALARM_EMAILS, "alarm_emails"), (CTX_TRACE_PRINCIPALS, "trace_principals")):
            items = _as_str_list(context.get(key), key)
            if items is not None:
                kwargs[name] = tuple(items)
        operator = _as_str(context.get(CTX_OPERATOR_ROLE_ARN), CTX_OPERATOR_ROLE_ARN)
        if operator is not None:
            kwargs["operator_role_arn"] = operator
        archive = _as_int(context.get(CTX_ARCHIVE_RETENTION_DAYS), CTX_ARCHIVE_RETENTION_DAYS)
        if archive is not None:
            kwargs["archive_retention_days"] = archive
        schedule = _as_str(context.get(CTX_RECONCILE_SCHEDULE), CTX_RECONCILE_SCHEDULE)
        if schedule is not None:
            kwargs["reconcile_schedule"] = schedule
        window = _as_int(context.get(CTX_RECONCILE_WINDOW_HOURS), CTX_RECONCILE_WINDOW_HOURS)
        if window is not None:
            kwargs["reconcile_window_hours"] = window
        families = _as_str_list(context.get(CTX_FAMILIES), CTX_FAMILIES)
        if families is not None and families != [ALL_FAMILIES]:
            kwargs["families"] = tuple(families)
        return cls(**kwargs)


def _as_str(value: Any, key: str) -> str | None:
    """A string option; None and "" mean "use the default"."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a string, got {value!r}")
    value = value.strip()
    return value or None


def _as_int(value: Any, key: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ConfigError(f"{key}: expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ConfigError(f"{key}: expected an integer, got {value!r}")


def _as_str_list(value: Any, key: str) -> list[str] | None:
    """A list option: a JSON list, or a comma-separated string from `-c key=a,b`."""
    if value is None:
        return None
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    if isinstance(value, list):
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, (str, int)):
                raise ConfigError(f"{key}: expected a list of strings, got {value!r}")
            items.append(str(item).strip())
        return items
    raise ConfigError(f"{key}: expected a list or a comma-separated string, got {value!r}")
