"""The demo organization beside the demo account: a central email account whose identity
workload accounts send as (delegate sending), one sender per cross-account failure mode and one
that works. Written to demo-organization.json by `python -m sestui.demo.build`."""

from __future__ import annotations

import json
from typing import Any

from sestui.account.formats import FORMAT_2
from sestui.demo.build import CREATED, MGMT, V

CENTRAL = "222233334444"
WORKLOAD_A = "333344445555"
WORKLOAD_B = "666677778888"
REGION = "eu-west-1"
IDENTITY = "notify.example.org"
IDENTITY_ARN = f"arn:aws:ses:{REGION}:{CENTRAL}:identity/{IDENTITY}"
SENDS = ["ses:SendEmail", "ses:SendRawEmail"]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": V, "Statement": list(statements)}


def user_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def _user(account: str, name: str, inline: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "Path": "/",
        "UserName": name,
        "UserId": "AIDA" + name.upper().replace("-", "")[:12].ljust(12, "X"),
        "Arn": user_arn(account, name),
        "CreateDate": "2025-06-02T10:00:00Z",
        "UserPolicyList": [{"PolicyName": k, "PolicyDocument": v} for k, v in inline.items()],
        "GroupList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }


def _send_as_central() -> dict[str, dict[str, Any]]:
    return {
        "SendAsCentralIdentity": _doc(
            {"Sid": "SendAsNotify", "Effect": "Allow", "Action": SENDS, "Resource": IDENTITY_ARN}
        )
    }


_FULL_ACCESS = {
    "Id": "p-FullAWSAccess",
    "Name": "FullAWSAccess",
    "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
    "AwsManaged": True,
    "Content": json.dumps(_doc({"Effect": "Allow", "Action": "*", "Resource": "*"})),
}


def _chain(account: str, name: str, extra: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "status": "member",
        "management_account_id": MGMT,
        "organization_id": "o-demo42",
        "levels": [
            {"Id": "r-a1b2", "Name": "Root", "Type": "ROOT", "Policies": [_FULL_ACCESS]},
            {
                "Id": "ou-a1b2-workload",
                "Name": "Workloads",
                "Type": "ORGANIZATIONAL_UNIT",
                "Policies": [_FULL_ACCESS],
            },
            {"Id": account, "Name": name, "Type": "ACCOUNT", "Policies": [_FULL_ACCESS, *extra]},
        ],
    }


def _key(user: str) -> dict[str, Any]:
    """A documentation-style access key ID (AKIA + 16 characters), active, used in eu-west-1."""
    key_id = ("AKIA" + "".join(c for c in user.upper() if c.isalpha()) + "EXAMPLE" * 3)[:20]
    return {
        "UserName": user,
        "AccessKeyId": key_id,
        "Status": "Active",
        "CreateDate": "2025-04-02T09:00:00Z",
        "AccessKeyLastUsed": {
            "LastUsedDate": "2026-11-20T17:42:00Z",
            "ServiceName": "ses",
            "Region": "eu-west-1",
        },
    }


def _account(
    account: str,
    name: str,
    users: list[dict[str, Any]],
    regions: dict[str, Any],
    scps: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "created": CREATED,
        "source": "demo",
        "account": {"Id": account, "Partition": "aws", "Name": name},
        "iam": {
            "UserDetailList": users,
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [],
        },
        # Every sender has an active key, last used for SES where it sends: SMTP needs one, and
        # the demo's stories are about the policies, not the credentials.
        "access_keys": [_key(u["UserName"]) for u in users],
        "ses": {"regions": regions},
        "organizations": _chain(account, name, scps or []),
        "gaps": [],
    }


def _region(identities: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        REGION: {
            "identities": identities,
            "configuration_sets": [],
            "templates": [],
            "account": {
                "ProductionAccessEnabled": True,
                "SendingEnabled": True,
                "EnforcementStatus": "HEALTHY",
            },
        }
    }


def build_organization() -> dict[str, Any]:
    """`sestui-snapshot/2`: central-email, workload-a and workload-b (sorted by ID)."""
    delegates = _doc(
        {
            "Sid": "WorkloadSenders",
            "Effect": "Allow",
            "Principal": {
                "AWS": [
                    user_arn(WORKLOAD_A, "orders-app"),  # works
                    user_arn(WORKLOAD_A, "invoices-app"),  # its own IAM policy is missing
                    user_arn(WORKLOAD_A, "promo-app"),  # denied below
                    user_arn(WORKLOAD_B, "batch-app"),  # its account's SCP denies SES
                ]
            },
            "Action": SENDS,
            "Resource": IDENTITY_ARN,
        },
        {
            "Sid": "NoPromoFromNotify",
            "Effect": "Deny",
            "Principal": {"AWS": user_arn(WORKLOAD_A, "promo-app")},
            "Action": "ses:*",
            "Resource": IDENTITY_ARN,
        },
        # reports-app (workload-a) is named nowhere: the owner's policy misses the caller.
    )
    central = _account(
        CENTRAL,
        "central-email",
        [],
        _region(
            [
                {
                    "IdentityType": "DOMAIN",
                    "IdentityName": IDENTITY,
                    "VerificationStatus": "SUCCESS",
                    "VerifiedForSendingStatus": True,
                    "Policies": {"WorkloadDelegates": json.dumps(delegates)},
                }
            ]
        ),
    )
    workload_a = _account(
        WORKLOAD_A,
        "workload-a",
        [
            _user(WORKLOAD_A, "orders-app", _send_as_central()),
            _user(WORKLOAD_A, "invoices-app", {}),
            _user(WORKLOAD_A, "reports-app", _send_as_central()),
            _user(WORKLOAD_A, "promo-app", _send_as_central()),
        ],
        _region([]),
    )
    no_ses = {
        "Id": "p-nosesb01",
        "Name": "NoSesInBatch",
        "AwsManaged": False,
        "Arn": f"arn:aws:organizations::{MGMT}:policy/o-demo42/service_control_policy/p-nosesb01",
        "Content": json.dumps(
            _doc({"Sid": "BatchMayNotSend", "Effect": "Deny", "Action": "ses:*", "Resource": "*"})
        ),
    }
    workload_b = _account(
        WORKLOAD_B,
        "workload-b",
        [_user(WORKLOAD_B, "batch-app", _send_as_central())],
        _region([]),
        [no_ses],
    )
    return {
        "format": FORMAT_2,
        "source": "demo",
        "organization": {"Id": "o-demo42", "ManagementAccountId": MGMT},
        "accounts": [central, workload_a, workload_b],
        "unreadable": [],
    }


def render_organization() -> str:
    return json.dumps(build_organization(), indent=1) + "\n"
