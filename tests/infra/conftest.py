"""Infra test fixtures: ONE synth per test session, shared by every assertion test.

The session app holds two stacks, synthesised together in a single `app.synth()`:
- `default`: configured from cdk.json's context, exactly what `npx cdk synth` deploys;
- `configured`: every context option set to a non-default value (peers, an existing alarm topic, a
  layer pinned by number, one family, ...), so both branches of each option are checked.
Both stacks have an explicit account and Region so that ARNs are exact strings. cdk-nag runs on this
synth like on any other: the fixture itself fails if a finding is not acknowledged.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment
from aws_cdk.assertions import Template

from infra.config import RecorderConfig
from infra.nag import enable_nag
from infra.stack import LineageRecorderStack

ROOT = Path(__file__).resolve().parents[2]
ACCOUNT = "123456789012"
REGION = "eu-west-1"
ENV = Environment(account=ACCOUNT, region=REGION)

PEER_ACCOUNTS = ("111111111111", "222222222222")
PEER_ROLE_NAME = "LineageReadOnly"
EXISTING_TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:ops-alarms"
OPERATOR_ROLE_ARN = (
    f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Ops_0123456789abcdef"
)
TRACE_PRINCIPALS = (
    f"arn:aws:iam::{PEER_ACCOUNTS[0]}:role/DataScientist",
    f"arn:aws:iam::{PEER_ACCOUNTS[1]}:user/auditor",
)
ALARM_EMAILS = ("ml-platform@example.com", "oncall@example.com")
CONFIGURED = RecorderConfig(
    peer_accounts=PEER_ACCOUNTS,
    peer_role_name=PEER_ROLE_NAME,
    max_concurrency=10,
    powertools_layer_version="40",
    log_retention_days=90,
    alarm_topic_arn=EXISTING_TOPIC_ARN,
    families=("training",),
    alarm_emails=ALARM_EMAILS,
    operator_role_arn=OPERATOR_ROLE_ARN,
    trace_principals=TRACE_PRINCIPALS,
    archive_retention_days=0,
)


def cdk_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ROOT / "cdk.json").read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True)
class SynthesizedStack:
    stack: LineageRecorderStack
    template: Template
    json: dict[str, Any]
    template_path: Path

    def resources(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            logical_id: resource
            for logical_id, resource in self.json["Resources"].items()
            if resource["Type"] == resource_type
        }

    def only(self, resource_type: str) -> tuple[str, dict[str, Any]]:
        found = self.resources(resource_type)
        assert len(found) == 1, f"expected one {resource_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def recorder_function(self) -> tuple[str, dict[str, Any]]:
        """The queue's function (the stack also has the daily reconcile's)."""
        logical_id = self.logical_id("Recorder/Function/Resource")
        return logical_id, self.json["Resources"][logical_id]

    def logical_id(self, path_suffix: str) -> str:
        """The logical id of the resource whose construct path ends with `path_suffix`."""
        matches: list[str] = [
            logical_id
            for logical_id, resource in self.json["Resources"].items()
            if resource.get("Metadata", {}).get("aws:cdk:path", "").endswith(path_suffix)
        ]
        assert len(matches) == 1, f"{path_suffix}: {matches}"
        return matches[0]


@dataclass(frozen=True)
class Synthesis:
    app: App
    outdir: Path
    default: SynthesizedStack
    configured: SynthesizedStack


@pytest.fixture(scope="session")
def synthesis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesis]:
    outdir = tmp_path_factory.mktemp("cdk.out")
    context = dict(cdk_json()["context"])
    # Path metadata lets tests find resources by construct path, as `cdk synth` records it.
    context["aws:cdk:enable-path-metadata"] = True
    app = App(context=context, outdir=str(outdir))
    enable_nag(app)
    default = LineageRecorderStack(app, "Default", config=RecorderConfig.from_context(app.node), env=ENV)
    configured = LineageRecorderStack(app, "Configured", config=CONFIGURED, env=ENV)

    assembly = app.synth()

    def synthesized(stack: LineageRecorderStack) -> SynthesizedStack:
        artifact = assembly.get_stack_artifact(stack.artifact_id)
        template: dict[str, Any] = artifact.template
        return SynthesizedStack(
            stack, Template.from_json(template), template, Path(artifact.template_full_path)
        )

    yield Synthesis(app, outdir, synthesized(default), synthesized(configured))
