"""cdk-nag (3.x) wiring: the AwsSolutions pack as a synth gate, and per-resource acknowledgements.

cdk-nag 3 is a CDK policy-validation plugin: any finding that is not acknowledged fails the synth
(`python app.py`, `npx cdk synth` and `Template`-based tests alike). Acknowledgements are attached to the
construct that owns the finding, never to a stack or the app, and each carries its reason. They are also
written into the template's resource Metadata (`cdk_nag.rules_to_suppress`) as an audit trail.
"""

from __future__ import annotations

import json
from typing import Any

from aws_cdk import Acknowledgment, CfnResource, Stack, Stage, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

IAM5 = "AwsSolutions-IAM5"
MIN_REASON_LENGTH = 40


def enable_nag(app: Stage) -> None:
    """Run the AwsSolutions checks on every synth of `app`, failing it on unacknowledged findings."""
    Validations.of(app).add_plugins(
        AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
    )


def acknowledge(scope: IConstruct, rule_id: str, reason: str) -> None:
    """Acknowledge one finding on one resource (the construct that owns it), with its reason."""
    if isinstance(scope, Stage) or Stack.is_stack(scope):
        raise ValueError(f"acknowledge {rule_id} on the resource that owns it, not on {scope.node.path}")
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(
            f"the reason for acknowledging {rule_id} is too short to explain anything: {reason!r}"
        )
    Validations.of(scope).acknowledge(Acknowledgment(id=rule_id, reason=reason))


def wildcard_resource_finding(scope: IConstruct, resource: str) -> str:
    """The granular IAM5 finding id cdk-nag reports for `resource` in a policy statement.

    cdk-nag flattens the resolved CloudFormation value (Fn::Join, Ref, Fn::GetAtt, Fn::Sub) into a string
    such as ``arn:<AWS::Partition>:sagemaker:<AWS::Region>:<AWS::AccountId>:artifact/*``; this mirrors it
    so the acknowledgement matches whether or not the stack has an explicit environment.
    """
    return f"{IAM5}[Resource::{flatten_cfn_reference(Stack.of(scope).resolve(resource))}]"


def flatten_cfn_reference(node: Any) -> str:
    """Python twin of cdk-nag's `flattenCfnReference` (lib/utils/flatten-cfn-reference)."""
    if node is None:
        return ""
    if isinstance(node, str):
        return node.replace("${", "<").replace("}", ">")
    if isinstance(node, dict):
        if "Fn::Join" in node:
            delimiter, items = node["Fn::Join"]
            return str(delimiter).join(flatten_cfn_reference(item) for item in items)
        if "Fn::Sub" in node:
            return flatten_cfn_reference(node["Fn::Sub"])
        if "Fn::GetAtt" in node:
            resource, attribute = node["Fn::GetAtt"]
            return f"<{flatten_cfn_reference(resource)}.{flatten_cfn_reference(attribute)}>"
        if "Fn::ImportValue" in node:
            return flatten_cfn_reference(node["Fn::ImportValue"])
        if "Ref" in node:
            return f"<{flatten_cfn_reference(node['Ref'])}>"
    return json.dumps(node, separators=(",", ":"))


def skip_checkov(scope: IConstruct, check_id: str, reason: str) -> None:
    """Skip one checkov finding on one resource, with its reason, where checkov reads it: the resource's
    template Metadata (``checkov.skip``), next to cdk-nag's audit trail."""
    if len(reason) < MIN_REASON_LENGTH:
        raise ValueError(f"the reason for skipping {check_id} is too short to explain anything: {reason!r}")
    resource = scope if isinstance(scope, CfnResource) else scope.node.default_child
    if not isinstance(resource, CfnResource):
        raise ValueError(f"skip {check_id} on a CloudFormation resource, not on {scope.node.path}")
    metadata = resource.get_metadata("checkov") or {"skip": []}
    metadata["skip"].append({"id": check_id, "comment": reason})
    resource.add_metadata("checkov", metadata)
