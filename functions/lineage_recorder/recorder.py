"""The use case shared by the Lambda and the CLI: one EventBridge event in, lineage recorded.

event -> its family (by detail-type; ignored with a reason when no enabled family records it) -> the
family's preparer (Describe* through the gateway) -> a Plan -> the applier -> SameAs links to the peers'
twins (a plan of links, applied the same way).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from lineage_recorder.apply.applier import Applier
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.errors import InvalidEventError, RetryLaterError, UnconfirmedResourceError, invalid
from lineage_recorder.events.envelope import SageMakerEvent
from lineage_recorder.families import ALL, BY_DETAIL_TYPE, NOT_RECORDED
from lineage_recorder.families.base import Describer, Family
from lineage_recorder.peers.linker import LinkReport, PeerLinker, PeerLinks
from lineage_recorder.plan import Plan, SkippedValue
from lineage_recorder.settings import ENV_FAMILIES
from lineage_recorder.state.descriptions import DescriptionMemory, MemoryDescriptions
from lineage_recorder.trust import TrustedAccounts

_MAX_ECHOED_DETAIL_TYPE = 128
# The most one event may write. SageMaker's own limits bound a real resource's description (20 training
# channels, 10 processing inputs and outputs, 10 production and 10 shadow variants, 15 containers a
# model); these are well above what any real description plans, and far below the account's quotas
# (6,000 artifacts), so no event can exhaust them.
MAX_PLAN_ENTITIES = 250
MAX_PLAN_EDGES = 500


def check_size(plan: Plan) -> None:
    """InvalidEventError when a plan is larger than one event may write."""
    if len(plan.entities) > MAX_PLAN_ENTITIES or len(plan.edges) > MAX_PLAN_EDGES:
        raise InvalidEventError(
            f"the lineage of {plan.resource_arn[:256]!r} would be {len(plan.entities)} entities and "
            f"{len(plan.edges)} associations, more than one event may write ({MAX_PLAN_ENTITIES} and "
            f"{MAX_PLAN_EDGES})"
        )


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
    # Resources SageMaker no longer has, recorded from their remembered description (models).
    recalled: list[str] = field(default_factory=list)
    # Cross-account SameAs links (only with peers configured): made, already there, deferred to a later
    # retry because a peer could not be asked, and dropped (expired, or the pending store was full).
    links_created: list[tuple[str, str]] = field(default_factory=list)
    links_existing: int = 0
    links_deferred: int = 0
    links_dropped: int = 0
    links_retried: int = 0

    # Ignored because SageMaker does not know the resource the event is about (EventsUnconfirmed).
    unconfirmed: bool = False

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


def not_recorded_reason(detail_type: str, enabled: Iterable[Family] = ALL) -> str | None:
    """Why events of `detail_type` are not recorded by the `enabled` families, or None when they are."""
    family = BY_DETAIL_TYPE.get(detail_type)
    if family is not None:
        if family in tuple(enabled):
            return None
        return f"the {family.name} family is not enabled ({ENV_FAMILIES})"
    if detail_type in NOT_RECORDED:
        return f"not recorded on its own: {NOT_RECORDED[detail_type]}"
    return f"no resource family records {detail_type[:_MAX_ECHOED_DETAIL_TYPE]!r} events"


class Recorder:
    def __init__(
        self,
        gateway: SageMakerGateway,
        applier: Applier,
        *,
        trusted_accounts: TrustedAccounts | None = None,
        linker: PeerLinker | None = None,
        families: tuple[Family, ...] = ALL,
        descriptions: DescriptionMemory | None = None,
    ) -> None:
        """``trusted_accounts``: whose events to act on. The Lambda and the CLI always pass it; None
        (every account) is for callers that built the events themselves, such as tests.
        ``linker``: SameAs links to the peer accounts; None (no peers configured) contacts no peer.
        ``families``: the enabled families (LINEAGE_FAMILIES); other events are ignored with a reason.
        ``descriptions``: where descriptions of resources that may disappear (models) are remembered;
        None keeps them in memory for this recorder."""
        self._gateway = gateway
        self._applier = applier
        self._trusted_accounts = trusted_accounts
        self._linker = linker
        self._families = families
        self._by_detail_type = {family.detail_type: family for family in families}
        self._descriptions = descriptions if descriptions is not None else MemoryDescriptions()

    def begin_invocation(self) -> None:
        self._applier.begin_invocation()

    def record(self, event: SageMakerEvent) -> RecordOutcome:
        trusted = self._trusted_accounts
        peer_reason = trusted.peer_event_reason(event.account, event.region) if trusted is not None else None
        outcome = RecordOutcome(event_id=event.id, detail_type=event.detail_type)
        if self._linker is not None:
            self._link(self._linker, self._linker.due_retries(), outcome)
        if peer_reason is not None:
            outcome.ignored_reason = peer_reason
            return outcome
        family = self._by_detail_type.get(event.detail_type)
        if family is None:
            outcome.ignored_reason = not_recorded_reason(event.detail_type, self._families)
            return outcome
        outcome.ignored_reason = family.ignored_status(event)
        if outcome.ignored:
            return outcome
        arn = family.resource_arn(event)
        if trusted is not None and arn is not None:
            trusted.check_resource(arn, field=family.arn_field)
        describer = Describer(self._gateway, family.describes, self._descriptions)
        try:
            plan = family.prepare(event, describer)
        except UnconfirmedResourceError as unconfirmed:
            outcome.resource_arn = arn
            outcome.ignored_reason = str(unconfirmed)
            outcome.unconfirmed = True
            return outcome
        check_size(plan)
        outcome.resource_arn = plan.resource_arn
        outcome.fallbacks = list(describer.fallbacks)
        outcome.recalled = list(describer.recalled)
        outcome.skipped = list(plan.skipped)
        result = self._applier.apply(plan)
        outcome.created = [arn for _, arn in result.created]
        outcome.reused = [arn for _, arn in result.reused]
        outcome.associations_created = len(result.associations_created)
        outcome.associations_existing = result.associations_existing
        outcome.updated = [arn for _, arn in result.updated] + result.superseded
        outcome.created_totals = result.created_totals
        if self._linker is not None:
            resolved = ((entity.key, result.arns[entity.key]) for entity in plan.entities)
            self._link(self._linker, self._linker.links_for(resolved), outcome)
        return outcome

    def _link(self, linker: PeerLinker, links: PeerLinks, outcome: RecordOutcome) -> None:
        """Write each SameAs link through the applier, on its own: one it cannot write now is deferred, and
        does not hold back the others."""
        for candidate in links.candidates:
            try:
                result = self._applier.apply(candidate.plan)
            except RetryLaterError as error:
                linker.not_applied(links, candidate, error)
                continue
            linker.applied(links, candidate, created=bool(result.associations_created))
            for kind, total in result.created_totals.items():
                outcome.created_totals[kind] = max(total, outcome.created_totals.get(kind, 0))
        _add_links(outcome, links.report)


def _add_links(outcome: RecordOutcome, report: LinkReport) -> None:
    outcome.links_created.extend(report.created)
    outcome.links_existing += report.existing
    outcome.links_deferred += len(report.deferred)
    outcome.links_dropped += len(report.dropped)
    outcome.links_retried += report.retried
