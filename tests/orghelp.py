"""Build small organization snapshots (`sestui-snapshot/2`) for the cross-account tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.accounthelp import ACCT, doc, snapshot

CENTRAL = ACCT  # the email account: identities and their sending-authorization policies
WORKLOAD = "444455556666"
REGION = "eu-west-1"
IDENTITY_ARN = f"arn:aws:ses:{REGION}:{CENTRAL}:identity/example.com"


def user_arn(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:user/{name}"


def in_account(data: dict[str, Any], account_id: str, name: str | None) -> dict[str, Any]:
    """A snapshot of accounthelp's account, moved to `account_id` (every ARN with it)."""
    moved: dict[str, Any] = json.loads(json.dumps(data).replace(ACCT, account_id))
    if name:
        moved["account"]["Name"] = name
    return moved


def delegates(*statements: dict[str, Any]) -> dict[str, Any]:
    """The central identity's sending-authorization policy."""
    return doc(*statements)


def grant(principal: str, effect: str = "Allow") -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": {"AWS": principal},
        "Action": ["ses:SendEmail", "ses:SendRawEmail"],
        "Resource": IDENTITY_ARN,
    }


def central(policy: dict[str, Any] | None, user: str = "mailer", **kw: Any) -> dict[str, Any]:
    identity: dict[str, Any] = {"name": "example.com"}
    if policy is not None:
        identity["policies"] = {"Delegates": policy}
    return in_account(snapshot(user=user, identities=[identity], **kw), CENTRAL, "central")


def workload(**kw: Any) -> dict[str, Any]:
    kw.setdefault("inline", [doc({"Effect": "Allow", "Action": "ses:Send*", "Resource": "*"})])
    kw.setdefault("identities", [])
    return in_account(snapshot(**kw), WORKLOAD, "workload")


def unreadable(
    where: str = "sts assume-role", message: str = "access denied (AccessDenied)"
) -> dict[str, Any]:
    """The `unreadable` entry of an account (777788889999, "legacy") whose role was refused."""
    return {
        "account": {"Id": "777788889999", "Name": "legacy"},
        "what": "the account",
        "where": where,
        "permission": "sts:AssumeRole",
        "message": message,
    }


def organization(*accounts: dict[str, Any], unreadable: list[Any] | None = None) -> dict[str, Any]:
    return {
        "format": "sestui-snapshot/2",
        "source": "hand-written organization",
        "organization": {"Id": "o-example", "ManagementAccountId": "999988887777"},
        "accounts": [{k: v for k, v in a.items() if k != "format"} for a in accounts],
        "unreadable": unreadable or [],
    }


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(json.dumps(data))
    return str(path)
