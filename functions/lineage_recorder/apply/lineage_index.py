"""The lineage index: the key store kept as a complete map of the account's lineage, by SourceUri.

Reusing SageMaker's own entities (docs/architecture.md, "SageMaker's conventions") means asking, before
creating anything, whether the account already holds an entity for that SourceUri. Asked key by key, that
is one List* call per new entity: the largest SageMaker cost the key store cannot save. The index asks the
other way round: it reads what was created in the account since it last looked, oldest first, 100 entities per
call (`List*(CreatedAfter=start, SortBy=CreationTime)`), and records each (kind, SourceUri) -> ARN in
the key store. Once a feed has read up to now, a key the store does not know has no entity of that kind,
and the applier creates it without a lookup.

- Feeds: artifacts, actions and contexts by `Source.SourceUri`; trial components by
  `TrialComponentSource.SourceArn`, recorded under the job node's key (action, job ARN), because
  SageMaker's trial component is the job's node when it exists (docs/decisions.md, "The job node").
- Where each feed reads from next lives in the state table (state/cursors.py), shared by every instance.
  A feed that never read starts at the beginning of the account: its first syncs build the index.
- A sync reads at most `pages_per_sync` pages per feed. A feed that has more to read is not trusted
  for this sync: the applier then looks keys up one by one, as without an index, and later syncs go on
  from where this one stopped. A new feed over a large account is therefore built over several
  invocations, or at once with `lineage-recorder index`.
- At the live edge the next read starts `overlap` seconds (default 2, LINEAGE_INDEX_OVERLAP_SECONDS)
  before the newest entity read, so an entity that becomes listable a while after its CreationTime is
  still read. How late SageMaker's List* can show an entity is not documented: widen it if duplicates of
  SageMaker's own entities ever appear.
- A sync is trusted until the next invocation begins (`expire`), and never longer than `max_age`
  seconds, so nothing is created on the strength of an old read. Once per invocation is enough: every
  event in a batch was sent before the invocation began, and SageMaker creates its own entities for a
  resource before it sends that resource's state-change event.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.observability import logger
from lineage_recorder.plan import EntityKey, EntityKind, PlannedEntity
from lineage_recorder.state.cursors import IndexCursors
from lineage_recorder.state.keys import KeyStore

PAGE_SIZE = 100  # the largest MaxResults the List* operations accept
DEFAULT_PAGES_PER_SYNC = 5
DEFAULT_MAX_AGE_SECONDS = 60.0
# How late an entity may become listable after its CreationTime and still be read.
DEFAULT_OVERLAP_SECONDS = 2.0
# Behind, the next read starts this much before the newest entity read: ListTrialComponents documents
# CreatedAfter as strictly "after", so starting exactly there would skip entities sharing its CreationTime.
RESUME_MARGIN_SECONDS = 0.001

TRIAL_COMPONENT_FEED = "trial-component"


@dataclass(frozen=True)
class Feed:
    name: str
    # The kind of key each listed entity is recorded under.
    kind: EntityKind
    # Job trial components: listed by their job ARN, recorded under the job node's key (action, job ARN).
    trial_components: bool = False


# In the order they are synced: SageMaker's trial component before the action feed, so that where a job
# has both (decision 5's known gap), its node is SageMaker's, as a lookup would find it.
FEEDS = {
    feed.name: feed
    for feed in (
        Feed(TRIAL_COMPONENT_FEED, EntityKind.ACTION, trial_components=True),
        Feed("artifact", EntityKind.ARTIFACT),
        Feed("action", EntityKind.ACTION),
        Feed("context", EntityKind.CONTEXT),
    )
}


def feeds_covering(entity: PlannedEntity) -> frozenset[str]:
    """The feeds that must be current before a key-store miss for `entity` means it does not exist."""
    if entity.trial_component_name is not None:
        return frozenset({str(entity.key.kind), TRIAL_COMPONENT_FEED})
    return frozenset({str(entity.key.kind)})


@dataclass(frozen=True)
class FeedRead:
    feed: str
    pages: int
    entities_read: int
    entities_added: int
    caught_up: bool
    # False when the read could not move the feed's start: more than a sync's pages of entities share
    # one CreationTime, which no CreatedAfter can page past.
    moved: bool = True


def next_start(
    start: float | None, newest: float | None, caught_up: bool, overlap: float = DEFAULT_OVERLAP_SECONDS
) -> float | None:
    """Where a feed reads from next, after a read from `start` whose newest CreationTime was `newest`.

    Behind (more pages left): just before the newest entity read (RESUME_MARGIN_SECONDS), so the next read
    moves on and still returns the entities that share its CreationTime.
    Caught up: `overlap` seconds before it, to catch entities that become listable late.
    """
    if newest is None:
        return start
    candidate = newest - overlap if caught_up else newest - RESUME_MARGIN_SECONDS
    return candidate if start is None else max(start, candidate)


class IndexStuckError(Exception):
    """A feed cannot move on: more entities share one CreationTime than a sync reads."""


class LineageIndex:
    def __init__(
        self,
        gateway: SageMakerGateway,
        keys: KeyStore,
        cursors: IndexCursors,
        *,
        pages_per_sync: int = DEFAULT_PAGES_PER_SYNC,
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        overlap: float = DEFAULT_OVERLAP_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if pages_per_sync < 1:
            raise ValueError("pages_per_sync must be at least 1")
        if overlap < 0:
            raise ValueError("overlap must not be negative")
        self._overlap = overlap
        self._gateway = gateway
        self._keys = keys
        self._cursors = cursors
        self._pages_per_sync = pages_per_sync
        self._max_age = max_age
        self._clock = clock
        # Feeds read up to now, and when: trusted until expire() or max_age.
        self._current: dict[str, float] = {}

    def expire(self) -> None:
        """Trust no earlier read: called when an invocation begins."""
        self._current.clear()

    def current_feeds(self, wanted: Iterable[str]) -> frozenset[str]:
        """Sync each wanted feed that is not current; return those that have read up to now."""
        now = self._clock()
        wanted = set(wanted)
        current = set()
        for name in (name for name in FEEDS if name in wanted):
            read_at = self._current.get(name)
            if read_at is None or now - read_at > self._max_age:
                result = self.sync(name)
                if not result.caught_up:
                    logger.warning(
                        "Lineage index is behind; looking keys up one by one"
                        if result.moved
                        else "Lineage index cannot page past entities sharing one CreationTime; raise "
                        "LINEAGE_INDEX_PAGES",
                        extra={"feed": name, "pages": result.pages, "entities_read": result.entities_read},
                    )
                    continue
                self._current[name] = now
            current.add(name)
        return frozenset(current)

    def sync(self, name: str) -> FeedRead:
        """Read feed `name` from its start, at most this index's pages per sync."""
        feed = FEEDS[name]
        start = self._cursors.start(name)
        created_after = datetime.fromtimestamp(start, UTC) if start is not None else None
        newest: float | None = None
        pages = read = added = 0
        caught_up = False
        token: str | None = None
        while pages < self._pages_per_sync:
            page = self._gateway.list_created(
                None if feed.trial_components else feed.kind,
                created_after=created_after,
                page_size=PAGE_SIZE,
                next_token=token,
            )
            pages += 1
            read += len(page.entities)
            found: dict[EntityKey, str] = {}
            for listed in page.entities:
                if listed.source is not None:
                    # Oldest first: the first entity read for a key is the one a lookup by SourceUri returns.
                    found.setdefault(EntityKey(feed.kind, listed.source), listed.arn)
                if listed.created is not None:
                    stamp = listed.created.timestamp()
                    newest = stamp if newest is None else max(newest, stamp)
            added += self._keys.put_absent(found)
            token = page.next_token
            if not token:
                caught_up = True
                break
        following = next_start(start, newest, caught_up, self._overlap)
        moved = following is not None and (start is None or following > start)
        if moved and following is not None:
            self._cursors.advance(name, following)
        return FeedRead(name, pages, read, added, caught_up, moved=moved)

    def build(self, names: Iterable[str] = tuple(FEEDS)) -> list[FeedRead]:
        """Read every feed up to now, however many pages that takes (`lineage-recorder index`)."""
        reads = []
        for name in names:
            while True:
                result = self.sync(name)
                reads.append(result)
                if result.caught_up:
                    break
                if not result.moved:
                    raise IndexStuckError(
                        f"the {name} feed cannot page past {result.entities_read} entities created at the "
                        "same instant; raise LINEAGE_INDEX_PAGES"
                    )
        return reads
