"""Organization-scale targets: open a generated organization snapshot, recheck across accounts.

    python -m tests.bench.bench_org [--accounts 200] [--seed 7] [--file PATH] [--selections 1000]

Generates a `sestui-snapshot/2` organization (tests/bench/generate.py per account: 450 users,
50 roles, 30 groups, 60 managed policies, 25 identities over 17 regions; ten distinct account
shapes, each account with its own ID in every ARN) unless --file is given, then prints:
1. open: loading the file into the account set vs a bare json.load of it (medians of 3);
2. recheck: every check for random selections, half within one account, half a delegate send
   (principal in one account, another account's identity ARN, both sides decided): median, p99;
3. who in the organization can send as one identity (sestui/matrix/org.py), warm and first time;
4. as which identities of the organization (one region) one principal can send.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sestui.account.orgsnapshot import load_account_set
from sestui.decide import Selection, run
from sestui.decide.locate import locate
from tests.bench.generate import ACCT, generate

SHAPES = 10


def generate_organization(seed: int, accounts: int) -> dict[str, Any]:
    shapes = []
    for i in range(SHAPES):
        one = generate(seed + i, users=450, roles=50, groups=30, policies=60, identities=25)
        one.pop("format", None)
        shapes.append(json.dumps(one))
    out = []
    for n in range(accounts):
        account_id = f"{200000000000 + n * 7919:012d}"
        entry = json.loads(shapes[n % SHAPES].replace(ACCT, account_id))
        entry["account"]["Name"] = f"account-{n:03d}"
        out.append(entry)
    return {
        "format": "sestui-snapshot/2",
        "source": f"generated organization (seed {seed})",
        "organization": {"Id": "o-bench", "ManagementAccountId": out[0]["account"]["Id"]},
        "accounts": out,
        "unreadable": [],
    }


def _median_time(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--file")
    ap.add_argument("--selections", type=int, default=1000)
    a = ap.parse_args(argv)
    if a.file:
        path = Path(a.file)
    else:
        path = Path(tempfile.mkdtemp()) / "org.json"
        t0 = time.perf_counter()
        path.write_text(json.dumps(generate_organization(a.seed, a.accounts)), encoding="utf-8")
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.0f} MB, {a.accounts} accounts) in "
            f"{time.perf_counter() - t0:.1f}s"
        )
    bare = _median_time(lambda: json.loads(path.read_text(encoding="utf-8")), 3)
    opened = _median_time(lambda: load_account_set(path), 3)
    accounts, _ = load_account_set(path)
    principals = sum(len(x.principals) for x in accounts)
    identities = sum(len(r.identities) for x in accounts for r in x.regions.values())
    regions = {r for x in accounts for r in x.regions}
    print(
        f"1. open: {len(accounts)} accounts, {principals:,} principals, {identities:,} "
        f"identities, {len(regions)} regions: json.load {bare:.2f} s, open {opened:.2f} s "
        f"= {opened / bare:.2f}x (target <= 3x)"
    )

    rnd = random.Random(a.seed)
    pool = list(accounts)
    selections = []
    for k in range(a.selections):
        caller = rnd.choice(pool)
        owner = caller if k % 2 == 0 else rnd.choice([x for x in pool if x is not caller])
        region = rnd.choice(sorted(r for r in owner.regions if owner.regions[r].identities))
        identity = owner.regions[region].identities[
            rnd.choice(sorted(owner.regions[region].identities))
        ]
        principal = rnd.choice(caller.principals)
        selections.append(Selection(principal.arn, region, identity=identity.arn(owner.account_id)))

    def once(s: Selection) -> None:
        located = locate(accounts, s)
        run(located.caller, s, owner=located.owner)

    for s in selections:  # first touch compiles the policies, as a session's first views would
        once(s)
    times = []
    for s in selections:
        t0 = time.perf_counter()
        once(s)
        times.append(time.perf_counter() - t0)
    cross = [t for k, t in enumerate(times) if k % 2]
    same = [t for k, t in enumerate(times) if not k % 2]
    times.sort()
    p99 = times[max(0, int(len(times) * 0.99) - 1)]
    print(
        f"2. recheck ({len(selections)} random selections, half across accounts, all checks): "
        f"median {statistics.median(times) * 1e3:.2f} ms (target <= 2), p99 {p99 * 1e3:.2f} ms; "
        f"within one account median {statistics.median(same) * 1e3:.2f} ms, across accounts "
        f"median {statistics.median(cross) * 1e3:.2f} ms"
    )

    # 3. Who in the organization can send as one identity (every principal of every account),
    # and as which identities of the organization one principal can send (one region).
    from sestui.matrix.org import OrgMatrix

    picks = []
    for _ in range(5):
        owner = rnd.choice(pool)
        region = rnd.choice(sorted(r for r in owner.regions if owner.regions[r].identities))
        picks.append((owner, region, rnd.choice(sorted(owner.regions[region].identities))))
    cold: list[float] = []
    warm: list[float] = []
    exact = refused = 0
    for owner, region, name in picks:
        for times_ in (cold, warm):  # the first also compiles what the column reads
            m = OrgMatrix(accounts, region)
            t0 = time.perf_counter()
            col = m.column(owner, name)
            times_.append(time.perf_counter() - t0)
        exact, refused = exact + m.exact_cells, refused + m.refused_accounts
    print(
        f"3. who in the organization can send as one identity ({len(col):,} principals, "
        f"{len(picks)} identities): warm median {statistics.median(warm):.2f} s (target <= 2), "
        f"first time median {statistics.median(cold):.2f} s; {exact} cross-account cells "
        f"decided exactly, {refused} accounts refused without evaluating"
    )
    rows = []
    for _ in range(20):
        caller = rnd.choice(pool)
        p = rnd.choice(caller.principals)
        region = rnd.choice(sorted(r for r in caller.regions if caller.regions[r].identities))
        m = OrgMatrix(accounts, region)
        t0 = time.perf_counter()
        row = m.row(caller, p)
        rows.append(time.perf_counter() - t0)
    print(
        f"4. as which identities one principal can send ({len(row)} identities of the region "
        f"across the organization, 20 principals): median {statistics.median(rows):.2f} s"
    )


if __name__ == "__main__":
    main()
