"""``lineage-recorder demo``: the whole flow on the embedded emulator, ending with the lineage trace.

Two accounts: dev (moto's default account) prepares data, trains, scores and registers the model;
prod (``PROD_ACCOUNT``, reached with ``sts.assume_role`` credentials) deploys the package registered in
dev. Each account runs its own recorder (its own queue and handler, LINEAGE_PEER_ACCOUNTS naming the
other), and prod, recording second, links its entities to dev's twins with SameAs. The demo ends with
the trace of the prod endpoint, across the SameAs edges, back to the raw data in dev.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PROD_ACCOUNT = "111111111111"
_CREDENTIAL_VARIABLES = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")


@contextmanager
def acting_as(credentials: dict[str, str] | None, peers: str) -> Iterator[None]:
    """Run the recorder (handler, cached clients) with these credentials and LINEAGE_PEER_ACCOUNTS."""
    from lineage_recorder import aws, handler

    saved = {name: os.environ.get(name) for name in (*_CREDENTIAL_VARIABLES, "LINEAGE_PEER_ACCOUNTS")}
    if credentials is not None:
        os.environ["AWS_ACCESS_KEY_ID"] = credentials["AccessKeyId"]
        os.environ["AWS_SECRET_ACCESS_KEY"] = credentials["SecretAccessKey"]
        os.environ["AWS_SESSION_TOKEN"] = credentials["SessionToken"]
    os.environ["LINEAGE_PEER_ACCOUNTS"] = peers
    aws.forget_clients()
    handler.recorder.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        aws.forget_clients()
        handler.recorder.cache_clear()


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "demo", help="run a data -> training -> registry -> endpoint workflow locally and trace it"
    )
    parser.add_argument(
        "--html",
        default="lineage-demo.html",
        metavar="FILE",
        help="where to write the final trace as an HTML page (default: lineage-demo.html)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from lineage_recorder_cli.environment import quiet_powertools, use_local_credentials

    # The demo runs on its own embedded emulator, whatever AWS_ENDPOINT_URL an emulator's banner had a
    # person export: every client it makes must reach the embedded one.
    for name in [name for name in os.environ if name.startswith("AWS_ENDPOINT_URL")]:
        del os.environ[name]
    use_local_credentials()
    quiet_powertools()

    import boto3
    import sagemaker_lineage_emulator
    from moto import mock_aws

    from lineage_recorder_cli.commands.trace import MAX_DEPTH, render, trace, traced_graph
    from lineage_recorder_cli.demo_workflow import (
        DemoNames,
        run_cross_account_deployment,
        run_retraining,
        run_workflow,
    )
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
        details.update(run_retraining(sagemaker, pipeline, DemoNames()))
        for step, detail in details.items():
            arn = next(
                value
                for key, value in detail.items()
                if key.endswith(("JobArn", "PackageArn", "EndpointArn", "ExecutionArn"))
            )
            print(f"   {step:<10} {arn}")
        print("== EventBridge -> SQS -> recorder Lambda handler")
        with acting_as(None, PROD_ACCOUNT):
            report = pipeline.drain(handler.lambda_handler)
        print(f"   batches: {report.batches}, records recorded: {report.delivered}")
        print(f"   failed attempts: {report.failed_attempts}")
        print(f"   dead-lettered: {len(report.dead_lettered)}")
        artifacts = sagemaker.list_artifacts(MaxResults=100)["ArtifactSummaries"]
        print(f"   lineage artifacts in the account: {len(artifacts)} (one per SourceUri)")
        endpoint_arn = details["endpoint"]["EndpointArn"]
        print(f"== Lineage of the endpoint ({endpoint_arn}), back to the raw data")
        print(trace(sagemaker, endpoint_arn, direction="ascendants", depth=MAX_DEPTH, output_format="tree"))
        failed = bool(report.failed_attempts > 0 or report.dead_lettered)

        credentials = boto3.client("sts").assume_role(
            RoleArn=f"arn:aws:iam::{PROD_ACCOUNT}:role/DemoAdmin", RoleSessionName="lineage-demo"
        )["Credentials"]
        prod_session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=region,
        )
        prod_sagemaker = prod_session.client("sagemaker")
        prod_pipeline = LocalEventPipeline(
            prod_session.client("events"), prod_session.client("sqs"), account=PROD_ACCOUNT, region=region
        )
        package_arn = details["retrained"]["ModelPackageArn"]
        print(f"== Cross-account: prod ({PROD_ACCOUNT}) deploys the retrained package from dev ({account})")
        prod = run_cross_account_deployment(prod_sagemaker, prod_pipeline, package_arn)
        print(f"   endpoint   {prod['EndpointArn']}")
        with acting_as(credentials, account):
            prod_report = prod_pipeline.drain(handler.lambda_handler)
        print(f"   prod recorder: records recorded: {prod_report.delivered}")
        print(f"   dead-lettered in prod: {len(prod_report.dead_lettered)}")
        links = prod_sagemaker.list_associations(AssociationType="SameAs")["AssociationSummaries"]
        print(f"   SameAs links prod -> dev: {len(links)}")
        for link in links:
            print(f"     {link['SourceArn']} -> {link['DestinationArn']}")
        print(
            f"== Lineage of the prod endpoint ({prod['EndpointArn']}), across accounts, back to the raw data"
        )
        peers = {account: sagemaker}
        graph = traced_graph(
            prod_sagemaker, prod["EndpointArn"], direction="ascendants", depth=MAX_DEPTH, peers=peers
        )
        print(render(prod_sagemaker, graph, "tree", direction="ascendants", peers=peers))
        page = Path(args.html).resolve()
        page.write_text(render(prod_sagemaker, graph, "html", direction="ascendants", peers=peers))
        print(f"== The same lineage as a page to explore (pan, zoom, click): {page}")
        failed = failed or bool(prod_report.failed_attempts > 0 or prod_report.dead_lettered)
    return 1 if failed else 0
