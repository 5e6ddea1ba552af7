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
from infra.peer_access import ORGANIZATION_ID
from infra.stack import STACK_NAME, LineageRecorderStack

# Optional: the AWS Organization of all peer accounts; adds aws:PrincipalOrgID to the peer role trust.
CTX_PEER_ORGANIZATION_ID = "lineage:peerOrganizationId"


def main() -> None:
    app = App()
    try:
        config = RecorderConfig.from_context(app.node)
    except ConfigError as error:
        sys.exit(f"invalid CDK context (cdk.json or -c): {error}")
    organization_id = app.node.try_get_context(CTX_PEER_ORGANIZATION_ID) or None
    if organization_id is not None and not ORGANIZATION_ID.fullmatch(str(organization_id)):
        sys.exit(f"invalid CDK context: {CTX_PEER_ORGANIZATION_ID}: {organization_id!r} is not an o-... id")
    enable_nag(app)
    LineageRecorderStack(
        app, STACK_NAME, config=config, peer_organization_id=str(organization_id) if organization_id else None
    )
    app.synth()


if __name__ == "__main__":
    main()
