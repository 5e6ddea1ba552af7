"""checkov on the synthesised templates: no failed check, and every skip says why in the template.

checkov runs from `.venv-checkov` (installed by `make setup` from constraints-checkov.txt; its boto3 pin
conflicts with the project's). Suppressions live next to the resource they concern, as `checkov.skip`
metadata written by `infra.nag.skip_checkov`, each with its reason.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import ROOT, Synthesis

CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
# A skip's reason must say something, not just name the check.
MIN_REASON_LENGTH = 40


def run_checkov(template: Path) -> dict[str, Any]:
    assert CHECKOV.exists(), "checkov is not installed: run `make setup` (it installs .venv-checkov)"
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "BC_"))}
    # Offline: no Prisma Cloud platform mapping download, no guideline lookups.
    env["BC_SKIP_MAPPING"] = "TRUE"
    env["CHECKOV_RUN_SCA_PACKAGE_SCAN_V2"] = "false"
    result = subprocess.run(
        [str(CHECKOV), "--file", str(template), "--framework", "cloudformation", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    # checkov exits 1 when a check fails; anything else (2+) is checkov itself failing.
    assert result.returncode in (0, 1), result.stdout[-2000:] + result.stderr[-2000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.mark.parametrize("variant", ["default", "configured"])
def test_checkov_finds_nothing_and_every_skip_is_justified(synthesis: Synthesis, variant: str) -> None:
    # Given a synthesised template: cdk.json's defaults, or every option set
    stack = getattr(synthesis, variant)
    # When checkov checks it
    report = run_checkov(stack.template_path)
    results = report["results"]
    # Then it read the whole template and no check failed
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] == len(stack.json["Resources"])
    failed = [(c["check_id"], c["resource"], c["check_name"]) for c in results["failed_checks"]]
    assert failed == []
    assert len(results["passed_checks"]) > 40
    # And each skipped check carries a reason written where it applies
    for skipped in results["skipped_checks"]:
        reason = skipped["check_result"].get("suppress_comment") or ""
        assert len(reason) >= MIN_REASON_LENGTH, (skipped["check_id"], skipped["resource"], reason)


def test_checkov_fails_a_template_with_a_real_finding(tmp_path: Path, synthesis: Synthesis) -> None:
    # Given the default template with the queue's encryption and the skip both removed
    template = json.loads(json.dumps(synthesis.default.json))
    queue_id = synthesis.default.logical_id("Recorder/Queue/Resource")
    queue = template["Resources"][queue_id]
    queue["Properties"].pop("SqsManagedSseEnabled", None)
    queue["Properties"].pop("KmsMasterKeyId", None)
    queue.get("Metadata", {}).pop("checkov", None)
    path = tmp_path / "broken.template.json"
    path.write_text(json.dumps(template), encoding="utf-8")
    # When checkov checks it
    report = run_checkov(path)
    # Then the gate would catch it: the queue's encryption check fails
    failed = {(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]}
    assert ("CKV_AWS_27", f"AWS::SQS::Queue.{queue_id}") in failed
