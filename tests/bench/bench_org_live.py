"""Organization reads against moto_server with 50 ms added to every call (issue 12, Scale).

    python -m tests.bench.bench_org_live [--accounts 4,8,16] [--regions 3] [--repeat 3]

Starts `moto_server` on 127.0.0.1 and, for each size, builds an organization of N accounts (the
management account and N-1 members spread over two OUs, each with users, access keys and
identities in every region read), then reads it with `--org-role` through the bounded pool and
with a pool of one (sequential), alternately, `--repeat` times; prints the medians, their ratio
(target: concurrent <= 1/8 of sequential) and the calls per account (target: constant, i.e.
calls linear in accounts).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections import Counter
from typing import Any

from sestui.aws.orgread import WORKERS, read_organization
from sestui.aws.session import AwsSession
from tests.awsfixtures import MGMT, client
from tests.bench.bench_live import _post, moto_server
from tests.bench.generate import REGIONS

ROLE = "SestuiRead"


def _doc(statement: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _build(endpoint: str, accounts: int, regions: list[str], users: int, identities: int) -> None:
    orgs = client("organizations", MGMT, endpoint_url=endpoint)
    orgs.create_organization(FeatureSet="ALL")
    root = orgs.list_roots()["Roots"][0]["Id"]
    orgs.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    ous = [
        orgs.create_organizational_unit(ParentId=root, Name=name)["OrganizationalUnit"]["Id"]
        for name in ("Workloads", "Sandbox")
    ]
    for target, name in ((root, "DenyLeave"), (ous[0], "NoBulk")):
        pid = orgs.create_policy(
            Content=_doc({"Effect": "Deny", "Action": "ses:SendBulkEmail", "Resource": "*"}),
            Description=name,
            Name=name,
            Type="SERVICE_CONTROL_POLICY",
        )["Policy"]["PolicySummary"]["Id"]
        orgs.attach_policy(PolicyId=pid, TargetId=target)
    ids = [MGMT]
    for i in range(accounts - 1):
        created = orgs.create_account(Email=f"a{i}@example.com", AccountName=f"member-{i}")
        account = created["CreateAccountStatus"]["AccountId"]
        orgs.move_account(AccountId=account, SourceParentId=root, DestinationParentId=ous[i % 2])
        ids.append(account)
    for account in ids:
        iam = client("iam", account, endpoint_url=endpoint)
        for u in range(users):
            iam.create_user(UserName=f"user-{u}")
            iam.put_user_policy(
                UserName=f"user-{u}",
                PolicyName="send",
                PolicyDocument=_doc({"Effect": "Allow", "Action": "ses:*", "Resource": "*"}),
            )
            iam.create_access_key(UserName=f"user-{u}")
        for region in regions:
            ses = client("sesv2", account, region, endpoint_url=endpoint)
            for k in range(identities):
                ses.create_email_identity(EmailIdentity=f"d{k}.{account}.{region}.example.com")


def _read(workers: int, latency: float, regions: list[str]) -> tuple[float, int, Counter[str]]:
    session = AwsSession(region="us-east-1")
    per_operation: Counter[str] = Counter()

    def slow(model: Any = None, **_: Any) -> None:
        per_operation[model.name] += 1  # Counter += is not atomic, but the GIL keeps this exact
        time.sleep(latency)

    session.add_hook("before-call.*.*", slow)  # copied onto every assumed-role session
    t0 = time.perf_counter()
    data = read_organization(session, ROLE, regions=regions, workers=workers)
    elapsed = time.perf_counter() - t0
    assert not data["unreadable"], data["unreadable"]
    return elapsed, sum(per_operation.values()), per_operation


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--accounts", default="4,8,16", help="organization sizes")
    ap.add_argument("--regions", type=int, default=3, help="SES regions read per account")
    ap.add_argument("--users", type=int, default=3, help="per account (each with a key)")
    ap.add_argument("--identities", type=int, default=2, help="per account and region")
    ap.add_argument("--latency", type=float, default=0.05)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--workers", type=int, default=WORKERS)
    a = ap.parse_args(argv)
    regions = list(REGIONS[: a.regions])
    with moto_server() as endpoint:
        print(
            f"8. organization read, {len(regions)} regions, {a.users} users and "
            f"{a.identities} identities per account and region, +{a.latency * 1e3:.0f} ms per "
            f"call, pool of {a.workers} vs 1, median of {a.repeat}:"
        )
        for n in (int(x) for x in a.accounts.split(",")):
            _post(f"{endpoint}/moto-api/reset")
            _build(endpoint, n, regions, a.users, a.identities)
            conc, seq = [], []
            calls: set[int] = set()
            per: Counter[str] = Counter()
            for _ in range(a.repeat):
                t, c, per = _read(a.workers, a.latency, regions)
                conc.append(t)
                calls.add(c)
                t, c, _ = _read(1, a.latency, regions)
                seq.append(t)
                calls.add(c)
            assert len(calls) == 1, calls  # the same calls, concurrent or not
            (total,) = calls
            mc, ms = statistics.median(conc), statistics.median(seq)
            print(
                f"   {n:3d} accounts: concurrent {mc:6.2f} s, sequential {ms:6.2f} s = "
                f"{mc / ms:.3f} (target <= 0.125); {total} calls = {total / n:.1f} per account"
                f" (assume-role {per['AssumeRole']}, ListParents {per['ListParents']}, "
                f"ListPoliciesForTarget {per['ListPoliciesForTarget']}, DescribePolicy "
                f"{per['DescribePolicy']})"
            )


if __name__ == "__main__":
    main()
