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
from tests.infra.conftest import ACCOUNT, PEER_ACCOUNTS, PEER_ROLE_NAME, REGION, Synthesis


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
        # And the principal ARN is narrowed to that account's recorder function role
        pattern = _flat(statement["Condition"]["ArnLike"]["aws:PrincipalArn"])
        assert pattern.endswith(f":iam::{account}:role/Configured-RecorderFunctionRole*")
    assert trusted == set(PEER_ACCOUNTS)


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
    # Then only List*, Describe* and QueryLineage: nothing that writes
    assert actions
    assert all(a.split(":")[1].startswith(("List", "Describe", "QueryLineage")) for a in actions), actions
    assert "sagemaker:AddAssociation" not in actions


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
    LineagePeerAccess(stack, "PeerAccess", peer_accounts=["111111111111"], organization_id="o-abcdefghij")
    # When it is synthesised
    template = Template.from_stack(stack).to_json()
    app.synth()
    # Then the trust statement carries both the principal ARN and the org conditions
    (role,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Condition"]["StringEquals"] == {"aws:PrincipalOrgID": "o-abcdefghij"}
    assert "aws:PrincipalArn" in statement["Condition"]["ArnLike"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"peer_accounts": []},
        {"peer_accounts": ["111111111111"], "organization_id": "org"},
        {"peer_accounts": ["111111111111"], "recorder_role_prefix": "*"},
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, Any]) -> None:
    # Given a construct asked to trust nobody, a bad org id or a wildcard role prefix / Then it refuses
    stack = Stack(App(), "Bad", env=Environment(account=ACCOUNT, region=REGION))
    with pytest.raises(ValueError):
        LineagePeerAccess(stack, "PeerAccess", **kwargs)
