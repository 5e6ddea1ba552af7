"""Cross-account SameAs links that could not be made because a peer did not answer, kept to be retried.

A peer that cannot be reached (its reader role is missing, AccessDenied, throttling that outlasts the
peer client's retries, a network fault) never fails or blocks the local recording: the (local entity,
peer account) pair is stored here, and the linker retries due pairs at the start of later records, at
most once per ``RETRY_INTERVAL_SECONDS`` in each process, with a growing pause per pair.

- ``TablePendingLinks``: one item in the state table (``id`` = ``peer-links#pending``) whose map
  attribute ``links`` holds every pending pair, so listing them costs one GetItem and never a Scan of
  the registry. Each write pushes the item's TTL attribute ``expiration`` a week ahead; each pair also
  expires on its own after ``KEEP_SECONDS`` (then it is dropped with a log line). At most
  ``MAX_PENDING`` pairs are kept (an item holds 400 KB); beyond that a deferral is dropped and counted.
- ``MemoryPendingLinks``: the same for one process (the CLI without a state table, tests).
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Protocol

from lineage_recorder.plan import EntityKey, EntityKind
from lineage_recorder.state.corrupt import report_corrupt
from lineage_recorder.state.table import PENDING_LINKS_ID, StateTable

KEEP_SECONDS = 7 * 24 * 3600
MAX_PENDING = 500
FIRST_PAUSE_SECONDS = 60
MAX_PAUSE_SECONDS = 6 * 3600


@dataclass(frozen=True)
class PendingLink:
    kind: str
    source_uri: str
    local_arn: str
    peer_account: str
    reason: str = ""
    attempts: int = 1
    next_attempt: float = 0.0
    expires: float = 0.0

    @property
    def id(self) -> str:
        return hashlib.sha256(f"{self.local_arn}\n{self.peer_account}".encode()).hexdigest()[:32]

    @property
    def key(self) -> EntityKey:
        return EntityKey(EntityKind(self.kind), self.source_uri)

    def text(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> PendingLink:
        """A stored link; ValueError (or TypeError) when it is not one (state/corrupt.py drops it)."""
        fields = json.loads(text)
        if not isinstance(fields, dict):
            raise TypeError(f"a pending link is an object, not {type(fields).__name__}")
        link = cls(**fields)
        EntityKind(link.kind)  # ValueError for a kind the recorder does not have
        for name in ("source_uri", "local_arn", "peer_account", "reason"):
            if not isinstance(getattr(link, name), str):
                raise TypeError(f"{name} is not text: {getattr(link, name)!r}")
        for name in ("attempts", "next_attempt", "expires"):
            value = getattr(link, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(f"{name} is not a number: {value!r}")
        return link

    def failed_again(self, reason: str, now: float) -> PendingLink:
        pause = min(FIRST_PAUSE_SECONDS * 2**self.attempts, MAX_PAUSE_SECONDS)
        return replace(self, reason=reason[:512], attempts=self.attempts + 1, next_attempt=now + pause)


def new_pending(key: EntityKey, local_arn: str, peer_account: str, reason: str, now: float) -> PendingLink:
    return PendingLink(
        kind=str(key.kind),
        source_uri=key.source_uri,
        local_arn=local_arn,
        peer_account=peer_account,
        reason=reason[:512],
        next_attempt=now + FIRST_PAUSE_SECONDS,
        expires=now + KEEP_SECONDS,
    )


class PendingLinks(Protocol):
    def add(self, link: PendingLink) -> bool:
        """Keep ``link`` (replacing the same pair); False when it could not be kept (store full)."""

    def all(self) -> list[PendingLink]: ...

    def remove(self, link: PendingLink) -> None: ...


class MemoryPendingLinks:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._links: dict[str, PendingLink] = {}

    def add(self, link: PendingLink) -> bool:
        with self._lock:
            if link.id not in self._links and len(self._links) >= MAX_PENDING:
                return False
            self._links[link.id] = link
            return True

    def all(self) -> list[PendingLink]:
        with self._lock:
            return list(self._links.values())

    def remove(self, link: PendingLink) -> None:
        with self._lock:
            self._links.pop(link.id, None)


class TablePendingLinks:
    def __init__(self, table: StateTable, clock: Callable[[], float] = time.time) -> None:
        self._table = table
        self._clock = clock

    def add(self, link: PendingLink) -> bool:
        known = {pending.id for pending in self.all()}
        if link.id not in known and len(known) >= MAX_PENDING:
            return False
        expiration = str(int(self._clock()) + KEEP_SECONDS)
        # A map must exist before one of its entries can be set (one expression cannot do both).
        self._table.update(
            PENDING_LINKS_ID,
            UpdateExpression="SET #links = if_not_exists(#links, :empty), #expiration = :expiration",
            ExpressionAttributeNames={"#links": "links", "#expiration": "expiration"},
            ExpressionAttributeValues={":empty": {"M": {}}, ":expiration": {"N": expiration}},
        )
        self._table.update(
            PENDING_LINKS_ID,
            UpdateExpression="SET #links.#link = :link",
            ExpressionAttributeNames={"#links": "links", "#link": link.id},
            ExpressionAttributeValues={":link": {"S": link.text()}},
        )
        return True

    def all(self) -> list[PendingLink]:
        item = self._table.get_fresh(PENDING_LINKS_ID)
        if not item:
            return []
        entries = item.get("links", {}).get("M") if isinstance(item.get("links"), dict) else None
        if not isinstance(entries, dict):
            report_corrupt(PENDING_LINKS_ID, "deferred SameAs links", f"links is {item.get('links')!r}"[:512])
            self._table.delete(PENDING_LINKS_ID)  # the links are found again when their keys are recorded
            return []
        links: list[PendingLink] = []
        for link_id, value in entries.items():
            try:
                links.append(PendingLink.parse(value["S"]))
            except (KeyError, TypeError, ValueError) as error:
                report_corrupt(PENDING_LINKS_ID, f"the deferred SameAs link {link_id}", f"{value!r}: {error}")
                self._table.update(
                    PENDING_LINKS_ID,
                    UpdateExpression="REMOVE #links.#link",
                    ExpressionAttributeNames={"#links": "links", "#link": link_id},
                )
        return links

    def remove(self, link: PendingLink) -> None:
        self._table.update(
            PENDING_LINKS_ID,
            UpdateExpression="REMOVE #links.#link",
            ExpressionAttributeNames={"#links": "links", "#link": link.id},
        )
