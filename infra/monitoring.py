"""Alarms, their notification topic (and who it notifies) and the dashboard of the recorder.

The recorder's own metric names come from ``lineage_recorder.outcome_metrics``, the module the handler
publishes them with, so an alarm or a graph cannot name a metric the function does not send. The
resources are created in the recorder construct's scope, under the ids they have always had (renaming
them would replace the alarm topic and lose its subscriptions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from lineage_recorder.outcome_metrics import LINEAGE_QUOTAS, NAMESPACE, SERVICE, Metric, created_total

OLDEST_MESSAGE_AGE_THRESHOLD = Duration.minutes(30)
# Messages leave a dead-letter queue 14 days after they were first sent: say so well before.
DEAD_LETTER_AGE_THRESHOLD = Duration.days(7)
QUOTA_WARNING_RATIO = 0.8
# Every metric the handler publishes per record, on the dashboard.
DASHBOARD_METRICS = tuple(Metric)


def recorder_metric(name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE},
        statistic=cloudwatch.Stats.SUM,
        period=Duration.minutes(5),
    )


def alarm_topic(scope: Construct, existing_topic_arn: str | None, emails: Sequence[str]) -> sns.ITopic:
    """The topic alarms notify: an existing one, or one this stack creates; `emails` are subscribed to it.
    A synth with neither prints a warning: alarms nobody receives protect nothing."""
    topic = _topic(scope, existing_topic_arn)
    for index, email in enumerate(emails):
        sns.Subscription(
            scope, f"AlarmEmail{index}", topic=topic, protocol=sns.SubscriptionProtocol.EMAIL, endpoint=email
        )
    if existing_topic_arn is None and not emails:
        Annotations.of(scope).add_warning_v2(
            "lineage:no-alarm-recipient",
            "No one receives the recorder's alarms: set lineage:alarmEmails (or subscribe to the "
            "AlarmTopicArn output), or set lineage:alarmTopicArn to a topic your team already watches.",
        )
    return topic


def _topic(scope: Construct, existing_topic_arn: str | None) -> sns.ITopic:
    stack = Stack.of(scope)
    if existing_topic_arn is not None:
        return sns.Topic.from_topic_arn(scope, "AlarmTopic", existing_topic_arn)
    # CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the topic gets a
    # customer-managed key whose policy lets CloudWatch use it.
    key = kms.Key(
        scope,
        "AlarmTopicKey",
        description="Encrypts the SageMaker lineage recorder's alarm topic",
        enable_key_rotation=True,
        removal_policy=RemovalPolicy.DESTROY,
        pending_window=Duration.days(7),
    )
    alarm_arns = f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:*"
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToUseTheKey",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
            # Only this account's alarms: CloudWatch acting for another account may not use the key.
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {"aws:SourceArn": alarm_arns},
            },
        )
    )
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        display_name="SageMaker lineage recorder alarms",
        master_key=key,
        enforce_ssl=True,
    )
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToPublish",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions={
                "StringEquals": {"aws:SourceAccount": stack.account},
                "ArnLike": {"aws:SourceArn": alarm_arns},
            },
        )
    )
    return topic


def _growing(queue: sqs.IQueue, period: Duration) -> cloudwatch.MathExpression:
    """How many more messages a queue holds than five minutes before: above 0 whenever new ones arrive, so
    an alarm on it fires again for every new failure instead of staying in alarm after the first.
    SQS publishes nothing for a queue idle for six hours, so missing points count as empty (FILL): the
    first message after a quiet spell is an increase, not a gap."""
    return cloudwatch.MathExpression(
        expression="DIFF(FILL(visible, 0))",
        using_metrics={
            "visible": queue.metric_approximate_number_of_messages_visible(
                period=period, statistic=cloudwatch.Stats.MAXIMUM
            )
        },
        period=period,
    )


# CloudWatch: "Alarms on math expressions cannot contain more than 10 individual metrics". The rules'
# EventBridge metrics are summed ten rules per alarm; the first alarm keeps its original id.
_METRICS_PER_ALARM = 10


def _rule_groups(rules: Sequence[events.Rule]) -> list[Sequence[events.Rule]]:
    return [rules[start : start + _METRICS_PER_ALARM] for start in range(0, len(rules), _METRICS_PER_ALARM)]


def _group_suffix(group: int) -> str:
    return "" if group == 0 else str(group + 1)


def _rules_sum(rules: Sequence[events.Rule], metric_name: str, period: Duration) -> cloudwatch.MathExpression:
    """An EventBridge metric summed over the recorder's rules (AWS/Events, dimension RuleName)."""
    return cloudwatch.MathExpression(
        expression="SUM(METRICS())",
        using_metrics={
            f"rule{index}": cloudwatch.Metric(
                namespace="AWS/Events",
                metric_name=metric_name,
                dimensions_map={"RuleName": rule.rule_name},
                statistic=cloudwatch.Stats.SUM,
                period=period,
            )
            for index, rule in enumerate(rules)
        },
        period=period,
    )


def alarms(
    scope: Construct,
    *,
    queue: sqs.IQueue,
    dead_letter_queue: sqs.IQueue,
    rejected_queue: sqs.IQueue,
    function: lambda_.IFunction,
    rules: Sequence[events.Rule],
    archived: bool,
) -> list[cloudwatch.Alarm]:
    five_minutes = Duration.minutes(5)
    over_zero: dict[str, Any] = {
        "threshold": 0,
        "evaluation_periods": 1,
        "comparison_operator": cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        "treat_missing_data": cloudwatch.TreatMissingData.NOT_BREACHING,
    }

    # SQS's data points can arrive after their five minutes have closed, when the alarm already judged
    # that period from FILL's 0: an increase in any of the last three periods alarms.
    any_increase: dict[str, Any] = {**over_zero, "evaluation_periods": 3, "datapoints_to_alarm": 1}

    def recorder_alarm(construct_id: str, metric: Metric, description: str) -> cloudwatch.Alarm:
        return cloudwatch.Alarm(
            scope, construct_id, alarm_description=description, metric=recorder_metric(metric), **over_zero
        )

    def oldest_message(queue: sqs.IQueue) -> dict[str, Any]:
        return {
            "metric": queue.metric_approximate_age_of_oldest_message(
                period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
            ),
            "threshold": DEAD_LETTER_AGE_THRESHOLD.to_seconds(),
            "evaluation_periods": 1,
            "comparison_operator": cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            "treat_missing_data": cloudwatch.TreatMissingData.NOT_BREACHING,
        }

    lost_events_remedy = (
        "replay them from the archive (README, 'Recovering')"
        if archived
        else "there is no archive (lineage:archiveRetentionDays is 0), so record them again with "
        "lineage-recorder record (it describes each resource; the event only names it)"
    )
    return [
        cloudwatch.Alarm(
            scope,
            "DeadLetterQueueGrowingAlarm",
            alarm_description=(
                "New events in the dead-letter queue: the recorder could not record them after 5 attempts, "
                "or EventBridge could not deliver them. Read the function's logs, fix the cause, then "
                "redrive the dead-letter queue to the queue (README, 'Recovering')."
            ),
            metric=_growing(dead_letter_queue, five_minutes),
            **any_increase,
        ),
        cloudwatch.Alarm(
            scope,
            "DeadLetterQueueOldestMessageAlarm",
            alarm_description=(
                "Events have waited a week in the dead-letter queue; they expire 14 days after they were "
                "first sent. Redrive them, or they are lost (README, 'Recovering')."
            ),
            **oldest_message(dead_letter_queue),
        ),
        cloudwatch.Alarm(
            scope,
            "RejectedQueueGrowingAlarm",
            alarm_description=(
                "The recorder refused new records as invalid (each is in the rejected queue with its "
                "reason): events that are not SageMaker's, from an untrusted account, or about another "
                "account's resources. They are never redriven."
            ),
            metric=_growing(rejected_queue, five_minutes),
            **any_increase,
        ),
        cloudwatch.Alarm(
            scope,
            "RejectedQueueOldestMessageAlarm",
            alarm_description=(
                "Rejected records have waited a week unread; they expire after 14 days. Read their "
                "reasons (message attribute 'reason') with the operator role, then delete them."
            ),
            **oldest_message(rejected_queue),
        ),
        *(
            cloudwatch.Alarm(
                scope,
                f"EventDeliveryFailedAlarm{_group_suffix(group)}",
                alarm_description=(
                    "EventBridge could not deliver events to the recorder's queue (FailedInvocations); they "
                    "went to the dead-letter queue, or were lost if that failed too."
                ),
                metric=_rules_sum(group_rules, "FailedInvocations", five_minutes),
                **over_zero,
            )
            for group, group_rules in enumerate(_rule_groups(rules))
        ),
        *(
            cloudwatch.Alarm(
                scope,
                f"EventDeadLetterFailedAlarm{_group_suffix(group)}",
                alarm_description=(
                    "EventBridge could neither deliver events nor put them in the dead-letter queue "
                    f"(InvocationsFailedToBeSentToDlq): those events are lost; {lost_events_remedy}."
                ),
                metric=_rules_sum(group_rules, "InvocationsFailedToBeSentToDlq", five_minutes),
                **over_zero,
            )
            for group, group_rules in enumerate(_rule_groups(rules))
        ),
        cloudwatch.Alarm(
            scope,
            "FunctionErrorsAlarm",
            alarm_description="Recorder invocations failed as a whole (crash, timeout, out of memory).",
            metric=function.metric_errors(period=five_minutes, statistic=cloudwatch.Stats.SUM),
            **over_zero,
        ),
        cloudwatch.Alarm(
            scope,
            "FunctionThrottlesAlarm",
            alarm_description="Recorder invocations were throttled (account concurrency exhausted).",
            metric=function.metric_throttles(period=five_minutes, statistic=cloudwatch.Stats.SUM),
            **over_zero,
        ),
        recorder_alarm(
            "QuotaExceededAlarm",
            Metric.QUOTA_EXCEEDED,
            "SageMaker refused to create lineage: an account quota for lineage entities is reached. "
            "The records are in the dead-letter queue; request a quota increase, then redrive them.",
        ),
        recorder_alarm(
            "RecordsFailedUnexpectedlyAlarm",
            Metric.RECORDS_FAILED_UNEXPECTEDLY,
            "A record failed in a way the recorder did not foresee (a bug, or a state item it cannot read); "
            "SQS delivers it again, then parks it in the dead-letter queue. The log lines 'Record failed "
            "unexpectedly' carry the error and its traceback.",
        ),
        recorder_alarm(
            "StateItemsCorruptAlarm",
            Metric.STATE_ITEMS_CORRUPT,
            "State-table items did not read as what the recorder keeps in them (edited by hand, or damaged): "
            "each was dropped or repaired and treated as absent, so recording went on. The log lines 'State "
            "item corrupt; treated as absent' name the item and what was wrong.",
        ),
        recorder_alarm(
            "EventsUnconfirmedAlarm",
            Metric.EVENTS_UNCONFIRMED,
            "Events named resources SageMaker does not know, and nothing was recorded for them: forged "
            "messages, or packages and endpoints deleted before their events were processed. The log lines "
            "'Event not confirmed by SageMaker' say which.",
        ),
        recorder_alarm(
            "SkippedValuesAlarm",
            Metric.SKIPPED_VALUES,
            "Values SageMaker described could not become lineage (not an S3 URI, image or ARN): that lineage "
            "is incomplete. The log lines 'Value skipped' name the field, the value and why.",
        ),
        recorder_alarm(
            "PeerLinksDroppedAlarm",
            Metric.PEER_LINKS_DROPPED,
            "Cross-account SameAs links were given up (kept 7 days without success, or the pending store "
            "was full): the graphs of the accounts are not joined there. The log lines 'Peer link dropped' "
            "say why.",
        ),
        *(
            cloudwatch.Alarm(
                scope,
                f"{kind.capitalize()}sQuotaApproachingAlarm",
                alarm_description=(
                    f"The recorder has created {QUOTA_WARNING_RATIO:.0%} of the {quota} lineage "
                    f"{kind}s SageMaker allows per account by default."
                ),
                metric=recorder_metric(created_total(kind)).with_(statistic=cloudwatch.Stats.MAXIMUM),
                threshold=int(quota * QUOTA_WARNING_RATIO),
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            )
            for kind, quota in LINEAGE_QUOTAS.items()
        ),
        cloudwatch.Alarm(
            scope,
            "OldestMessageAgeAlarm",
            alarm_description=(
                "Events wait too long in the queue: the recorder cannot keep up at its maximum "
                "concurrency. (Records that keep failing are not in this age once received three times; "
                "the dead-letter queue alarms catch them.)"
            ),
            metric=queue.metric_approximate_age_of_oldest_message(
                period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=OLDEST_MESSAGE_AGE_THRESHOLD.to_seconds(),
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        ),
    ]


def missed_events_alarm(scope: Construct) -> cloudwatch.Alarm:
    """The daily reconcile found lineage no event had recorded, two days in a row: events are being lost
    (a disabled rule, a DLQ left to expire), not just one late."""
    return cloudwatch.Alarm(
        scope,
        "MissedEventsAlarm",
        alarm_description=(
            "The daily reconcile had to record resources whose state-change events were never recorded, two "
            "days in a row: check the rules, the queues and the dead-letter queue. The log line 'Reconcile "
            "done' lists them by family, with examples."
        ),
        metric=cloudwatch.Metric(
            namespace=NAMESPACE,
            metric_name=Metric.MISSED_EVENTS,
            dimensions_map={"service": SERVICE},
            statistic=cloudwatch.Stats.SUM,
            period=Duration.days(1),
        ),
        threshold=0,
        evaluation_periods=2,
        datapoints_to_alarm=2,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
    )


def notify(alarm_list: list[cloudwatch.Alarm], topic: sns.ITopic) -> None:
    """Each alarm notifies the topic when it fires and when it recovers."""
    action = cloudwatch_actions.SnsAction(topic)
    for alarm in alarm_list:
        alarm.add_alarm_action(action)
        alarm.add_ok_action(action)


def dashboard(
    scope: Construct,
    *,
    alarm_list: list[cloudwatch.Alarm],
    queue: sqs.IQueue,
    dead_letter_queue: sqs.IQueue,
    rejected_queue: sqs.IQueue,
    function: lambda_.IFunction,
) -> cloudwatch.Dashboard:
    return cloudwatch.Dashboard(
        scope,
        "Dashboard",
        widgets=[
            [cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarm_list), width=24)],
            [
                cloudwatch.GraphWidget(
                    title="Queue",
                    left=[
                        queue.metric_approximate_number_of_messages_visible(),
                        queue.metric_approximate_number_of_messages_not_visible(),
                    ],
                    right=[queue.metric_approximate_age_of_oldest_message()],
                    width=12,
                ),
                cloudwatch.GraphWidget(
                    title="Dead-letter and rejected queues",
                    left=[
                        dead_letter_queue.metric_approximate_number_of_messages_visible(),
                        rejected_queue.metric_approximate_number_of_messages_visible(),
                    ],
                    right=[dead_letter_queue.metric_approximate_age_of_oldest_message()],
                    width=12,
                ),
            ],
            [
                cloudwatch.GraphWidget(
                    title="Recorder invocations",
                    left=[
                        function.metric_invocations(statistic=cloudwatch.Stats.SUM),
                        function.metric_errors(statistic=cloudwatch.Stats.SUM),
                        function.metric_throttles(statistic=cloudwatch.Stats.SUM),
                    ],
                    width=8,
                ),
                cloudwatch.GraphWidget(
                    title="Recorder duration",
                    left=[
                        function.metric_duration(statistic=cloudwatch.Stats.percentile(50)),
                        function.metric_duration(statistic=cloudwatch.Stats.percentile(99)),
                        function.metric_duration(statistic=cloudwatch.Stats.MAXIMUM),
                    ],
                    width=8,
                ),
                cloudwatch.GraphWidget(
                    title="Recorder concurrency",
                    left=[function.metric("ConcurrentExecutions", statistic=cloudwatch.Stats.MAXIMUM)],
                    width=8,
                ),
            ],
            [
                cloudwatch.GraphWidget(
                    title="Lineage recorded (Powertools metrics)",
                    left=[recorder_metric(name) for name in DASHBOARD_METRICS],
                    width=24,
                )
            ],
            [
                cloudwatch.GraphWidget(
                    title="Lineage created against the account quotas",
                    left=[
                        recorder_metric(created_total(kind)).with_(statistic=cloudwatch.Stats.MAXIMUM)
                        for kind in LINEAGE_QUOTAS
                    ],
                    width=24,
                )
            ],
        ],
    )
