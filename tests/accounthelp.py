"""Build small accounts for check tests, in the snapshot format (so they load like real ones)."""

from __future__ import annotations

import json
from typing import Any, cast

from sestui.account import Account, account_from_snapshot

ACCT = "111122223333"
REGION = "eu-west-1"


def arn(kind: str, name: str, region: str = REGION) -> str:
    return f"arn:aws:ses:{region}:{ACCT}:{kind}/{name}"


def allow(action: Any = "ses:SendRawEmail", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any = "ses:*", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


def doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def account(**kwargs: Any) -> Account:
    return account_from_snapshot(snapshot(**kwargs))


def snapshot(
    *,
    inline: list[dict[str, Any]] | None = None,
    attached: list[str] | None = None,
    boundary: dict[str, Any] | None = None,
    boundary_known: bool = True,
    identities: list[dict[str, Any]] | None = None,
    scp_levels: list[list[dict[str, Any]]] | None = None,
    org: str = "none",
    unknown_reason: str | None = None,
    sandbox: bool | None = False,
    config_sets: list[str] | None = None,
    templates: list[str] | None = None,
    access_keys: list[dict[str, Any]] | None = None,
    user: str = "app",
    ses: bool = True,
    tags: dict[str, str] | None = None,
    roles: dict[str, dict[str, Any]] | None = None,
    org_id: str | None = None,
) -> dict[str, Any]:
    """A snapshot (as `sestui snapshot` writes it); `roles` maps a role name to its inline
    policies ("inline") and tags ("tags")."""
    policies = []
    user_entry: dict[str, Any] = {
        "UserName": user,
        "UserId": "AIDAEXAMPLE",
        "Arn": f"arn:aws:iam::{ACCT}:user/{user}",
        "Path": "/",
        "GroupList": [],
        "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()],
        "UserPolicyList": [
            {"PolicyName": f"inline{i}", "PolicyDocument": d} for i, d in enumerate(inline or [])
        ],
        "AttachedManagedPolicies": [
            {"PolicyName": a.rsplit("/", 1)[-1], "PolicyArn": a} for a in attached or []
        ],
    }
    if boundary is not None or not boundary_known:
        barn = f"arn:aws:iam::{ACCT}:policy/Boundary"
        user_entry["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": barn,
        }
        if boundary_known:
            policies.append(
                {
                    "PolicyName": "Boundary",
                    "Arn": barn,
                    "DefaultVersionId": "v1",
                    "PolicyVersionList": [
                        {"Document": boundary, "VersionId": "v1", "IsDefaultVersion": True}
                    ],
                }
            )
    data: dict[str, Any] = {
        "format": "sestui-snapshot/1",
        "account": {"Id": ACCT, "Partition": "aws"},
        "iam": {
            "UserDetailList": [user_entry],
            "GroupDetailList": [],
            "RoleDetailList": [
                {
                    "RoleName": name,
                    "RoleId": f"AROA{name.upper()}",
                    "Arn": f"arn:aws:iam::{ACCT}:role/{name}",
                    "Path": "/",
                    "Tags": [{"Key": k, "Value": v} for k, v in r.get("tags", {}).items()],
                    "RolePolicyList": [
                        {"PolicyName": f"inline{i}", "PolicyDocument": d}
                        for i, d in enumerate(r.get("inline", []))
                    ],
                    "AttachedManagedPolicies": [],
                }
                for name, r in (roles or {}).items()
            ],
            "Policies": policies,
        },
        # By default the user has an active, never used key: SMTP needs one (535 without).
        "access_keys": [
            {"UserName": user, "AccessKeyId": "AKIAEXAMPLEKEY000000", "Status": "Active"}
        ]
        if access_keys is None
        else access_keys,
        "ses": {
            "regions": {
                REGION: {
                    "identities": [
                        {
                            "IdentityType": "EMAIL_ADDRESS" if "@" in i["name"] else "DOMAIN",
                            "IdentityName": i["name"],
                            "VerificationStatus": i.get("status", "SUCCESS"),
                            **(
                                {
                                    "Policies": {
                                        k: json.dumps(v)
                                        for k, v in dict(i.get("policies") or {}).items()
                                    }
                                }
                                if i.get("policies_known", True)
                                else {}
                            ),
                            **(
                                {"ConfigurationSetName": i["config_set"]}
                                if i.get("config_set")
                                else {}
                            ),
                        }
                        for i in (
                            identities
                            if identities is not None
                            else [cast(dict[str, Any], {"name": "example.com"})]
                        )
                    ],
                    "configuration_sets": config_sets if config_sets is not None else [],
                    "templates": templates if templates is not None else [],
                    "account": None
                    if sandbox is None
                    else {"ProductionAccessEnabled": not sandbox, "SendingEnabled": True},
                }
            }
        }
        if ses
        else None,
        "organizations": {"status": org, **({"id": org_id} if org_id else {})},
        "gaps": [],
    }
    if org == "member":
        if scp_levels is None:
            data["organizations"]["unknown_reason"] = unknown_reason or "cannot read SCPs"
        else:
            data["organizations"]["levels"] = [
                {
                    "Id": f"t{i}",
                    "Name": f"Level{i}",
                    "Type": "ROOT" if i == 0 else "ACCOUNT",
                    "Policies": [
                        {"Id": f"p{i}{j}", "Name": f"Scp{i}{j}", "Content": json.dumps(d)}
                        for j, d in enumerate(level)
                    ],
                }
                for i, level in enumerate(scp_levels)
            ]
    return data


FULL = doc(allow("*", "*"))
