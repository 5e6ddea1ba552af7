"""``lineage-recorder demo``: the whole flow on the embedded emulator, ending with the lineage trace."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a data -> training -> registry -> endpoint workflow locally and trace it"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lineage_recorder_cli.environment import quiet_powertools, use_local_credentials

    use_local_credentials()
    quiet_powertools()

    import boto3
    import sagemaker_lineage_emulator
    from moto import mock_aws

    from lineage_recorder_cli.commands.trace import trace
    from lineage_recorder_cli.demo_workflow import run_workflow
    from lineage_recorder_cli.local_aws import LocalEventPipeline

    sagemaker_lineage_emulator.install()
    with mock_aws():
        from lineage_recorder import handler

        account = boto3.client("sts").get_caller_identity()["Account"]
        region = boto3.session.Session().region_name or "us-east-1"
        sagemaker = boto3.client("sagemaker")
        pipeline = LocalEventPipeline(
            boto3.client("events"), boto3.client("sqs"), account=account, region=region
        )
        print("== SageMaker workflow on the local emulator (account", account, region + ")")
        details = run_workflow(sagemaker, pipeline)
        for step, detail in details.items():
            arn = next(
                value
                for key, value in detail.items()
                if key.endswith(("JobArn", "PackageArn", "EndpointArn"))
            )
            print(f"   {step:<10} {arn}")
        print("== EventBridge -> SQS -> recorder Lambda handler")
        report = pipeline.drain(handler.lambda_handler)
        print(f"   batches: {report.batches}, records recorded: {report.delivered}")
        print(f"   failed attempts: {report.failed_attempts}")
        print(f"   dead-lettered: {len(report.dead_lettered)}")
        artifacts = sagemaker.list_artifacts(MaxResults=100)["ArtifactSummaries"]
        print(f"   lineage artifacts in the account: {len(artifacts)} (one per SourceUri)")
        endpoint_arn = details["endpoint"]["EndpointArn"]
        print(f"== Lineage of the endpoint ({endpoint_arn}), back to the raw data")
        print(trace(sagemaker, endpoint_arn, direction="ascendants", depth=10, output_format="tree"))
        failed = report.failed_attempts > 0 or report.dead_lettered
    return 1 if failed else 0
