"""SameAs links from entities this account just recorded to their twins in the peer accounts.

After a plan is applied, each entity whose key is meaningful across accounts (``keys.is_linkable``) is
looked up in every configured peer (the account owning the key first) by kind and exact SourceUri. The
linker writes nothing: it returns ``PeerLinks``, a plan of ``SameAs`` edges from the local entity to the
peer's oldest twin, which the applier writes in *this* account with this account's credentials (the peer
role only reads), and is told afterwards whether they were written. A pair is linked once whichever way
round: a twin that already points back at the local entity (the peer recorded second and linked first) is
left alone, and "already exists" counts as success. Whichever account records second makes the link.

A peer that cannot be asked (role missing, AccessDenied, throttled, down), or a link that cannot be
written now, defers the pair (state/pending_links.py): the local recording never fails because of a peer.
Nor is it slowed down by one: a peer that failed is skipped (its pairs deferred without a call) for
``SKIP_FAILED_PEER_SECONDS`` (a circuit breaker, per process), so a batch with every peer down costs one
short-budgeted failure per peer (peers/directory.py), not one per key.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from aws_lambda_powertools import Logger

from lineage_recorder.errors import RetryLaterError
from lineage_recorder.peers.directory import PeerDirectory
from lineage_recorder.peers.keys import is_linkable, peers_to_ask
from lineage_recorder.plan import AssociationType, EntityKey, ExistingEntity, Plan, PlannedEdge
from lineage_recorder.state.pending_links import PendingLink, PendingLinks, new_pending

# At most one sweep of the pending links per process in this interval, and this many pairs per sweep,
# so that a peer that stays down costs little.
RETRY_INTERVAL_SECONDS = 60.0
RETRIES_PER_SWEEP = 10
# How long a peer that failed is skipped before it is asked again.
SKIP_FAILED_PEER_SECONDS = 120.0

logger = Logger(service="lineage-recorder", child=True)


@dataclass
class LinkReport:
    created: list[tuple[str, str]] = field(default_factory=list)  # (local ARN, peer ARN)
    existing: int = 0
    deferred: list[PendingLink] = field(default_factory=list)
    dropped: list[PendingLink] = field(default_factory=list)  # expired, or the pending store was full
    retried: int = 0


@dataclass(frozen=True)
class LinkCandidate:
    """A SameAs link to write: from `local_arn` (key `key`) to `twin` in `peer`."""

    key: EntityKey
    local_arn: str
    peer: str
    twin: str
    retrying: PendingLink | None  # the deferred pair this retries, if any

    @property
    def plan(self) -> Plan:
        """The link as a plan for the applier: one edge between two entities known by ARN."""
        edge = PlannedEdge(ExistingEntity(self.local_arn), ExistingEntity(self.twin), AssociationType.SAME_AS)
        return Plan(resource_arn=self.local_arn, edges=(edge,))


@dataclass
class PeerLinks:
    """The SameAs links found for a record, each a plan for the applier, and what else linking found."""

    candidates: list[LinkCandidate] = field(default_factory=list)
    report: LinkReport = field(default_factory=LinkReport)


class PeerSkippedError(RetryLaterError):
    """A peer that failed lately is not asked again yet: its pairs are deferred without a call."""


def _reason(error: RetryLaterError) -> str:
    return str(error)[:512]


class PeerLinker:
    def __init__(
        self,
        directory: PeerDirectory,
        pending: PendingLinks,
        *,
        clock: Callable[[], float] = time.time,
        retry_interval_seconds: float = RETRY_INTERVAL_SECONDS,
    ) -> None:
        self._directory = directory
        self._pending = pending
        self._clock = clock
        self._retry_interval = retry_interval_seconds
        self._last_sweep: float | None = None
        self._lock = threading.Lock()
        # (local ARN, peer account) pairs settled in this process: linked, or no twin when last asked
        # (the peer then links when it records the twin), so repeats cost no call.
        self._settled: set[tuple[str, str]] = set()
        # peer account -> when it may be asked again, after it failed (the circuit is open until then).
        self._skip_until: dict[str, float] = {}

    @property
    def own_account(self) -> str:
        return self._directory.own_account

    def links_for(self, resolved: Iterable[tuple[EntityKey, str]]) -> PeerLinks:
        """The links of each resolved (key, local ARN) whose key is meaningful across accounts."""
        links = PeerLinks()
        for key, local_arn in resolved:
            if not is_linkable(key, self.own_account):
                continue
            for peer in peers_to_ask(key, self.own_account, self._directory.peer_accounts):
                if (local_arn, peer) in self._settled:
                    continue
                try:
                    self._find(key, local_arn, peer, links, retrying=None)
                except RetryLaterError as error:
                    self._defer(
                        new_pending(key, local_arn, peer, _reason(error), self._clock()), links.report
                    )
        return links

    def due_retries(self, *, force: bool = False) -> PeerLinks:
        """The deferred pairs that are due (at most one sweep per interval unless ``force``), asked again."""
        links = PeerLinks()
        now = self._clock()
        with self._lock:
            if not force and self._last_sweep is not None and now - self._last_sweep < self._retry_interval:
                return links
            self._last_sweep = now
        try:
            pending = self._pending.all()
        except RetryLaterError:
            return links  # the state table itself is unavailable: the next sweep tries again
        due = sorted(
            (link for link in pending if force or link.next_attempt <= now), key=lambda p: p.next_attempt
        )
        for link in due[:RETRIES_PER_SWEEP]:
            if link.peer_account not in self._directory.peer_accounts or link.expires <= now:
                self._forget_pending(link)  # no longer a peer, or kept long enough
                links.report.dropped.append(link)
                continue
            links.report.retried += 1
            try:
                found = self._find(link.key, link.local_arn, link.peer_account, links, retrying=link)
            except RetryLaterError as error:
                self._defer_again(link, _reason(error), links.report)
                continue
            if not found:
                self._forget_pending(link)
        return links

    def applied(self, links: PeerLinks, candidate: LinkCandidate, *, created: bool) -> None:
        """The applier wrote `candidate` (new when `created`, else it existed already)."""
        if created:
            links.report.created.append((candidate.local_arn, candidate.twin))
        else:
            links.report.existing += 1
        self._settled.add((candidate.local_arn, candidate.peer))
        if candidate.retrying is not None:
            self._forget_pending(candidate.retrying)

    def not_applied(self, links: PeerLinks, candidate: LinkCandidate, error: RetryLaterError) -> None:
        """The applier could not write `candidate` now: the pair is deferred."""
        if candidate.retrying is not None:
            self._defer_again(candidate.retrying, _reason(error), links.report)
            return
        link = new_pending(candidate.key, candidate.local_arn, candidate.peer, _reason(error), self._clock())
        self._defer(link, links.report)

    # ------------------------------------------------------------------------------------------------
    def _find(
        self, key: EntityKey, local_arn: str, peer: str, links: PeerLinks, *, retrying: PendingLink | None
    ) -> bool:
        """Ask `peer` for `key`'s twin; True when a link to write was planned. A peer that failed lately
        is not asked (PeerSkippedError); one that fails now is skipped for a while."""
        with self._lock:
            skip_until = self._skip_until.get(peer, 0.0)
        if self._clock() < skip_until:
            raise PeerSkippedError(
                f"peer {peer} skipped until {skip_until:.0f} (epoch s): it failed lately; asked again then"
            )
        try:
            return self._ask(key, local_arn, peer, links, retrying=retrying)
        except RetryLaterError:
            with self._lock:
                self._skip_until[peer] = self._clock() + SKIP_FAILED_PEER_SECONDS
            raise

    def _ask(
        self, key: EntityKey, local_arn: str, peer: str, links: PeerLinks, *, retrying: PendingLink | None
    ) -> bool:
        peer_sagemaker = self._directory.gateway(peer)
        twin = peer_sagemaker.find_by_source_uri(key.kind, key.source_uri)
        if twin is None or twin == local_arn:
            self._settled.add((local_arn, peer))
            return False
        if peer_sagemaker.has_association(twin, local_arn, str(AssociationType.SAME_AS)):
            links.report.existing += 1  # the peer recorded second and linked its entity to ours
            self._settled.add((local_arn, peer))
            return False
        links.candidates.append(LinkCandidate(key, local_arn, peer, twin, retrying))
        return True

    def _defer(self, link: PendingLink, report: LinkReport) -> None:
        try:
            kept = self._pending.add(link)
        except RetryLaterError:
            kept = False
        (report.deferred if kept else report.dropped).append(link)
        logger.warning(
            "Peer link deferred" if kept else "Peer link dropped: it could not be kept for a retry",
            extra={"local_arn": link.local_arn, "peer_account": link.peer_account, "reason": link.reason},
        )

    def _defer_again(self, link: PendingLink, reason: str, report: LinkReport) -> None:
        """Keep a retried pair for a later retry. When the store cannot be written now, the pair is still
        there as it was: it is retried at a later sweep, not lost."""
        again = link.failed_again(reason, self._clock())
        try:
            self._pending.add(again)
        except RetryLaterError as error:
            logger.warning(
                "Peer link left pending as it was: the pending store could not be updated",
                extra={"local_arn": link.local_arn, "peer_account": link.peer_account, "reason": str(error)},
            )
        report.deferred.append(again)
        logger.warning(
            "Peer link deferred again",
            extra={"local_arn": link.local_arn, "peer_account": link.peer_account, "reason": again.reason},
        )

    def _forget_pending(self, link: PendingLink) -> None:
        """Remove a settled or expired pair. When the store cannot be written now, the pair stays and is
        retried later: linking it again finds the link made ("already exists"), so nothing is duplicated."""
        try:
            self._pending.remove(link)
        except RetryLaterError as error:
            logger.warning(
                "Peer link settled but still pending: the pending store could not be updated",
                extra={"local_arn": link.local_arn, "peer_account": link.peer_account, "reason": str(error)},
            )
