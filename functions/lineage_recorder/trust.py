"""Whose events and which resources the recorder acts on: its own partition, Region and account.

- An event's envelope must name the recorder's own account and Region. An event from a configured peer
  account (LINEAGE_PEER_ACCOUNTS) is that peer's to record, with its own recorder: it is ignored with
  that reason. Any other account's event is rejected.
- The resource an event is about must be in the recorder's own partition, Region and account: a job of
  the same name elsewhere is another resource, and its lineage must never merge into this account's.

The checks run in :class:`lineage_recorder.recorder.Recorder`, so the Lambda and the CLI share them. They
differ only in how they learn where they are: the Lambda from its own ARN (no AWS call), the CLI from STS
GetCallerIdentity with the credentials and endpoint it records with, and its Region. When that cannot be
learnt, ConfigurationError stops everything rather than trusting every account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.errors import ConfigurationError, InvalidEventError
from lineage_recorder.settings import ACCOUNT_ID, ENV_PEER_ACCOUNTS

# arn:partition:service:region:account:resource
_ARN = re.compile(
    r"arn:(?P<partition>[a-z\-]{1,32}):(?P<service>[a-z0-9\-]{1,64}):(?P<region>[a-z0-9\-]*):"
    r"(?P<account>[0-9]*):.+"
)
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]")
_MAX_ECHOED = 64


@dataclass(frozen=True)
class Home:
    """Where a recorder records: the partition, Region and account of its own resources."""

    partition: str
    region: str
    account: str


def arn_home(arn: str) -> Home | None:
    """The partition, Region and account an ARN names, or None when it is not an ARN."""
    match = _ARN.fullmatch(arn)
    if match is None:
        return None
    return Home(match.group("partition"), match.group("region"), match.group("account"))


@dataclass(frozen=True)
class TrustedAccounts:
    own: str
    peers: frozenset[str] = frozenset()
    # The recorder's own Region and partition. None (callers that built the events themselves, such as
    # tests) does not check the Region.
    region: str | None = None
    partition: str = "aws"

    def __post_init__(self) -> None:
        if not ACCOUNT_ID.fullmatch(self.own):
            raise ConfigurationError(f"the recorder's own account {self.own[:64]!r} is not a 12-digit id")
        if self.region is not None and not _REGION.fullmatch(self.region):
            raise ConfigurationError(f"the recorder's own Region {self.region[:64]!r} is not a Region name")

    def peer_event_reason(self, account: str, region: str) -> str | None:
        """None for an event of this recorder's own account and Region; the reason to ignore the event of a
        configured peer account; InvalidEventError for any other account or Region."""
        if account == self.own:
            if self.region is not None and region != self.region:
                raise InvalidEventError(
                    f"the event comes from Region {region[:_MAX_ECHOED]!r}, "
                    f"not the recorder's own ({self.region})"
                )
            return None
        if account in self.peers:
            return f"events of peer account {account} are recorded by that account's own recorder"
        raise InvalidEventError(
            f"account {account[:_MAX_ECHOED]!r} is not trusted: it is neither the recorder's own account "
            f"({self.own}) nor a peer account in {ENV_PEER_ACCOUNTS}"
        )

    def check_resource(self, arn: str, field: str = "the resource") -> None:
        """InvalidEventError unless `arn` names a resource of the recorder's partition, Region and account."""
        home = arn_home(arn)
        if home is None:
            return  # not an ARN at all: the family's own validation says why
        expected = Home(self.partition, self.region or home.region, self.own)
        for part, found, wanted in (
            ("partition", home.partition, expected.partition),
            ("Region", home.region, expected.region),
            ("account", home.account, expected.account),
        ):
            if found != wanted:
                raise InvalidEventError(
                    f"{field} {arn[:256]!r} is in {part} {found[:_MAX_ECHOED]!r}, not the recorder's "
                    f"own ({wanted}): another {part}'s resource is never recorded here"
                )


def home_from_function_arn(function_arn: str | None) -> Home:
    """The partition, Region and account in the Lambda's ``context.invoked_function_arn``."""
    home = arn_home(function_arn or "")
    if home is None or not ACCOUNT_ID.fullmatch(home.account) or not _REGION.fullmatch(home.region):
        raise ConfigurationError(
            "cannot tell the recorder's own account and Region from its function ARN "
            f"{str(function_arn)[:256]!r}"
        )
    return home


def own_account_from_function_arn(function_arn: str | None) -> str:
    """The account in the Lambda's ``context.invoked_function_arn``."""
    return home_from_function_arn(function_arn).account


def _caller(sts: Any) -> dict[str, Any]:
    try:
        identity: dict[str, Any] = sts.get_caller_identity()
    except (ClientError, BotoCoreError) as error:
        raise ConfigurationError(
            f"cannot tell which account the events are recorded in: STS GetCallerIdentity failed ({error})"
        ) from error
    account = str(identity.get("Account", ""))
    if not ACCOUNT_ID.fullmatch(account):
        raise ConfigurationError(f"STS GetCallerIdentity answered no usable account ({account[:64]!r})")
    return identity


def own_account_from_sts(sts: Any) -> str:
    """The account of the credentials in use, from STS GetCallerIdentity."""
    return str(_caller(sts)["Account"])


def home_from_sts(sts: Any) -> Home:
    """The partition and account of the credentials in use (STS GetCallerIdentity), in the client's Region."""
    identity = _caller(sts)
    region = str(getattr(getattr(sts, "meta", None), "region_name", "") or "")
    if not _REGION.fullmatch(region):
        raise ConfigurationError(
            f"no usable AWS Region is set (AWS_REGION, or a profile's region): {region[:64]!r}"
        )
    caller = arn_home(str(identity.get("Arn", "")))
    return Home(caller.partition if caller is not None else "aws", region, str(identity["Account"]))
