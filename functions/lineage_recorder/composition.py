"""Builds the recorder from its settings, the same way for the Lambda and the CLI.

With a state table (LINEAGE_STATE_TABLE): every state store in the table, shared by every concurrent
instance, the replay guard and the lineage index (unless LINEAGE_INDEX_PAGES=0). Without one (the CLI on a
laptop, tests): every store in memory for this process, and a lookup by SourceUri for every new key.
With peer accounts (LINEAGE_PEER_ACCOUNTS): a PeerLinker plans SameAs links to their twins; its deferred
links live in the state table, or in memory without one. Without peers no peer is ever contacted.
Only the families in LINEAGE_FAMILIES are recorded; other events are ignored with a reason.
"""

from __future__ import annotations

from typing import Protocol

from lineage_recorder import aws
from lineage_recorder.apply.applier import Applier
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.apply.lineage_index import LineageIndex
from lineage_recorder.errors import ConfigurationError
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.peers.directory import PeerDirectory, boto3_client_factory, peer_sts_client
from lineage_recorder.peers.linker import PeerLinker
from lineage_recorder.recorder import Recorder, RecordOutcome
from lineage_recorder.replay_guard import ReplayGuardedRecorder
from lineage_recorder.settings import ENV_STATE_TABLE, RecorderSettings
from lineage_recorder.state import LineageState, in_memory_state, table_state
from lineage_recorder.trust import TrustedAccounts


class Recording(Protocol):
    def record(self, event: SageMakerEvent) -> RecordOutcome | None:
        """The outcome, or None when this event was already recorded."""

    def begin_invocation(self) -> None:
        """A new batch of events begins: nothing read from the account for earlier ones is trusted."""


def build_state(settings: RecorderSettings, endpoint_url: str | None = None) -> LineageState:
    if settings.state_table is None:
        return in_memory_state()
    return table_state(aws.client("dynamodb", endpoint_url), settings.state_table)


def build_recording(
    settings: RecorderSettings, trusted_accounts: TrustedAccounts, endpoint_url: str | None = None
) -> Recording:
    gateway = SageMakerGateway(aws.client("sagemaker", endpoint_url))
    state = build_state(settings, endpoint_url)
    index = (
        LineageIndex(
            gateway,
            state.keys,
            state.cursors,
            pages_per_sync=settings.index_pages,
            overlap=settings.index_overlap_seconds,
        )
        if settings.index_enabled
        else None
    )
    recorder = Recorder(
        gateway,
        Applier(gateway, state, index),
        trusted_accounts=trusted_accounts,
        linker=build_linker(settings, trusted_accounts.own, state, endpoint_url, trusted_accounts.partition),
        families=settings.enabled_families,
        descriptions=state.descriptions,
    )
    if settings.state_table is None:
        return recorder
    return ReplayGuardedRecorder(recorder, aws.client("dynamodb", endpoint_url), settings.state_table)


def build_index(settings: RecorderSettings, endpoint_url: str | None = None) -> LineageIndex:
    """The lineage index in the state table, to build it at once (`lineage-recorder index`)."""
    if settings.state_table is None:
        raise ConfigurationError(f"{ENV_STATE_TABLE} is not set: the lineage index lives in the state table")
    state = build_state(settings, endpoint_url)
    return LineageIndex(
        SageMakerGateway(aws.client("sagemaker", endpoint_url)),
        state.keys,
        state.cursors,
        pages_per_sync=max(settings.index_pages, 1),
        overlap=settings.index_overlap_seconds,
    )


def build_linker(
    settings: RecorderSettings,
    own_account: str,
    state: LineageState,
    endpoint_url: str | None = None,
    partition: str = "aws",
) -> PeerLinker | None:
    """The cross-account linker, or None when no peer other than this account is configured."""
    peers = settings.peer_accounts - {own_account}
    if not peers:
        return None
    directory = PeerDirectory(
        own_account=own_account,
        peer_accounts=peers,
        role_name=settings.peer_role_name,
        sts=peer_sts_client(endpoint_url),
        client_factory=boto3_client_factory(endpoint_url),
        partition=partition,
    )
    return PeerLinker(directory, state.pending_links)
