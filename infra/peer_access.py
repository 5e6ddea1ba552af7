"""`LineagePeerAccess`: the read-only role that the recorders of the peer accounts assume in this account.

Deployed from the same app in every account of a cross-account set-up (the stack adds it when
`lineage:peerAccounts` is set). Each peer's recorder looks up twins of the entities it records here,
and `lineage-recorder trace` follows SameAs edges into this account, through this role.

Trust: one statement per configured peer account, never a wildcard principal. The principal is the peer
account, narrowed by `aws:PrincipalArn` to that account's recorder function role (CloudFormation names it
`<stack name>-RecorderFunctionRole...`, so the condition is `ArnLike` on that prefix), and, when the
accounts share an AWS Organization (`lineage:peerOrganizationId`), by `aws:PrincipalOrgID`. No external
id: it guards against a confused third party acting for several customers, and both sides here belong to
the same owner; the recorder would also have to carry a secret that the principal-ARN condition already
makes unnecessary.

Permissions: only reading lineage. The List* calls and QueryLineage have no resource-level permissions
(Resource "*"); the Describe* calls are limited to lineage entities and trial components in this account
and Region. Nothing writes: the SameAs association is added by the *local* recorder, in its own account,
with its own role (`sagemaker:AddAssociation` on its own artifacts), pointing at the ARN read here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.config import DEFAULT_PEER_ROLE_NAME
from infra.nag import acknowledge, wildcard_resource_finding

DEFAULT_RECORDER_ROLE_PREFIX = "SageMakerLineageRecorder-RecorderFunctionRole"
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")

PEER_LIST_ACTIONS = (
    "sagemaker:ListArtifacts",
    "sagemaker:ListActions",
    "sagemaker:ListContexts",
    "sagemaker:ListAssociations",
    "sagemaker:QueryLineage",
)
PEER_DESCRIBE_ACTIONS_BY_RESOURCE_TYPE = {
    "artifact": ("sagemaker:DescribeArtifact",),
    "action": ("sagemaker:DescribeAction",),
    "context": ("sagemaker:DescribeContext",),
    "experiment-trial-component": ("sagemaker:DescribeTrialComponent",),
}


class LineagePeerAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        peer_accounts: Sequence[str],
        role_name: str = DEFAULT_PEER_ROLE_NAME,
        recorder_role_prefix: str = DEFAULT_RECORDER_ROLE_PREFIX,
        organization_id: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        if not peer_accounts:
            raise ValueError("LineagePeerAccess needs at least one peer account to trust")
        if organization_id is not None and not ORGANIZATION_ID.fullmatch(organization_id):
            raise ValueError(f"{organization_id!r} is not an AWS Organizations id (o-...)")
        if "*" in recorder_role_prefix or not recorder_role_prefix:
            raise ValueError("recorder_role_prefix must be a literal role-name prefix without '*'")

        def recorder_roles(account: str) -> str:
            return f"arn:{stack.partition}:iam::{account}:role/{recorder_role_prefix}*"

        def conditions(account: str) -> dict[str, dict[str, str]]:
            found = {"ArnLike": {"aws:PrincipalArn": recorder_roles(account)}}
            if organization_id is not None:
                found["StringEquals"] = {"aws:PrincipalOrgID": organization_id}
            return found

        first, *others = peer_accounts
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description="Read-only access to this account's SageMaker lineage for the peers' recorders",
            assumed_by=iam.AccountPrincipal(first).with_conditions(conditions(first)),
        )
        for account in others:
            self.role.assume_role_policy.add_statements(  # type: ignore[union-attr]
                iam.PolicyStatement(
                    actions=["sts:AssumeRole"],
                    principals=[iam.AccountPrincipal(account)],
                    conditions=conditions(account),
                )
            )

        listing = iam.Policy(
            self,
            "ListPolicy",
            roles=[self.role],
            statements=[iam.PolicyStatement(actions=list(PEER_LIST_ACTIONS), resources=["*"])],
        )
        acknowledge(
            listing,
            wildcard_resource_finding(self, "*"),
            "SageMaker ListArtifacts, ListActions, ListContexts, ListAssociations and QueryLineage do not "
            "support resource-level permissions, so IAM only accepts Resource '*'; this policy holds only "
            "those read-only calls.",
        )

        def sagemaker_arn(resource_type: str) -> str:
            return f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:{resource_type}/*"

        describe = iam.Policy(
            self,
            "DescribePolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(actions=list(actions), resources=[sagemaker_arn(resource_type)])
                for resource_type, actions in PEER_DESCRIBE_ACTIONS_BY_RESOURCE_TYPE.items()
            ],
        )
        for resource_type in PEER_DESCRIBE_ACTIONS_BY_RESOURCE_TYPE:
            acknowledge(
                describe,
                wildcard_resource_finding(self, sagemaker_arn(resource_type)),
                f"Peer recorders and traces describe whichever {resource_type} a SourceUri lookup or a "
                "SameAs edge leads to, known only at run time; the grant is one read-only Describe action "
                f"on {resource_type} ARNs in this account and Region.",
            )
