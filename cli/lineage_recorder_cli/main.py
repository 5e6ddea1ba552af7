"""The ``lineage-recorder`` command line."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from botocore.exceptions import ProfileNotFound

from lineage_recorder_cli import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lineage-recorder",
        description="Record Amazon SageMaker lineage from EventBridge events, locally or in AWS.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    commands.register_all(sub)
    for name, command in sub.choices.items():
        if name in ("demo", "emulator"):
            continue  # they run on their own emulator
        command.add_argument(
            "--region", help="the AWS Region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's)"
        )
        command.add_argument("--profile", help="the AWS profile to use (default: AWS_PROFILE or the default)")
    return parser


def _use_account(args: argparse.Namespace) -> None:
    """--region and --profile, as the AWS CLI reads them: they win over the environment."""
    if getattr(args, "region", None):
        os.environ["AWS_REGION"] = args.region
        os.environ["AWS_DEFAULT_REGION"] = args.region
    if getattr(args, "profile", None):
        os.environ["AWS_PROFILE"] = args.profile


def _version() -> str:
    try:
        return metadata.version("sagemaker-lineage-recorder")
    except metadata.PackageNotFoundError:
        return "(not installed)"


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _use_account(args)
    try:
        result: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (`... | head -1`): stop quietly, as command-line tools do. Python would
        # otherwise complain again when it flushes stdout at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except KeyboardInterrupt:
        print("lineage-recorder: interrupted", file=sys.stderr)
        return 130
    except ProfileNotFound as error:
        print(
            f"lineage-recorder: {error}: check --profile or AWS_PROFILE (aws configure list-profiles)",
            file=sys.stderr,
        )
        return 2
    return result


if __name__ == "__main__":
    sys.exit(main())
