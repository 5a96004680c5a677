"""Engine throughput: evaluations per second on a deterministic batch of generated cases.

    python -m tests.bench.bench_engine [--cases N] [--statements K] [--seed S] [--repeat R]

Prints the median time per case and evaluations per second, for single-statement cases and for
cases of K statements, and the ratio against a baseline measured in the same run (a `dict` copy
plus `json.dumps` of the request context: a fixed amount of plain CPython work per case).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from sestui.policy import PolicyKind, PolicySet, PolicySource, Request, evaluate, parse_policy

ACCT = "111122223333"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example.io"]
ACTIONS = [
    "ses:SendEmail",
    "ses:SendRawEmail",
    "ses:SendTemplatedEmail",
    "ses:SendBulkTemplatedEmail",
    "ses:GetSendQuota",
    "s3:GetObject",
    "sns:Publish",
]


def _statement(rnd: random.Random) -> dict[str, Any]:
    effect = "Deny" if rnd.random() < 0.15 else "Allow"
    actions = rnd.sample(
        [
            "ses:Send*",
            "ses:SendRawEmail",
            "ses:SendEmail",
            "ses:*",
            "s3:*",
            "sns:Publish",
            "logs:*",
            "ses:Get*",
        ],
        rnd.randint(1, 3),
    )
    s: dict[str, Any] = {
        "Effect": effect,
        ("NotAction" if rnd.random() < 0.1 else "Action"): actions,
    }
    region = rnd.choice([*REGIONS, "*"])
    name = rnd.choice([*DOMAINS, "*", "*@example.com", "${aws:username}@example.com"])
    key = "NotResource" if effect == "Deny" and rnd.random() < 0.2 else "Resource"
    s[key] = [f"arn:aws:ses:{region}:{ACCT}:identity/{name}"] if rnd.random() < 0.8 else "*"
    r = rnd.random()
    if r < 0.25:
        s["Condition"] = {"StringLike": {"ses:FromAddress": f"*@{rnd.choice(DOMAINS)}"}}
    elif r < 0.35:
        s["Condition"] = {
            "ForAllValues:StringLike": {"ses:Recipients": ["*@example.com", "*@example.org"]}
        }
    elif r < 0.45:
        s["Condition"] = {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "203.0.113.0/24"]}}
    elif r < 0.5:
        s["Condition"] = {"StringNotEquals": {"aws:RequestedRegion": rnd.sample(REGIONS, 2)}}
    return s


def make_cases(n: int, statements: int, seed: int) -> list[tuple[Request, PolicySet]]:
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        docs: list[dict[str, Any]] = []
        left = statements
        while left > 0:
            k = min(left, rnd.randint(1, 5))
            docs.append({"Version": "2012-10-17", "Statement": [_statement(rnd) for _ in range(k)]})
            left -= k
        identity = tuple(
            parse_policy(d, PolicySource(PolicyKind.IDENTITY, f"c{i}p{j}"))
            for j, d in enumerate(docs)
        )
        region = rnd.choice(REGIONS)
        action = rnd.choice(ACTIONS)
        resource = (
            "*"
            if action == "ses:GetSendQuota"
            else (f"arn:aws:ses:{region}:{ACCT}:identity/{rnd.choice(DOMAINS)}")
        )
        ctx = {
            "aws:RequestedRegion": region,
            "ses:FromAddress": f"app@{rnd.choice(DOMAINS)}",
            "ses:Recipients": ["a@example.com", "b@example.org"],
            "aws:SourceIp": rnd.choice(["10.1.2.3", "198.51.100.7"]),
        }
        req = Request.build(f"arn:aws:iam::{ACCT}:user/u{i % 50}", action, resource, ctx)
        out.append((req, PolicySet(identity=identity)))
    return out


def _median_per_case(fn: Callable[[], None], n: int, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) / n)
    return statistics.median(times)


def run(cases: int, statements: int, seed: int, repeat: int) -> dict[str, float]:
    batch1 = make_cases(cases, 1, seed)
    batchk = make_cases(cases, statements, seed + 1)
    contexts = [dict(r.context) for r, _ in batchk]

    def baseline() -> None:
        for c in contexts:
            json.dumps(dict(c))

    def run1() -> None:
        for req, ps in batch1:
            evaluate(req, ps)

    def runk() -> None:
        for req, ps in batchk:
            evaluate(req, ps)

    run1()  # warm the pattern caches, as a long-running TUI would have them
    runk()
    base = _median_per_case(baseline, cases, repeat)
    one = _median_per_case(run1, cases, repeat)
    many = _median_per_case(runk, cases, repeat)
    return {
        "baseline_us": base * 1e6,
        "single_us": one * 1e6,
        "multi_us": many * 1e6,
        "single_per_s": 1 / one,
        "multi_per_s": 1 / many,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--statements", type=int, default=20)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=7)
    a = ap.parse_args(argv)
    r = run(a.cases, a.statements, a.seed, a.repeat)
    print(f"engine: {a.cases} cases, median of {a.repeat} runs (seed {a.seed})")
    print(f"  baseline (dict copy + json.dumps of the context): {r['baseline_us']:8.2f} us/case")
    print(
        f"  1 statement:   {r['single_us']:8.2f} us/case  {r['single_per_s']:>10,.0f} eval/s"
        f"  ({r['single_us'] / r['baseline_us']:.1f}x baseline)"
    )
    print(
        f"  {a.statements} statements: {r['multi_us']:8.2f} us/case  {r['multi_per_s']:>10,.0f}"
        f" eval/s  ({r['multi_us'] / r['baseline_us']:.1f}x baseline)"
    )


if __name__ == "__main__":
    main()
