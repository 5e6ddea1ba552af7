"""The roles other accounts use to read this account's lineage.

`LineagePeerAccess`: the role the peer accounts' *recorders* assume here to find the twins of what they
record. Deployed from the same app in every account of a cross-account set-up (the stack adds it when
`lineage:peerAccounts` is set).
- Trust: one statement per configured peer account, never a wildcard principal. The principal is the
  peer account, narrowed with `ArnEquals` on `aws:PrincipalArn` to exactly that account's recorder role
  (`arn:<partition>:iam::<peer>:role/lineage-recorder/SageMakerLineageRecorder-<region>`: a fixed name,
  so no other role, however named, matches), and with `lineage:peerOrganizationId` by
  `aws:PrincipalOrgID` too. No external id: both sides belong to the same owner, and the exact principal
  ARN already does what it would.
- Permissions: only the List calls the linker makes (ListArtifacts, ListActions, ListContexts,
  ListAssociations). Nothing describes or writes: the SameAs association is added by the *local* recorder,
  in its own account, pointing at the ARN read here.

`LineageTraceAccess`: optional, for *people* tracing lineage across accounts (`lineage-recorder trace
--peer-role-arn`): QueryLineage and Describe* on this account's lineage, trusting exactly the principals
named in `lineage:tracePrincipals`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from aws_cdk import Stack
from aws_cdk import aws_iam as iam
from constructs import Construct
from lineage_recorder.settings import DEFAULT_TRACE_ROLE_NAME

from infra.config import DEFAULT_PEER_ROLE_NAME
from infra.nag import acknowledge, wildcard_resource_finding
from infra.permissions import this_region

ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")

# What the peer recorders' linker calls (lineage_recorder.peers.linker): List* by SourceUri, and
# ListAssociations to see whether the twin already links back.
PEER_LIST_ACTIONS = (
    "sagemaker:ListArtifacts",
    "sagemaker:ListActions",
    "sagemaker:ListContexts",
    "sagemaker:ListAssociations",
)
TRACE_LIST_ACTIONS = (*PEER_LIST_ACTIONS, "sagemaker:QueryLineage")
TRACE_DESCRIBE_ACTIONS_BY_RESOURCE_TYPE = {
    "artifact": ("sagemaker:DescribeArtifact",),
    "action": ("sagemaker:DescribeAction",),
    "context": ("sagemaker:DescribeContext",),
    "experiment-trial-component": ("sagemaker:DescribeTrialComponent",),
}


def recorder_role_arn(scope: Construct, account: str, role_path: str, role_name: str) -> str:
    """The exact ARN of `account`'s recorder role, in this stack's partition."""
    return f"arn:{Stack.of(scope).partition}:iam::{account}:role{role_path}{role_name}"


class LineagePeerAccess(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        peer_accounts: Sequence[str],
        recorder_role_path: str,
        recorder_role_name: str,
        role_name: str = DEFAULT_PEER_ROLE_NAME,
        organization_id: str | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        if not peer_accounts:
            raise ValueError("LineagePeerAccess needs at least one peer account to trust")
        if organization_id is not None and not ORGANIZATION_ID.fullmatch(organization_id):
            raise ValueError(f"{organization_id!r} is not an AWS Organizations id (o-...)")

        def conditions(account: str) -> dict[str, dict[str, str]]:
            found = {
                "ArnEquals": {
                    "aws:PrincipalArn": recorder_role_arn(
                        self, account, recorder_role_path, recorder_role_name
                    )
                }
            }
            if organization_id is not None:
                found["StringEquals"] = {"aws:PrincipalOrgID": organization_id}
            return found

        first, *others = peer_accounts
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description="Lists this account's SageMaker lineage for the peer accounts' lineage recorders",
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
            statements=[
                iam.PolicyStatement(
                    actions=list(PEER_LIST_ACTIONS), resources=["*"], conditions=this_region(self)
                )
            ],
        )
        acknowledge(
            listing,
            wildcard_resource_finding(self, "*"),
            "SageMaker ListArtifacts, ListActions, ListContexts and ListAssociations do not support "
            "resource-level permissions, so IAM only accepts Resource '*'; this policy holds only those "
            "read-only List calls, the ones a peer's recorder makes to find twins.",
        )


class LineageTraceAccess(Construct):
    """Read access to this account's lineage for the named people who trace across accounts."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        principals: Sequence[str],
        role_name: str = DEFAULT_TRACE_ROLE_NAME,
    ) -> None:
        super().__init__(scope, construct_id)
        if not principals:
            raise ValueError("LineageTraceAccess needs at least one principal to trust")
        stack = Stack.of(self)
        self.role = iam.Role(
            self,
            "Role",
            role_name=role_name,
            description="Traces this account's SageMaker lineage (lineage-recorder trace) for named people",
            assumed_by=iam.CompositePrincipal(*(iam.ArnPrincipal(arn) for arn in principals)),
        )
        listing = iam.Policy(
            self,
            "ListPolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    actions=list(TRACE_LIST_ACTIONS), resources=["*"], conditions=this_region(self)
                )
            ],
        )
        acknowledge(
            listing,
            wildcard_resource_finding(self, "*"),
            "SageMaker QueryLineage and the List calls of lineage do not support resource-level "
            "permissions, so IAM only accepts Resource '*'; this policy holds only those read-only calls, "
            "in this Region only.",
        )

        def sagemaker_arn(resource_type: str) -> str:
            return f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:{resource_type}/*"

        describe = iam.Policy(
            self,
            "DescribePolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(actions=list(actions), resources=[sagemaker_arn(resource_type)])
                for resource_type, actions in TRACE_DESCRIBE_ACTIONS_BY_RESOURCE_TYPE.items()
            ],
        )
        for resource_type in TRACE_DESCRIBE_ACTIONS_BY_RESOURCE_TYPE:
            acknowledge(
                describe,
                wildcard_resource_finding(self, sagemaker_arn(resource_type)),
                f"A trace describes whichever {resource_type} the lineage graph leads to, known only at run "
                f"time; the grant is one read-only Describe action on {resource_type} ARNs in this account "
                "and Region.",
            )
