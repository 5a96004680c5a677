"""The read-only guard: exactly the operations sestui calls may leave the process."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from moto import mock_aws

from sestui.aws.guard import ALLOWED, ReadOnlyViolation, has_guard, is_allowed, refuse_writes
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from tests.awsfixtures import as_account, build_account

SERVICES = ("iam", "ses", "sesv2", "organizations", "sts")
# Called by the organization read (tests/aws/test_org_read.py) and by `--verify`.
COMING = {
    "sts:AssumeRole",
    "organizations:ListAccounts",
    "iam:SimulatePrincipalPolicy",
    "iam:SimulateCustomPolicy",
}


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_of_the_models_outside_the_list_is_refused(service: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    allowed, refused = [], []
    for name in model.operation_names:
        op = model.operation_model(name)
        try:
            refuse_writes(model=op)
            allowed.append(f"{service}:{name}")
        except ReadOnlyViolation as exc:
            assert f"{service}:{name}" in str(exc)
            refused.append(name)
    assert set(allowed) == {a for a in ALLOWED if a.startswith(f"{service}:")}
    assert refused  # every model has operations sestui never calls
    # Reads sestui does not call are refused too: the list is exact, not a name prefix.
    assert any(n.startswith(("Get", "List", "Describe")) for n in refused)


def test_every_listed_operation_exists_in_botocore() -> None:
    session = botocore.session.get_session()
    for entry in ALLOWED:
        service, name = entry.split(":")
        assert name in session.get_service_model(service).operation_names, entry


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("iam", "CreateUser"),
        ("iam", "PutUserPolicy"),
        ("iam", "AttachUserPolicy"),
        ("iam", "CreateAccessKey"),
        ("iam", "GetUser"),  # a read, but not one sestui makes
        ("ses", "DeleteIdentity"),
        ("ses", "SendEmail"),
        ("ses", "SendRawEmail"),
        ("ses", "GetIdentityPolicies"),
        ("sesv2", "SendEmail"),
        ("sesv2", "PutEmailIdentityPolicy"),
        ("sesv2", "CreateEmailIdentityPolicy"),
        ("sesv2", "PutAccountSendingAttributes"),
        ("organizations", "AttachPolicy"),
        ("organizations", "ListAccountsForParent"),
        ("organizations", "ListRoots"),
        ("organizations", "TagResource"),
        ("sts", "GetSessionToken"),
        ("sts", "GetFederationToken"),
        ("sts", "AssumeRoleWithWebIdentity"),
        ("sts", "AssumeRoleWithSAML"),
        ("sts", "AssumeRoot"),
        ("sts", "DecodeAuthorizationMessage"),
        ("sts", "GetAccessKeyInfo"),
        ("sesv2", "GetCallerIdentity"),  # the right name in the wrong service
    ],
)
def test_known_writes_and_credential_calls_are_refused(service: str, name: str) -> None:
    assert not is_allowed(service, name)


@pytest.mark.parametrize("entry", sorted(ALLOWED))
def test_the_listed_operations_pass(entry: str) -> None:
    assert is_allowed(*entry.split(":"))


@pytest.mark.usefixtures("aws_env")
def test_the_list_is_what_the_readers_call_plus_what_is_coming() -> None:
    calls: set[str] = set()

    def record(model: Any = None, **_: Any) -> None:
        calls.add(f"{model.service_model.service_name}:{model.name}")

    with mock_aws():
        built = build_account(org="member")
        # An account with users, keys, identities, templates, and a member of an organization
        # read through the management account: every reader path runs.
        session, org = AwsSession(region="us-east-1"), AwsSession(region="us-east-1")
        session.add_hook("before-sign.*.*", as_account(built.account_id))
        from tests.awsfixtures import MGMT

        org.add_hook("before-sign.*.*", as_account(MGMT))
        for s in (session, org):
            s.add_hook("before-call.*.*", record)
        read_account(session, regions=["eu-west-1"], org_session=org)
    assert calls <= ALLOWED
    assert ALLOWED - calls <= COMING | {
        # Called only for AWS-managed policies (moto returns them in the details) or
        # for accounts and OUs moto names without a describe call.
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribeAccount",
    }


@pytest.mark.usefixtures("aws_env")
def test_a_write_through_a_sestui_client_never_reaches_aws() -> None:
    with mock_aws():
        session = AwsSession(region="us-east-1")
        iam = session.client("iam")
        with pytest.raises(ReadOnlyViolation, match="iam:CreateUser"):
            iam.create_user(UserName="intruder")
        sts = session.client("sts")
        with pytest.raises(ReadOnlyViolation, match="sts:GetSessionToken"):
            sts.get_session_token()
        ses = session.client("sesv2", "eu-west-1")
        with pytest.raises(ReadOnlyViolation, match="sesv2:SendEmail"):
            ses.send_email(
                FromEmailAddress="a@example.com",
                Destination={"ToAddresses": ["b@x.org"]},
                Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
            )
        with pytest.raises(ReadOnlyViolation, match="iam:ListUsers"):
            iam.list_users()
        assert iam.get_account_authorization_details()["UserDetailList"] == []
        assert session.calls == 1  # the refused calls were never sent


@pytest.mark.usefixtures("aws_env")
def test_every_client_the_readers_create_is_guarded() -> None:
    with mock_aws():
        build_account()
        session = AwsSession(region="us-east-1")
        read_account(session, regions=["eu-west-1", "us-east-1", "ap-south-1"])
        clients = session.clients()
        assert {c.meta.service_model.service_name for c in clients} == {
            "iam",
            "sts",
            "organizations",
            "sesv2",
        }
        assert len(clients) == 6
        assert all(has_guard(c) for c in clients)
