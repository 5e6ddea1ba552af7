"""The synthesised recorder stack: every property the deployment promises, checked on the template.

All tests read the session synth (see conftest.py). Expected values are written out here, not imported
from infra/, so that a change to the stack has to be a deliberate change to these tests too. The one
shared source is `lineage_recorder.families`, on purpose: a rule must exist for every family the
recorder handles.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from aws_cdk import App, Stack, Validations
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match
from lineage_recorder.apply.gateway import SageMakerGateway
from lineage_recorder.backfill import list_operations
from lineage_recorder.families import ALL, Family
from lineage_recorder.families import BY_DETAIL_TYPE as FAMILY_BY_DETAIL_TYPE
from lineage_recorder.families import BY_NAME as FAMILIES
from lineage_recorder.families.base import Describer
from lineage_recorder.patterns import event_pattern
from lineage_recorder.recorder import parse_event

from infra.nag import enable_nag
from tests.infra.conftest import (
    ACCOUNT,
    ALARM_EMAILS,
    EXISTING_TOPIC_ARN,
    OPERATOR_ROLE_ARN,
    PEER_ACCOUNTS,
    PEER_ROLE_NAME,
    REGION,
    ROOT,
    Synthesis,
    SynthesizedStack,
)
from tests.support.family_samples import RecordedSageMaker, sample_of

# --- The IAM contract with the runtime code (written out, not imported) ----------------------------------
# The Describe* calls each family's preparer makes: granted only when the family is enabled.
DESCRIBE_ACTIONS_BY_FAMILY = {
    "training": {
        "sagemaker:DescribeTrainingJob": "training-job",
        "sagemaker:DescribeAlgorithm": "algorithm",
        "sagemaker:DescribeFeatureGroup": "feature-group",
    },
    "inference-component": {
        "sagemaker:DescribeInferenceComponent": "inference-component",
        "sagemaker:DescribeModel": "model",
    },
    "model": {"sagemaker:DescribeModel": "model"},
    "processing": {
        "sagemaker:DescribeProcessingJob": "processing-job",
        "sagemaker:DescribeFeatureGroup": "feature-group",
    },
    "transform": {
        "sagemaker:DescribeTransformJob": "transform-job",
        "sagemaker:DescribeModel": "model",
        "sagemaker:DescribeFeatureGroup": "feature-group",
    },
    "model-package": {
        "sagemaker:DescribeModelPackage": "model-package",
        "sagemaker:DescribePipelineExecution": "pipeline",
    },
    "tuning": {"sagemaker:DescribeHyperParameterTuningJob": "hyper-parameter-tuning-job"},
    # A pipeline execution's ARN is pipeline/<name>/execution/<id> (IAM's pipeline-execution type).
    "pipeline-execution": {
        "sagemaker:DescribePipelineExecution": "pipeline",
        "sagemaker:ListPipelineExecutionSteps": "pipeline",
        "sagemaker:DescribeModelPackage": "model-package",
    },
    "pipeline-step": {
        "sagemaker:DescribePipelineExecution": "pipeline",
        "sagemaker:ListPipelineExecutionSteps": "pipeline",
        "sagemaker:DescribeModelPackage": "model-package",
    },
    "feature-group": {"sagemaker:DescribeFeatureGroup": "feature-group"},
    "labeling": {"sagemaker:DescribeLabelingJob": "labeling-job"},
    "model-card": {
        "sagemaker:DescribeModelCard": "model-card",
        "sagemaker:DescribeModelPackage": "model-package",
        "sagemaker:DescribeModel": "model",
    },
    "endpoint": {
        "sagemaker:DescribeEndpoint": "endpoint",
        "sagemaker:DescribeEndpointConfig": "endpoint-config",
        "sagemaker:DescribeModel": "model",
    },
}
# What writing lineage needs, whichever families are enabled.
SAGEMAKER_RESOURCE_TYPES_BY_ACTION = {
    "sagemaker:DescribeTrialComponent": {"experiment-trial-component"},
    "sagemaker:CreateArtifact": {"artifact"},
    "sagemaker:DescribeArtifact": {"artifact"},
    "sagemaker:UpdateArtifact": {"artifact"},
    "sagemaker:CreateAction": {"action"},
    "sagemaker:DescribeAction": {"action"},
    "sagemaker:UpdateAction": {"action"},
    "sagemaker:CreateContext": {"context"},
    "sagemaker:DescribeContext": {"context"},
    "sagemaker:UpdateContext": {"context"},
    "sagemaker:AddTags": {"artifact", "action", "context"},
    "sagemaker:AddAssociation": {"artifact", "action", "context", "experiment-trial-component"},
}


def expected_sagemaker_grants(families: list[str]) -> dict[str, set[str]]:
    """Action -> resource types: lineage writing plus the enabled families' Describe* calls."""
    expected = {action: set(types) for action, types in SAGEMAKER_RESOURCE_TYPES_BY_ACTION.items()}
    for family in families:
        for action, resource_type in DESCRIBE_ACTIONS_BY_FAMILY[family].items():
            expected.setdefault(action, set()).add(resource_type)
    return expected


SAGEMAKER_LIST_ACTIONS = {
    "sagemaker:ListTrialComponents",
    "sagemaker:ListArtifacts",
    "sagemaker:ListActions",
    "sagemaker:ListContexts",
    "sagemaker:ListAssociations",
}
STATE_TABLE_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:PutItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
}
# Every metric the handler publishes (namespace SageMakerLineageRecorder, dimension service).
RECORDER_METRICS = (
    "EntitiesCreated",
    "EntitiesReused",
    "EntitiesUpdated",
    "AssociationsCreated",
    "AssociationsExisting",
    "SkippedValues",
    "DescribeFallbacks",
    "PeerLinksCreated",
    "PeerLinksExisting",
    "PeerLinksDeferred",
    "PeerLinksDropped",
    "EventsIgnored",
    "EventsAlreadyRecorded",
    "RecordsRejected",
    "RecordsRetried",
    "QuotaExceeded",
    "ArtifactsCreatedTotal",
    "ActionsCreatedTotal",
    "ContextsCreatedTotal",
    "AssociationsCreatedTotal",
)
XRAY_ACTIONS = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
SQS_CONSUMER_ACTIONS = {
    "sqs:ReceiveMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueUrl",
    "sqs:DeleteMessage",
    "sqs:GetQueueAttributes",
}
LOG_ACTIONS = {"logs:CreateLogStream", "logs:PutLogEvents"}


def sagemaker_arn(resource_type: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:{resource_type}/*"


# --- Helpers ----------------------------------------------------------------------------------------------
def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def get_att(logical_id: str, attribute: str = "Arn") -> dict[str, Any]:
    return {"Fn::GetAtt": [logical_id, attribute]}


def policy_documents(stack: SynthesizedStack) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every policy document in the template: IAM policies, role policies, resource policies, key policies."""
    for logical_id, resource in stack.json["Resources"].items():
        properties = resource.get("Properties", {})
        kind = resource["Type"]
        if kind in (
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
            "AWS::SQS::QueuePolicy",
            "AWS::SNS::TopicPolicy",
        ):
            yield logical_id, properties["PolicyDocument"]
        elif kind == "AWS::IAM::Role":
            yield logical_id, properties["AssumeRolePolicyDocument"]
            for inline in properties.get("Policies", []):
                yield logical_id, inline["PolicyDocument"]
        elif kind == "AWS::KMS::Key":
            yield logical_id, properties["KeyPolicy"]


def allow_statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [statement for statement in as_list(document["Statement"]) if statement["Effect"] == "Allow"]


def function(stack: SynthesizedStack) -> tuple[str, dict[str, Any]]:
    return stack.recorder_function()


# Creating and tagging lineage is allowed only with the recorder's own tag, exactly.
TAGGED_CREATES = {
    "sagemaker:CreateArtifact",
    "sagemaker:CreateAction",
    "sagemaker:CreateContext",
    "sagemaker:AddTags",
}
MANAGED_TAG_CONDITION = {
    "StringEquals": {"aws:RequestTag/lineage-recorder:managed-by": "sagemaker-lineage-recorder"},
    "ForAllValues:StringEquals": {"aws:TagKeys": ["lineage-recorder:managed-by"]},
}


THIS_REGION_CONDITION = {"StringEquals": {"aws:RequestedRegion": REGION}}


def role_grants(stack: SynthesizedStack) -> dict[str, set[str]]:
    """Action -> resources (JSON text for intrinsic values) granted to the function's role. The only
    conditions allowed are the managed tag's, on the creating and tagging actions, and the stack's Region
    on the actions granted on "*"."""
    _, fn = function(stack)
    role_id = fn["Properties"]["Role"]["Fn::GetAtt"][0]
    grants: dict[str, set[str]] = {}
    for resource in stack.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in resource["Properties"]["Roles"]:
            continue
        for statement in allow_statements(resource["Properties"]["PolicyDocument"]):
            assert "NotAction" not in statement and "NotResource" not in statement
            actions = set(as_list(statement["Action"]))
            if actions & TAGGED_CREATES:
                assert actions <= TAGGED_CREATES and statement["Condition"] == MANAGED_TAG_CONDITION, (
                    statement
                )
            elif statement["Resource"] == "*" and all(
                action.startswith("sagemaker:List") for action in actions
            ):
                assert statement["Condition"] == THIS_REGION_CONDITION, statement
            else:
                assert "Condition" not in statement, statement
            for action in as_list(statement["Action"]):
                for arn in as_list(statement["Resource"]):
                    grants.setdefault(action, set()).add(arn if isinstance(arn, str) else json.dumps(arn))
    return grants


# --- EventBridge rules -----------------------------------------------------------------------------------
def test_every_family_the_recorder_handles_has_a_rule_with_the_shared_pattern(synthesis: Synthesis) -> None:
    # Given the families the recorder code handles, from the shared pattern definition
    families = FAMILIES
    # When the stack is synthesised with the default context
    rules = synthesis.default.resources("AWS::Events::Rule")
    patterns = [rule["Properties"]["EventPattern"] for rule in rules.values()]
    # Then each family has exactly one rule whose pattern is the shared one (detail-type and statuses)
    for name in families:
        assert patterns.count(event_pattern(name, ACCOUNT)) == 1, (
            f"no rule, or several, for the {name} family"
        )
    handled = sorted(FAMILY_BY_DETAIL_TYPE)
    routed = sorted(detail_type for pattern in patterns for detail_type in pattern["detail-type"])
    assert routed == handled
    # And each rule is filtered to the statuses the recorder acts on, when the family has a status field
    for name, family in families.items():
        pattern = event_pattern(name, ACCOUNT)
        # only this account's events: a peer's resources are recorded by the peer's own recorder
        assert pattern["account"] == [ACCOUNT]
        assert pattern["source"] == ["aws.sagemaker"]
        if family.status_field is not None:
            filters = {field: list(values) for field, values in family.detail_filter.items()}
            assert pattern["detail"] == {**filters, family.status_field: list(family.statuses)}
            assert family.statuses, f"the {name} family acts on no status"
    # And CloudTrail's API call events are SageMaker's own calls only
    calls = event_pattern("inference-component", ACCOUNT)
    assert calls["detail-type"] == ["AWS API Call via CloudTrail"]
    assert calls["detail"]["eventSource"] == ["sagemaker.amazonaws.com"]


def test_rules_are_on_the_default_bus_and_target_the_queue_with_the_dlq(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    stack = synthesis.default
    queue_id = stack.logical_id("Recorder/Queue/Resource")
    dlq_id = stack.logical_id("Recorder/DeadLetterQueue/Resource")
    # When its rules are read
    rules = stack.resources("AWS::Events::Rule")
    # Then every rule is enabled on the default bus, with the queue as its only target and the DLQ for
    # events EventBridge cannot deliver
    assert rules
    for rule in rules.values():
        properties = rule["Properties"]
        assert "EventBusName" not in properties
        assert properties["State"] == "ENABLED"
        (target,) = properties["Targets"]
        assert target["Arn"] == get_att(queue_id)
        assert target["DeadLetterConfig"] == {"Arn": get_att(dlq_id)}


def test_only_the_configured_families_get_rules(synthesis: Synthesis) -> None:
    # Given a stack configured to record only training jobs
    stack = synthesis.configured
    # When its rules and the function's environment are read
    rules = stack.resources("AWS::Events::Rule")
    _, fn = function(stack)
    # Then there is one rule, for training, and the function knows which families are enabled
    assert [rule["Properties"]["EventPattern"] for rule in rules.values()] == [
        event_pattern("training", ACCOUNT)
    ]
    assert fn["Properties"]["Environment"]["Variables"]["LINEAGE_FAMILIES"] == "training"


# --- Queue and DLQ ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["default", "configured"])
def test_queue_has_a_dead_letter_queue(synthesis: Synthesis, variant: str) -> None:
    # Given either stack
    stack: SynthesizedStack = getattr(synthesis, variant)
    # When its queues are read
    queues = stack.resources("AWS::SQS::Queue")
    queue_id = stack.logical_id("Recorder/Queue/Resource")
    dlq_id = stack.logical_id("Recorder/DeadLetterQueue/Resource")
    rejected_id = stack.logical_id("Recorder/RejectedQueue/Resource")
    # Then there are exactly three, and the main queue redrives to the DLQ after a few receives
    assert set(queues) == {queue_id, dlq_id, rejected_id}
    redrive = queues[queue_id]["Properties"]["RedrivePolicy"]
    assert redrive == {"deadLetterTargetArn": get_att(dlq_id), "maxReceiveCount": 20}
    assert "RedrivePolicy" not in queues[dlq_id]["Properties"]
    # And the DLQ accepts only that queue as its source; the rejected queue accepts none
    queue_name = queues[queue_id]["Properties"]["QueueName"]
    assert queues[dlq_id]["Properties"]["RedriveAllowPolicy"] == {
        "redrivePermission": "byQueue",
        "sourceQueueArns": [f"arn:aws:sqs:{REGION}:{ACCOUNT}:{queue_name}"],
    }
    assert queues[rejected_id]["Properties"]["RedriveAllowPolicy"] == {"redrivePermission": "denyAll"}
    # And the DLQ keeps messages longer than the queue (standard queues keep the original enqueue time)
    dlq_retention = queues[dlq_id]["Properties"]["MessageRetentionPeriod"]
    assert dlq_retention == 14 * 24 * 3600
    assert dlq_retention > queues[queue_id]["Properties"]["MessageRetentionPeriod"]


TLS_ONLY = {"Action": "sqs:*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
SEND = "sqs:SendMessage"
CONSUME = ",".join(
    sorted(
        [
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
            "sqs:ChangeMessageVisibility",
            "sqs:PurgeQueue",
            "sqs:StartMessageMoveTask",
            "sqs:CancelMessageMoveTask",
        ]
    )
)


def queue_policy(stack: SynthesizedStack, queue_path: str) -> list[dict[str, Any]]:
    queue_id = stack.logical_id(queue_path)
    (policy,) = [
        p
        for p in stack.resources("AWS::SQS::QueuePolicy").values()
        if p["Properties"]["Queues"] == [{"Ref": queue_id}]
    ]
    return as_list(policy["Properties"]["PolicyDocument"]["Statement"])


def test_queues_are_encrypted_and_ssl_only(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    stack = synthesis.default
    # When its queues and queue policies are read
    for queue_id, queue in stack.resources("AWS::SQS::Queue").items():
        path = queue["Metadata"]["aws:cdk:path"].split("/", 1)[1]
        # Then each queue is encrypted and its policy denies any request not made over TLS
        assert queue["Properties"]["SqsManagedSseEnabled"] is True
        tls = [s for s in queue_policy(stack, path) if s["Effect"] == "Deny" and s["Action"] == "sqs:*"]
        assert [{key: s[key] for key in TLS_ONLY} for s in tls] == [TLS_ONLY]
        assert tls[0]["Resource"] == get_att(queue_id)


@pytest.mark.parametrize("variant", ["default", "configured"])
def test_only_the_rules_send_and_only_the_function_and_operator_consume(
    synthesis: Synthesis, variant: str
) -> None:
    # Given either stack (the configured one names an operator role), its rules and the function's role
    stack: SynthesizedStack = getattr(synthesis, variant)
    rules = [get_att(rule_id) for rule_id in stack.resources("AWS::Events::Rule")]
    role = get_att(function(stack)[1]["Properties"]["Role"]["Fn::GetAtt"][0])
    operators = [OPERATOR_ROLE_ARN] if variant == "configured" else []

    def denied(queue_path: str) -> dict[str, Any]:
        return {
            ",".join(sorted(as_list(s["Action"]))): s.get("Condition")
            for s in queue_policy(stack, queue_path)
            if s["Effect"] == "Deny" and s["Action"] != "sqs:*"
        }

    # When the queue policies' Deny statements are read
    # Then the queue and the DLQ deny sending to all but the rules (and the operator, who redrives)
    only_rules = {
        "ArnNotEquals": {"aws:SourceArn": rules, **({"aws:PrincipalArn": operators} if operators else {})}
    }
    assert denied("Recorder/Queue/Resource") == {
        SEND: only_rules,
        CONSUME: {"ArnNotEquals": {"aws:PrincipalArn": [role, *operators]}},
    }
    # And the dead-letter and rejected queues may be read only by the operator (by nobody without one)
    only_operators = {"ArnNotEquals": {"aws:PrincipalArn": operators}} if operators else None
    assert denied("Recorder/DeadLetterQueue/Resource") == {
        SEND: only_rules,
        CONSUME: only_operators,
    }
    assert denied("Recorder/RejectedQueue/Resource") == {
        SEND: {"ArnNotEquals": {"aws:PrincipalArn": [role]}},
        CONSUME: only_operators,
    }
    # And every denial covers every principal
    for path in ("Queue", "DeadLetterQueue", "RejectedQueue"):
        for statement in queue_policy(stack, f"Recorder/{path}/Resource"):
            if statement["Effect"] == "Deny":
                assert statement["Principal"] == {"AWS": "*"}


def test_only_the_rules_are_allowed_to_send_to_the_queue_and_dlq(synthesis: Synthesis) -> None:
    # Given the synthesised default stack and its rules
    stack = synthesis.default
    rule_ids = set(stack.resources("AWS::Events::Rule"))
    # When the queue's and the DLQ's Allow statements are read
    for path in ("Recorder/Queue/Resource", "Recorder/DeadLetterQueue/Resource"):
        allowed_sources = set()
        for statement in queue_policy(stack, path):
            if statement["Effect"] != "Allow":
                continue
            # Then each lets EventBridge send only on behalf of one of this stack's rules
            assert statement["Principal"] == {"Service": "events.amazonaws.com"}
            actions = set(as_list(statement["Action"]))
            assert "sqs:SendMessage" in actions
            assert actions <= {"sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"}
            assert set(statement["Condition"]) == {"ArnEquals"}
            source = statement["Condition"]["ArnEquals"]["aws:SourceArn"]
            assert source["Fn::GetAtt"][1] == "Arn"
            allowed_sources.add(source["Fn::GetAtt"][0])
        # And together they cover exactly the rules (the DLQ receives EventBridge delivery failures too)
        assert allowed_sources == rule_ids


def test_visibility_timeout_is_at_least_six_times_the_function_timeout(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    stack = synthesis.default
    # When the queue's visibility timeout and the function's timeout are read
    queue = stack.json["Resources"][stack.logical_id("Recorder/Queue/Resource")]
    _, fn = function(stack)
    # Then the queue hides a message for at least six function timeouts
    assert queue["Properties"]["VisibilityTimeout"] >= 6 * fn["Properties"]["Timeout"]


# --- The function ----------------------------------------------------------------------------------------
def test_function_runtime_architecture_tracing_and_logging(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    stack = synthesis.default
    # When the function is read
    _, fn = function(stack)
    properties = fn["Properties"]
    # Then it runs the recorder's handler on the newest Python runtime, arm64, traced, logging JSON
    assert properties["Runtime"] == "python3.14"
    assert properties["Architectures"] == ["arm64"]
    assert properties["Handler"] == "lineage_recorder.handler.lambda_handler"
    assert properties["TracingConfig"] == {"Mode": "Active"}
    logging = properties["LoggingConfig"]
    assert logging["LogFormat"] == "JSON"
    assert logging["ApplicationLogLevel"] == "INFO"
    # And into an explicit log group with a retention
    log_group_id = logging["LogGroup"]["Ref"]
    log_group = stack.json["Resources"][log_group_id]
    assert log_group["Type"] == "AWS::Logs::LogGroup"
    assert log_group["Properties"]["RetentionInDays"] == 30


def test_configured_log_retention(synthesis: Synthesis) -> None:
    # Given a stack configured with 90 days of log retention
    stack = synthesis.configured
    # When its log group is read / Then it keeps logs for 90 days
    stack.template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 90})


def test_function_environment(synthesis: Synthesis) -> None:
    # Given the default stack and the configured one
    default, configured = synthesis.default, synthesis.configured
    table_id = default.logical_id("Recorder/StateTable/Resource")
    # When the functions' environments are read
    default_env = function(default)[1]["Properties"]["Environment"]["Variables"]
    configured_env = function(configured)[1]["Properties"]["Environment"]["Variables"]
    # Then they carry the contract's variables, with the defaults and the configured values
    assert default_env == {
        "POWERTOOLS_SERVICE_NAME": "lineage-recorder",
        "POWERTOOLS_METRICS_NAMESPACE": "SageMakerLineageRecorder",
        "POWERTOOLS_LOG_LEVEL": "INFO",
        "LINEAGE_STATE_TABLE": {"Ref": table_id},
        "LINEAGE_PEER_ACCOUNTS": "",
        "LINEAGE_PEER_ROLE_NAME": "SageMakerLineagePeerReader",
        "LINEAGE_FAMILIES": ",".join(FAMILIES),
        "LINEAGE_INDEX_PAGES": "5",
        "LINEAGE_INDEX_OVERLAP_SECONDS": "2",
        "LINEAGE_QUEUE_ARN": get_att(default.logical_id("Recorder/Queue/Resource")),
        "LINEAGE_REJECTED_QUEUE_URL": {"Ref": default.logical_id("Recorder/RejectedQueue/Resource")},
    }
    assert configured_env["LINEAGE_PEER_ACCOUNTS"] == ",".join(PEER_ACCOUNTS)
    assert configured_env["LINEAGE_PEER_ROLE_NAME"] == PEER_ROLE_NAME


def test_powertools_layer_is_pinned_to_the_tested_release_by_default(synthesis: Synthesis) -> None:
    # Given the Powertools release the project pins (and runs its tests with)
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    (pin,) = [dep for dep in pyproject["project"]["dependencies"] if dep.startswith("aws-lambda-powertools")]
    release = pin.split("==")[1]
    # When the default stack's function layers are read
    stack = synthesis.default
    (layer,) = function(stack)[1]["Properties"]["Layers"]
    # Then the only layer is the public Powertools layer for python3.14/arm64 at that release, resolved at
    # deploy time from the public SSM parameter Powertools publishes
    parameter = stack.json["Parameters"][layer["Ref"]]
    assert parameter == {
        "Type": "AWS::SSM::Parameter::Value<String>",
        "Default": f"/aws/service/powertools/python/arm64/python3.14/{release}",
    }


def test_powertools_layer_pinned_by_layer_version_number(synthesis: Synthesis) -> None:
    # Given a stack configured with layer version 40
    stack = synthesis.configured
    # When its function layers are read / Then the layer ARN is written out exactly
    assert function(stack)[1]["Properties"]["Layers"] == [
        f"arn:aws:lambda:{REGION}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python314-arm64:40"
    ]


@pytest.mark.parametrize(("variant", "concurrency"), [("default", 2), ("configured", 10)])
def test_event_source_reports_batch_item_failures_with_capped_concurrency(
    synthesis: Synthesis, variant: str, concurrency: int
) -> None:
    # Given either stack
    stack: SynthesizedStack = getattr(synthesis, variant)
    # When its event source mapping is read
    _, mapping = stack.only("AWS::Lambda::EventSourceMapping")
    # Then the function consumes the queue, reports batch item failures and has a maximum concurrency
    properties = mapping["Properties"]
    assert properties["EventSourceArn"] == get_att(stack.logical_id("Recorder/Queue/Resource"))
    assert properties["FunctionName"] == {"Ref": function(stack)[0]}
    assert properties["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert properties["ScalingConfig"] == {"MaximumConcurrency": concurrency}
    assert properties["BatchSize"] == 10
    stack.template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"FunctionResponseTypes": Match.array_equals(["ReportBatchItemFailures"])},
    )


# --- DynamoDB --------------------------------------------------------------------------------------------
def test_state_table(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    template = synthesis.default.template
    # When its tables are matched
    template.resource_count_is("AWS::DynamoDB::Table", 1)
    # Then the table has a string key "id", on-demand billing, PITR, a TTL on "expiration", and is retained
    template.has_resource(
        "AWS::DynamoDB::Table",
        {
            "Properties": {
                "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
                "BillingMode": "PAY_PER_REQUEST",
                "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
                "TimeToLiveSpecification": {"AttributeName": "expiration", "Enabled": True},
            },
            "DeletionPolicy": "Retain",
            "UpdateReplacePolicy": "Retain",
        },
    )


@pytest.mark.parametrize("variant", ["default", "configured"])
def test_only_the_recorder_and_the_operator_may_write_the_state_table(
    synthesis: Synthesis, variant: str
) -> None:
    # Given either stack (the configured one names an operator role) and the function's role
    stack: SynthesizedStack = getattr(synthesis, variant)
    role = get_att(function(stack)[1]["Properties"]["Role"]["Fn::GetAtt"][0])
    operators = [OPERATOR_ROLE_ARN] if variant == "configured" else []
    # When the table's resource policy is read
    _, table = stack.only("AWS::DynamoDB::Table")
    (statement,) = table["Properties"]["ResourcePolicy"]["PolicyDocument"]["Statement"]
    # Then every principal but those two is denied every way of writing an item (the table decides which
    # ARNs the recorder reuses and which links it retries)
    assert statement["Effect"] == "Deny"
    assert statement["Principal"] == {"AWS": "*"}
    assert set(as_list(statement["Action"])) == {
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
        "dynamodb:PartiQLInsert",
        "dynamodb:PartiQLUpdate",
        "dynamodb:PartiQLDelete",
    }
    assert statement["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": [role, *operators]}}


# --- IAM -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", ["default", "configured"])
def test_no_iam_statement_allows_a_wildcard_action(synthesis: Synthesis, variant: str) -> None:
    # Given either stack
    stack: SynthesizedStack = getattr(synthesis, variant)
    # When every Allow statement of every policy document is read
    wildcards = [
        (logical_id, action, statement.get("Principal"))
        for logical_id, document in policy_documents(stack)
        for statement in allow_statements(document)
        for action in as_list(statement.get("Action", []))
        if "*" in action
    ]
    # Then none has a "*" in an action, except the KMS default key policy statement that delegates the
    # alarm topic's key to the account's IAM policies (AWS's default key policy; no IAM principal of this
    # stack gets any kms permission)
    key_ids = set(stack.resources("AWS::KMS::Key"))
    allowed = [(key_id, "kms:*", {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}) for key_id in sorted(key_ids)]
    assert wildcards == allowed
    assert not any(
        statement.get("NotAction") for _, d in policy_documents(stack) for statement in allow_statements(d)
    )


@pytest.mark.parametrize("variant", ["default", "configured"])
def test_function_role_has_exactly_the_contracted_permissions(synthesis: Synthesis, variant: str) -> None:
    # Given either stack, and the resources the function's permissions may point at
    stack: SynthesizedStack = getattr(synthesis, variant)
    table = json.dumps(get_att(stack.logical_id("Recorder/StateTable/Resource")))
    queue = json.dumps(get_att(stack.logical_id("Recorder/Queue/Resource")))
    log_group = json.dumps(get_att(stack.logical_id("Recorder/FunctionLogGroup/Resource")))
    reconcile_log_group = json.dumps(get_att(stack.logical_id("Recorder/ReconcileLogGroup/Resource")))
    # When the function role's grants are collected
    grants = role_grants(stack)
    # Then each SageMaker action is scoped to its resource types in this account and Region, and the
    # Describe* calls are those of the enabled families only
    families = list(DESCRIBE_ACTIONS_BY_FAMILY) if variant == "default" else ["training"]
    for action, resource_types in expected_sagemaker_grants(families).items():
        assert grants.pop(action) == {sagemaker_arn(resource_type) for resource_type in resource_types}, (
            action
        )
    # And only the List actions, which have no resource-level permissions, use Resource "*": the lineage
    # lists, and the resource lists the daily reconcile walks for the enabled families
    enabled = [family for family in ALL if family.name in families]
    for action in SAGEMAKER_LIST_ACTIONS | {f"sagemaker:{op}" for op in list_operations(enabled)}:
        assert grants.pop(action) == {"*"}, action
    # And X-Ray (no resource-level permissions either), the state table, the queue and the log group
    for action in XRAY_ACTIONS:
        assert grants.pop(action) == {"*"}, action
    for action in STATE_TABLE_ACTIONS:
        assert grants.pop(action) == {table}, action
    # (the queue is read; the rejected queue is where invalid records are parked, written only)
    rejected = json.dumps(get_att(stack.logical_id("Recorder/RejectedQueue/Resource")))
    for action in SQS_CONSUMER_ACTIONS:
        both = action in ("sqs:GetQueueAttributes", "sqs:GetQueueUrl")
        assert grants.pop(action) == ({queue, rejected} if both else {queue}), action
    assert grants.pop("sqs:SendMessage") == {rejected}
    for action in LOG_ACTIONS:
        assert grants.pop(action) == {log_group, reconcile_log_group}, action
    # And sts:AssumeRole only onto the peer reader role in each configured peer account (none by default)
    peer_roles = grants.pop("sts:AssumeRole", set())
    if variant == "default":
        assert peer_roles == set()
    else:
        assert peer_roles == {f"arn:aws:iam::{peer}:role/{PEER_ROLE_NAME}" for peer in PEER_ACCOUNTS}
    # And nothing else
    assert grants == {}


def test_function_role_has_no_managed_policies(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    stack = synthesis.default
    # When the function's role is read
    role_id = function(stack)[1]["Properties"]["Role"]["Fn::GetAtt"][0]
    role = stack.json["Resources"][role_id]
    # Then only Lambda can assume it and it has no managed policies (no AWSLambdaBasicExecutionRole)
    assert "ManagedPolicyArns" not in role["Properties"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "lambda.amazonaws.com"}


# --- Alarms, topic, dashboard ----------------------------------------------------------------------------
def alarms_by_id(stack: SynthesizedStack) -> dict[str, dict[str, Any]]:
    """Construct id ("DeadLetterQueueGrowingAlarm") -> the alarm's properties."""
    return {
        alarm["Metadata"]["aws:cdk:path"].split("/")[-2]: alarm["Properties"]
        for alarm in stack.resources("AWS::CloudWatch::Alarm").values()
    }


def math_metrics(alarm: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """A metric-math alarm's metrics by id: {"expression": ...} or the metric's stat."""
    return {query["Id"]: query.get("Expression") or query["MetricStat"] for query in alarm["Metrics"]}


@pytest.mark.parametrize("variant", ["default", "configured"])
def test_alarms_reach_a_person_for_every_way_lineage_can_be_missed(
    synthesis: Synthesis, variant: str
) -> None:
    # Given either stack, and where its alarms must notify
    stack: SynthesizedStack = getattr(synthesis, variant)
    topic: Any = {"Ref": stack.only("AWS::SNS::Topic")[0]} if variant == "default" else EXISTING_TOPIC_ARN
    queue_name = get_att(stack.logical_id("Recorder/Queue/Resource"), "QueueName")
    dlq_name = get_att(stack.logical_id("Recorder/DeadLetterQueue/Resource"), "QueueName")
    rejected = get_att(stack.logical_id("Recorder/RejectedQueue/Resource"), "QueueName")
    function_name = {"Ref": function(stack)[0]}
    # When its alarms are read
    alarms = alarms_by_id(stack)
    # Then there is one per signal (EventBridge's, one per ten rules)
    second_group = {"EventDeliveryFailedAlarm2", "EventDeadLetterFailedAlarm2"}
    if len(stack.resources("AWS::Events::Rule")) <= 10:
        assert not second_group & set(alarms)
        second_group = set()
    assert set(alarms) - second_group == {
        "DeadLetterQueueGrowingAlarm",
        "DeadLetterQueueOldestMessageAlarm",
        "RejectedQueueGrowingAlarm",
        "RejectedQueueOldestMessageAlarm",
        "EventDeliveryFailedAlarm",
        "EventDeadLetterFailedAlarm",
        "FunctionErrorsAlarm",
        "FunctionThrottlesAlarm",
        "QuotaExceededAlarm",
        "RecordsFailedUnexpectedlyAlarm",
        "StateItemsCorruptAlarm",
        "EventsUnconfirmedAlarm",
        "SkippedValuesAlarm",
        "PeerLinksDroppedAlarm",
        "ArtifactsQuotaApproachingAlarm",
        "ActionsQuotaApproachingAlarm",
        "ContextsQuotaApproachingAlarm",
        "AssociationsQuotaApproachingAlarm",
        "OldestMessageAgeAlarm",
        "MissedEventsAlarm",
    }
    # And the DLQ and rejected-queue alarms fire on every new message (an increase), not once for as long
    # as the queue holds any; an idle queue publishes nothing, so a missing point counts as empty
    for alarm_id, name in (
        ("DeadLetterQueueGrowingAlarm", dlq_name),
        ("RejectedQueueGrowingAlarm", rejected),
    ):
        growing = math_metrics(alarms[alarm_id])
        assert growing["expr_1"] == "DIFF(FILL(visible, 0))"
        assert growing["visible"]["Metric"]["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert growing["visible"]["Metric"]["Dimensions"] == [{"Name": "QueueName", "Value": name}]
        # (an increase SQS reports late, after its period was judged, still alarms)
        assert (alarms[alarm_id]["EvaluationPeriods"], alarms[alarm_id]["DatapointsToAlarm"]) == (3, 1)
    # And a week before messages expire from either (14 days), its oldest message alarms
    for alarm_id, name in (
        ("DeadLetterQueueOldestMessageAlarm", dlq_name),
        ("RejectedQueueOldestMessageAlarm", rejected),
    ):
        aged = alarms[alarm_id]
        assert aged["MetricName"] == "ApproximateAgeOfOldestMessage"
        assert aged["Dimensions"] == [{"Name": "QueueName", "Value": name}]
        assert aged["Threshold"] == 7 * 24 * 3600
    # And EventBridge failures are summed over every rule of the stack, each rule in exactly one alarm of
    # at most ten metrics (CloudWatch's limit for an alarm on a math expression)
    rule_names = sorted(json.dumps({"Ref": rule_id}) for rule_id in stack.resources("AWS::Events::Rule"))
    for alarm_prefix, metric_name in (
        ("EventDeliveryFailedAlarm", "FailedInvocations"),
        ("EventDeadLetterFailedAlarm", "InvocationsFailedToBeSentToDlq"),
    ):
        covered: list[str] = []
        for alarm_id in (alarm_prefix, f"{alarm_prefix}2"):
            if alarm_id not in alarms:
                continue
            metrics = math_metrics(alarms[alarm_id])
            assert "SUM(METRICS())" in metrics.values()
            summed = [m["Metric"] for m in metrics.values() if isinstance(m, dict)]
            assert 0 < len(summed) <= 10
            assert {m["MetricName"] for m in summed} == {metric_name}
            assert {m["Namespace"] for m in summed} == {"AWS/Events"}
            covered += [json.dumps(m["Dimensions"][0]["Value"]) for m in summed]
        assert sorted(covered) == rule_names
    # And the recorder's own signals alarm on the first occurrence
    for alarm_id, metric in (
        ("QuotaExceededAlarm", "QuotaExceeded"),
        ("RecordsFailedUnexpectedlyAlarm", "RecordsFailedUnexpectedly"),
        ("StateItemsCorruptAlarm", "StateItemsCorrupt"),
        ("EventsUnconfirmedAlarm", "EventsUnconfirmed"),
        ("SkippedValuesAlarm", "SkippedValues"),
        ("PeerLinksDroppedAlarm", "PeerLinksDropped"),
    ):
        assert alarms[alarm_id]["MetricName"] == metric
        assert alarms[alarm_id]["Namespace"] == "SageMakerLineageRecorder"
        assert (alarms[alarm_id]["Threshold"], alarms[alarm_id]["Statistic"]) == (0, "Sum")
    # And the daily reconcile alarms when it had to record missed events two days in a row
    missed = alarms["MissedEventsAlarm"]
    assert (missed["MetricName"], missed["Period"], missed["Threshold"]) == ("MissedEvents", 86400, 0)
    assert (missed["EvaluationPeriods"], missed["DatapointsToAlarm"]) == (2, 2)
    # And the quota alarms warn at 80% of the published quotas for lineage entities
    for kind, quota in (("Artifacts", 6000), ("Actions", 3000), ("Contexts", 500), ("Associations", 6000)):
        alarm = alarms[f"{kind}QuotaApproachingAlarm"]
        assert alarm["MetricName"] == f"{kind}CreatedTotal"
        assert (alarm["Threshold"], alarm["Statistic"]) == (quota * 0.8, "Maximum")
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    for alarm_id, metric in (("FunctionErrorsAlarm", "Errors"), ("FunctionThrottlesAlarm", "Throttles")):
        assert alarms[alarm_id]["MetricName"] == metric
        assert alarms[alarm_id]["Dimensions"] == [{"Name": "FunctionName", "Value": function_name}]
    age = alarms["OldestMessageAgeAlarm"]
    assert age["Dimensions"] == [{"Name": "QueueName", "Value": queue_name}]
    assert 0 < age["Threshold"] <= 3600
    # And each notifies the topic when it fires and when it recovers
    for alarm in alarms.values():
        assert alarm["AlarmActions"] == [topic]
        assert alarm["OKActions"] == [topic]
        assert alarm["TreatMissingData"] == "notBreaching"
        assert alarm["ComparisonOperator"] in ("GreaterThanThreshold", "GreaterThanOrEqualToThreshold")


def test_alarm_emails_are_subscribed_and_a_synth_without_recipients_warns(synthesis: Synthesis) -> None:
    # Given the configured stack (two addresses, an existing topic) and the default one (neither)
    subscriptions = synthesis.configured.resources("AWS::SNS::Subscription").values()
    # Then each address is subscribed to the topic
    assert {(s["Properties"]["Protocol"], s["Properties"]["Endpoint"]) for s in subscriptions} == {
        ("email", email) for email in ALARM_EMAILS
    }
    assert {s["Properties"]["TopicArn"] for s in subscriptions} == {EXISTING_TOPIC_ARN}
    # And only the stack without any recipient warns, naming the options, as does one without an operator
    default_warnings, configured_warnings = (
        " ".join(
            str(entry.data)
            for construct in stack.stack.node.find_all()
            for entry in construct.node.metadata
            if entry.type == "aws:cdk:warning"
        )
        for stack in (synthesis.default, synthesis.configured)
    )
    assert "lineage:alarmEmails" in default_warnings and "lineage:operatorRoleArn" in default_warnings
    assert "lineage:alarmEmails" not in configured_warnings
    assert "lineage:operatorRoleArn" not in configured_warnings


def test_created_alarm_topic_is_encrypted_and_ssl_only(synthesis: Synthesis) -> None:
    # Given the default stack (no alarm topic configured, so the construct creates one)
    stack = synthesis.default
    # When the topic, its key and its policy are read
    topic_id, topic = stack.only("AWS::SNS::Topic")
    key_id, key = stack.only("AWS::KMS::Key")
    _, topic_policy = stack.only("AWS::SNS::TopicPolicy")
    # Then the topic is encrypted with a rotating customer-managed key that CloudWatch may use
    assert topic["Properties"]["KmsMasterKeyId"] == get_att(key_id)
    assert key["Properties"]["EnableKeyRotation"] is True
    cloudwatch_key_grants = [
        statement
        for statement in allow_statements(key["Properties"]["KeyPolicy"])
        if statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    ]
    assert [set(s["Action"]) for s in cloudwatch_key_grants] == [{"kms:Decrypt", "kms:GenerateDataKey"}]
    # And its policy denies publishing without TLS and lets only this account's alarms publish
    statements = as_list(topic_policy["Properties"]["PolicyDocument"]["Statement"])
    assert topic_policy["Properties"]["Topics"] == [{"Ref": topic_id}]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert deny["Action"] == "sns:Publish"
    (allow,) = allow_statements(topic_policy["Properties"]["PolicyDocument"])
    assert allow["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
    assert allow["Action"] == "sns:Publish"
    assert allow["Condition"] == {
        "StringEquals": {"aws:SourceAccount": ACCOUNT},
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:*"},
    }


def test_existing_alarm_topic_creates_no_topic_or_key(synthesis: Synthesis) -> None:
    # Given a stack configured with an existing topic ARN
    stack = synthesis.configured
    # When its resources are counted / Then it creates no topic, topic policy or key of its own
    for resource_type in ("AWS::SNS::Topic", "AWS::SNS::TopicPolicy", "AWS::KMS::Key"):
        stack.template.resource_count_is(resource_type, 0)


def test_dashboard_shows_the_alarms(synthesis: Synthesis) -> None:
    # Given the synthesised default stack
    stack = synthesis.default
    # When the dashboard body is read
    _, dashboard = stack.only("AWS::CloudWatch::Dashboard")
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    # Then it shows every alarm (by ARN) and the queue and function metrics
    for alarm_id in stack.resources("AWS::CloudWatch::Alarm"):
        assert json.dumps(get_att(alarm_id)) in body
    for metric in ("ApproximateAgeOfOldestMessage", "Invocations", "Duration", "ConcurrentExecutions"):
        assert metric in body
    # And every metric the recorder publishes, with the running totals against the quotas
    for metric in RECORDER_METRICS:
        assert f'\\"{metric}\\"' in body, metric


def test_outputs_name_what_operators_need(synthesis: Synthesis) -> None:
    # Given the synthesised default stack / When its outputs are read / Then they name the key resources
    outputs = synthesis.default.json["Outputs"]
    assert {
        "FunctionName",
        "FunctionRoleArn",
        "QueueUrl",
        "DeadLetterQueueUrl",
        "StateTableName",
        "AlarmTopicArn",
        "DashboardName",
        "QueueArn",
        "DeadLetterQueueArn",
        "RejectedQueueUrl",
        "EventArchiveName",
        "EventArchiveArn",
        "RuleArns",
    } <= set(outputs)
    # And the rule ARNs, a replay's filter, are exactly the stack's rules
    rule_arns = outputs["RuleArns"]["Value"]["Fn::Join"]
    assert rule_arns[0] == ","
    assert sorted(json.dumps(arn) for arn in rule_arns[1]) == sorted(
        json.dumps(get_att(rule_id)) for rule_id in synthesis.default.resources("AWS::Events::Rule")
    )
    # And without an archive the alarm for lost events says there is none to replay
    configured = alarms_by_id(synthesis.configured)["EventDeadLetterFailedAlarm"]
    assert "there is no archive" in configured["AlarmDescription"]
    assert "EventArchiveName" not in synthesis.configured.json["Outputs"]


# --- cdk-nag ---------------------------------------------------------------------------------------------
def acknowledgements(stack: SynthesizedStack) -> dict[str, dict[str, str]]:
    """Construct path -> {rule id: reason}, from the audit trail cdk-nag writes into the template."""
    found: dict[str, dict[str, str]] = {}
    for resource in stack.json["Resources"].values():
        rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
        if rules:
            path = resource["Metadata"]["aws:cdk:path"]
            found[path] = {rule["id"]: rule["reason"] for rule in rules}
    return found


def test_cdk_nag_acknowledgements_are_per_resource_and_explained(synthesis: Synthesis) -> None:
    # Given the synthesised default stack (its synth passed the AwsSolutions gate)
    stack = synthesis.default
    name = stack.stack.stack_name
    # When the acknowledgements recorded in the template are read
    acknowledged = acknowledgements(stack)
    # Then only the policies with unavoidable wildcard resources carry any, each finding named
    sagemaker_types = {
        resource_type
        for types in expected_sagemaker_grants(list(DESCRIBE_ACTIONS_BY_FAMILY)).values()
        for resource_type in types
    }
    assert acknowledged.keys() == {
        f"{name}/Recorder/SageMakerPolicy/Resource",
        f"{name}/Recorder/SageMakerListPolicy/Resource",
        f"{name}/Recorder/FunctionRole/DefaultPolicy/Resource",
        f"{name}/Recorder/ReconcileListPolicy/Resource",
        f"{name}/Recorder/ReconcileScheduleRole/DefaultPolicy/Resource",
        f"{name}/Recorder/RejectedQueue/Resource",
    }
    assert set(acknowledged[f"{name}/Recorder/ReconcileListPolicy/Resource"]) == {
        "AwsSolutions-IAM5[Resource::*]"
    }
    # (the schedule's role may invoke the reconcile function, and its versions, only)
    (invoke,) = acknowledged[f"{name}/Recorder/ReconcileScheduleRole/DefaultPolicy/Resource"]
    assert re.fullmatch(
        r"AwsSolutions-IAM5\[Resource::<RecorderReconcileFunction[0-9A-F]+\.Arn>:\*\]", invoke
    )
    # (the rejected queue is the end of the line for invalid records: it has no DLQ of its own)
    assert set(acknowledged[f"{name}/Recorder/RejectedQueue/Resource"]) == {"AwsSolutions-SQS3"}
    assert set(acknowledged[f"{name}/Recorder/SageMakerPolicy/Resource"]) == {
        f"AwsSolutions-IAM5[Resource::{sagemaker_arn(resource_type)}]" for resource_type in sagemaker_types
    }
    assert set(acknowledged[f"{name}/Recorder/SageMakerListPolicy/Resource"]) == {
        "AwsSolutions-IAM5[Resource::*]"
    }
    assert set(acknowledged[f"{name}/Recorder/FunctionRole/DefaultPolicy/Resource"]) == {
        "AwsSolutions-IAM5[Resource::*]"
    }
    # And every one has a reason of substance
    for rules in acknowledged.values():
        for rule_id, reason in rules.items():
            # IAM5 findings are acknowledged one resource pattern at a time, never the whole rule
            granular = r"AwsSolutions-IAM5\[.+\]" if "IAM5" in rule_id else r"AwsSolutions-[A-Z0-9]+"
            assert re.fullmatch(granular, rule_id), "acknowledge granular findings only"
            assert len(reason) >= 80, (rule_id, reason)


def test_no_acknowledgement_covers_a_stack_or_the_app(synthesis: Synthesis) -> None:
    # Given the session's construct tree
    key = Validations.ACKNOWLEDGED_RULES_METADATA_KEY
    # When the constructs carrying acknowledgements are listed
    carriers = [
        node.node.path
        for node in synthesis.app.node.find_all()
        if any(entry.type == key for entry in node.node.metadata)
    ]
    # Then none is the app, a stack, or the recorder construct as a whole
    assert carriers
    assert all(path.count("/") >= 2 for path in carriers), carriers
    assert not any(
        Stack.is_stack(node) for node in synthesis.app.node.find_all() if node.node.path in carriers
    )


def test_cdk_nag_fails_the_synth_on_an_unacknowledged_finding(tmp_path: Any) -> None:
    # Given an app with the same nag gate and a queue with neither a DLQ nor SSL enforcement
    # (a separate, one-resource app: the only synth in the suite besides the session one)
    app = App(outdir=str(tmp_path))
    enable_nag(app)
    sqs.Queue(Stack(app, "Unsafe"), "Queue", encryption=sqs.QueueEncryption.SQS_MANAGED)
    # When it is synthesised
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    # Then the report names the findings
    report = (tmp_path / "validation-report.json").read_text(encoding="utf-8")
    assert "AwsSolutions-SQS3" in report
    assert "AwsSolutions-SQS4" in report


@pytest.mark.parametrize("family", ALL, ids=lambda family: family.name)
def test_the_stack_grants_every_call_a_familys_preparer_makes(synthesis: Synthesis, family: Family) -> None:
    # Given the default stack's grants, and the calls the family's preparer makes on its sample
    grants = role_grants(synthesis.default)
    sample = sample_of(family)
    sagemaker = RecordedSageMaker(sample)
    family.prepare(parse_event(sample.event), Describer(SageMakerGateway(sagemaker), family.describes))
    assert sagemaker.calls
    # When each call is matched to the resource it touched (the ARN in SageMaker's answer)
    for operation, params in sagemaker.calls:
        name = next(iter(params.values()))
        resource_type = sample.resource_type_described(operation, str(name))
        # Then the function's role may make that call on that resource type
        assert sagemaker_arn(resource_type) in grants.get(f"sagemaker:{operation}", set()), operation
