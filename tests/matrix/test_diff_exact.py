"""The diff evaluates only the cells a change can reach, through the matrix engine: its verdict
changes equal a brute-force diff that decides every cell of both snapshots on the exact path."""

from __future__ import annotations

import copy
import json
from typing import Any

from sestui.account import Account, account_from_snapshot
from sestui.matrix.diff import diff_accounts
from sestui.matrix.fast import exact_outcome
from sestui.verdict.model import Outcome
from sestui.verdict.selection import Selection
from tests.bench.generate import generate

NOW = "2026-11-28T10:00:00Z"
REGIONS = ("eu-west-1", "us-east-1", "ap-south-1")


def _doc(text: Any) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(text) if isinstance(text, str) else text
    return doc


def _edited(old: dict[str, Any]) -> dict[str, Any]:
    """A day of changes that reach rows, columns and whole regions."""
    new = copy.deepcopy(old)
    iam = new["iam"]
    by_arn = {p["Arn"]: p for p in iam["Policies"]}

    def default(arn: str) -> dict[str, Any]:
        version = next(v for v in by_arn[arn]["PolicyVersionList"] if v["IsDefaultVersion"])
        doc = version["Document"] = _doc(version["Document"])
        if isinstance(doc["Statement"], dict):
            doc["Statement"] = [doc["Statement"]]
        return doc

    # An SCP edit: a Deny that applies in one region to identities starting with "a", and one
    # reading an unknown key (the caller's IP) for identities under a subdomain.
    level = new["organizations"]["levels"][1]
    guard = next(p for p in level["Policies"] if p["Id"] == "p-regions")
    content = guard["Content"] = _doc(guard["Content"])
    content["Statement"] += [
        {
            "Effect": "Deny",
            "Action": "ses:Send*",
            "Resource": "arn:aws:ses:*:*:identity/a*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},
        },
        {
            "Effect": "Deny",
            "Action": "ses:SendRawEmail",
            "Resource": "arn:aws:ses:us-east-1:*:identity/*.*.*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
        },
    ]
    # A group-attached managed policy edited: its first statement gone, a grant added.
    group = next(g for g in iam["GroupDetailList"] if g["AttachedManagedPolicies"])
    doc = default(group["AttachedManagedPolicies"][0]["PolicyArn"])
    grant = {
        "Effect": "Allow",
        "Action": "ses:SendRawEmail",
        "Resource": "arn:aws:ses:*:*:identity/*",
    }
    doc["Statement"] = [*doc["Statement"][1:], grant]
    # A boundary edited: it now allows every SES send.
    user = next(u for u in iam["UserDetailList"] if u.get("PermissionsBoundary"))
    doc = default(user["PermissionsBoundary"]["PermissionsBoundaryArn"])
    doc["Statement"].append({"Effect": "Allow", "Action": "ses:*", "Resource": "*"})
    # A Deny added to one user, a grant to another.
    users = iam["UserDetailList"]
    users[3].setdefault("UserPolicyList", []).append(
        {
            "PolicyName": "NoMail",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "ses:*", "Resource": "*"}],
            },
        }
    )
    users[5].setdefault("UserPolicyList", []).append(
        {
            "PolicyName": "Grant",
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}],
            },
        }
    )
    # A sending-authorization policy edited and a verification lost.
    region = new["ses"]["regions"]["eu-west-1"]
    ident = next(i for i in region["identities"] if i.get("Policies"))
    name = next(iter(ident["Policies"]))
    policy = _doc(ident["Policies"][name])
    policy["Statement"].append(
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "ses:*", "Resource": "*"}
    )
    ident["Policies"][name] = json.dumps(policy)
    lost = next(
        i for i in new["ses"]["regions"]["us-east-1"]["identities"] if i.get("VerificationStatus")
    )
    lost["VerificationStatus"] = "FAILED"
    return new


def _brute_force(
    old: Account, new: Account
) -> set[tuple[str, str, str, Outcome | None, Outcome | None]]:
    """Every cell of both snapshots decided on its own, and the ones that differ."""
    out = set()
    for region in REGIONS:
        base = Selection("", region, current_time=NOW)
        sides = []
        for account in (old, new):
            cells: dict[tuple[str, str], Outcome] = {}
            for p in account.principals:
                for identity in account.regions[region].identities:
                    cells[(p.arn, identity)] = exact_outcome(account, base, p, identity)
            sides.append(cells)
        before, after = sides
        for key in before.keys() | after.keys():
            x, y = before.get(key), after.get(key)
            # A principal or identity that appears or goes away matters if it could send.
            if x != y and (Outcome.ALLOWED in (x, y) or None not in (x, y)):
                out.add((region, *key, x, y))
    return out


def test_fast_diff_equals_a_brute_force_exact_diff() -> None:
    data = generate(3, users=60, roles=15, groups=25, policies=90, identities=160)
    old, new = account_from_snapshot(data), account_from_snapshot(_edited(data))
    d = diff_accounts(old, new, regions=REGIONS, now=NOW)
    got = {(v.region, v.principal_arn, v.identity, v.before, v.after) for v in d.verdicts}
    expected = _brute_force(old, new)
    assert got == expected
    # The comparison means something only if every kind of change moved some verdict.
    causes = {c.split("/", 1)[0] for v in d.verdicts for c in v.causes}
    assert {"scp", "managed", "ses", "verification"} <= causes, causes
    # Not every cell was evaluated: only what the changes can reach.
    assert 0 < d.rows_evaluated < 2 * len(REGIONS) * len(old.principals)
