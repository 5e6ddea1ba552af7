#!/usr/bin/env python3
"""CDK app: the SageMaker lineage recorder as one stack.

Configuration comes from CDK context (cdk.json, or `-c lineage:<option>=<value>`);
see "Deploy to AWS" in README.md.
cdk-nag's AwsSolutions checks run on every synth and fail it on any unacknowledged finding.

The stack is environment-agnostic: account and Region come from the credentials used at deploy time.
"""

from __future__ import annotations

import sys

from aws_cdk import App

from infra.config import ConfigError, RecorderConfig
from infra.nag import enable_nag
from infra.stack import STACK_NAME, LineageRecorderStack


def main() -> None:
    app = App()
    try:
        config = RecorderConfig.from_context(app.node)
    except ConfigError as error:
        sys.exit(f"invalid CDK context (cdk.json or -c): {error}")
    enable_nag(app)
    LineageRecorderStack(app, STACK_NAME, config=config)
    app.synth()


if __name__ == "__main__":
    main()
