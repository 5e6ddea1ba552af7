"""The `LineageRecorder` construct: SageMaker state-change events in, lineage entities out.

SageMaker ──events──> EventBridge rules (one per enabled family, this account's events, default bus)
         ──> SQS queue (SSE, TLS only; DLQ; only the rules may send) ──> recorder Lambda (arm64,
         Powertools layer, X-Ray) ──> SageMaker lineage APIs; DynamoDB table for idempotency and state.
Invalid records go to a rejected queue at once; alarms notify an SNS topic; a dashboard shows every signal.

One module per capability: the rules, queues and archive in infra/ingest.py, the IAM grants in
infra/permissions.py (derived from the families and the gateway), alarms and dashboard in
infra/monitoring.py. A family added to `lineage_recorder.families` gets its rule and grants without any
change here.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, Duration, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as event_sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_scheduler as scheduler
from aws_cdk import aws_scheduler_targets as scheduler_targets
from aws_cdk import aws_ssm as ssm
from constructs import Construct
from lineage_recorder import families as resource_families
from lineage_recorder.outcome_metrics import NAMESPACE, SERVICE

from infra import ingest, monitoring
from infra.config import RECONCILE_OFF, RecorderConfig
from infra.nag import acknowledge, skip_checkov, wildcard_resource_finding
from infra.permissions import grant_reconcile_listing, grant_recorder_permissions, lock_state_table

# --- The Lambda asset: the runtime package only ------------------------------------------------------
FUNCTIONS_DIR = Path(__file__).resolve().parent.parent / "functions"
RUNTIME_PACKAGE = "lineage_recorder"
HANDLER = f"{RUNTIME_PACKAGE}.handler.lambda_handler"
RECONCILE_HANDLER = f"{RUNTIME_PACKAGE}.reconcile.lambda_handler"
# The reconcile walks the last window's resources: it may run long (it stops itself a minute before).
RECONCILE_TIMEOUT = Duration.minutes(15)
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
# The function's role has a fixed name on a path, so that the peer accounts' reader roles can trust
# exactly it (infra/peer_access.py); one recorder per account and Region, so the Region names it.
RECORDER_ROLE_PATH = "/lineage-recorder/"
RECORDER_ROLE_NAME_PREFIX = "SageMakerLineageRecorder-"

POWERTOOLS_ACCOUNT = "017000801446"
POWERTOOLS_SERVICE_NAME = SERVICE
POWERTOOLS_METRICS_NAMESPACE = NAMESPACE
LOG_LEVEL = "INFO"


def recorder_role_name(region: str) -> str:
    return f"{RECORDER_ROLE_NAME_PREFIX}{region}"


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


class LineageRecorder(Construct):
    """Records SageMaker ML lineage automatically from SageMaker's state-change events.

    Attributes exposed for composition and tests: `queue`, `dead_letter_queue`, `rejected_queue`, `table`,
    `function`, `function_role`, `rules` (family name -> rule), `archive`, `alarm_topic`, `alarms`,
    `dashboard`.
    """

    def __init__(self, scope: Construct, construct_id: str, *, config: RecorderConfig | None = None) -> None:
        super().__init__(scope, construct_id)
        self.config = config if config is not None else RecorderConfig()

        # --- Queues (the rules' target), the dead-letter and the rejected queues ------------------------
        queues = ingest.queues(
            self,
            visibility_timeout=Duration.seconds(FUNCTION_TIMEOUT.to_seconds() * VISIBILITY_TIMEOUT_FACTOR),
        )
        self.queue, self.dead_letter_queue, self.rejected_queue = (
            queues.queue,
            queues.dead_letter_queue,
            queues.rejected_queue,
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
        skip_checkov(
            self.table,
            "CKV_AWS_119",
            "Encrypted at rest with DynamoDB's AWS-owned key. The table holds digests, ARNs and SourceUris "
            "the lineage itself shows to anyone who may read it; a customer-managed key adds cost only.",
        )

        # --- One rule per enabled resource family (this account's events); an archive for replays -------
        self.families = resource_families.named(self.config.families)
        self.rules = ingest.rules(self, self.families, queues)
        self.archive = ingest.archive(self, self.families, self.config.archive_retention_days)

        # --- The function -------------------------------------------------------------------------------
        self.function_role = role = iam.Role(
            self,
            "FunctionRole",
            role_name=recorder_role_name(Stack.of(self).region),
            path=RECORDER_ROLE_PATH,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="SageMaker lineage recorder: describe SageMaker resources, write lineage",
        )
        log_group = self._log_group("FunctionLogGroup", role)

        environment = {
            "POWERTOOLS_SERVICE_NAME": POWERTOOLS_SERVICE_NAME,
            "POWERTOOLS_METRICS_NAMESPACE": POWERTOOLS_METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": LOG_LEVEL,
            "LINEAGE_STATE_TABLE": self.table.table_name,
            "LINEAGE_PEER_ACCOUNTS": ",".join(self.config.peer_accounts),
            "LINEAGE_PEER_ROLE_NAME": self.config.peer_role_name,
            "LINEAGE_FAMILIES": ",".join(self.config.families),
            "LINEAGE_INDEX_PAGES": str(self.config.index_pages),
            "LINEAGE_INDEX_OVERLAP_SECONDS": str(self.config.index_overlap_seconds),
            "LINEAGE_QUEUE_ARN": self.queue.queue_arn,
            "LINEAGE_REJECTED_QUEUE_URL": self.rejected_queue.queue_url,
        }
        powertools = lambda_.LayerVersion.from_layer_version_arn(
            self, "PowertoolsLayer", powertools_layer_arn(self, self.config.powertools_layer_version)
        )
        self._code = lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=list(ASSET_EXCLUDE))
        self._layers = [powertools]
        self._role = role
        # Never fewer instances available than the queue may ask for: another function's burst must not
        # starve the recorder.
        self.function = self._runtime_function(
            "Function",
            description="Records SageMaker ML lineage from SageMaker state-change events",
            handler=HANDLER,
            timeout=FUNCTION_TIMEOUT,
            reserved=self.config.max_concurrency,
            log_group=log_group,
            environment=environment,
            invoked_by="SQS",
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
        policies = grant_recorder_permissions(
            self,
            role,
            table=self.table,
            rejected_queue=self.rejected_queue,
            families=self.families,
            config=self.config,
        )
        ingest.lock(
            queues,
            rules=list(self.rules.values()),
            function_role=role,
            operator_role_arn=self.config.operator_role_arn,
        )
        lock_state_table(
            self.table,
            writers=[
                role.role_arn,
                *([self.config.operator_role_arn] if self.config.operator_role_arn else []),
            ],
        )
        # Do not let the event source mapping deliver messages before the function can use them.
        for policy in policies:
            self.function.node.add_dependency(policy)

        # --- The daily reconcile: what no event recorded, recorded and counted --------------------------
        self.reconcile_function: lambda_.Function | None = None
        self.reconcile_schedule: scheduler.Schedule | None = None
        if self.config.reconcile_schedule != RECONCILE_OFF:
            self.reconcile_function, self.reconcile_schedule = self._reconcile(role, environment, policies)

        # --- Alarms, notifications, dashboard ----------------------------------------------------------
        self.alarm_topic = monitoring.alarm_topic(self, self.config.alarm_topic_arn, self.config.alarm_emails)
        self.alarms = monitoring.alarms(
            self,
            queue=self.queue,
            dead_letter_queue=self.dead_letter_queue,
            rejected_queue=self.rejected_queue,
            function=self.function,
            rules=list(self.rules.values()),
            archived=self.archive is not None,
        )
        if self.reconcile_function is not None:
            self.alarms.append(monitoring.missed_events_alarm(self))
        monitoring.notify(self.alarms, self.alarm_topic)
        self.dashboard = monitoring.dashboard(
            self,
            alarm_list=self.alarms,
            queue=self.queue,
            dead_letter_queue=self.dead_letter_queue,
            rejected_queue=self.rejected_queue,
            function=self.function,
        )
        if self.config.operator_role_arn is None:
            Annotations.of(self).add_warning_v2(
                "lineage:no-operator-role",
                "No one may read or redrive the dead-letter and rejected queues: set lineage:operatorRoleArn "
                "to the role your operators use (README, 'Recovering').",
            )

    def _log_group(self, construct_id: str, role: iam.Role) -> logs.LogGroup:
        """A function's log group. Instead of the AWSLambdaBasicExecutionRole managed policy
        (logs:CreateLogGroup on "*" and CreateLogStream/PutLogEvents on every log group), the role may
        write to this one."""
        log_group = logs.LogGroup(
            self, construct_id, retention=self.config.log_retention, removal_policy=RemovalPolicy.DESTROY
        )
        log_group.grant_write(role)
        skip_checkov(
            log_group,
            "CKV_AWS_158",
            "Encrypted at rest by CloudWatch Logs. The logs carry ARNs, SourceUris and reasons, what the "
            "lineage graph itself holds; a customer-managed key adds cost, not control.",
        )
        return log_group

    def _runtime_function(
        self,
        construct_id: str,
        *,
        description: str,
        handler: str,
        timeout: Duration,
        reserved: int,
        log_group: logs.LogGroup,
        environment: dict[str, str],
        invoked_by: str,
    ) -> lambda_.Function:
        """A function on the runtime package, the Powertools layer and the recorder's role."""
        function = lambda_.Function(
            self,
            construct_id,
            description=description,
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=handler,
            code=self._code,
            layers=self._layers,
            role=self._role,
            memory_size=MEMORY_MB,
            timeout=timeout,
            reserved_concurrent_executions=reserved,
            tracing=lambda_.Tracing.ACTIVE,
            logging_format=lambda_.LoggingFormat.JSON,
            application_log_level_v2=lambda_.ApplicationLogLevel.INFO,
            system_log_level_v2=lambda_.SystemLogLevel.WARN,
            log_group=log_group,
            environment=environment,
        )
        _skip_function_checks(function, invoked_by=invoked_by)
        return function

    def _reconcile(
        self, role: iam.Role, environment: dict[str, str], policies: list[iam.Policy]
    ) -> tuple[lambda_.Function, scheduler.Schedule]:
        """The reconcile function (the recorder's code and role, its own handler and log group; one at a
        time) and the schedule that runs it."""
        function = self._runtime_function(
            "ReconcileFunction",
            description="Records the SageMaker lineage no event recorded in the last window (daily)",
            handler=RECONCILE_HANDLER,
            timeout=RECONCILE_TIMEOUT,
            reserved=1,
            log_group=self._log_group("ReconcileLogGroup", role),
            environment={
                **environment,
                "LINEAGE_RECONCILE_WINDOW_HOURS": str(self.config.reconcile_window_hours),
            },
            invoked_by="EventBridge Scheduler",
        )
        listing = grant_reconcile_listing(self, role, self.families)
        for policy in (*policies, listing):
            function.node.add_dependency(policy)
        # The schedule's own role, trusted by EventBridge Scheduler for this account only, that may
        # invoke the reconcile function and nothing else.
        schedule_role = iam.Role(
            self,
            "ReconcileScheduleRole",
            assumed_by=iam.ServicePrincipal(
                "scheduler.amazonaws.com",
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            ),
            description="EventBridge Scheduler: invoke the lineage reconcile function",
        )
        schedule = scheduler.Schedule(
            self,
            "ReconcileSchedule",
            description="Daily reconcile of the SageMaker lineage (lineage:reconcileSchedule)",
            schedule=scheduler.ScheduleExpression.expression(self.config.reconcile_schedule),
            target=scheduler_targets.LambdaInvoke(
                function,
                input=scheduler.ScheduleTargetInput.from_object({"reconcile": True}),
                role=schedule_role,
            ),
        )
        invoke_policy = schedule_role.node.find_child("DefaultPolicy")
        acknowledge(
            invoke_policy,
            wildcard_resource_finding(self, f"{function.function_arn}:*"),
            "lambda:InvokeFunction on the reconcile function and its versions (CDK's grantInvoke adds ':*' "
            "for qualified ARNs); nothing else may be invoked with this role.",
        )
        return function, schedule


def _skip_function_checks(function: lambda_.Function, invoked_by: str) -> None:
    for check, reason in (
        (
            "CKV_AWS_116",
            f"Only {invoked_by} invokes the function; failed SQS records go to the queue's DLQ and the "
            "rejected queue, and a failed reconcile is run again by the next schedule.",
        ),
        (
            "CKV_AWS_117",
            "The function calls only public AWS APIs (SageMaker, DynamoDB, SQS, STS); a VPC would add NAT or "
            "endpoints without narrowing what it can reach, which IAM already does.",
        ),
        (
            "CKV_AWS_173",
            "The environment holds no secrets: table and queue names, account ids, settings. Lambda encrypts "
            "it at rest with its own key.",
        ),
    ):
        skip_checkov(function, check, reason)
