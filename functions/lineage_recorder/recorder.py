"""The use case shared by the Lambda and the CLI: one EventBridge event in, lineage recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from lineage_recorder.applier import Applier
from lineage_recorder.errors import InvalidEventError, invalid
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.patterns import FAMILY_BY_DETAIL_TYPE, NOT_RECORDED
from lineage_recorder.peers.linker import LinkReport, PeerLinker
from lineage_recorder.plan import SkippedValue
from lineage_recorder.resources import PREPARERS
from lineage_recorder.trust import TrustedAccounts


@dataclass
class RecordOutcome:
    event_id: str
    detail_type: str
    resource_arn: str | None = None
    ignored_reason: str | None = None
    created: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    associations_created: int = 0
    associations_existing: int = 0
    updated: list[str] = field(default_factory=list)
    created_totals: dict[str, int] = field(default_factory=dict)
    skipped: list[SkippedValue] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    # Cross-account SameAs links (only with peers configured): made, already there, deferred to a later
    # retry because a peer could not be asked, and dropped (expired, or the pending store was full).
    # Metrics: PeerLinksCreated, PeerLinksExisting, PeerLinksDeferred, PeerLinksDropped.
    links_created: list[tuple[str, str]] = field(default_factory=list)
    links_existing: int = 0
    links_deferred: int = 0
    links_dropped: int = 0
    links_retried: int = 0

    @property
    def ignored(self) -> bool:
        return self.ignored_reason is not None


def parse_event(raw: Any) -> SageMakerEvent:
    """Validate one EventBridge event (a dict or its JSON text); InvalidEventError says what is wrong."""
    if isinstance(raw, str | bytes):
        try:
            return SageMakerEvent.model_validate_json(raw)
        except ValidationError as error:
            raise invalid("invalid event", error) from error
    if not isinstance(raw, dict):
        raise InvalidEventError(f"an event must be a JSON object, not {type(raw).__name__}")
    try:
        return SageMakerEvent.model_validate(raw)
    except ValidationError as error:
        raise invalid("invalid event", error) from error


class Recorder:
    def __init__(
        self,
        sagemaker: Any,
        applier: Applier,
        trusted_accounts: TrustedAccounts | None = None,
        linker: PeerLinker | None = None,
    ) -> None:
        """``trusted_accounts``: whose events to act on. The Lambda and the CLI always pass it; None
        (every account) is for callers that built the events themselves, such as tests.
        ``linker``: SameAs links to the peer accounts; None (no peers configured) contacts no peer."""
        self._sagemaker = sagemaker
        self._applier = applier
        self._trusted_accounts = trusted_accounts
        self._linker = linker

    def begin_invocation(self) -> None:
        self._applier.begin_invocation()

    def record(self, event: SageMakerEvent) -> RecordOutcome:
        if self._trusted_accounts is not None:
            self._trusted_accounts.check(event.account)
        outcome = RecordOutcome(event_id=event.id, detail_type=event.detail_type)
        if self._linker is not None:
            _add_links(outcome, self._linker.retry_pending())
        if event.detail_type in NOT_RECORDED:
            outcome.ignored_reason = f"not recorded on its own: {NOT_RECORDED[event.detail_type]}"
            return outcome
        family = FAMILY_BY_DETAIL_TYPE[event.detail_type]
        if family.status_field is not None:
            status = event.detail.get(family.status_field)
            if status not in family.statuses:
                outcome.ignored_reason = (
                    f"{family.status_field} {str(status)[:64]!r} is not one the recorder acts on"
                )
                return outcome
        prepared = PREPARERS[family.name](event, self._sagemaker)
        outcome.resource_arn = prepared.plan.resource_arn
        outcome.fallbacks = list(prepared.fallbacks)
        outcome.skipped = list(prepared.plan.skipped)
        result = self._applier.apply(prepared.plan)
        outcome.created = [arn for _, arn in result.created]
        outcome.reused = [arn for _, arn in result.reused]
        outcome.associations_created = result.associations_created
        outcome.associations_existing = result.associations_existing
        outcome.updated = [arn for _, arn in result.updated] + result.superseded
        outcome.created_totals = result.created_totals
        if self._linker is not None:
            _add_links(
                outcome,
                self._linker.link((entity.key, result.arns[entity.key]) for entity in prepared.plan.entities),
            )
        return outcome


def _add_links(outcome: RecordOutcome, report: LinkReport) -> None:
    outcome.links_created.extend(report.created)
    outcome.links_existing += report.existing
    outcome.links_deferred += len(report.deferred)
    outcome.links_dropped += len(report.dropped)
    outcome.links_retried += report.retried
