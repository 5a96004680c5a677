"""The read-only guard: only Get*/List*/Describe*/Simulate* calls may leave the process."""

from __future__ import annotations

import botocore.session
import pytest
from moto import mock_aws

from sestui.aws.guard import ReadOnlyViolation, has_guard, is_read_only, refuse_writes
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from tests.awsfixtures import build_account

SERVICES = ("iam", "ses", "sesv2", "organizations", "sts")


@pytest.mark.parametrize("service", SERVICES)
def test_every_operation_of_the_models_is_classified(service: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    allowed, refused = [], []
    for name in model.operation_names:
        op = model.operation_model(name)
        try:
            refuse_writes(model=op)
            allowed.append(name)
        except ReadOnlyViolation as exc:
            assert f"{service}:{name}" in str(exc)
            refused.append(name)
    assert all(n.startswith(("Get", "List", "Describe", "Simulate")) for n in allowed)
    assert not any(n.startswith(("Get", "List", "Describe", "Simulate")) for n in refused)
    assert (allowed and refused) or service == "sts"


@pytest.mark.parametrize(
    "name",
    [
        "CreateUser",
        "PutUserPolicy",
        "AttachUserPolicy",
        "DeleteIdentity",
        "SendEmail",
        "SendRawEmail",
        "PutEmailIdentityPolicy",
        "CreateEmailIdentityPolicy",
        "AttachPolicy",
        "AssumeRole",
        "UpdateAccountSendingEnabled",
        "TagResource",
        "DecodeAuthorizationMessage",
    ],
)
def test_known_writes_are_refused(name: str) -> None:
    assert not is_read_only(name)


@pytest.mark.parametrize(
    "name",
    [
        "GetAccountAuthorizationDetails",
        "ListEmailIdentities",
        "GetEmailIdentity",
        "DescribePolicy",
        "ListPoliciesForTarget",
        "SimulatePrincipalPolicy",
        "GetCallerIdentity",
        "GetAccessKeyLastUsed",
        "GetAccount",
    ],
)
def test_reads_pass(name: str) -> None:
    assert is_read_only(name)


@pytest.mark.usefixtures("aws_env")
def test_a_write_through_a_sestui_client_never_reaches_aws() -> None:
    with mock_aws():
        session = AwsSession(region="us-east-1")
        iam = session.client("iam")
        with pytest.raises(ReadOnlyViolation, match="iam:CreateUser"):
            iam.create_user(UserName="intruder")
        ses = session.client("sesv2", "eu-west-1")
        with pytest.raises(ReadOnlyViolation, match="sesv2:SendEmail"):
            ses.send_email(
                FromEmailAddress="a@example.com",
                Destination={"ToAddresses": ["b@x.org"]},
                Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}},
            )
        assert iam.list_users()["Users"] == []
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
