"""Snapshot files (`sestui-snapshot/1`): one JSON file holding exactly what the readers fetched.

The IAM part is AWS's GetAccountAuthorizationDetails output as it comes, so a file written by
`aws iam get-account-authorization-details` opens too (`load_iam_json`), with SES and SCPs unknown.
Loading validates as it builds and stops at the first problem, naming its JSON path.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sestui.account.decode.iam import (
    account_from_arns,
    decode_access_keys,
    decode_groups,
    decode_managed_policies,
    decode_principals,
)
from sestui.account.decode.orgs import decode_organization
from sestui.account.decode.paths import (
    ACCOUNT_ID,
    SnapshotError,
    json_list,
    json_object,
    json_required,
    json_str,
)
from sestui.account.decode.ses import decode_region
from sestui.account.formats import FORMAT_1
from sestui.account.model import (
    Account,
    ReadGap,
    RegionState,
)

FORMAT = FORMAT_1  # the single-account format (the name the public API has always had)


def decode_gaps(raw: Any) -> tuple[ReadGap, ...]:
    out = []
    for i, item in enumerate(json_list(raw or [], "gaps")):
        p = f"gaps[{i}]"
        g = json_object(item, p)
        out.append(
            ReadGap(
                json_required(g, "what", p),
                json_required(g, "where", p),
                json_str(g, "permission", p, required=False),
                json_required(g, "message", p),
            )
        )
    return tuple(out)


# -- entry points ---------------------------------------------------------------------------


def account_from_snapshot(data: Any, source: str = "") -> Account:
    """Validate a decoded snapshot and build the model; SnapshotError names the first problem."""
    top = json_object(data, "$")
    fmt = top.get("format")
    if fmt != FORMAT:
        raise SnapshotError(
            f"not a sestui snapshot (format {fmt!r}, expected {FORMAT!r})", path="format"
        )
    acct = json_object(top.get("account"), "account")
    account_id = json_required(acct, "Id", "account")
    if not ACCOUNT_ID.match(account_id):
        raise SnapshotError(f"{account_id!r} is not a 12-digit account ID", path="account.Id")
    partition = json_str(acct, "Partition", "account", required=False) or "aws"
    iam = json_object(top.get("iam"), "iam")
    managed = decode_managed_policies(iam.get("Policies"), "iam.Policies")
    principals = decode_principals(
        iam, managed, account_id, decode_access_keys(top.get("access_keys"))
    )
    gaps = decode_gaps(top.get("gaps"))
    # Keys were read when the snapshot has its "access_keys" section (every sestui snapshot,
    # old ones too; a GetAccountAuthorizationDetails file has none), except for a user whose
    # ListAccessKeys failed (a gap).
    unread = {
        g.what.removeprefix("access keys of ") for g in gaps if g.what.startswith("access keys of ")
    }
    keys_read = "access_keys" in top
    principals = tuple(
        replace(pr, access_keys_known=False)
        if pr.is_user and (not keys_read or pr.name in unread)
        else pr
        for pr in principals
    )
    groups = decode_groups(iam, managed, account_id)
    for pr in principals:
        for g in pr.groups:
            if g not in groups:
                raise SnapshotError(
                    f"user {pr.name} is in group {g!r}, which is not in iam.GroupDetailList",
                    path="iam.UserDetailList",
                )
    ses_raw = top.get("ses")
    regions: dict[str, RegionState] = {}
    if ses_raw is not None:
        ses = json_object(ses_raw, "ses")
        for name, region in json_object(ses.get("regions") or {}, "ses.regions").items():
            regions[name] = decode_region(name, region)
    return Account(
        account_id=account_id,
        partition=partition,
        principals=principals,
        groups=groups,
        managed_policies=managed,
        regions=regions,
        organization=decode_organization(top.get("organizations")),
        gaps=gaps,
        source=source or json_str(top, "source", "$", required=False) or "",
        ses_known=ses_raw is not None,
    )


def snapshot_from_iam_json(data: Any) -> dict[str, Any]:
    """Wrap a GetAccountAuthorizationDetails file as a snapshot with SES and SCPs unknown."""
    iam = dict(json_object(data, "$"))
    if "UserDetailList" not in iam and "RoleDetailList" not in iam:
        raise SnapshotError(
            "not a GetAccountAuthorizationDetails file (no UserDetailList)", path="$"
        )
    found = account_from_arns(iam)
    if found is None:
        raise SnapshotError("cannot tell the account ID: no user, role or group ARN", path="$")
    account_id, partition = found
    return {
        "format": FORMAT,
        "account": {"Id": account_id, "Partition": partition},
        "iam": {
            k: iam.get(k, [])
            for k in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
        },
        "ses": None,
        "organizations": {
            "status": "unknown",
            "unknown_reason": "an IAM-only file holds no Organizations data",
        },
        "gaps": [
            {
                "what": "SES identities and their policies",
                "where": "iam-json file",
                "permission": None,
                "message": "the file holds only IAM data",
            },
            {
                "what": "SCPs",
                "where": "iam-json file",
                "permission": None,
                "message": "the file holds only IAM data",
            },
        ],
    }
