"""Build the demo snapshot: `python -m sestui.demo.build` rewrites demo-account.json (and
demo-organization.json, sestui/demo/org.py).

The scenario of AWS's "554 Access denied" troubleshooting article (user `iam-user-name`, domain
`example.com` in eu-west-1, the two-statement policy) plus one principal per failure mode.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from sestui.account.formats import FORMAT_1

ACCT = "111122223333"
MGMT = "999988887777"
CREATED = "2026-11-02T09:14:00Z"
V = "2012-10-17"


def _arn(kind: str, name: str) -> str:
    return f"arn:aws:iam::{ACCT}:{kind}/{name}"


def ses_arn(region: str, kind: str, name: str) -> str:
    return f"arn:aws:ses:{region}:{ACCT}:{kind}/{name}"


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": V, "Statement": list(statements)}


def _user(
    name: str,
    *,
    path: str = "/",
    groups: tuple[str, ...] = (),
    inline: dict[str, dict[str, Any]] | None = None,
    attached: tuple[str, ...] = (),
    boundary: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    user: dict[str, Any] = {
        "Path": path,
        "UserName": name,
        "UserId": "AIDA" + name.upper().replace("-", "")[:12].ljust(12, "X"),
        "Arn": f"arn:aws:iam::{ACCT}:user{path}{name}",
        "CreateDate": "2025-03-11T10:00:00Z",
        "UserPolicyList": [
            {"PolicyName": k, "PolicyDocument": v} for k, v in (inline or {}).items()
        ],
        "GroupList": list(groups),
        "AttachedManagedPolicies": [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached
        ],
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
    }
    if boundary:
        user["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        }
    return user


def _managed(name: str, document: dict[str, Any], *, aws: bool = False) -> dict[str, Any]:
    arn = f"arn:aws:iam::aws:policy/{name}" if aws else _arn("policy", name)
    return {
        "PolicyName": name,
        "PolicyId": "ANPA" + name.upper()[:16].ljust(16, "X"),
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "IsAttachable": True,
        "CreateDate": "2025-01-07T12:00:00Z",
        "UpdateDate": "2025-01-07T12:00:00Z",
        "PolicyVersionList": [
            {
                "Document": document,
                "VersionId": "v1",
                "IsDefaultVersion": True,
                "CreateDate": "2025-01-07T12:00:00Z",
            }
        ],
    }


SEED_POLICY = _doc(
    {"Effect": "Allow", "Action": ["ses:GetSendQuota", "ses:GetSendStatistics"], "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": ses_arn("eu-west-1", "identity", "example.com"),
    },
)


def build() -> dict[str, Any]:
    ses_full = _managed(
        "AmazonSESFullAccess",
        _doc({"Effect": "Allow", "Action": ["ses:*"], "Resource": "*"}),
        aws=True,
    )
    senders = _managed(
        "SesSendFromExampleCom",
        _doc(
            {
                "Sid": "SendFromExampleComIdentities",
                "Effect": "Allow",
                "Action": [
                    "ses:SendEmail",
                    "ses:SendRawEmail",
                    "ses:SendTemplatedEmail",
                    "ses:SendBulkTemplatedEmail",
                ],
                "Resource": [
                    ses_arn("eu-west-1", "identity", "*example.com"),
                    ses_arn("eu-west-1", "configuration-set", "*"),
                    ses_arn("eu-west-1", "template", "*"),
                ],
            },
            {
                "Sid": "Quota",
                "Effect": "Allow",
                "Action": ["ses:GetSendQuota", "ses:GetAccount"],
                "Resource": "*",
            },
        ),
    )
    dev_boundary = _managed(
        "DeveloperBoundary",
        _doc(
            {
                "Sid": "OnlyStorageAndLogs",
                "Effect": "Allow",
                "Action": ["s3:*", "logs:*", "cloudwatch:*", "dynamodb:*"],
                "Resource": "*",
            },
        ),
    )
    readonly = _managed(
        "DevReadOnly",
        _doc(
            {
                "Effect": "Allow",
                "Action": ["ses:Get*", "ses:List*", "ses:Describe*"],
                "Resource": "*",
            },
        ),
    )
    users = [
        # The article's scenario: allowed from the domain, denied from billing@example.com,
        # which is verified as an identity of its own.
        _user("iam-user-name", inline={"AllowSendingFromExampleCom": SEED_POLICY}),
        # No sending action at all: the reporting job only reads quotas.
        _user(
            "reporting",
            inline={
                "QuotaOnly": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["ses:GetSendQuota", "ses:GetSendStatistics"],
                        "Resource": "*",
                    }
                )
            },
        ),
        # The identity ARN names us-east-1, but the app sends through eu-west-1.
        _user(
            "eu-mailer",
            inline={
                "SendFromExampleCom": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                        "Resource": ses_arn("us-east-1", "identity", "example.com"),
                    }
                )
            },
        ),
        # Domain-only Resource while the address billing@example.com is its own identity;
        # and GetSendQuota under a restricted Resource.
        _user(
            "billing-app",
            inline={
                "BillingMail": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["ses:SendRawEmail", "ses:GetSendQuota"],
                        "Resource": ses_arn("eu-west-1", "identity", "example.com"),
                    }
                )
            },
        ),
        # IAM allows everything in SES; partner.example.net's sending-authorization policy denies.
        _user(
            "contractor", path="/external/", attached=(ses_full["Arn"],), tags={"team": "partners"}
        ),
        # Matches the root SCP that blocks the legacy CRM path.
        _user("old-crm", path="/legacy/", groups=("mailers",)),
        # A permissions boundary without SES.
        _user(
            "dev-sandbox",
            groups=("developers",),
            attached=(ses_full["Arn"],),
            boundary=dev_boundary["Arn"],
            tags={"team": "platform"},
        ),
        # Allowed on news.example.com, but not on its default configuration set.
        _user(
            "newsletter",
            inline={
                "NewsOnly": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                        "Resource": ses_arn("eu-west-1", "identity", "news.example.com"),
                    }
                )
            },
        ),
        # Only From support@example.com.
        _user(
            "support-desk",
            inline={
                "SupportFromAddress": _doc(
                    {
                        "Effect": "Allow",
                        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                        "Resource": ses_arn("eu-west-1", "identity", "example.com"),
                        "Condition": {"StringEquals": {"ses:FromAddress": "support@example.com"}},
                    }
                )
            },
        ),
        # SMTP credentials made for us-east-1, now used against eu-west-1.
        _user(
            "smtp-wordpress",
            path="/smtp/",
            inline={
                "SmtpSend": _doc({"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"})
            },
        ),
        # Allowed: through the mailers group.
        _user("marketing-app", groups=("mailers",), tags={"team": "marketing"}),
        # Allowed: full SES access.
        _user("ops-admin", attached=(ses_full["Arn"],), tags={"team": "platform"}),
    ]
    roles = [
        {
            "Path": "/service-role/",
            "RoleName": "order-notifier",
            "RoleId": "AROAORDERNOTIFIER01",
            "Arn": _arn("role", "service-role/order-notifier"),
            "CreateDate": "2025-06-01T08:00:00Z",
            "AssumeRolePolicyDocument": _doc(
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ),
            # SendEmail only: the SDK's v2 SendEmail with Raw content is checked as SendRawEmail.
            "RolePolicyList": [
                {
                    "PolicyName": "NotifyCustomers",
                    "PolicyDocument": _doc(
                        {
                            "Effect": "Allow",
                            "Action": "ses:SendEmail",
                            "Resource": ses_arn("eu-west-1", "identity", "example.com"),
                        },
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": "*",
                        },
                    ),
                }
            ],
            "AttachedManagedPolicies": [],
            "Tags": [],
            "InstanceProfileList": [],
            "RoleLastUsed": {},
        },
    ]
    groups = [
        {
            "Path": "/",
            "GroupName": "mailers",
            "GroupId": "AGPAMAILERS000001",
            "Arn": _arn("group", "mailers"),
            "CreateDate": "2025-01-07T12:00:00Z",
            "GroupPolicyList": [],
            "AttachedManagedPolicies": [
                {"PolicyName": senders["PolicyName"], "PolicyArn": senders["Arn"]}
            ],
        },
        {
            "Path": "/",
            "GroupName": "developers",
            "GroupId": "AGPADEVELOPERS0001",
            "Arn": _arn("group", "developers"),
            "CreateDate": "2025-01-07T12:00:00Z",
            "GroupPolicyList": [
                {
                    "PolicyName": "DevLogs",
                    "PolicyDocument": _doc(
                        {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}
                    ),
                }
            ],
            "AttachedManagedPolicies": [
                {"PolicyName": readonly["PolicyName"], "PolicyArn": readonly["Arn"]}
            ],
        },
    ]

    def key(
        user: str,
        key_id: str,
        region: str,
        service: str = "ses",
        date: str = "2026-11-20T17:42:00Z",
    ) -> dict[str, Any]:
        return {
            "UserName": user,
            "AccessKeyId": key_id,
            "Status": "Active",
            "CreateDate": "2025-04-02T09:00:00Z",
            "AccessKeyLastUsed": {"LastUsedDate": date, "ServiceName": service, "Region": region},
        }

    access_keys = [
        key("iam-user-name", "AKIAIOSFODNN7EXAMPLE", "eu-west-1"),
        key("smtp-wordpress", "AKIAI44QH8DHBEXAMPLE", "us-east-1"),
        key("marketing-app", "AKIAJ5DEMOMARKETING1", "eu-west-1"),
        key("reporting", "AKIAJ7DEMOREPORTING1", "eu-west-1", "ses"),
        {
            "UserName": "newsletter",
            "AccessKeyId": "AKIAJ9DEMONEWSLETTR1",
            "Status": "Active",
            "CreateDate": "2026-11-25T09:00:00Z",
            "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"},
        },
    ]
    # Every other user sends too: SMTP needs an active key (without one, 535 before any policy).
    for n, user in enumerate(
        (
            "eu-mailer",
            "billing-app",
            "contractor",
            "old-crm",
            "dev-sandbox",
            "support-desk",
            "ops-admin",
        )
    ):
        access_keys.append(
            {
                "UserName": user,
                "AccessKeyId": f"AKIAJ{n}DEMOSENDERKEY1",
                "Status": "Active",
                "CreateDate": "2026-11-25T09:00:00Z",
                "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"}
                if user != "eu-mailer"
                # Its SMTP password was made for another region: the check warns.
                else {
                    "LastUsedDate": "2026-11-20T08:00:00Z",
                    "ServiceName": "ses",
                    "Region": "us-east-1",
                },
            }
        )

    def ident(
        name: str,
        *,
        status: str = "SUCCESS",
        policies: dict[str, Any] | None = None,
        config_set: str | None = None,
    ) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "IdentityName": name,
            "IdentityType": "EMAIL_ADDRESS" if "@" in name else "DOMAIN",
            "VerificationStatus": status,
            "VerifiedForSendingStatus": status == "SUCCESS",
            "Policies": {k: json.dumps(v) for k, v in (policies or {}).items()},
        }
        if config_set:
            entry["ConfigurationSetName"] = config_set
        return entry

    partner_policy = {
        "Version": V,
        "Id": "partner-sending",
        "Statement": [
            {
                "Sid": "AccountMaySend",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": ses_arn("eu-west-1", "identity", "partner.example.net"),
            },
            {
                "Sid": "NoContractors",
                "Effect": "Deny",
                "Principal": {"AWS": _arn("user", "external/contractor")},
                "Action": "ses:*",
                "Resource": ses_arn("eu-west-1", "identity", "partner.example.net"),
            },
        ],
    }
    billing_policy = {
        "Version": V,
        "Statement": [
            {
                "Sid": "BillingAppOnly",
                "Effect": "Allow",
                "Principal": {"AWS": _arn("user", "billing-app")},
                "Action": "ses:SendRawEmail",
                "Resource": ses_arn("eu-west-1", "identity", "billing@example.com"),
                "Condition": {"StringLike": {"ses:FromAddress": "billing@example.com"}},
            },
        ],
    }
    regions = {
        "eu-west-1": {
            "identities": [
                ident("example.com"),
                ident("billing@example.com", policies={"billing-app-only": billing_policy}),
                ident("news.example.com", config_set="newsletter-tracking"),
                ident("partner.example.net", policies={"partner-sending": partner_policy}),
                ident("example.org", status="PENDING"),
                ident("support@example.com", status="FAILED"),
            ],
            "configuration_sets": ["newsletter-tracking", "transactional"],
            "templates": ["order-confirmation", "password-reset"],
            "account": {
                "ProductionAccessEnabled": True,
                "SendingEnabled": True,
                "EnforcementStatus": "HEALTHY",
            },
        },
        "us-east-1": {
            "identities": [
                ident("example.com"),
                ident("alerts@example.com"),
                ident("marketing.example.com"),
            ],
            "configuration_sets": [],
            "templates": [],
            "account": {
                "ProductionAccessEnabled": False,
                "SendingEnabled": True,
                "EnforcementStatus": "HEALTHY",
            },
        },
        "eu-central-1": {
            "identities": [ident("example.com"), ident("noreply@example.com")],
            "configuration_sets": [],
            "templates": [],
            "account": {
                "ProductionAccessEnabled": True,
                "SendingEnabled": True,
                "EnforcementStatus": "HEALTHY",
            },
        },
        "us-west-2": {
            "identities": [ident("example.net"), ident("shop.example.net", status="PENDING")],
            "configuration_sets": [],
            "templates": [],
            "account": {
                "ProductionAccessEnabled": False,
                "SendingEnabled": True,
                "EnforcementStatus": "HEALTHY",
            },
        },
    }
    full_access = {
        "Id": "p-FullAWSAccess",
        "Name": "FullAWSAccess",
        "Arn": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess",
        "AwsManaged": True,
        "Content": json.dumps(_doc({"Effect": "Allow", "Action": "*", "Resource": "*"})),
    }

    def scp(pid: str, name: str, document: dict[str, Any]) -> dict[str, Any]:
        return {
            "Id": pid,
            "Name": name,
            "AwsManaged": False,
            "Arn": f"arn:aws:organizations::{MGMT}:policy/o-demo42/service_control_policy/{pid}",
            "Content": json.dumps(document),
        }

    organizations = {
        "status": "member",
        "management_account_id": MGMT,
        "levels": [
            {
                "Id": "r-a1b2",
                "Name": "Root",
                "Type": "ROOT",
                "Policies": [
                    full_access,
                    scp(
                        "p-legacy01",
                        "DenyLegacyCrmSending",
                        _doc(
                            {
                                "Sid": "LegacyPathMayNotSend",
                                "Effect": "Deny",
                                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                                "Resource": "*",
                                "Condition": {
                                    "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/legacy/*"}
                                },
                            }
                        ),
                    ),
                ],
            },
            {
                "Id": "ou-a1b2-workload",
                "Name": "Workloads",
                "Type": "ORGANIZATIONAL_UNIT",
                "Policies": [
                    full_access,
                    scp(
                        "p-region01",
                        "RegionGuard",
                        _doc(
                            {
                                "Sid": "OnlyApprovedRegions",
                                "Effect": "Deny",
                                "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*"],
                                "Resource": "*",
                                "Condition": {
                                    "StringNotEquals": {
                                        "aws:RequestedRegion": [
                                            "eu-west-1",
                                            "us-east-1",
                                            "us-west-2",
                                        ]
                                    }
                                },
                            }
                        ),
                    ),
                ],
            },
            {"Id": ACCT, "Name": "acme-production", "Type": "ACCOUNT", "Policies": [full_access]},
        ],
    }
    return {
        "format": FORMAT_1,
        "created": CREATED,
        "source": "demo",
        "account": {"Id": ACCT, "Partition": "aws", "Alias": "acme-production"},
        "iam": {
            "UserDetailList": users,
            "GroupDetailList": groups,
            "RoleDetailList": roles,
            "Policies": [ses_full, senders, dev_boundary, readonly],
        },
        "access_keys": access_keys,
        "ses": {"regions": regions},
        "organizations": organizations,
        "gaps": [],
    }


def render() -> str:
    return json.dumps(build(), indent=1) + "\n"


def main() -> int:
    from sestui.demo.org import render_organization

    for name, text in (
        ("demo-account.json", render()),
        ("demo-organization.json", render_organization()),
    ):
        target = Path(__file__).with_name(name)
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
