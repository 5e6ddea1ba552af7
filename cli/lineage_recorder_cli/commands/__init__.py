"""One module per sub-command; each exposes ``register(subparsers)``."""

from __future__ import annotations

import argparse
from typing import Any

from lineage_recorder_cli.commands import (
    backfill,
    demo,
    emulator,
    export,
    index,
    migrate,
    prune,
    record,
    trace,
)


def register_all(subparsers: argparse._SubParsersAction[Any]) -> None:
    for module in (emulator, record, backfill, index, migrate, prune, trace, export, demo):
        module.register(subparsers)
