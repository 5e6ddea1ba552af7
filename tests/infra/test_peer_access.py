"""IAM of the cross-account set-up: the peer reader role (LineagePeerAccess) and the recorder's grant.

Uses the session synth (tests/infra/conftest.py): the `configured` stack has two peer accounts and a
custom peer role name, the `default` stack none. cdk-nag runs on that synth and fails it on any
unacknowledged finding, so the fixture itself checks that the construct is nag-clean. A separate small
synth covers the organization condition.
"""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Template

from infra.nag import enable_nag
from infra.peer_access import LineagePeerAccess
from tests.infra.conftest import ACCOUNT, PEER_ACCOUNTS, PEER_ROLE_NAME, REGION, TRACE_PRINCIPALS, Synthesis


def _peer_role(synthesis: Synthesis) -> dict[str, Any]:
    roles = synthesis.configured.resources("AWS::IAM::Role")
    matching = [r for r in roles.values() if r["Properties"].get("RoleName") == PEER_ROLE_NAME]
    assert len(matching) == 1
    return matching[0]


def _principals(statement: dict[str, Any]) -> list[Any]:
    aws = statement["Principal"]["AWS"]
    return aws if isinstance(aws, list) else [aws]


def _flat(value: Any) -> str:
    if isinstance(value, dict) and "Fn::Join" in value:
        return "".join(_flat(item) for item in value["Fn::Join"][1])
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    return str(value)


def test_no_peer_role_without_peer_accounts(synthesis: Synthesis) -> None:
    # Given the default stack (no lineage:peerAccounts) / Then it has no role named like the peer reader
    names = [r["Properties"].get("RoleName") for r in synthesis.default.resources("AWS::IAM::Role").values()]
    assert "SageMakerLineagePeerReader" not in names
    assert "PeerReaderRoleArn" not in synthesis.default.json.get("Outputs", {})


def test_peer_role_trusts_only_the_peers_recorder_roles(synthesis: Synthesis) -> None:
    # Given the configured stack with two peer accounts
    statements = _peer_role(synthesis)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    # Then there is one statement per peer: its account as principal, never a wildcard
    assert len(statements) == len(PEER_ACCOUNTS)
    trusted = set()
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert statement["Action"] == "sts:AssumeRole"
        assert "Service" not in statement["Principal"]
        (principal,) = _principals(statement)
        text = _flat(principal)
        assert "*" not in text
        account = text.split(":")[4]
        trusted.add(account)
        # And the principal ARN is exactly that account's recorder role (ArnEquals: no prefix, no wildcard)
        assert set(statement["Condition"]) == {"ArnEquals"}
        exact = _flat(statement["Condition"]["ArnEquals"]["aws:PrincipalArn"])
        assert exact == f"arn:aws:iam::{account}:role/lineage-recorder/SageMakerLineageRecorder-{REGION}"
    assert trusted == set(PEER_ACCOUNTS)


def test_the_recorder_role_is_the_one_peers_trust(synthesis: Synthesis) -> None:
    # Given the configured stack's own recorder role
    role = synthesis.configured.json["Resources"][
        synthesis.configured.logical_id("Recorder/FunctionRole/Resource")
    ]
    # Then it has the fixed name on the path that the peers' trust policies name
    assert role["Properties"]["RoleName"] == f"SageMakerLineageRecorder-{REGION}"
    assert role["Properties"]["Path"] == "/lineage-recorder/"


def test_peer_role_may_only_read_lineage(synthesis: Synthesis) -> None:
    # Given the policies attached to the peer role
    role_id = synthesis.configured.logical_id("PeerAccess/Role/Resource")
    actions: set[str] = set()
    for policy in synthesis.configured.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"].get("Roles", []):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            found = statement["Action"]
            actions.update(found if isinstance(found, list) else [found])
            for resource in (
                statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            ):
                text = _flat(resource)
                assert (
                    text == "*" or text.startswith("arn:<AWS::Partition>:sagemaker:") or ":sagemaker:" in text
                )
                if text == "*":
                    # IAM roles are global: what IAM grants only on "*" is limited to the stack's Region
                    assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": REGION}}
    # Then only the List calls the peers' linker makes: nothing that describes, queries or writes
    assert actions == {
        "sagemaker:ListArtifacts",
        "sagemaker:ListActions",
        "sagemaker:ListContexts",
        "sagemaker:ListAssociations",
    }


def test_the_trace_role_trusts_exactly_the_named_principals_and_only_reads(synthesis: Synthesis) -> None:
    # Given the configured stack, which names who may trace its lineage
    stack = synthesis.configured
    role = stack.json["Resources"][stack.logical_id("TraceAccess/Role/Resource")]
    # Then its trust names exactly those principals
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert sorted(_principals(statement)) == sorted(TRACE_PRINCIPALS)
    assert "Condition" not in statement
    # And it may only query, list and describe lineage
    role_id = stack.logical_id("TraceAccess/Role/Resource")
    actions = {
        action
        for policy in stack.resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in policy["Properties"].get("Roles", [])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        for action in (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
    }
    assert all(a.split(":")[1].startswith(("List", "Describe", "QueryLineage")) for a in actions), actions
    assert "sagemaker:QueryLineage" in actions
    # And what IAM grants only on "*" is limited to the stack's Region; the rest names this Region's ARNs
    for policy in stack.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} not in policy["Properties"].get("Roles", []):
            continue
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement["Resource"] == "*":
                assert statement["Condition"] == {"StringEquals": {"aws:RequestedRegion": REGION}}
            else:
                assert f":sagemaker:{REGION}:{ACCOUNT}:" in _flat(statement["Resource"])
    # And the default stack, which names nobody, has no trace role
    assert "TraceRoleArn" not in synthesis.default.json["Outputs"]


def test_recorder_may_assume_exactly_the_peer_roles(synthesis: Synthesis) -> None:
    # Given the recorder's peer access policy in the configured stack
    policy = synthesis.configured.json["Resources"][
        synthesis.configured.logical_id("Recorder/PeerAccessPolicy/Resource")
    ]
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    # Then it allows sts:AssumeRole onto each peer's reader role, and nothing else
    assert statement["Action"] == "sts:AssumeRole"
    resources = {_flat(r) for r in statement["Resource"]}
    assert resources == {
        f"arn:<AWS::Partition>:iam::{a}:role/{PEER_ROLE_NAME}" for a in PEER_ACCOUNTS
    } or resources == {f"arn:aws:iam::{a}:role/{PEER_ROLE_NAME}" for a in PEER_ACCOUNTS}


def test_organization_id_adds_a_principal_org_condition(tmp_path: Any) -> None:
    # Given a small app with the construct and an organization id, under the same cdk-nag gate
    app = App(outdir=str(tmp_path))
    enable_nag(app)
    stack = Stack(app, "PeerOnly", env=Environment(account=ACCOUNT, region=REGION))
    LineagePeerAccess(
        stack,
        "PeerAccess",
        peer_accounts=["111111111111"],
        recorder_role_path="/lineage-recorder/",
        recorder_role_name="SageMakerLineageRecorder-eu-west-1",
        organization_id="o-abcdefghij",
    )
    # When it is synthesised
    template = Template.from_stack(stack).to_json()
    app.synth()
    # Then the trust statement carries both the principal ARN and the org conditions
    (role,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": "o-abcdefghij"}
    assert "aws:PrincipalArn" in statement["Condition"]["ArnEquals"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"peer_accounts": []},
        {"peer_accounts": ["111111111111"], "organization_id": "org"},
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any]) -> None:
    # Given a construct asked to trust nobody, or with a bad org id / Then it refuses
    stack = Stack(App(), "Bad", env=Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(ValueError):
        LineagePeerAccess(
            stack,
            "PeerAccess",
            recorder_role_path="/p/",
            recorder_role_name="SageMakerLineageRecorder-x",
            **kwargs,
        )
