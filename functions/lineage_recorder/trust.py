"""Whose events the recorder acts on: its own account's and the configured peers' (LINEAGE_PEER_ACCOUNTS).

The check itself runs in :class:`lineage_recorder.recorder.Recorder`, so the Lambda and the CLI share it.
They differ only in how they learn their own account: the Lambda from its own ARN (no AWS call), the CLI
from STS GetCallerIdentity with the credentials and endpoint it records with. When the own account
cannot be learnt, ConfigurationError stops everything rather than trusting every account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.errors import ConfigurationError, InvalidEventError
from lineage_recorder.settings import ACCOUNT_ID, ENV_PEER_ACCOUNTS

_ARN_ACCOUNT_FIELD = 4  # arn:partition:service:region:ACCOUNT:resource


@dataclass(frozen=True)
class TrustedAccounts:
    own: str
    peers: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        if not ACCOUNT_ID.fullmatch(self.own):
            raise ConfigurationError(f"the recorder's own account {self.own[:64]!r} is not a 12-digit id")

    def check(self, account: str) -> None:
        """InvalidEventError unless ``account`` is the recorder's own or a configured peer."""
        if account != self.own and account not in self.peers:
            raise InvalidEventError(
                f"account {account[:64]!r} is not trusted: it is neither the recorder's own account "
                f"({self.own}) nor a peer account in {ENV_PEER_ACCOUNTS}"
            )


def own_account_from_function_arn(function_arn: str | None) -> str:
    """The account in the Lambda's ``context.invoked_function_arn``."""
    parts = (function_arn or "").split(":")
    account = parts[_ARN_ACCOUNT_FIELD] if len(parts) > _ARN_ACCOUNT_FIELD else ""
    if not ACCOUNT_ID.fullmatch(account):
        raise ConfigurationError(
            f"cannot tell the recorder's own account from its function ARN {str(function_arn)[:256]!r}"
        )
    return account


def own_account_from_sts(sts: Any) -> str:
    """The account of the credentials in use, from STS GetCallerIdentity."""
    try:
        account = str(sts.get_caller_identity().get("Account", ""))
    except (ClientError, BotoCoreError) as error:
        raise ConfigurationError(
            f"cannot tell which account the events are recorded in: STS GetCallerIdentity failed ({error})"
        ) from error
    if not ACCOUNT_ID.fullmatch(account):
        raise ConfigurationError(f"STS GetCallerIdentity answered no usable account ({account[:64]!r})")
    return account
