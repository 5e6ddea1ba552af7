"""The recorder assembled for tests from its real parts, over a SageMaker client the test chose."""

from __future__ import annotations

from typing import Any

from lineage_recorder.apply.applier import Applier
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.apply.lineage_index import LineageIndex
from lineage_recorder.families import ALL, Family
from lineage_recorder.peers.linker import PeerLinker
from lineage_recorder.recorder import Recorder
from lineage_recorder.state import LineageState, in_memory_state
from lineage_recorder.trust import TrustedAccounts


def applier_for(
    sagemaker: Any, state: LineageState | None = None, *, index_pages: int | None = None
) -> Applier:
    """An applier over `sagemaker`; with `index_pages`, a lineage index over the same state."""
    gateway = SageMakerGateway(sagemaker)
    state = state if state is not None else in_memory_state()
    index = (
        LineageIndex(gateway, state.keys, state.cursors, pages_per_sync=index_pages, overlap=0)
        if index_pages is not None
        else None
    )
    return Applier(gateway, state, index)


def recorder_for(
    sagemaker: Any,
    state: LineageState | None = None,
    *,
    applier: Applier | None = None,
    linker: PeerLinker | None = None,
    trusted_accounts: TrustedAccounts | None = None,
    families: tuple[Family, ...] = ALL,
) -> Recorder:
    return Recorder(
        SageMakerGateway(sagemaker),
        applier if applier is not None else applier_for(sagemaker, state),
        trusted_accounts=trusted_accounts,
        linker=linker,
        families=families,
        descriptions=state.descriptions if state is not None else None,
    )
