"""Build a real account in moto: IAM, SES v2 in two regions, an organization with OUs and SCPs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest

MGMT = "123456789012"
V = "2012-10-17"


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": V, "Statement": list(statements)})


def as_account(account_id: str) -> Any:
    """A botocore handler that makes moto treat the call as coming from account_id."""

    def hook(request: Any, **_: Any) -> None:
        request.headers["x-moto-account-id"] = account_id

    return hook


def client(
    service: str, account_id: str, region: str = "us-east-1", endpoint_url: str | None = None
) -> Any:
    # The service is a runtime value: boto3's stubs type clients per literal service name.
    c = boto3.client(service, region_name=region, endpoint_url=endpoint_url)  # type: ignore[call-overload]
    c.meta.events.register("before-sign.*.*", as_account(account_id))
    return c


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> Iterator[None]:
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_ENDPOINT_URL",
        "MOTO_ACCOUNT_ID",
    ):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    yield


@dataclass
class Built:
    account_id: str
    ou_ids: list[str]
    scp_ids: dict[str, str]


def build_account(
    account_id: str = MGMT, *, org: str = "none", endpoint_url: str | None = None
) -> Built:
    """org: "none" (no organization), "management" (account_id creates it), "member"."""
    member = account_id
    ou_ids: list[str] = []
    scp_ids: dict[str, str] = {}
    if org != "none":
        orgs = client("organizations", MGMT, endpoint_url=endpoint_url)
        orgs.create_organization(FeatureSet="ALL")
        root = orgs.list_roots()["Roots"][0]["Id"]
        orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
        if org == "member":
            created = orgs.create_account(Email="mail@example.com", AccountName="mail-prod")
            member = created["CreateAccountStatus"]["AccountId"]
            workloads = orgs.create_organizational_unit(ParentId=root, Name="Workloads")
            prod = orgs.create_organizational_unit(
                ParentId=workloads["OrganizationalUnit"]["Id"], Name="Prod"
            )
            ou_ids = [workloads["OrganizationalUnit"]["Id"], prod["OrganizationalUnit"]["Id"]]
            orgs.move_account(AccountId=member, SourceParentId=root, DestinationParentId=ou_ids[1])
            for target, name, content in (
                (
                    root,
                    "DenyLeaveOrg",
                    doc({"Effect": "Deny", "Action": "organizations:Leave*", "Resource": "*"}),
                ),
                (
                    ou_ids[0],
                    "RegionGuard",
                    doc(
                        {
                            "Effect": "Deny",
                            "Action": "ses:*",
                            "Resource": "*",
                            "Condition": {
                                "StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}
                            },
                        }
                    ),
                ),
                (
                    member,
                    "NoBulk",
                    doc({"Effect": "Deny", "Action": "ses:SendBulkEmail", "Resource": "*"}),
                ),
            ):
                p = orgs.create_policy(
                    Content=content, Description=name, Name=name, Type="SERVICE_CONTROL_POLICY"
                )
                scp_ids[name] = p["Policy"]["PolicySummary"]["Id"]
                orgs.attach_policy(PolicyId=scp_ids[name], TargetId=target)

    iam = client("iam", member, endpoint_url=endpoint_url)
    iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "mail"}])
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="mailers")
    iam.add_user_to_group(GroupName="mailers", UserName="alice")
    send = iam.create_policy(
        PolicyName="SendFromExample",
        PolicyDocument=doc(
            {
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": f"arn:aws:ses:eu-west-1:{member}:identity/example.com",
            }
        ),
    )["Policy"]["Arn"]
    iam.attach_group_policy(GroupName="mailers", PolicyArn=send)
    iam.put_group_policy(
        GroupName="mailers",
        PolicyName="Quota",
        PolicyDocument=doc({"Effect": "Allow", "Action": "ses:GetSendQuota", "Resource": "*"}),
    )
    iam.put_user_policy(
        UserName="bob",
        PolicyName="BobInline",
        PolicyDocument=doc({"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}),
    )
    boundary = iam.create_policy(
        PolicyName="Boundary",
        PolicyDocument=doc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
    )["Policy"]["Arn"]
    iam.create_access_key(UserName="bob")
    iam.create_role(
        RoleName="notifier",
        Path="/service-role/",
        AssumeRolePolicyDocument=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    iam.put_role_policy(
        RoleName="notifier",
        PolicyName="Notify",
        PolicyDocument=doc({"Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}),
    )
    # moto does not implement PutUserPermissionsBoundary: set it on the backend.
    from moto.iam.models import iam_backends

    backend = iam_backends[member]["global"]
    backend.users["bob"].permissions_boundary = {  # type: ignore[attr-defined]
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary,
    }

    for region, identities in (
        ("eu-west-1", ["example.com", "billing@example.com"]),
        ("us-east-1", ["example.org"]),
    ):
        ses = client("sesv2", member, region, endpoint_url=endpoint_url)
        for name in identities:
            ses.create_email_identity(EmailIdentity=name)
        if region == "eu-west-1":
            ses.create_configuration_set(ConfigurationSetName="tracking")
            ses.create_email_identity_policy(
                EmailIdentity="example.com",
                PolicyName="deny-bob",
                Policy=doc(
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": f"arn:aws:iam::{member}:user/bob"},
                        "Action": "ses:*",
                        "Resource": f"arn:aws:ses:eu-west-1:{member}:identity/example.com",
                    }
                ),
            )
    return Built(member, ou_ids, scp_ids)


def reset_moto_server(endpoint: str) -> None:
    """Clear a moto server's state (it shares this process's backends when threaded)."""
    import urllib.request

    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset",
        data=b"",
        method="POST",
        headers={"Content-Type": "text/plain"},
    )
    urllib.request.urlopen(request, timeout=10).close()
