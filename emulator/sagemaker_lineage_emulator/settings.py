"""Process-wide switches of the emulator: quotas, SageMaker-like trial components, fault injection.

Defaults come from environment variables so a server started by another tool can be configured
without code; tests change them through :func:`configure` and restore them with :func:`reset`.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field, replace

# The published quotas for manually created lineage entities (SageMaker Developer Guide,
# "Lineage Tracking Entity Quotas"); SageMaker's own auto-created entities do not count.
DEFAULT_QUOTAS: dict[str, int] = {
    "action": 3000,
    "artifact": 6000,
    "association": 6000,
    "context": 500,
}


@dataclass(frozen=True)
class FaultInjection:
    """``rate`` of the calls to ``operations`` (every SageMaker operation when empty) fail: throttled
    before they run (``faults``), or run and then answered with a server fault (``lost_responses``: the
    answer is lost, as when a connection drops after the write).

    ``seed`` makes the sequence of failed calls reproducible; configuring it again replays it.
    """

    rate: float = 0.0
    operations: frozenset[str] = frozenset()
    seed: int | None = None

    def applies_to(self, operation: str) -> bool:
        return self.rate > 0 and (not self.operations or operation in self.operations)


@dataclass(frozen=True)
class EmulatorSettings:
    quotas: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_QUOTAS))
    create_job_trial_components: bool = True
    faults: FaultInjection = FaultInjection()
    lost_responses: FaultInjection = FaultInjection()
    # Seconds every SageMaker call takes, as real calls do (tens of ms): it widens the windows in which
    # concurrent workers interleave, so races that real traffic would hit also show locally.
    latency: float = 0.0


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _faults_from_env(prefix: str = "LINEAGE_EMULATOR_THROTTLE") -> FaultInjection:
    rate = float(os.environ.get(f"{prefix}_RATE", "0") or 0)
    ops = os.environ.get(f"{prefix}_OPERATIONS", "")
    seed = os.environ.get(f"{prefix}_SEED")
    return FaultInjection(
        rate=rate,
        operations=frozenset(op.strip() for op in ops.split(",") if op.strip()),
        seed=int(seed) if seed else None,
    )


def settings_from_env() -> EmulatorSettings:
    quotas = {
        kind: _env_int(f"LINEAGE_EMULATOR_MAX_{kind.upper()}S", default)
        for kind, default in DEFAULT_QUOTAS.items()
    }
    trial_components = os.environ.get("LINEAGE_EMULATOR_TRIAL_COMPONENTS", "1").lower() not in (
        "0",
        "false",
        "no",
    )
    return EmulatorSettings(
        quotas=quotas,
        create_job_trial_components=trial_components,
        faults=_faults_from_env(),
        lost_responses=_faults_from_env("LINEAGE_EMULATOR_LOSE_RESPONSE"),
        latency=float(os.environ.get("LINEAGE_EMULATOR_LATENCY_SECONDS", "0") or 0),
    )


_lock = threading.Lock()
_current: EmulatorSettings | None = None


def current() -> EmulatorSettings:
    global _current  # noqa: PLW0603 - one settings object per process is the point of this module
    with _lock:
        if _current is None:
            _current = settings_from_env()
        return _current


def configure(
    *,
    quotas: dict[str, int] | None = None,
    create_job_trial_components: bool | None = None,
    faults: FaultInjection | None = None,
    lost_responses: FaultInjection | None = None,
    latency: float | None = None,
) -> EmulatorSettings:
    """Change some settings; the ones not given keep their value."""
    global _current  # noqa: PLW0603
    base = current()
    updated = replace(
        base,
        quotas={**base.quotas, **(quotas or {})},
        create_job_trial_components=(
            base.create_job_trial_components
            if create_job_trial_components is None
            else create_job_trial_components
        ),
        faults=base.faults if faults is None else faults,
        lost_responses=base.lost_responses if lost_responses is None else lost_responses,
        latency=base.latency if latency is None else latency,
    )
    with _lock:
        _current = updated
    return updated


def reset() -> EmulatorSettings:
    """Back to the environment's defaults."""
    global _current  # noqa: PLW0603
    with _lock:
        _current = settings_from_env()
        return _current
