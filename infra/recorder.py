"""The `LineageRecorder` construct: SageMaker state-change events in, lineage entities out.

SageMaker ──events──> EventBridge rules (one per resource family, default bus)
         ──> SQS queue (SSE, SSL-only, DLQ) ──> recorder Lambda (arm64, Powertools layer, X-Ray)
         ──> SageMaker lineage APIs; DynamoDB table for idempotency and the dedup registry.
Alarms (DLQ depth, errors, throttles, age of the oldest message) notify an SNS topic; a dashboard
shows the same signals.

The event patterns come from `lineage_recorder.patterns`, the definition the recorder itself uses, so a
family added there gets its rule here without any change to this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from aws_cdk import aws_ssm as ssm
from constructs import Construct
from lineage_recorder.patterns import FAMILIES, event_pattern

from infra.config import RecorderConfig
from infra.nag import acknowledge, wildcard_resource_finding

# --- The Lambda asset: the runtime package only ------------------------------------------------------
FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
RUNTIME_PACKAGE = "lineage_recorder"
HANDLER = f"{RUNTIME_PACKAGE}.handler.lambda_handler"
# An allow-list: everything in functions/ is excluded except the runtime package, and inside it
# bytecode and anything test-shaped. (Glob patterns, applied in order; "!" re-includes.)
ASSET_EXCLUDE = (
    "*",
    f"!{RUNTIME_PACKAGE}",
    f"!{RUNTIME_PACKAGE}/**",
    "**/__pycache__",
    "**/*.pyc",
    "**/*.pyo",
    "**/tests",
    "**/test_*.py",
    "**/*_test.py",
    "**/conftest.py",
    "**/.pytest_cache",
    "**/.mypy_cache",
    "**/.ruff_cache",
)

# --- The function -------------------------------------------------------------------------------------
# The newest Python runtime that both aws-cdk-lib 2.275 (Runtime.PYTHON_3_14) and the public Powertools
# layer (AWSLambdaPowertoolsPythonV3-python314-*) support. cdk-nag's L1 check compares it with the newest
# runtime CDK knows, so moving CDK forward flags the day a newer one should be adopted.
RUNTIME = lambda_.Runtime.PYTHON_3_14
ARCHITECTURE = lambda_.Architecture.ARM_64
MEMORY_MB = 512
FUNCTION_TIMEOUT = Duration.minutes(2)
BATCH_SIZE = 10
# AWS recommends a visibility timeout of at least six times the function timeout for SQS event sources,
# so a message is not redelivered while an invocation (and its retries of throttled calls) still runs.
VISIBILITY_TIMEOUT_FACTOR = 6
MAX_RECEIVE_COUNT = 5
QUEUE_RETENTION = Duration.days(4)
# Standard queues keep a message's original enqueue time in the DLQ, so the DLQ must retain longer.
DLQ_RETENTION = Duration.days(14)
OLDEST_MESSAGE_AGE_THRESHOLD = Duration.minutes(30)

POWERTOOLS_ACCOUNT = "017000801446"
POWERTOOLS_SERVICE_NAME = "lineage-recorder"
POWERTOOLS_METRICS_NAMESPACE = "SageMakerLineageRecorder"
LOG_LEVEL = "INFO"
# The custom metrics the handler publishes (Powertools adds the "service" dimension).
RECORDER_METRICS = (
    "EntitiesCreated",
    "EntitiesReused",
    "EntitiesUpdated",
    "AssociationsCreated",
    "EventsIgnored",
    "EventsAlreadyRecorded",
    "DescribeFallbacks",
    "RecordsRejected",
    "QuotaExceeded",
    "PeerLinksCreated",
    "PeerLinksDeferred",
)
# Running totals of what the recorder has created, per kind, against the published quotas for
# manually created lineage entities (SageMaker Developer Guide, "Lineage Tracking Entity Quotas").
LINEAGE_QUOTAS = {"Artifacts": 6000, "Actions": 3000, "Contexts": 500, "Associations": 6000}
QUOTA_WARNING_RATIO = 0.8

# --- SageMaker permissions ----------------------------------------------------------------------------
# Per resource type (arn:${Partition}:sagemaker:${Region}:${Account}:<type>/*), the actions the recorder
# calls on it. AddAssociation/DeleteAssociation are authorised against both ends of the association,
# which SageMaker allows to be artifacts, actions, contexts or trial components.
_ASSOCIATE = ("sagemaker:AddAssociation", "sagemaker:DeleteAssociation")
SAGEMAKER_ACTIONS_BY_RESOURCE_TYPE: Mapping[str, tuple[str, ...]] = {
    "training-job": ("sagemaker:DescribeTrainingJob",),
    "processing-job": ("sagemaker:DescribeProcessingJob",),
    "transform-job": ("sagemaker:DescribeTransformJob",),
    "model": ("sagemaker:DescribeModel",),
    "model-package": ("sagemaker:DescribeModelPackage",),
    "endpoint": ("sagemaker:DescribeEndpoint",),
    "endpoint-config": ("sagemaker:DescribeEndpointConfig",),
    "experiment-trial-component": ("sagemaker:DescribeTrialComponent", *_ASSOCIATE),
    "artifact": (
        "sagemaker:CreateArtifact",
        "sagemaker:DescribeArtifact",
        "sagemaker:UpdateArtifact",
        "sagemaker:AddTags",
        *_ASSOCIATE,
    ),
    "action": (
        "sagemaker:CreateAction",
        "sagemaker:DescribeAction",
        "sagemaker:UpdateAction",
        "sagemaker:AddTags",
        *_ASSOCIATE,
    ),
    "context": (
        "sagemaker:CreateContext",
        "sagemaker:DescribeContext",
        "sagemaker:UpdateContext",
        "sagemaker:AddTags",
        *_ASSOCIATE,
    ),
}
# List calls have no resource-level permissions in IAM: they can only be granted on "*".
SAGEMAKER_LIST_ACTIONS = (
    "sagemaker:ListTrialComponents",
    "sagemaker:ListArtifacts",
    "sagemaker:ListActions",
    "sagemaker:ListContexts",
    "sagemaker:ListAssociations",
)
_LINEAGE_ENTITY_TYPES = ("artifact", "action", "context")
STATE_TABLE_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
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


def powertools_layer_arn(scope: Construct, version: str) -> str:
    """The public Powertools layer for RUNTIME/ARCHITECTURE, pinned by release or by layer number.

    A release ("3.37.0") resolves at deploy time through the public SSM parameter
    /aws/service/powertools/python/<arch>/<runtime>/<release>, which Powertools publishes with every
    layer; a layer number ("40") is written into the template as a literal ARN.
    """
    runtime = RUNTIME.name  # "python3.14"
    arch = ARCHITECTURE.name  # "arm64"
    if version.isdigit():
        stack = Stack.of(scope)
        layer_name = f"AWSLambdaPowertoolsPythonV3-{runtime.replace('.', '')}-{arch}"
        return (
            f"arn:{stack.partition}:lambda:{stack.region}:{POWERTOOLS_ACCOUNT}:layer:{layer_name}:{version}"
        )
    return ssm.StringParameter.value_for_string_parameter(
        scope, f"/aws/service/powertools/python/{arch}/{runtime}/{version}"
    )


def _recorder_metric(name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=POWERTOOLS_METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": POWERTOOLS_SERVICE_NAME},
        statistic=cloudwatch.Stats.SUM,
        period=Duration.minutes(5),
    )


def _construct_id(family_name: str) -> str:
    return "".join(part.capitalize() for part in family_name.replace("-", "_").split("_"))


class LineageRecorder(Construct):
    """Records SageMaker ML lineage automatically from SageMaker's state-change events.

    Attributes exposed for composition and tests: `queue`, `dead_letter_queue`, `table`, `function`,
    `function_role`, `rules` (family name -> rule), `alarm_topic`, `alarms`, `dashboard`.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: RecorderConfig | None = None) -> None:
        super().__init__(scope, construct_id)
        self.config = config if config is not None else RecorderConfig()
        stack = Stack.of(self)

        # --- Queue and DLQ (the rules' target) ---------------------------------------------------------
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=QUEUE_RETENTION,
            visibility_timeout=Duration.seconds(FUNCTION_TIMEOUT.to_seconds() * VISIBILITY_TIMEOUT_FACTOR),
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=MAX_RECEIVE_COUNT, queue=self.dead_letter_queue
            ),
        )

        # --- State table: Powertools idempotency records and the dedup registry ------------------------
        self.table = dynamodb.Table(
            self,
            "StateTable",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            time_to_live_attribute="expiration",
            deletion_protection=True,
            removal_policy=RemovalPolicy.RETAIN,
        )

        # --- One rule per enabled resource family, from the shared pattern definition ------------------
        self.rules: dict[str, events.Rule] = {}
        for name in self.config.families:
            family = FAMILIES[name]
            self.rules[name] = events.Rule(
                self,
                f"{_construct_id(name)}Rule",
                description=f"{family.detail_type} events the lineage recorder acts on",
                event_pattern=to_event_pattern(event_pattern(name)),
                targets=[targets.SqsQueue(self.queue, dead_letter_queue=self.dead_letter_queue)],
            )

        # --- The function -------------------------------------------------------------------------------
        self.function_role = role = iam.Role(
            self,
            "FunctionRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="SageMaker lineage recorder: describe SageMaker resources, write lineage",
        )
        log_group = logs.LogGroup(
            self,
            "FunctionLogGroup",
            retention=self.config.log_retention,
            removal_policy=RemovalPolicy.DESTROY,
        )
        # Instead of the AWSLambdaBasicExecutionRole managed policy (logs:CreateLogGroup on "*" and
        # CreateLogStream/PutLogEvents on every log group), write access to this one log group.
        log_group.grant_write(role)

        self.function = lambda_.Function(
            self,
            "Function",
            description="Records SageMaker ML lineage from SageMaker state-change events",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=HANDLER,
            code=lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=list(ASSET_EXCLUDE)),
            layers=[
                lambda_.LayerVersion.from_layer_version_arn(
                    self,
                    "PowertoolsLayer",
                    powertools_layer_arn(self, self.config.powertools_layer_version),
                )
            ],
            role=role,
            memory_size=MEMORY_MB,
            timeout=FUNCTION_TIMEOUT,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=log_group,
            environment={
                "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE_NAME,
                "POWERTOOLS_METRICS_NAMESPACE": POWERTOOLS_METRICS_NAMESPACE,
                "POWERTOOLS_LOG_LEVEL": LOG_LEVEL,
                "LINEAGE_STATE_TABLE": self.table.table_name,
                "LINEAGE_PEER_ACCOUNTS": ",".join(self.config.peer_accounts),
                "LINEAGE_PEER_ROLE_NAME": self.config.peer_role_name,
                "LINEAGE_FAMILIES": ",".join(self.config.families),
                "LINEAGE_INDEX_PAGES": str(self.config.index_pages),
                "LINEAGE_INDEX_OVERLAP_SECONDS": str(self.config.index_overlap_seconds),
            },
        )
        # The SQS event source: partial batch failures, and a concurrency cap that keeps the recorder
        # under SageMaker's API rate limits however deep the queue gets.
        self.function.add_event_source(
            event_sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=self.config.max_concurrency,
            )
        )
        self._grant_permissions(role, stack)

        # --- Alarms, notifications, dashboard ----------------------------------------------------------
        self.alarm_topic = self._alarm_topic(stack)
        self.alarms = self._alarms()
        notify = cloudwatch_actions.SnsAction(self.alarm_topic)
        for alarm in self.alarms:
            alarm.add_alarm_action(notify)
            alarm.add_ok_action(notify)
        self.dashboard = self._dashboard()

    # ------------------------------------------------------------------------------------------------------
    def _grant_permissions(self, role: iam.Role, stack: Stack) -> None:
        def sagemaker_arn(resource_type: str) -> str:
            return f"arn:{stack.partition}:sagemaker:{stack.region}:{stack.account}:{resource_type}/*"

        sagemaker = iam.Policy(
            self,
            "SageMakerPolicy",
            roles=[role],
            statements=[
                iam.PolicyStatement(actions=list(actions), resources=[sagemaker_arn(resource_type)])
                for resource_type, actions in SAGEMAKER_ACTIONS_BY_RESOURCE_TYPE.items()
            ],
        )
        for resource_type in SAGEMAKER_ACTIONS_BY_RESOURCE_TYPE:
            if resource_type == "experiment-trial-component":
                reason = (
                    "The recorder describes the trial component SageMaker creates for each job (named after "
                    "the job in the event, known only at run time) and associates lineage with it; the grant "
                    "is limited to trial-component ARNs in this account and Region and to those actions."
                )
            elif resource_type in _LINEAGE_ENTITY_TYPES:
                reason = (
                    f"The recorder creates, reads, updates, tags and associates SageMaker lineage "
                    f"{resource_type}s whose names it derives at run time from the SourceUri of what it "
                    f"records, so no name is known at deploy time; the grant is limited to {resource_type} "
                    "ARNs in this account and Region."
                )
            else:
                reason = (
                    f"The recorder describes whichever SageMaker {resource_type} a state-change event "
                    "(or a resource it references) names, known only at run time; the grant is limited to "
                    f"{resource_type} ARNs in this account and Region and to the actions listed."
                )
            acknowledge(sagemaker, wildcard_resource_finding(self, sagemaker_arn(resource_type)), reason)

        listing = iam.Policy(
            self,
            "SageMakerListPolicy",
            roles=[role],
            statements=[iam.PolicyStatement(actions=list(SAGEMAKER_LIST_ACTIONS), resources=["*"])],
        )
        acknowledge(
            listing,
            wildcard_resource_finding(self, "*"),
            "SageMaker List* calls (ListArtifacts, ListActions, ListContexts, ListAssociations, "
            "ListTrialComponents) do not support resource-level permissions, so IAM only accepts "
            "Resource '*'; this policy holds nothing but those five read-only List actions.",
        )

        state = iam.Policy(
            self,
            "StateTablePolicy",
            roles=[role],
            statements=[
                iam.PolicyStatement(actions=list(STATE_TABLE_ACTIONS), resources=[self.table.table_arn])
            ],
        )
        policies = [sagemaker, listing, state]

        if self.config.peer_accounts:
            peers = iam.Policy(
                self,
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
                                resource_name=self.config.peer_role_name,
                            )
                            for account in self.config.peer_accounts
                        ],
                    )
                ],
            )
            policies.append(peers)

        # X-Ray tracing (Tracing.ACTIVE) puts xray:PutTraceSegments/PutTelemetryRecords on "*" into the
        # role's default policy, next to the SQS consumer and log-group grants.
        default_policy = role.node.find_child("DefaultPolicy")
        acknowledge(
            default_policy,
            wildcard_resource_finding(self, "*"),
            "X-Ray active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which have no "
            "resource-level permissions and must be granted on '*'; every other statement in this policy is "
            "scoped to this stack's queue and log group.",
        )
        # Do not let the event source mapping deliver messages before the function can use them.
        for policy in policies:
            self.function.node.add_dependency(policy)

    def _alarm_topic(self, stack: Stack) -> sns.ITopic:
        if self.config.alarm_topic_arn is not None:
            return sns.Topic.from_topic_arn(self, "AlarmTopic", self.config.alarm_topic_arn)
        # CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key, so the topic gets a
        # customer-managed key whose policy lets CloudWatch use it.
        key = kms.Key(
            self,
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
            self,
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

    def _alarms(self) -> list[cloudwatch.Alarm]:
        five_minutes = Duration.minutes(5)
        over_zero: dict[str, Any] = {
            "threshold": 0,
            "evaluation_periods": 1,
            "comparison_operator": cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            "treat_missing_data": cloudwatch.TreatMissingData.NOT_BREACHING,
        }
        return [
            cloudwatch.Alarm(
                self,
                "DeadLetterQueueNotEmptyAlarm",
                alarm_description=(
                    "Events the recorder could not process (or EventBridge could not deliver) are in the "
                    "DLQ. Read the function's logs, fix the cause, then redrive the DLQ to the queue."
                ),
                metric=self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                    period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
                ),
                **over_zero,
            ),
            cloudwatch.Alarm(
                self,
                "FunctionErrorsAlarm",
                alarm_description="Recorder invocations failed as a whole (crash, timeout, out of memory).",
                metric=self.function.metric_errors(period=five_minutes, statistic=cloudwatch.Stats.SUM),
                **over_zero,
            ),
            cloudwatch.Alarm(
                self,
                "FunctionThrottlesAlarm",
                alarm_description="Recorder invocations were throttled (account concurrency exhausted).",
                metric=self.function.metric_throttles(period=five_minutes, statistic=cloudwatch.Stats.SUM),
                **over_zero,
            ),
            cloudwatch.Alarm(
                self,
                "QuotaExceededAlarm",
                alarm_description=(
                    "SageMaker refused to create lineage: an account quota for lineage entities is reached. "
                    "The records are in the dead-letter queue; request a quota increase, then redrive them."
                ),
                metric=_recorder_metric("QuotaExceeded"),
                **over_zero,
            ),
            *(
                cloudwatch.Alarm(
                    self,
                    f"{kind}QuotaApproachingAlarm",
                    alarm_description=(
                        f"The recorder has created {QUOTA_WARNING_RATIO:.0%} of the {quota} lineage "
                        f"{kind.lower()} SageMaker allows per account by default."
                    ),
                    metric=_recorder_metric(f"{kind}CreatedTotal").with_(statistic=cloudwatch.Stats.MAXIMUM),
                    threshold=int(quota * QUOTA_WARNING_RATIO),
                    evaluation_periods=1,
                    comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
                for kind, quota in LINEAGE_QUOTAS.items()
            ),
            cloudwatch.Alarm(
                self,
                "OldestMessageAgeAlarm",
                alarm_description=(
                    "Events wait too long in the queue: the recorder is failing repeatedly or cannot keep up "
                    "at its maximum concurrency."
                ),
                metric=self.queue.metric_approximate_age_of_oldest_message(
                    period=five_minutes, statistic=cloudwatch.Stats.MAXIMUM
                ),
                threshold=OLDEST_MESSAGE_AGE_THRESHOLD.to_seconds(),
                evaluation_periods=1,
                comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            ),
        ]

    def _dashboard(self) -> cloudwatch.Dashboard:
        fn = self.function
        return cloudwatch.Dashboard(
            self,
            "Dashboard",
            widgets=[
                [cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(self.alarms), width=24)],
                [
                    cloudwatch.GraphWidget(
                        title="Queue",
                        left=[
                            self.queue.metric_approximate_number_of_messages_visible(),
                            self.queue.metric_approximate_number_of_messages_not_visible(),
                        ],
                        right=[self.queue.metric_approximate_age_of_oldest_message()],
                        width=12,
                    ),
                    cloudwatch.GraphWidget(
                        title="Dead-letter queue",
                        left=[self.dead_letter_queue.metric_approximate_number_of_messages_visible()],
                        width=12,
                    ),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Recorder invocations",
                        left=[
                            fn.metric_invocations(statistic=cloudwatch.Stats.SUM),
                            fn.metric_errors(statistic=cloudwatch.Stats.SUM),
                            fn.metric_throttles(statistic=cloudwatch.Stats.SUM),
                        ],
                        width=8,
                    ),
                    cloudwatch.GraphWidget(
                        title="Recorder duration",
                        left=[
                            fn.metric_duration(statistic=cloudwatch.Stats.percentile(50)),
                            fn.metric_duration(statistic=cloudwatch.Stats.percentile(99)),
                            fn.metric_duration(statistic=cloudwatch.Stats.MAXIMUM),
                        ],
                        width=8,
                    ),
                    cloudwatch.GraphWidget(
                        title="Recorder concurrency",
                        left=[fn.metric("ConcurrentExecutions", statistic=cloudwatch.Stats.MAXIMUM)],
                        width=8,
                    ),
                ],
                [
                    cloudwatch.GraphWidget(
                        title="Lineage recorded (Powertools metrics)",
                        left=[_recorder_metric(name) for name in RECORDER_METRICS],
                        width=24,
                    )
                ],
            ],
        )
