"""The recorder function's IAM grants, derived from the code that makes the calls, never retyped.

- SageMaker lineage calls: the gateway's declarations (``lineage_recorder.apply.gateway``), per resource
  type in this account and Region, and its List* calls on "*" (IAM offers nothing narrower for List*);
- SageMaker Describe* calls: each enabled family's declarations (``Family.describes``), per resource type;
- the state table's item actions; ``sqs:SendMessage`` to the rejected queue; ``sts:AssumeRole`` only onto
  the configured peers' reader roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from aws_cdk import Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from lineage_recorder.apply.gateway import LINEAGE_GRANTS, LIST_GRANTS, MANAGED_TAG, TAGGED_CREATES
from lineage_recorder.backfill import list_operations
from lineage_recorder.families import Family, describe_calls

from infra.config import RecorderConfig
from infra.nag import acknowledge, wildcard_resource_finding

STATE_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
)
# Item writes to the state table: denied in its resource policy to all but the recorder and the operator.
STATE_TABLE_WRITES = (
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:PartiQLInsert",
    "dynamodb:PartiQLUpdate",
    "dynamodb:PartiQLDelete",
)
_LINEAGE_ENTITY_TYPES = ("artifact", "action", "context")


def this_region(scope: Construct) -> dict[str, dict[str, str]]:
    """An IAM condition: only calls to the stack's own Region (for actions IAM grants only on "*")."""
    return {"StringEquals": {"aws:RequestedRegion": Stack.of(scope).region}}


def lock_state_table(table: dynamodb.Table, *, writers: Iterable[str]) -> None:
    """Deny item writes to everyone but `writers` (role ARNs): the table decides which ARNs the recorder
    reuses and which links it retries, so a principal allowed to write items elsewhere in the account
    must not be able to plant them. (One allowed to change the table's policy or replace the table can
    still undo this; README, "What the policies cannot stop".) The policy's Resource is "*" (the table
    itself): naming the table's ARN in its own policy would be a reference cycle."""
    table.add_to_resource_policy(
        iam.PolicyStatement(
            sid="OnlyTheRecorderWrites",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=list(STATE_TABLE_WRITES),
            resources=["*"],
            conditions={"ArnNotEquals": {"aws:PrincipalArn": list(writers)}},
        )
    )


_TRIAL_COMPONENT = "experiment-trial-component"


def sagemaker_grants(families: Iterable[Family]) -> dict[str, tuple[str, ...]]:
    """Resource type -> the SageMaker actions the recorder calls on it, with these families enabled."""
    grants: dict[str, list[str]] = {
        resource_type: list(actions) for resource_type, actions in LINEAGE_GRANTS.items()
    }
    for call in describe_calls(families):
        grants.setdefault(call.resource_type, []).append(call.iam_action)
    return {resource_type: tuple(dict.fromkeys(actions)) for resource_type, actions in grants.items()}


def _reason(resource_type: str) -> str:
    if resource_type == _TRIAL_COMPONENT:
        return (
            "The recorder describes the trial component SageMaker creates for each job (named after "
            "the job in the event, known only at run time) and associates lineage with it; the grant "
            "is limited to trial-component ARNs in this account and Region and to those actions."
        )
    if resource_type in _LINEAGE_ENTITY_TYPES:
        return (
            f"The recorder creates, reads, updates, tags and associates SageMaker lineage "
            f"{resource_type}s whose names it derives at run time from the SourceUri of what it "
            f"records, so no name is known at deploy time; the grant is limited to {resource_type} "
            "ARNs in this account and Region."
        )
    return (
        f"The recorder describes whichever SageMaker {resource_type} a state-change event "
        "(or a resource it references) names, known only at run time; the grant is limited to "
        f"{resource_type} ARNs in this account and Region and to the actions listed."
    )


def grant_reconcile_listing(scope: Construct, role: iam.IRole, families: Iterable[Family]) -> iam.Policy:
    """The List* calls the reconcile's backfill makes for the enabled families (read-only, Resource "*")."""
    actions = [f"sagemaker:{operation}" for operation in list_operations(families)]
    policy = iam.Policy(
        scope,
        "ReconcileListPolicy",
        roles=[role],
        statements=[iam.PolicyStatement(actions=actions, resources=["*"], conditions=this_region(scope))],
    )
    acknowledge(
        policy,
        wildcard_resource_finding(scope, "*"),
        f"SageMaker List* calls ({', '.join(action.split(':')[1] for action in actions)}) do not support "
        "resource-level permissions, so IAM only accepts Resource '*'; the reconcile lists the resources it "
        "records, and this policy holds nothing but those read-only List actions.",
    )
    return policy


def grant_recorder_permissions(
    scope: Construct,
    role: iam.Role,
    *,
    table: dynamodb.Table,
    rejected_queue: sqs.IQueue,
    families: Iterable[Family],
    config: RecorderConfig,
) -> list[iam.Policy]:
    stack = Stack.of(scope)

    def sagemaker_arn(resource_type: str) -> str:
        return f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:{resource_type}/*"

    grants: Mapping[str, tuple[str, ...]] = sagemaker_grants(families)
    # Creating (and tagging) is allowed only with the recorder's own tag, exactly: whatever it creates
    # can be told apart from SageMaker's entities and from anyone else's.
    only_the_managed_tag = {
        "StringEquals": {f"aws:RequestTag/{MANAGED_TAG['Key']}": MANAGED_TAG["Value"]},
        "ForAllValues:StringEquals": {"aws:TagKeys": [MANAGED_TAG["Key"]]},
    }
    statements = []
    for resource_type, actions in grants.items():
        untagged = [action for action in actions if action not in TAGGED_CREATES]
        tagged = [action for action in actions if action in TAGGED_CREATES]
        if untagged:
            statements.append(iam.PolicyStatement(actions=untagged, resources=[sagemaker_arn(resource_type)]))
        if tagged:
            statements.append(
                iam.PolicyStatement(
                    actions=tagged, resources=[sagemaker_arn(resource_type)], conditions=only_the_managed_tag
                )
            )
    sagemaker = iam.Policy(scope, "SageMakerPolicy", roles=[role], statements=statements)
    for resource_type in grants:
        acknowledge(
            sagemaker, wildcard_resource_finding(scope, sagemaker_arn(resource_type)), _reason(resource_type)
        )

    listing = iam.Policy(
        scope,
        "SageMakerListPolicy",
        roles=[role],
        statements=[
            iam.PolicyStatement(actions=list(LIST_GRANTS), resources=["*"], conditions=this_region(scope))
        ],
    )
    acknowledge(
        listing,
        wildcard_resource_finding(scope, "*"),
        f"SageMaker List* calls ({', '.join(action.split(':')[1] for action in LIST_GRANTS)}) do not support "
        "resource-level permissions, so IAM only accepts Resource '*'; this policy holds nothing but those "
        f"{len(LIST_GRANTS)} read-only List actions.",
    )

    state = iam.Policy(
        scope,
        "StateTablePolicy",
        roles=[role],
        statements=[iam.PolicyStatement(actions=list(STATE_TABLE_ACTIONS), resources=[table.table_arn])],
    )
    policies = [sagemaker, listing, state]
    # Invalid records are parked in the rejected queue (infra/ingest.py).
    rejected_queue.grant_send_messages(role)

    if config.peer_accounts:
        policies.append(
            iam.Policy(
                scope,
                "PeerAccessPolicy",
                roles=[role],
                statements=[
                    iam.PolicyStatement(
                        actions=["sts:AssumeRole"],
                        resources=[
                            stack.format_arn(
                                service="iam",
                                region="",
                                account=account,
                                resource="role",
                                resource_name=config.peer_role_name,
                            )
                            for account in config.peer_accounts
                        ],
                    )
                ],
            )
        )

    # X-Ray tracing (Tracing.ACTIVE) puts xray:PutTraceSegments/PutTelemetryRecords on "*" into the
    # role's default policy, next to the SQS consumer and log-group grants.
    acknowledge(
        role.node.find_child("DefaultPolicy"),
        wildcard_resource_finding(scope, "*"),
        "X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no "
        "resource-level permissions and must be granted on '*'; every other statement in this policy is "
        "scoped to this stack's queue and log group.",
    )
    return policies
