"""Run DataHub's SageMaker source (acryl-datahub[sagemaker]) over the recorded estate, in process.

Run by tests/interop with .venv-interop's python: ``datahub_probe.py QUESTIONS.json ANSWERS.json``.
QUESTIONS is ``{"recipes": {name: <source config>}}``; for each recipe the probe runs
``Pipeline.create({"source": {"type": "sagemaker", "config": ...}, "sink": {"type": "file", ...}})`` and
answers ``{name: {"records": [MCEs and MCPs as the file sink wrote them], "failures": [...],
"warnings": [...], "model_endpoint_lineage": n, "model_group_lineage": n}}``, with ``network_attempts``.

boto3 reaches the emulator through AWS_ENDPOINT_URL: the source's ``aws_endpoint_url`` option is not
applied to its SageMaker client (datahub/ingestion/source/aws/aws_common.py,
AwsConnectionConfig.get_sagemaker_client builds the client without endpoint_url).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import _guard  # before DataHub: refuse any connection that is not loopback
from datahub.ingestion.run.pipeline import Pipeline

# Pipeline.run() always calls _warn_old_cli_version(), which asks pypi.org and api.github.com for the newest
# release (datahub/upgrade/upgrade.py, retrieve_version_stats) and has no switch; it is not part of the
# source's behaviour, so it is turned off here rather than left to the loopback guard.
Pipeline._warn_old_cli_version = lambda self: None  # type: ignore[method-assign]


def _listed(items: Any) -> list[str]:
    return [json.dumps(item, default=str)[:2000] for item in (items or [])]


def ingest(source_config: dict[str, Any]) -> dict[str, Any]:
    sink = Path(tempfile.mkdtemp()) / "datahub.json"
    pipeline = Pipeline.create(
        {
            "run_id": "lineage-recorder-interop",
            "source": {"type": "sagemaker", "config": source_config},
            "sink": {"type": "file", "config": {"filename": str(sink)}},
        },
        report_to=None,  # no ingestion-run report to a DataHub server
    )
    pipeline.run()
    report = pipeline.source.get_report()
    return {
        "records": json.loads(sink.read_text()) if sink.is_file() else [],
        "failures": _listed(report.failures) + _listed(pipeline.sink.get_report().failures),
        "warnings": _listed(report.warnings),
        "model_endpoint_lineage": getattr(report, "model_endpoint_lineage", None),
        "model_group_lineage": getattr(report, "model_group_lineage", None),
    }


def main(questions_path: str, answers_path: str) -> None:
    questions = json.loads(Path(questions_path).read_text())
    answers: dict[str, Any] = {}
    for name, source_config in questions["recipes"].items():
        try:
            answers[name] = {"value": ingest(source_config)}
        except Exception as error:  # noqa: BLE001 - one recipe's failure hides none of the others
            answers[name] = {"error": f"{type(error).__name__}: {error}"[:2000]}
    Path(answers_path).write_text(
        json.dumps({"answers": answers, "network_attempts": _guard.attempts}, default=str, indent=1)
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
