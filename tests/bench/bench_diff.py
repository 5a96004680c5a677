"""`sestui diff` on two snapshots of the large generated account.

    python -m tests.bench.bench_diff [--seed 7] [--file PATH] [--repeat 3]

OLD is the generated account; NEW is OLD with a day's worth of changes: a Deny added to one
user, a grant added to another, one customer-managed policy edited (every principal it reaches is
re-evaluated), one sending-authorization policy edited and one identity's verification lost
(its region is re-evaluated for every principal). Prints the median time of load-both-and-diff
against a baseline measured in the same run (json.load of both files), and once the worst case:
an SCP edit, which reaches every cell of every region.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sestui.account import load_snapshot
from sestui.matrix.diff import diff_accounts
from tests.bench.generate import generate


def _median(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def changed(old: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(old)
    iam = new["iam"]
    users = iam["UserDetailList"]
    deny = {"Effect": "Deny", "Action": "ses:*", "Resource": "*"}
    users[10].setdefault("UserPolicyList", []).append(
        {"PolicyName": "NoMail", "PolicyDocument": {"Version": "2012-10-17", "Statement": [deny]}}
    )
    grant = {"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}
    users[20].setdefault("UserPolicyList", []).append(
        {"PolicyName": "Grant", "PolicyDocument": {"Version": "2012-10-17", "Statement": [grant]}}
    )
    attached = {
        a["PolicyArn"] for g in iam["GroupDetailList"] for a in g["AttachedManagedPolicies"]
    }
    policy = next(p for p in iam["Policies"] if p["Arn"] in attached)
    version = next(v for v in policy["PolicyVersionList"] if v["IsDefaultVersion"])
    stmts = version["Document"]["Statement"]
    if isinstance(stmts, list) and stmts:
        stmts.pop(0)
    regions = new["ses"]["regions"]
    region = regions["eu-west-1"]
    with_policy = next(i for i in region["identities"] if i.get("Policies"))
    name = next(iter(with_policy["Policies"]))
    doc = with_policy["Policies"][name]
    doc = json.loads(doc) if isinstance(doc, str) else doc
    doc.setdefault("Statement", []).append(deny | {"Principal": {"AWS": "*"}, "Sid": "Freeze"})
    with_policy["Policies"][name] = doc
    other = next(i for i in regions["us-east-1"]["identities"] if i.get("VerificationStatus"))
    other["VerificationStatus"] = "FAILED"
    return new


def scp_edited(old: dict[str, Any]) -> dict[str, Any]:
    new = copy.deepcopy(old)
    for level in (new.get("organizations") or {}).get("levels") or []:
        for p in level.get("Policies") or []:
            content = p["Content"]
            content = json.loads(content) if isinstance(content, str) else content
            content.setdefault("Statement", []).append(
                {
                    "Sid": "NoMumbai",
                    "Effect": "Deny",
                    "Action": "ses:SendRawEmail",
                    "Resource": "*",
                    "Condition": {"StringEquals": {"aws:RequestedRegion": "ap-south-1"}},
                }
            )
            p["Content"] = content
            return new
    return new


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--file")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp())
    old_path = Path(a.file) if a.file else tmp / "old.json"
    if not a.file:
        old_path.write_text(json.dumps(generate(a.seed)), encoding="utf-8")
    old = json.loads(old_path.read_text(encoding="utf-8"))
    new_path = tmp / "new.json"
    new_path.write_text(json.dumps(changed(old)), encoding="utf-8")
    worst_path = tmp / "scp.json"
    worst_path.write_text(json.dumps(scp_edited(old)), encoding="utf-8")

    def bare() -> None:
        for p in (old_path, new_path):
            json.loads(p.read_text(encoding="utf-8"))

    result: list[Any] = []

    def diff(other: Path = new_path) -> None:
        result[:] = [diff_accounts(load_snapshot(old_path)[0], load_snapshot(other)[0])]

    base = _median(bare, a.repeat)
    took = _median(diff, a.repeat)
    d = result[0]
    lost = sum(v.direction == "lost" for v in d.verdicts)
    print(
        f"diff: json.load of both {base * 1e3:.0f} ms, load both + diff {took:.2f} s "
        f"= {took / base:.1f}x; {len(d.verdicts)} verdicts changed ({lost} lost), "
        f"{len(d.changes)} changes, {d.rows_evaluated} principal rows evaluated"
    )
    t0 = time.perf_counter()
    diff(worst_path)
    worst = time.perf_counter() - t0
    d = result[0]
    print(
        f"diff, worst case (an SCP edit: every region re-evaluated): {worst:.2f} s; "
        f"{len(d.verdicts)} verdicts changed, {d.rows_evaluated} principal rows evaluated"
    )


if __name__ == "__main__":
    main()
