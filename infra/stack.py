"""The stack `app.py` deploys: one `LineageRecorder` plus outputs that the docs and operators use."""

from __future__ import annotations

from aws_cdk import CfnOutput, Environment, Fn, Stack
from constructs import Construct

from infra.config import RecorderConfig
from infra.peer_access import LineagePeerAccess, LineageTraceAccess
from infra.recorder import RECORDER_ROLE_PATH, LineageRecorder, recorder_role_name

STACK_NAME = "SageMakerLineageRecorder"


class LineageRecorderStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: RecorderConfig | None = None,
        env: Environment | None = None,
        stack_name: str | None = None,
        peer_organization_id: str | None = None,
    ) -> None:
        super().__init__(
            scope,
            construct_id,
            env=env,
            stack_name=stack_name,
            description="SageMaker auto-lineage recorder: ML lineage from SageMaker state-change events",
        )
        self.recorder = LineageRecorder(self, "Recorder", config=config)
        recorder = self.recorder
        # The read-only role the peers' recorders assume here; the same peer list, so access is symmetric.
        self.peer_access: LineagePeerAccess | None = None
        peers = recorder.config.peer_accounts
        if peers:
            self.peer_access = LineagePeerAccess(
                self,
                "PeerAccess",
                peer_accounts=peers,
                role_name=recorder.config.peer_role_name,
                # The peers' recorders are named like this one, in the same Region.
                recorder_role_path=RECORDER_ROLE_PATH,
                recorder_role_name=recorder_role_name(self.region),
                organization_id=peer_organization_id,
            )
            CfnOutput(
                self,
                "PeerReaderRoleArn",
                value=self.peer_access.role.role_arn,
                description="The role the peer accounts' recorders assume to read lineage here",
            )

        # The role people assume to trace this account's lineage from elsewhere, when some are named.
        self.trace_access: LineageTraceAccess | None = None
        if recorder.config.trace_principals:
            self.trace_access = LineageTraceAccess(
                self, "TraceAccess", principals=recorder.config.trace_principals
            )
            CfnOutput(
                self,
                "TraceRoleArn",
                value=self.trace_access.role.role_arn,
                description="For lineage-recorder trace --peer-role-arn: the role named people assume here",
            )

        CfnOutput(self, "FunctionName", value=recorder.function.function_name)
        CfnOutput(
            self,
            "FunctionRoleArn",
            value=recorder.function_role.role_arn,
            description="The recorder's role: the peer accounts' reader roles trust exactly this ARN",
        )
        CfnOutput(self, "QueueUrl", value=recorder.queue.queue_url)
        CfnOutput(self, "DeadLetterQueueUrl", value=recorder.dead_letter_queue.queue_url)
        CfnOutput(self, "DeadLetterQueueArn", value=recorder.dead_letter_queue.queue_arn)
        CfnOutput(self, "QueueArn", value=recorder.queue.queue_arn)
        CfnOutput(self, "RejectedQueueUrl", value=recorder.rejected_queue.queue_url)
        if recorder.archive is not None:
            CfnOutput(self, "EventArchiveName", value=recorder.archive.archive_name)
            CfnOutput(self, "EventArchiveArn", value=recorder.archive.archive_arn)
        CfnOutput(
            self,
            "RuleArns",
            value=Fn.join(",", [rule.rule_arn for rule in recorder.rules.values()]),
            description="The recorder's rules: a replay's FilterArns, so only the recorder sees it again",
        )
        CfnOutput(self, "StateTableName", value=recorder.table.table_name)
        CfnOutput(self, "AlarmTopicArn", value=recorder.alarm_topic.topic_arn)
        CfnOutput(self, "DashboardName", value=recorder.dashboard.dashboard_name)
