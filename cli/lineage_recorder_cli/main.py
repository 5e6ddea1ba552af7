"""The ``lineage-recorder`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from lineage_recorder_cli import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lineage-recorder",
        description="Record Amazon SageMaker lineage from EventBridge events, locally or in AWS.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    commands.register_all(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
