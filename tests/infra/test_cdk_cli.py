"""The user's path: `npx --no-install cdk synth` through the pinned CLI, cfn-lint, and the asset report.

The CLI runs once for this module, from the repository root with cdk.json's `app`, without any AWS or
CDK environment variables (no credentials, no account, no Region), like a fresh clone after `make setup`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import ROOT, Synthesis

STACK = "SageMakerLineageRecorder"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class CliSynth:
    result: subprocess.CompletedProcess[str]
    outdir: Path


def function_id(template: dict[str, Any]) -> str:
    """The queue's function (the stack also has the daily reconcile's, on the same code asset)."""
    functions: list[str] = [
        key
        for key, r in template["Resources"].items()
        if r["Type"] == "AWS::Lambda::Function"
        and r.get("Metadata", {}).get("aws:cdk:path", "").endswith("/Recorder/Function/Resource")
    ]
    (logical_id,) = functions
    return logical_id


def clean_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "CDK_"))}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    return env


@pytest.fixture(scope="module")
def cli_synth(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliSynth]:
    outdir = tmp_path_factory.mktemp("cli") / "cdk.out"
    result = subprocess.run(
        ["npx", "--no-install", "cdk", "synth", "--quiet", "--output", str(outdir)],
        cwd=ROOT,
        env=clean_environment(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    yield CliSynth(result, outdir)


def test_cdk_synth_through_the_pinned_cli_succeeds_offline(cli_synth: CliSynth) -> None:
    # Given a checkout with .venv and node_modules, and no AWS credentials, account or Region
    result = cli_synth.result
    # When `npx --no-install cdk synth` has run (module fixture)
    # Then it succeeds, with cdk-nag's gate passing, and writes the stack's template
    assert result.returncode == 0, result.stdout + result.stderr
    template = json.loads((cli_synth.outdir / f"{STACK}.template.json").read_text(encoding="utf-8"))
    # And the stack is environment-agnostic: no Region was baked in from the CLI's us-east-1 fallback
    resources = {key: r for key, r in template["Resources"].items() if r["Type"] != "AWS::CDK::Metadata"}
    assert "us-east-1" not in json.dumps(resources)
    layer = template["Parameters"][
        template["Resources"][function_id(template)]["Properties"]["Layers"][0]["Ref"]
    ]
    assert layer["Default"].startswith("/aws/service/powertools/python/arm64/python3.14/")
    # And every feature flag the library recommends is configured in cdk.json
    assert "feature flags are not configured" not in result.stderr


def test_cfn_lint_is_clean_on_every_synthesised_template(cli_synth: CliSynth, synthesis: Synthesis) -> None:
    # Given the CLI's template and the session's default and configured templates
    assert cli_synth.result.returncode == 0, cli_synth.result.stderr
    templates = [
        cli_synth.outdir / f"{STACK}.template.json",
        synthesis.default.template_path,
        synthesis.configured.template_path,
    ]
    # When cfn-lint checks them, ignoring only W3005 (CDK's redundant DependsOn on every function)
    result = subprocess.run(
        [str(BIN / "cfn-lint"), "--ignore-checks", "W3005", "--", *map(str, templates)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    # Then it reports nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_asset_report_prints_the_lambda_asset_size(cli_synth: CliSynth) -> None:
    # Given the CLI's cloud assembly
    assert cli_synth.result.returncode == 0, cli_synth.result.stderr
    # When `python -m infra.asset_report` reads it, as `make synth` does
    result = subprocess.run(
        [sys.executable, "-m", "infra.asset_report", str(cli_synth.outdir), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    # Then it reports the recorder function's asset: a few dozen files, well under a MiB; the reconcile
    # function runs the same asset
    assert result.returncode == 0, result.stderr
    reports = {report["function"]: report for report in json.loads(result.stdout)}
    assert set(reports) == {
        f"{STACK}/Recorder/Function/Resource",
        f"{STACK}/Recorder/ReconcileFunction/Resource",
    }
    report = reports[f"{STACK}/Recorder/Function/Resource"]
    assert reports[f"{STACK}/Recorder/ReconcileFunction/Resource"]["asset"] == report["asset"]
    assert report["stack"] == STACK
    assert 1 <= report["files"] < 200
    assert 0 < report["zipped_bytes"] <= report["bytes"] < 1024 * 1024
