"""The README's read-only policy allows every call the readers make, and no write."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from sestui.aws.guard import ALLOWED, is_allowed
from sestui.aws.permissions import READ_ACTIONS, read_only_policy
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from sestui.policy import PolicyKind, PolicySet, PolicySource, Request, evaluate, parse_policy
from tests.awsfixtures import MGMT, as_account, build_account
from tests.paths import ROOT

USER = "arn:aws:iam::123456789012:user/sestui-reader"
SIGNING_NAMES = {"iam": "iam", "sesv2": "ses", "organizations": "organizations", "sts": "sts"}


def allowed(action: str) -> bool:
    policy = parse_policy(read_only_policy(), PolicySource(PolicyKind.IDENTITY, "SestuiReadOnly"))
    request = Request.build(USER, action, "*")
    return evaluate(request, PolicySet(identity=(policy,))).decision.allowed


@pytest.mark.usefixtures("aws_env")
def test_every_call_the_readers_make_is_allowed() -> None:
    calls: set[str] = set()

    def record(model: Any = None, **_: Any) -> None:
        service = model.service_model.service_name
        calls.add(f"{SIGNING_NAMES[service]}:{model.name}")

    with mock_aws():
        built = build_account(org="member")
        # As the member account (its IAM and SES), and with the management account for SCPs.
        session, org = AwsSession(region="us-east-1"), AwsSession(region="us-east-1")
        session.add_hook("before-sign.*.*", as_account(built.account_id))
        org.add_hook("before-sign.*.*", as_account(MGMT))
        for s in (session, org):
            s.add_hook("before-call.*.*", record)
        read_account(session, regions=["eu-west-1"], org_session=org)
    assert {
        "iam:GetAccountAuthorizationDetails",
        "ses:GetEmailIdentity",
        "organizations:DescribeOrganization",
        "sts:GetCallerIdentity",
    } <= calls
    assert all(allowed(action) for action in calls), sorted(a for a in calls if not allowed(a))
    listed = {a for actions in READ_ACTIONS.values() for a in actions}
    assert calls <= listed
    # The guard lets through what the policy grants, plus the calls of features to come.
    # (the organization read's own two: tests/aws/test_org_read.py checks its policies).
    coming = {
        "sts:AssumeRole",
        "organizations:ListAccounts",
        "iam:SimulatePrincipalPolicy",
        "iam:SimulateCustomPolicy",
    }
    guard = {a.replace("sesv2:", "ses:") for a in ALLOWED}
    assert guard == listed | coming


def test_the_policy_allows_no_write() -> None:
    session = botocore.session.get_session()
    for service, prefix in SIGNING_NAMES.items():
        model = session.get_service_model(service)
        for name in model.operation_names:
            if not is_allowed(service, name):
                assert not allowed(f"{prefix}:{name}"), name
    for actions in READ_ACTIONS.values():
        assert all(a.split(":")[1].startswith(("Get", "List", "Describe")) for a in actions)


def test_readme_shows_this_policy() -> None:
    readme = (ROOT / "README.md").read_text()
    assert json.dumps(read_only_policy(), indent=2) in readme
