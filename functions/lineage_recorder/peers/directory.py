"""SageMaker clients in the peer accounts, through the peer reader role (LINEAGE_PEER_ROLE_NAME).

Only configured peers are ever contacted: asking for any other account raises, before any call. The
assumed credentials are cached per account and renewed a few minutes before they expire. Peer clients
retry less than the recorder's own: a peer that does not answer defers a link, it must not hold up the
local recording.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.aws import call_failed

SESSION_SECONDS = 3600
RENEW_BEFORE_SECONDS = 300
# Peer calls (STS and the peers' SageMaker) have their own short budget and their own clients (so their
# own retry quota): a peer that does not answer defers a link, it must not hold up the local recording.
PEER_MAX_ATTEMPTS = 2
PEER_CONNECT_TIMEOUT_SECONDS = 2
PEER_READ_TIMEOUT_SECONDS = 5


def peer_config() -> Config:
    return Config(
        retries={"mode": "standard", "total_max_attempts": PEER_MAX_ATTEMPTS},
        connect_timeout=PEER_CONNECT_TIMEOUT_SECONDS,
        read_timeout=PEER_READ_TIMEOUT_SECONDS,
    )


def peer_sts_client(endpoint_url: str | None = None) -> Any:
    """The STS client the peer directory assumes roles with: the peer budget, not the recorder's."""
    return boto3.session.Session().client("sts", endpoint_url=endpoint_url, config=peer_config())


ClientFactory = Callable[[dict[str, str]], Any]


class UnconfiguredPeerError(LookupError):
    pass


def role_arn(account: str, role_name: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role/{role_name}"


def boto3_client_factory(endpoint_url: str | None = None, region: str | None = None) -> ClientFactory:
    """SageMaker clients from assumed-role credentials, on the same endpoint as the recorder."""

    def create(credentials: dict[str, str]) -> Any:
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region or boto3.session.Session().region_name,
        )
        return session.client("sagemaker", endpoint_url=endpoint_url, config=peer_config())

    return create


class PeerDirectory:
    def __init__(
        self,
        *,
        own_account: str,
        peer_accounts: frozenset[str],
        role_name: str,
        sts: Any,
        client_factory: ClientFactory,
        partition: str = "aws",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.own_account = own_account
        self.peer_accounts = frozenset(peer_accounts) - {own_account}
        self._role_name = role_name
        self._partition = partition
        self._sts = sts
        self._client_factory = client_factory
        self._clock = clock
        self._lock = threading.Lock()
        self._clients: dict[str, tuple[SageMakerGateway, float]] = {}

    def gateway(self, account: str) -> SageMakerGateway:
        """SageMaker in ``account`` (a configured peer), through its reader role; a failed AssumeRole
        raises AwsCallError."""
        if account not in self.peer_accounts:
            raise UnconfiguredPeerError(f"account {account} is not a configured peer")
        with self._lock:
            cached = self._clients.get(account)
            if cached is not None and cached[1] - RENEW_BEFORE_SECONDS > self._clock():
                return cached[0]
        try:
            response = self._sts.assume_role(
                RoleArn=role_arn(account, self._role_name, self._partition),
                RoleSessionName=f"lineage-recorder-{self.own_account}",
                DurationSeconds=SESSION_SECONDS,
            )
        except (ClientError, BotoCoreError) as error:
            raise call_failed("sts", "AssumeRole", error) from error
        credentials = response["Credentials"]
        expiration = credentials.get("Expiration")
        expires_at = (
            expiration.timestamp() if hasattr(expiration, "timestamp") else self._clock() + SESSION_SECONDS
        )
        gateway = SageMakerGateway(self._client_factory(credentials))
        with self._lock:
            self._clients[account] = (gateway, expires_at)
        return gateway
