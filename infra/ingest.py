"""How events reach the recorder: the rules, the queues, who may use the queues, and the event archive.

SageMaker ──events──> one EventBridge rule per enabled family (this account's events only)
  ──> Queue ──(5 receives)──> DeadLetterQueue     (failures SQS may deliver again: redrivable)
        └──(handler, at once)──> RejectedQueue    (invalid records: kept to read, never redriven)
EventBridge's own delivery failures land in the DeadLetterQueue too.

Queue policies deny, besides anything without TLS:
- sending, to every principal but the rules (aws:SourceArn) and, on the rejected queue, the function;
- receiving, deleting, changing visibility, purging and moving messages, to every principal but the
  function (the queue it reads) and the operator role (`lineage:operatorRoleArn`), when one is set.
The operator role is the only one that can read the dead-letter queues and redrive them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from lineage_recorder import redelivery
from lineage_recorder.families import Family

from infra.nag import acknowledge, skip_checkov

MAX_RECEIVE_COUNT = redelivery.MAX_RECEIVE_COUNT  # with its backoff, 12 hours of failures (redelivery.py)
QUEUE_RETENTION = Duration.days(4)
# Standard queues keep a message's original enqueue time in the DLQ, so the DLQ must retain longer.
DLQ_RETENTION = Duration.days(14)
# What reads or empties a queue, and moves messages out of a dead-letter queue.
CONSUMING_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:PurgeQueue",
    "sqs:StartMessageMoveTask",
    "sqs:CancelMessageMoveTask",
)

_EVENT_PATTERN_FIELDS = {
    "version": "version",
    "id": "id",
    "detail-type": "detail_type",
    "source": "source",
    "account": "account",
    "time": "time",
    "region": "region",
    "resources": "resources",
    "detail": "detail",
}


def to_event_pattern(pattern: Mapping[str, Any]) -> events.EventPattern:
    """The CDK form of an EventBridge pattern dict; unknown top-level keys are an error, not dropped."""
    unknown = sorted(set(pattern) - set(_EVENT_PATTERN_FIELDS))
    if unknown:
        raise ValueError(f"event pattern keys the stack cannot express: {unknown}")
    return events.EventPattern(**{_EVENT_PATTERN_FIELDS[key]: value for key, value in pattern.items()})


def _construct_id(family_name: str) -> str:
    return "".join(part.capitalize() for part in family_name.replace("-", "_").split("_"))


@dataclass(frozen=True)
class Queues:
    queue: sqs.Queue
    dead_letter_queue: sqs.Queue
    rejected_queue: sqs.Queue


def queues(scope: Construct, *, visibility_timeout: Duration) -> Queues:
    stack = Stack.of(scope)
    # The queue has a name so that the dead-letter queue can allow it as its only source by ARN without a
    # reference cycle (the queue's redrive policy already names the dead-letter queue).
    queue_name = f"{stack.stack_name}-Queue"[:80]
    queue_arn = stack.format_arn(service="sqs", resource=queue_name)
    dead_letter_queue = sqs.Queue(
        scope,
        "DeadLetterQueue",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DLQ_RETENTION,
    )
    dead_letter_queue.node.default_child.add_property_override(  # type: ignore[union-attr]
        "RedriveAllowPolicy", {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn]}
    )
    queue = sqs.Queue(
        scope,
        "Queue",
        queue_name=queue_name,
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=QUEUE_RETENTION,
        visibility_timeout=visibility_timeout,
        dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=MAX_RECEIVE_COUNT, queue=dead_letter_queue),
    )
    rejected_queue = sqs.Queue(
        scope,
        "RejectedQueue",
        encryption=sqs.QueueEncryption.SQS_MANAGED,
        enforce_ssl=True,
        retention_period=DLQ_RETENTION,
        redrive_allow_policy=sqs.RedriveAllowPolicy(redrive_permission=sqs.RedrivePermission.DENY_ALL),
    )
    acknowledge(
        rejected_queue.node.default_child,  # type: ignore[arg-type]
        "AwsSolutions-SQS3",
        "The rejected queue is where the recorder parks records it refused (invalid events), each with its "
        "reason, for a person to read; it is the end of the line, so it has no dead-letter queue of its own.",
    )
    for encrypted in (queue, dead_letter_queue, rejected_queue):
        skip_checkov(
            encrypted,
            "CKV_AWS_27",
            "Encrypted at rest with SQS-managed keys (SqsManagedSseEnabled); checkov only recognises a KMS "
            "key. A customer-managed key would also have to let EventBridge encrypt, for no control gained.",
        )
    return Queues(queue, dead_letter_queue, rejected_queue)


def rules(scope: Construct, families: Sequence[Family], queues: Queues) -> dict[str, events.Rule]:
    """One rule per enabled family, from the family's own pattern, for this account's events only (a
    peer's resources are recorded by the peer's recorder)."""
    account = Stack.of(scope).account
    return {
        family.name: events.Rule(
            scope,
            f"{_construct_id(family.name)}Rule",
            description=f"{family.detail_type} events the lineage recorder acts on",
            event_pattern=to_event_pattern(family.event_pattern(account=account)),
            targets=[targets.SqsQueue(queues.queue, dead_letter_queue=queues.dead_letter_queue)],
        )
        for family in families
    }


def archive(scope: Construct, families: Sequence[Family], retention_days: int) -> events.Archive | None:
    """The SageMaker events the rules route, kept for `retention_days` so that missed ones can be replayed
    (README, "Recovering"); None when the retention is 0."""
    if retention_days == 0:
        return None
    stack = Stack.of(scope)
    return events.Archive(
        scope,
        "EventArchive",
        source_event_bus=events.EventBus.from_event_bus_name(scope, "DefaultBus", "default"),
        description="SageMaker state-change events the lineage recorder acts on, for replays",
        event_pattern=events.EventPattern(
            source=["aws.sagemaker"],
            account=[stack.account],
            detail_type=[family.detail_type for family in families],
        ),
        retention=Duration.days(retention_days),
    )


def lock(
    queues: Queues,
    *,
    rules: Sequence[events.Rule],
    function_role: iam.IRole,
    operator_role_arn: str | None,
) -> None:
    """Deny everyone but the rules, the function and the operator role the use of each queue."""
    operators = [operator_role_arn] if operator_role_arn else []
    rule_arns = [rule.rule_arn for rule in rules]

    def deny(queue: sqs.Queue, sid: str, actions: Sequence[str], unless: dict[str, list[str]]) -> None:
        queue.add_to_resource_policy(
            iam.PolicyStatement(
                sid=sid,
                effect=iam.Effect.DENY,
                principals=[iam.AnyPrincipal()],
                actions=list(actions),
                resources=[queue.queue_arn],
                conditions={"ArnNotEquals": unless} if unless else None,
            )
        )

    for queue in (queues.queue, queues.dead_letter_queue):
        # EventBridge's rules deliver (and dead-letter) with their own ARN as the source.
        deny(
            queue,
            "OnlyTheRulesSend",
            ["sqs:SendMessage"],
            {"aws:SourceArn": rule_arns, **({"aws:PrincipalArn": operators} if operators else {})},
        )
    deny(
        queues.queue,
        "OnlyTheRecorderConsumes",
        CONSUMING_ACTIONS,
        {"aws:PrincipalArn": [function_role.role_arn, *operators]},
    )
    deny(
        queues.rejected_queue,
        "OnlyTheRecorderParksRejectedRecords",
        ["sqs:SendMessage"],
        {"aws:PrincipalArn": [function_role.role_arn]},
    )
    for queue in (queues.dead_letter_queue, queues.rejected_queue):
        deny(
            queue,
            "OnlyTheOperatorConsumes",
            CONSUMING_ACTIONS,
            {"aws:PrincipalArn": operators} if operators else {},
        )
