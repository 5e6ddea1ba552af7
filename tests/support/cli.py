"""Running the installed `lineage-recorder` command as a user does, and the emulator it talks to."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

from sagemaker_lineage_emulator.server import EmulatorServer

# The console script pip installed beside this interpreter: what a user runs.
LINEAGE_RECORDER = os.path.join(os.path.dirname(sys.executable), "lineage-recorder")


def served_emulator() -> Iterator[EmulatorServer]:
    """The emulator served on 127.0.0.1 (a free port), reset so each test starts from nothing."""
    with EmulatorServer("127.0.0.1", 0) as running:
        # moto's state is per process, shared by every server in it: start each test from nothing.
        urllib.request.urlopen(
            urllib.request.Request(f"{running.url}/moto-api/reset", method="POST"), timeout=10
        )
        yield running


def run_cli(
    *args: str,
    endpoint: str | None = None,
    extra_env: dict[str, str] | None = None,
    stdin: str | None = None,
) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        **(extra_env or {}),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_MAX_ATTEMPTS": "2",
    }
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return subprocess.run(
        [LINEAGE_RECORDER, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
