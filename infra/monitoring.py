"""Alarms, their notification topic and the dashboard of the recorder.

The recorder's own metric names come from ``lineage_recorder.outcome_metrics``, the module the handler
publishes them with, so an alarm or a graph cannot name a metric the function does not send. The
resources are created in the recorder construct's scope, under the ids they have always had (renaming
them would replace the alarm topic and lose its subscriptions).
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from lineage_recorder.outcome_metrics import LINEAGE_QUOTAS, NAMESPACE, SERVICE, Metric, created_total

OLDEST_MESSAGE_AGE_THRESHOLD = Duration.minutes(30)
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


def alarm_topic(scope: Construct, existing_topic_arn: str | None) -> sns.ITopic:
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
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToUseTheKey",
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey"],
            resources=["*"],
        )
    )
    topic = sns.Topic(
        scope,
        "AlarmTopic",
        display_name="SageMaker lineage recorder alarms",
        master_key=key,
        enforce_ssl=True,
    )
    alarm_arns = f"arn:{stack.partition}:cloudwatch:{stack.region}:{stack.account}:alarm:*"
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


def alarms(
    scope: Construct, *, queue: sqs.IQueue, dead_letter_queue: sqs.IQueue, function: lambda_.IFunction
) -> list[cloudwatch.Alarm]:
    five_minutes = Duration.minutes(5)
    over_zero: dict[str, Any] = {
        "threshold": 0,
        "evaluation_periods": 1,
        "comparison_operator": cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        "treat_missing_data": cloudwatch.TreatMissingData.NOT_BREACHING,
    }
    return [
        cloudwatch.Alarm(
            scope,
            "DeadLetterQueueNotEmptyAlarm",
            alarm_description=(
                "Events the recorder could not process (or EventBridge could not deliver) are in the "
                "DLQ. Read the function's logs, fix the cause, then redrive the DLQ to the queue."
            ),
            metric=dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
            ),
            **over_zero,
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
        cloudwatch.Alarm(
            scope,
            "QuotaExceededAlarm",
            alarm_description=(
                "SageMaker refused to create lineage: an account quota for lineage entities is reached. "
                "The records are in the dead-letter queue; request a quota increase, then redrive them."
            ),
            metric=recorder_metric(Metric.QUOTA_EXCEEDED),
            **over_zero,
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
                "Events wait too long in the queue: the recorder is failing repeatedly or cannot keep up "
                "at its maximum concurrency."
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
                    title="Dead-letter queue",
                    left=[dead_letter_queue.metric_approximate_number_of_messages_visible()],
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
