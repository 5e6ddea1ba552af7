"""``lineage-recorder emulator``: the local AWS (moto + the SageMaker lineage extension) as a server."""

from __future__ import annotations

import argparse
import signal
import threading
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "emulator", help="serve the local AWS with SageMaker lineage APIs until stopped"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=5000, help="port to listen on; 0 picks a free one (default: 5000)"
    )
    parser.add_argument(
        "--throttle-rate",
        type=float,
        default=None,
        help="answer this fraction of SageMaker calls with ThrottlingException (fault injection)",
    )
    parser.add_argument(
        "--throttle-operations",
        default="",
        help="comma-separated SageMaker operations to throttle (default: all, when --throttle-rate is set)",
    )
    parser.add_argument(
        "--no-trial-components",
        action="store_true",
        help="do not create SageMaker's '<job>-aws-<kind>-job' trial components when jobs are created",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sagemaker_lineage_emulator as emulator
    from sagemaker_lineage_emulator.server import EmulatorServer

    if args.throttle_rate is not None:
        operations = frozenset(op.strip() for op in args.throttle_operations.split(",") if op.strip())
        emulator.configure(faults=emulator.FaultInjection(rate=args.throttle_rate, operations=operations))
    if args.no_trial_components:
        emulator.configure(create_job_trial_components=False)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = EmulatorServer(args.host, args.port).start()
    print(f"SageMaker lineage emulator listening on {server.url} (Ctrl-C to stop)", flush=True)
    print(f"  export AWS_ENDPOINT_URL={server.url}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
