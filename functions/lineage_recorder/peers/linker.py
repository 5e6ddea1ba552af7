"""SameAs links from entities this account just recorded to their twins in the peer accounts.

After a plan is applied, each entity whose key is meaningful across accounts (``keys.is_linkable``) is
looked up in every configured peer (the account owning the key first) by kind and exact SourceUri, and a
``SameAs`` association from the local entity to the peer's oldest twin is added in *this* account, with
this account's credentials: the peer role only reads. A pair is linked once whichever way round: a twin
that already points back at the local entity (the peer recorded second and linked first) is left alone,
and "already exists" counts as success. Whichever account records second therefore makes the link.

A peer that cannot be asked (role missing, AccessDenied, throttled) defers the pair (``deferred``): the
local recording never fails because of a peer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger
from botocore.exceptions import BotoCoreError, ClientError

from lineage_recorder.peers.deferred import PendingLink, PendingLinks, new_pending
from lineage_recorder.peers.directory import PeerDirectory
from lineage_recorder.peers.keys import is_linkable, peers_to_ask
from lineage_recorder.plan import AssociationType, EntityKey, EntityKind

# At most one sweep of the pending links per process in this interval, and this many pairs per sweep,
# so that a peer that stays down costs little.
RETRY_INTERVAL_SECONDS = 60.0
RETRIES_PER_SWEEP = 10

logger = Logger(service="lineage-recorder", child=True)

_LIST_OPERATION = {
    EntityKind.ARTIFACT: ("list_artifacts", "ArtifactSummaries", "ArtifactArn"),
    EntityKind.ACTION: ("list_actions", "ActionSummaries", "ActionArn"),
    EntityKind.CONTEXT: ("list_contexts", "ContextSummaries", "ContextArn"),
}


@dataclass
class LinkReport:
    created: list[tuple[str, str]] = field(default_factory=list)  # (local ARN, peer ARN)
    existing: int = 0
    deferred: list[PendingLink] = field(default_factory=list)
    dropped: list[PendingLink] = field(default_factory=list)  # expired, or the pending store was full
    retried: int = 0


def _already_exists(error: ClientError) -> bool:
    message = str(error.response.get("Error", {}).get("Message", "")).lower()
    return (
        error.response.get("Error", {}).get("Code") == "ValidationException" and "already exists" in message
    )


def _reason(error: Exception) -> str:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        return f"{details.get('Code', 'ClientError')}: {details.get('Message', '')}"[:512]
    return f"{type(error).__name__}: {error}"[:512]


class PeerLinker:
    def __init__(
        self,
        sagemaker: Any,
        directory: PeerDirectory,
        pending: PendingLinks,
        *,
        clock: Callable[[], float] = time.time,
        retry_interval_seconds: float = RETRY_INTERVAL_SECONDS,
    ) -> None:
        self._sagemaker = sagemaker
        self._directory = directory
        self._pending = pending
        self._clock = clock
        self._retry_interval = retry_interval_seconds
        self._last_sweep: float | None = None
        self._lock = threading.Lock()
        # (local ARN, peer account) pairs settled in this process: linked, or no twin when last asked
        # (the peer then links when it records the twin), so repeats cost no call.
        self._settled: set[tuple[str, str]] = set()

    @property
    def own_account(self) -> str:
        return self._directory.own_account

    def link(self, resolved: Iterable[tuple[EntityKey, str]]) -> LinkReport:
        """Link each resolved (key, local ARN) whose key is meaningful across accounts."""
        report = LinkReport()
        for key, local_arn in resolved:
            if not is_linkable(key, self.own_account):
                continue
            for peer in peers_to_ask(key, self.own_account, self._directory.peer_accounts):
                if (local_arn, peer) in self._settled:
                    continue
                try:
                    self._link_one(key, local_arn, peer, report)
                except (ClientError, BotoCoreError) as error:
                    self._defer(new_pending(key, local_arn, peer, _reason(error), self._clock()), report)
        return report

    def retry_pending(self, *, force: bool = False) -> LinkReport:
        """Retry the deferred pairs that are due (at most one sweep per interval unless ``force``)."""
        report = LinkReport()
        now = self._clock()
        with self._lock:
            if not force and self._last_sweep is not None and now - self._last_sweep < self._retry_interval:
                return report
            self._last_sweep = now
        try:
            pending = self._pending.all()
        except (ClientError, BotoCoreError):
            return report  # the state table itself is unavailable: the next sweep tries again
        due = sorted(
            (link for link in pending if force or link.next_attempt <= now), key=lambda p: p.next_attempt
        )
        for link in due[:RETRIES_PER_SWEEP]:
            if link.peer_account not in self._directory.peer_accounts or link.expires <= now:
                self._pending.remove(link)  # no longer a peer, or kept long enough
                report.dropped.append(link)
                continue
            report.retried += 1
            try:
                self._link_one(link.key, link.local_arn, link.peer_account, report)
            except (ClientError, BotoCoreError) as error:
                again = link.failed_again(_reason(error), now)
                self._pending.add(again)
                report.deferred.append(again)
                logger.warning(
                    "Peer link deferred again",
                    extra={
                        "local_arn": link.local_arn,
                        "peer_account": link.peer_account,
                        "reason": again.reason,
                    },
                )
                continue
            self._pending.remove(link)
        return report

    # ------------------------------------------------------------------------------------------------
    def _defer(self, link: PendingLink, report: LinkReport) -> None:
        try:
            kept = self._pending.add(link)
        except (ClientError, BotoCoreError):
            kept = False
        (report.deferred if kept else report.dropped).append(link)
        logger.warning(
            "Peer link deferred" if kept else "Peer link dropped: it could not be kept for a retry",
            extra={"local_arn": link.local_arn, "peer_account": link.peer_account, "reason": link.reason},
        )

    def _link_one(self, key: EntityKey, local_arn: str, peer: str, report: LinkReport) -> None:
        peer_sagemaker = self._directory.sagemaker(peer)
        twin = _find_twin(peer_sagemaker, key)
        if twin is None or twin == local_arn:
            self._settled.add((local_arn, peer))
            return
        if _has_same_as(peer_sagemaker, twin, local_arn):
            report.existing += 1  # the peer recorded second and linked its entity to ours
        else:
            try:
                self._sagemaker.add_association(
                    SourceArn=local_arn, DestinationArn=twin, AssociationType=str(AssociationType.SAME_AS)
                )
                report.created.append((local_arn, twin))
            except ClientError as error:
                if not _already_exists(error):
                    raise
                report.existing += 1
        self._settled.add((local_arn, peer))


def _find_twin(peer_sagemaker: Any, key: EntityKey) -> str | None:
    """The peer's oldest entity of the same kind with exactly this SourceUri."""
    operation, summaries_key, arn_key = _LIST_OPERATION[key.kind]
    pages = peer_sagemaker.get_paginator(operation).paginate(
        SourceUri=key.source_uri, SortBy="CreationTime", SortOrder="Ascending"
    )
    for page in pages:
        for summary in page.get(summaries_key, []):
            if summary.get("Source", {}).get("SourceUri") == key.source_uri:
                return str(summary[arn_key])
    return None


def _has_same_as(peer_sagemaker: Any, source_arn: str, destination_arn: str) -> bool:
    response = peer_sagemaker.list_associations(
        SourceArn=source_arn, DestinationArn=destination_arn, AssociationType=str(AssociationType.SAME_AS)
    )
    return bool(response.get("AssociationSummaries"))
