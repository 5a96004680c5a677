"""Write a large, valid snapshot deterministically (`--seed`), for the benchmarks.

    python -m tests.bench.generate --seed 7 -o /tmp/large.json

5,000 users and 500 roles, 300 groups (users in 1–10 groups, drawn from team profiles as real
accounts are), 2,000 customer-managed policies of 1–60 statements with wildcards, NotAction /
NotResource and conditions, permissions boundaries on a tenth of the principals, 17 regions with
2,000 SES identities (addresses, domains, subdomains), sending-authorization policies on a third,
configuration sets, and a four-level SCP chain. Keep the output out of git.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path
from typing import Any

ACCT = "111122223333"
MGMT = "999988887777"
REGIONS = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "eu-south-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
]
WORDS = [
    "alpha",
    "billing",
    "crm",
    "data",
    "edge",
    "finance",
    "growth",
    "hr",
    "infra",
    "jobs",
    "kpi",
    "legal",
    "mail",
    "news",
    "ops",
    "pay",
    "quant",
    "risk",
    "sales",
    "team",
]
V = "2012-10-17"


def _ses_arn(region: str, kind: str, name: str) -> str:
    return f"arn:aws:ses:{region}:{ACCT}:{kind}/{name}"


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)
        self.domains = [f"{w}{i}.example.com" for i, w in enumerate(WORDS * 8)][:120]

    def statement(self) -> dict[str, Any]:
        r = self.r
        effect = "Deny" if r.random() < 0.12 else "Allow"
        pool = [
            "ses:SendEmail",
            "ses:SendRawEmail",
            "ses:Send*",
            "ses:*",
            "ses:Get*",
            "ses:SendTemplatedEmail",
            "s3:GetObject",
            "s3:*",
            "logs:*",
            "sns:Publish",
            "dynamodb:Query",
            "sqs:SendMessage",
            "ec2:Describe*",
            "kms:Decrypt",
            "*",
        ]
        weights = [6, 6, 4, 3, 3, 2, 8, 6, 6, 5, 5, 5, 4, 4, 1]
        actions = sorted(set(r.choices(pool, weights, k=r.randint(1, 4))))
        s: dict[str, Any] = {"Effect": effect}
        s["NotAction" if r.random() < 0.06 else "Action"] = actions
        region = r.choice([*REGIONS, "*", "*"])
        domain = r.choice(self.domains)
        res_pool = [
            "*",
            _ses_arn(region, "identity", domain),
            _ses_arn(region, "identity", f"*@{domain}"),
            _ses_arn(region, "identity", "*"),
            _ses_arn(region, "configuration-set", "*"),
            f"arn:aws:ses:{region}:{ACCT}:*",
            "arn:aws:s3:::bucket-" + r.choice(WORDS) + "/*",
            f"arn:aws:sns:{region}:{ACCT}:" + r.choice(WORDS),
        ]
        resources = sorted(set(r.choices(res_pool, k=r.randint(1, 3))))
        s["NotResource" if effect == "Deny" and r.random() < 0.2 else "Resource"] = resources
        c = r.random()
        if c < 0.15:
            s["Condition"] = {"StringLike": {"ses:FromAddress": f"*@{domain}"}}
        elif c < 0.22:
            s["Condition"] = {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}
        elif c < 0.27:
            s["Condition"] = {"ForAllValues:StringLike": {"ses:Recipients": ["*@example.com"]}}
        elif c < 0.32:
            s["Condition"] = {"StringEquals": {"aws:RequestedRegion": r.sample(REGIONS, 3)}}
        elif c < 0.35:
            s["Condition"] = {"Bool": {"aws:SecureTransport": "true"}}
        return s

    def document(self, n: int) -> dict[str, Any]:
        return {"Version": V, "Statement": [self.statement() for _ in range(n)]}

    def statement_count(self) -> int:
        # Most policies are short; a few are long (1–60).
        return min(60, max(1, int(self.r.expovariate(1 / 8))))


def _managed(name: str, doc: dict[str, Any]) -> dict[str, Any]:
    arn = f"arn:aws:iam::{ACCT}:policy/{name}"
    return {
        "PolicyName": name,
        "Arn": arn,
        "Path": "/",
        "DefaultVersionId": "v1",
        "AttachmentCount": 1,
        "IsAttachable": True,
        "PolicyVersionList": [{"Document": doc, "VersionId": "v1", "IsDefaultVersion": True}],
    }


def generate(
    seed: int,
    *,
    users: int = 5000,
    roles: int = 500,
    groups: int = 300,
    policies: int = 2000,
    identities: int = 2000,
) -> dict[str, Any]:
    g = Gen(seed)
    r = g.r
    managed = [_managed(f"Policy{i:04d}", g.document(g.statement_count())) for i in range(policies)]
    boundaries = [
        _managed(
            f"Boundary{i:02d}",
            {
                "Version": V,
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": r.sample(
                            ["ses:*", "s3:*", "logs:*", "sns:*", "sqs:*", "dynamodb:*"], 3
                        ),
                        "Resource": "*",
                    }
                ],
            },
        )
        for i in range(20)
    ]
    arns = [m["Arn"] for m in managed]
    group_list = []
    for i in range(groups):
        group_list.append(
            {
                "GroupName": f"group-{i:03d}",
                "GroupId": f"AGPA{i:016d}",
                "Path": "/",
                "Arn": f"arn:aws:iam::{ACCT}:group/group-{i:03d}",
                "GroupPolicyList": [
                    {"PolicyName": "inline", "PolicyDocument": g.document(r.randint(1, 4))}
                ]
                if r.random() < 0.3
                else [],
                "AttachedManagedPolicies": [
                    {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a}
                    for a in r.sample(arns, r.randint(1, 4))
                ],
            }
        )
    # Team profiles: real accounts have many users with the same memberships.
    profiles = [sorted(r.sample(range(groups), r.randint(1, 10))) for _ in range(350)]

    def boundary() -> dict[str, Any] | None:
        if r.random() < 0.1:
            return {
                "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                "PermissionsBoundaryArn": r.choice(boundaries)["Arn"],
            }
        return None

    user_list, keys = [], []
    for i in range(users):
        name = f"user-{i:05d}"
        entry: dict[str, Any] = {
            "UserName": name,
            "UserId": f"AIDA{i:016d}",
            "Path": "/",
            "Arn": f"arn:aws:iam::{ACCT}:user/{name}",
            "GroupList": [f"group-{k:03d}" for k in r.choice(profiles)],
            "UserPolicyList": [],
            "AttachedManagedPolicies": [],
            "Tags": [],
        }
        if r.random() < 0.08:
            entry["AttachedManagedPolicies"] = [
                {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in r.sample(arns, 2)
            ]
        if r.random() < 0.04:
            entry["UserPolicyList"] = [{"PolicyName": "own", "PolicyDocument": g.document(3)}]
        b = boundary()
        if b:
            entry["PermissionsBoundary"] = b
        user_list.append(entry)
        if r.random() < 0.3:
            keys.append(
                {
                    "UserName": name,
                    "AccessKeyId": f"AKIA{i:016d}",
                    "Status": "Active",
                    "AccessKeyLastUsed": {"ServiceName": "ses", "Region": r.choice(REGIONS)},
                }
            )
    role_list = []
    for i in range(roles):
        name = f"role-{i:04d}"
        entry = {
            "RoleName": name,
            "RoleId": f"AROA{i:016d}",
            "Path": "/service-role/",
            "Arn": f"arn:aws:iam::{ACCT}:role/service-role/{name}",
            "AssumeRolePolicyDocument": {
                "Version": V,
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {
                            "Service": r.choice(["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"])
                        },
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "RolePolicyList": [
                {"PolicyName": "inline", "PolicyDocument": g.document(r.randint(1, 6))}
            ]
            if r.random() < 0.5
            else [],
            "AttachedManagedPolicies": [
                {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a}
                for a in r.sample(arns, r.randint(1, 5))
            ],
            "Tags": [],
        }
        b = boundary()
        if b:
            entry["PermissionsBoundary"] = b
        role_list.append(entry)

    regions: dict[str, Any] = {
        name: {
            "identities": [],
            "configuration_sets": [f"cs-{w}" for w in WORDS[:5]],
            "templates": ["t1", "t2"],
            "account": {"ProductionAccessEnabled": r.random() < 0.7, "SendingEnabled": True},
        }
        for name in REGIONS
    }
    seen: set[tuple[str, str]] = set()
    while len(seen) < identities:
        region = r.choice(REGIONS)
        domain = r.choice(g.domains)
        kind = r.random()
        if kind < 0.4:
            name = domain
        elif kind < 0.6:
            name = f"{r.choice(WORDS)}.{domain}"
        else:
            name = f"{r.choice(WORDS)}@{domain}"
        if (region, name) in seen:
            continue
        seen.add((region, name))
        ident: dict[str, Any] = {
            "IdentityName": name,
            "IdentityType": "EMAIL_ADDRESS" if "@" in name else "DOMAIN",
            "VerificationStatus": "SUCCESS" if r.random() < 0.9 else "PENDING",
            "VerifiedForSendingStatus": True,
            "Policies": {},
        }
        if r.random() < 1 / 3:
            arn = _ses_arn(region, "identity", name)
            stmts: list[dict[str, Any]] = [
                {
                    "Sid": "Account",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCT}:root"},
                    "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                    "Resource": arn,
                }
            ]
            if r.random() < 0.5:
                stmts.append(
                    {
                        "Sid": "NoInterns",
                        "Effect": "Deny",
                        "Principal": {
                            "AWS": [
                                f"arn:aws:iam::{ACCT}:user/user-{r.randrange(users):05d}"
                                for _ in range(3)
                            ]
                        },
                        "Action": "ses:*",
                        "Resource": arn,
                    }
                )
            ident["Policies"]["sending"] = json.dumps({"Version": V, "Statement": stmts})
        if r.random() < 0.2:
            ident["ConfigurationSetName"] = r.choice(regions[region]["configuration_sets"])
        regions[region]["identities"].append(ident)

    def scp(pid: str, name: str, statements: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "Id": pid,
            "Name": name,
            "Arn": f"arn:aws:organizations::{MGMT}:policy/{pid}",
            "AwsManaged": False,
            "Content": json.dumps({"Version": V, "Statement": statements}),
        }

    full = scp(
        "p-FullAWSAccess", "FullAWSAccess", [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    )
    levels = [
        {
            "Id": "r-root",
            "Name": "Root",
            "Type": "ROOT",
            "Policies": [
                full,
                scp(
                    "p-leave",
                    "DenyLeave",
                    [{"Effect": "Deny", "Action": "organizations:Leave*", "Resource": "*"}],
                ),
            ],
        },
        {
            "Id": "ou-work",
            "Name": "Workloads",
            "Type": "ORGANIZATIONAL_UNIT",
            "Policies": [
                full,
                scp(
                    "p-regions",
                    "RegionGuard",
                    [
                        {
                            "Effect": "Deny",
                            "NotAction": ["iam:*", "sts:*", "organizations:*"],
                            "Resource": "*",
                            "Condition": {"StringNotEquals": {"aws:RequestedRegion": REGIONS[:14]}},
                        }
                    ],
                ),
            ],
        },
        {
            "Id": "ou-prod",
            "Name": "Prod",
            "Type": "ORGANIZATIONAL_UNIT",
            "Policies": [
                full,
                scp(
                    "p-tls",
                    "RequireTls",
                    [
                        {
                            "Effect": "Deny",
                            "Action": "*",
                            "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ],
                ),
            ],
        },
        {"Id": ACCT, "Name": "prod-account", "Type": "ACCOUNT", "Policies": [full]},
    ]
    return {
        "format": "sestui-snapshot/1",
        "created": "2026-11-01T00:00:00Z",
        "source": f"generated seed {seed}",
        "account": {"Id": ACCT, "Partition": "aws"},
        "iam": {
            "UserDetailList": user_list,
            "GroupDetailList": group_list,
            "RoleDetailList": role_list,
            "Policies": managed + boundaries,
        },
        "access_keys": keys,
        "ses": {"regions": regions},
        "organizations": {"status": "member", "management_account_id": MGMT, "levels": levels},
        "gaps": [],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args(argv)
    data = generate(a.seed)
    Path(a.output).write_text(json.dumps(data), encoding="utf-8")
    print(f"wrote {a.output} ({Path(a.output).stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
