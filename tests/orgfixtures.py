"""An organization of three accounts in moto: management, central (email), workload (in an OU)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders

from tests.awsfixtures import MGMT, client, doc

ROLE = "SestuiRead"


@dataclass
class Org:
    id: str
    root: str
    central: str
    workload: str
    ou: str  # the OU "Workloads", holding the workload account
    scps: dict[str, str]  # name -> policy id

    @property
    def names(self) -> dict[str, str]:
        return {MGMT: "master", self.central: "central", self.workload: "workload"}


def build_org(endpoint_url: str | None = None) -> Org:
    """The organization, one IAM user (and more) per account, SES in central, the read role."""
    orgs = client("organizations", MGMT, endpoint_url=endpoint_url)
    org_id = orgs.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    # moto names the management account "master" (its ListAccounts Name).
    central = orgs.create_account(Email="central@example.com", AccountName="central")
    workload = orgs.create_account(Email="workload@example.com", AccountName="workload")
    central_id = central["CreateAccountStatus"]["AccountId"]
    workload_id = workload["CreateAccountStatus"]["AccountId"]
    ou = orgs.create_organizational_unit(ParentId=root, Name="Workloads")["OrganizationalUnit"]
    orgs.move_account(AccountId=workload_id, SourceParentId=root, DestinationParentId=ou["Id"])
    scps = {}
    for target, name, statement in (
        (
            root,
            "DenyLeaveOrg",
            {"Effect": "Deny", "Action": "organizations:Leave*", "Resource": "*"},
        ),
        (
            ou["Id"],
            "WorkloadsNoBulk",
            {"Effect": "Deny", "Action": "ses:SendBulkEmail", "Resource": "*"},
        ),
    ):
        policy = orgs.create_policy(
            Content=doc(statement), Description=name, Name=name, Type="SERVICE_CONTROL_POLICY"
        )
        scps[name] = policy["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=scps[name], TargetId=target)

    for account, user in ((MGMT, "admin"), (central_id, "mail-ops"), (workload_id, "app")):
        iam = client("iam", account, endpoint_url=endpoint_url)
        iam.create_user(UserName=user)
        iam.put_user_policy(
            UserName=user,
            PolicyName="Send",
            PolicyDocument=doc({"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}),
        )
        iam.create_access_key(UserName=user)
        if account != MGMT:
            iam.create_role(
                RoleName=ROLE,
                AssumeRolePolicyDocument=doc(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{MGMT}:root"},
                        "Action": "sts:AssumeRole",
                    }
                ),
            )
    ses = client("sesv2", central_id, "eu-west-1", endpoint_url=endpoint_url)
    ses.create_email_identity(EmailIdentity="example.com")
    ses.create_email_identity_policy(
        EmailIdentity="example.com",
        PolicyName="workload-app",
        Policy=doc(
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{workload_id}:user/app"},
                "Action": "ses:SendRawEmail",
                "Resource": f"arn:aws:ses:eu-west-1:{central_id}:identity/example.com",
            }
        ),
    )
    client("sesv2", workload_id, "us-east-1", endpoint_url=endpoint_url).create_email_identity(
        EmailIdentity="app@workload.example"
    )
    return Org(org_id, root, central_id, workload_id, ou["Id"], scps)


def refuse_assume_role(role_arn: str) -> Any:
    """A before-call handler answering sts:AssumeRole of `role_arn` as AWS does when the role's
    trust policy does not name the caller (or the role does not exist): 403 AccessDenied.

    moto's AssumeRole checks neither that the role exists nor its trust policy, so the refusal
    is made here, at the boto layer, before the request leaves the process; everything after it
    (botocore raising ClientError, sestui classifying it) is the real code path.
    """

    def handler(params: Any = None, **_: Any) -> Any:
        if (params or {}).get("body", {}).get("RoleArn") != role_arn:
            return None
        response = AWSResponse("https://sts.amazonaws.com/", 403, HTTPHeaders(), None)
        message = (
            f"User: arn:aws:iam::{MGMT}:user/moto is not authorized to perform: "
            f"sts:AssumeRole on resource: {role_arn}"
        )
        return response, {
            "Error": {"Code": "AccessDenied", "Message": message, "Type": "Sender"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    return handler
