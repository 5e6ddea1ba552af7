"""``lineage-recorder emulator``: the local AWS (moto + the SageMaker lineage extension) as a server."""

from __future__ import annotations

import argparse
import errno
import signal
import socket
import sys
import threading
from typing import Any

from lineage_recorder_cli.environment import LOCAL_DEFAULTS


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: give 0 to 65535 (0 picks a free one)")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{value} is not a fraction of calls: give 0 to 1 (0.3 is 30%)")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "emulator", help="serve the local AWS with SageMaker lineage APIs until stopped"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=_port, default=5000, help="port to listen on; 0 picks a free one (default: 5000)"
    )
    parser.add_argument(
        "--throttle-rate",
        type=_rate,
        default=None,
        help="answer this fraction of SageMaker calls with ThrottlingException (fault injection)",
    )
    parser.add_argument(
        "--throttle-operations",
        default="",
        help="comma-separated SageMaker operations to throttle (default: all, when --throttle-rate is set)",
    )
    parser.add_argument(
        "--lose-response-rate",
        type=_rate,
        default=None,
        help="make this fraction of SageMaker calls and then answer them with a server fault (HTTP 500), "
        "as when a connection drops after the write (fault injection)",
    )
    parser.add_argument(
        "--lose-response-operations",
        default="",
        help="comma-separated SageMaker operations whose answers to lose (default: all, when "
        "--lose-response-rate is set)",
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
    if args.lose_response_rate is not None:
        operations = frozenset(op.strip() for op in args.lose_response_operations.split(",") if op.strip())
        emulator.configure(
            lost_responses=emulator.FaultInjection(rate=args.lose_response_rate, operations=operations)
        )
    if args.no_trial_components:
        emulator.configure(create_job_trial_components=False)

    problem = _cannot_listen(args.host, args.port)
    if problem is not None:
        print(
            f"lineage-recorder emulator: cannot listen on {args.host}:{args.port}: {problem}", file=sys.stderr
        )
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server = EmulatorServer(args.host, args.port).start()
    print(f"SageMaker lineage emulator listening on {server.url} (Ctrl-C to stop)", flush=True)
    print("  point a client at it with:", flush=True)
    print(f"  export AWS_ENDPOINT_URL={server.url}", flush=True)
    for name, value in LOCAL_DEFAULTS.items():
        print(f"  export {name}={value}", flush=True)
    print(f"  export AWS_REGION={LOCAL_DEFAULTS['AWS_DEFAULT_REGION']}", flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (taken, not an address here), or None; checked
    before starting it, so a taken port is a message, not a server that never answers."""
    if port == 0:
        return None
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError as error:
            hint = "another program uses it; pick another --port (0 picks a free one)"
            reason = str(error.strerror or error)
            return f"{reason}; {hint}" if error.errno == errno.EADDRINUSE else reason
    return None
