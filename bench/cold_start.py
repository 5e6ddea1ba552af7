"""Cold start: the handler module's import plus first-invocation set-up, in fresh processes.

Each sample is a new ``python -c`` process with only ``functions/`` on PYTHONPATH (as in the Lambda,
where the asset is /var/task) and the function's environment. It measures, inside the process, from
before the import to after the recorder is built (``handler.recorder_for(context)``, or
``handler.recorder()`` in older handlers): what a Lambda pays on its first invocation before the first
record. The reference is a bare ``import boto3`` plus one SageMaker client created the same way
(``lineage_recorder.aws.client_config()``). One discarded warm-up run of each fills the bytecode caches;
then the two alternate, so drift on the machine hits both alike.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter
from typing import Any

from bench.emulator import LAMBDA_ENVIRONMENT
from bench.workload import ACCOUNT, REGION

FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
DEFAULT_RUNS = 10
TIMEOUT_SECONDS = 120

HANDLER_CODE = f"""
import json, time
start = time.perf_counter()
from lineage_recorder import handler
class Context:
    function_name = "lineage-recorder"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:{REGION}:{ACCOUNT}:function:lineage-recorder"
    aws_request_id = "cold-start"
    def get_remaining_time_in_millis(self):
        return 120000
setup = getattr(handler, "recorder_for", None)
recorder = setup(Context()) if setup is not None else handler.recorder()
print(json.dumps({{"seconds": time.perf_counter() - start}}))
"""

BOTO3_CODE = """
import json, time
start = time.perf_counter()
import boto3
from lineage_recorder.aws import client_config
client = boto3.session.Session().client("sagemaker", config=client_config())
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


@dataclass(frozen=True)
class Samples:
    inside: list[float]  # seconds measured inside the process (import + set-up)
    process: list[float]  # seconds from spawning the process to its exit

    def to_json(self) -> dict[str, Any]:
        return {
            "median_ms": round(statistics.median(self.inside) * 1000, 1),
            "min_ms": round(min(self.inside) * 1000, 1),
            "max_ms": round(max(self.inside) * 1000, 1),
            "process_median_ms": round(statistics.median(self.process) * 1000, 1),
            "samples_ms": [round(value * 1000, 1) for value in self.inside],
        }


@dataclass(frozen=True)
class ColdStart:
    runs: int
    handler: Samples
    boto3: Samples

    @property
    def ratio(self) -> float:
        return statistics.median(self.handler.inside) / statistics.median(self.boto3.inside)

    def to_json(self) -> dict[str, Any]:
        return {
            "runs": self.runs,
            "handler_import_and_setup": self.handler.to_json(),
            "boto3_import_and_client": self.boto3.to_json(),
            "ratio": round(self.ratio, 2),
        }


def _environment() -> dict[str, str]:
    from lineage_recorder.patterns import family_names

    return {
        **LAMBDA_ENVIRONMENT,
        "LINEAGE_FAMILIES": ",".join(family_names()),
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(FUNCTIONS_DIR),
        "AWS_EC2_METADATA_DISABLED": "true",
        "LANG": "C.UTF-8",
    }


def _sample(code: str, environment: dict[str, str]) -> tuple[float, float]:
    start = perf_counter()
    completed = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=FUNCTIONS_DIR,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    elapsed = perf_counter() - start
    if completed.returncode != 0:
        raise RuntimeError(f"cold-start sample failed ({completed.returncode}): {completed.stderr[-2000:]}")
    last_line = completed.stdout.strip().splitlines()[-1]
    return float(json.loads(last_line)["seconds"]), elapsed


def measure(runs: int = DEFAULT_RUNS) -> ColdStart:
    environment = _environment()
    _sample(HANDLER_CODE, environment)
    _sample(BOTO3_CODE, environment)
    handler: tuple[list[float], list[float]] = ([], [])
    boto3: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for code, samples in ((HANDLER_CODE, handler), (BOTO3_CODE, boto3)):
            inside, process = _sample(code, environment)
            samples[0].append(inside)
            samples[1].append(process)
    return ColdStart(runs, Samples(*handler), Samples(*boto3))
