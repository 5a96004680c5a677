"""`sestui eval` as a whole process on 10,000 distinct cases, against a bare `json.load`.

    python -m tests.bench.bench_eval [--cases N] [--seed S] [--repeat R] [--file F] [--keep]

Every case has its own documents (its own identity names, Sids, ARNs, condition values), so
nothing the engine caches by content is ever reused: what is measured is parsing, validating
and deciding. Times, alternately and `--repeat` times each, in the same run:
(a) `python -c "import json,sys; json.load(open(sys.argv[1]))" FILE` and
(b) `python -m sestui.cli eval FILE` with its output sent to /dev/null, and
(c) (a) with the cyclic garbage collector off, as `sestui eval` parses (most of a bare
`json.load` of a large file is the collector tracing the tree while it is built),
and prints the medians and the ratios (the goal of issue 12: (b) at most 2× (a)).

sestui's bytecode is compiled first (`compileall`), as an installed package has it: where
PYTHONDONTWRITEBYTECODE is set (as in these sessions' environment) every run of (b) would
otherwise compile sestui's source again, about 30 ms of CPU that no installed sestui spends.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HOME = "111122223333"
OTHER = ["444455556666", "777788889999"]
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2", "sa-east-1"]
WORDS = ["billing", "alerts", "crm", "news", "ops", "pay", "growth", "hr", "jobs", "legal"]
TLDS = ["com", "org", "net", "io"]
SEND = ["ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkEmail"]
OTHER_ACTIONS = ["ses:GetSendQuota", "ses:ListIdentities", "s3:GetObject", "sns:Publish"]
ACTION_PATTERNS = [
    "ses:Send*",
    "ses:SendRawEmail",
    "ses:SendEmail",
    "ses:*",
    "ses:Send*Email",
    "ses:Get*",
    "ses:List*",
    "s3:*",
    "s3:GetObject",
    "sns:Publish",
    "logs:*",
    "kms:Decrypt",
    "*",
]
SOURCE_IPS = ["10.1.2.3", "198.51.100.7", "203.0.113.25", "2001:db8::5", "192.0.2.44"]


class _Case:
    """What one case is about: the names its documents refer to (so they differ per case)."""

    def __init__(self, rnd: random.Random, i: int) -> None:
        self.rnd = rnd
        self.i = i
        self.word = rnd.choice(WORDS)
        self.domain = f"{self.word}{i}.example.{rnd.choice(TLDS)}"
        self.address = f"{rnd.choice(WORDS)}@{self.domain}"
        self.region = rnd.choice(REGIONS)
        self.owner = HOME if rnd.random() < 0.85 else rnd.choice(OTHER)
        self.identity = self.address if rnd.random() < 0.5 else self.domain
        self.user = f"{self.word}-app-{i}"
        self.role = f"{self.word}-role-{i}"
        self.session = f"session-{rnd.randrange(10**6)}"
        self.is_role = rnd.random() < 0.4
        self.identity_arn = f"arn:aws:ses:{self.region}:{self.owner}:identity/{self.identity}"
        self.principal = (
            f"arn:aws:sts::{HOME}:assumed-role/{self.role}/{self.session}"
            if self.is_role
            else f"arn:aws:iam::{HOME}:user/{self.user}"
        )

    def actions(self) -> list[str]:
        return self.rnd.sample(ACTION_PATTERNS, self.rnd.choice([1, 1, 1, 2, 3]))

    def resource(self) -> str | list[str]:
        r = self.rnd.random()
        region = self.rnd.choice([self.region, self.region, "*", self.rnd.choice(REGIONS)])
        if r < 0.2:
            return "*"
        if r < 0.45:
            return f"arn:aws:ses:{region}:{self.owner}:identity/{self.identity}"
        if r < 0.6:
            return f"arn:aws:ses:{region}:{self.owner}:identity/*@{self.domain}"
        if r < 0.7:
            return f"arn:aws:ses:*:{self.owner}:identity/${{aws:username}}@{self.domain}"
        if r < 0.8:
            return [
                f"arn:aws:ses:{region}:{self.owner}:identity/{self.domain}",
                f"arn:aws:ses:{region}:{self.owner}:identity/{self.address}",
                f"arn:aws:ses:{region}:{self.owner}:configuration-set/{self.word}-{self.i}",
            ]
        if r < 0.9:
            return f"arn:aws:ses:*:*:identity/*.{self.domain.split('.', 1)[1]}"
        return f"arn:aws:ses:{region}:{self.owner}:identity/?*{self.domain[-8:]}"

    def condition(self) -> dict[str, Any]:
        rnd = self.rnd
        out: dict[str, Any] = {}
        for _ in range(rnd.choice([1, 1, 1, 2, 3])):
            kind = rnd.randrange(13)
            if kind == 0:
                out["StringLike"] = {
                    "ses:FromAddress": [f"*@{self.domain}", f"no-reply@{self.i}.*"]
                }
            elif kind == 1:
                out["StringEquals"] = {"ses:FromAddress": self.address}
            elif kind == 2:
                out["ForAllValues:StringLike"] = {
                    "ses:Recipients": [
                        f"*@{self.domain}",
                        "*@example.com",
                        f"*@partner{self.i}.net",
                    ]
                }
            elif kind == 3:
                out["ForAnyValue:StringEquals"] = {
                    "ses:Recipients": [f"ceo@{self.domain}", f"ops{self.i}@example.com"]
                }
            elif kind == 4:
                out["IpAddress"] = {"aws:SourceIp": ["10.0.0.0/8", f"203.0.{self.i % 256}.0/24"]}
            elif kind == 5:
                out["NotIpAddress"] = {"aws:SourceIp": [f"198.51.{self.i % 256}.0/24"]}
            elif kind == 6:
                out["Bool"] = {"aws:SecureTransport": rnd.choice(["true", "false"])}
            elif kind == 7:
                out["StringNotEquals"] = {"aws:RequestedRegion": rnd.sample(REGIONS, 2)}
            elif kind == 8:
                out["DateLessThan"] = {
                    "aws:CurrentTime": f"20{rnd.randint(24, 29)}-0{rnd.randint(1, 9)}-1{self.i % 10}T00:00:00Z"
                }
            elif kind == 9:
                out["ArnLike"] = {"aws:PrincipalArn": f"arn:aws:iam::{HOME}:role/{self.word}-*"}
            elif kind == 10:
                out["StringEqualsIfExists"] = {
                    "ses:FromDisplayName": f"{self.word.title()} {self.i}"
                }
            elif kind == 11:
                out["Null"] = {"aws:PrincipalTag/team": rnd.choice(["true", "false"])}
            else:
                out["StringLike"] = {"aws:PrincipalTag/team": [f"{self.word}*", f"team-{self.i}"]}
        return out

    def statement(self, *, deny: float, resource_policy: bool = False) -> dict[str, Any]:
        rnd = self.rnd
        s: dict[str, Any] = {}
        if rnd.random() < 0.5:
            s["Sid"] = f"S{self.i}x{rnd.randrange(1000)}"
        s["Effect"] = "Deny" if rnd.random() < deny else "Allow"
        if resource_policy:
            s["Principal"] = self.principal_element()
        s["NotAction" if rnd.random() < 0.08 else "Action"] = _one(self.actions())
        s["NotResource" if rnd.random() < 0.08 else "Resource"] = self.resource()
        if rnd.random() < 0.45:
            s["Condition"] = self.condition()
        return s

    def principal_element(self) -> Any:
        r = self.rnd.random()
        if r < 0.1:
            return "*"
        names = [
            f"arn:aws:iam::{HOME}:user/{self.user}",
            f"arn:aws:iam::{HOME}:role/{self.role}",
            self.principal,
            HOME,
            f"arn:aws:iam::{HOME}:root",
            f"arn:aws:iam::{self.rnd.choice(OTHER)}:user/other-{self.i}",
        ]
        return {"AWS": _one(self.rnd.sample(names, self.rnd.choice([1, 1, 2])))}

    def document(self, statements: int, *, deny: float, resource_policy: bool = False) -> Any:
        doc: dict[str, Any] = {"Version": "2012-10-17"}
        if self.rnd.random() < 0.05:
            doc["Id"] = f"policy-{self.i}"
        body = [
            self.statement(deny=deny, resource_policy=resource_policy) for _ in range(statements)
        ]
        doc["Statement"] = body[0] if statements == 1 and self.rnd.random() < 0.3 else body
        if self.rnd.random() < 0.05:  # the format allows a string holding the JSON
            return json.dumps(doc)
        return doc


def _one(values: list[str]) -> str | list[str]:
    return values[0] if len(values) == 1 else values


def make_case(rnd: random.Random, i: int) -> dict[str, Any]:
    c = _Case(rnd, i)
    action = rnd.choice(SEND) if rnd.random() < 0.85 else rnd.choice(OTHER_ACTIONS)
    resource = "*" if action in ("ses:GetSendQuota", "ses:ListIdentities") else c.identity_arn
    if action == "s3:GetObject":
        resource = f"arn:aws:s3:::{c.word}-bucket-{i}/reports/{i}.csv"
    if action == "sns:Publish":
        resource = f"arn:aws:sns:{c.region}:{HOME}:{c.word}-topic-{i}"
    context: dict[str, Any] = {"aws:RequestedRegion": c.region, "aws:SecureTransport": "true"}
    if rnd.random() < 0.8:
        context["ses:FromAddress"] = c.address if rnd.random() < 0.7 else f"x{i}@other.example"
    if rnd.random() < 0.7:
        context["ses:Recipients"] = [
            f"{rnd.choice(WORDS)}@{rnd.choice([c.domain, 'example.com', f'partner{i}.net'])}"
            for _ in range(rnd.randint(1, 4))
        ]
    if rnd.random() < 0.6:
        context["aws:SourceIp"] = rnd.choice(SOURCE_IPS)
    if rnd.random() < 0.3:
        context["aws:CurrentTime"] = f"2026-0{rnd.randint(1, 9)}-{rnd.randint(10, 28)}T12:00:00Z"
    if rnd.random() < 0.3:
        context["ses:FromDisplayName"] = f"{c.word.title()} {i}"
    if rnd.random() < 0.3:
        context["aws:PrincipalTag/team"] = f"{c.word}-{i % 7}"
    case: dict[str, Any] = {
        "id": f"gen-{i:05d}",
        "principal": c.principal,
        "action": action,
        "resource": resource,
        "context": context,
        "identity_policies": [
            c.document(rnd.randint(1, 5), deny=0.15) for _ in range(rnd.choice([1, 1, 2, 2, 3]))
        ],
        "permissions_boundary": c.document(rnd.randint(1, 3), deny=0.1)
        if rnd.random() < 0.25
        else None,
        "scps": [],
        "resource_policies": [],
    }
    if rnd.random() < 0.6:
        levels = []
        for level in range(rnd.randint(1, 3)):
            docs: list[Any] = []
            if rnd.random() < 0.85:
                docs.append(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Sid": f"Full{i}L{level}",
                                "Effect": "Allow",
                                "Action": "*",
                                "Resource": "*",
                            }
                        ],
                    }
                )
            if rnd.random() < 0.5 or not docs:
                docs.append(c.document(rnd.randint(1, 3), deny=0.6))
            levels.append(docs)
        case["scps"] = levels
    if rnd.random() < 0.4:
        case["resource_policies"] = [
            c.document(rnd.randint(1, 3), deny=0.2, resource_policy=True)
            for _ in range(rnd.choice([1, 1, 2]))
        ]
    return case


def make_cases(n: int, seed: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    return [make_case(rnd, i) for i in range(n)]


def _time(cmd: list[str]) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of cmd: on a shared machine the CPU
    time is the steadier figure (a busy neighbour stretches the wall time, not the CPU time)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=_env(), cwd=CODE)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


CODE = str(Path(__file__).resolve().parents[2])  # the sestui measured (--code: another one)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": CODE}


def host_speed() -> float:
    """Seconds for 10**7 additions in a Python loop: how fast the (shared) host runs right now,
    to compare runs taken at different times."""
    t0 = time.perf_counter()
    total = 0
    for i in range(10**7):
        total += i
    return time.perf_counter() - t0


def run(path: Path, repeat: int) -> dict[str, float]:
    load = [sys.executable, "-c", "import json,sys; json.load(open(sys.argv[1]))", str(path)]
    # The same with the cyclic collector off, as `sestui eval` parses: the parse alone.
    bare = [
        sys.executable,
        "-c",
        "import gc,json,sys; gc.disable(); json.load(open(sys.argv[1]))",
        str(path),
    ]
    ev = [sys.executable, "-m", "sestui.cli", "eval", str(path)]
    # Bytecode as an installed package has it (PYTHONDONTWRITEBYTECODE would stop the warm-up
    # run below from writing it); compileall writes it regardless.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(Path(CODE) / "sestui")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _time(load), _time(bare), _time(ev)  # warm the page cache
    runs: dict[str, list[tuple[float, float]]] = {"load": [], "eval": [], "bare": []}
    for _ in range(repeat):
        runs["load"].append(_time(load))
        runs["eval"].append(_time(ev))
        runs["bare"].append(_time(bare))
    out: dict[str, float] = {}
    for name, pairs in runs.items():
        out[f"{name}_s"] = statistics.median(w for w, _ in pairs)
        out[f"{name}_cpu"] = statistics.median(c for _, c in pairs)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--file", help="write the cases here (default: a temporary file)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary file")
    ap.add_argument("--code", help="measure the sestui package under this folder (e.g. an old one)")
    a = ap.parse_args(argv)
    global CODE
    if a.code:
        CODE = str(Path(a.code).resolve())
    cases = make_cases(a.cases, a.seed)
    if a.file:
        path = Path(a.file).resolve()
    else:
        fd, name = tempfile.mkstemp(prefix="sestui-cases-", suffix=".json")
        os.close(fd)
        path = Path(name)
    path.write_text(json.dumps(cases, indent=1))
    try:
        from sestui.policy.cases import run_cases

        decided = collections.Counter(str(r["decision"]) for r in run_cases(cases))
        speed_before = host_speed()
        r = run(path, a.repeat)
        speed_after = host_speed()
    finally:
        if not (a.file or a.keep):
            path.unlink()
    size = path.stat().st_size if path.exists() else 0
    where = subprocess.run(
        [sys.executable, "-c", "import sestui; print(sestui.__file__)"],
        env=_env(),
        cwd=CODE,
        capture_output=True,
        text=True,
        check=True,
    )
    print(f"code: {where.stdout.strip()}")  # `-m` puts the working folder first on the path
    print(f"eval: {a.cases} distinct cases (seed {a.seed}), median of {a.repeat} alternating runs")
    print(f"  decisions: {dict(sorted(decided.items()))}")
    if size:
        print(f"  file: {path} ({size / 1e6:.1f} MB)")
    print("                        wall (median)   CPU user+sys (median)")
    for label, name in (("python -c json.load", "load"), ("the same, gc off", "bare")):
        print(f"  {label:20} {r[name + '_s'] * 1000:8.1f} ms   {r[name + '_cpu'] * 1000:8.1f} ms")
    print(f"  {'sestui eval':20} {r['eval_s'] * 1000:8.1f} ms   {r['eval_cpu'] * 1000:8.1f} ms")
    for label, name in (("json.load", "load"), ("json.load with gc off", "bare")):
        print(
            f"  sestui eval / {label}: {r['eval_s'] / r[name + '_s']:.2f}x wall,"
            f" {r['eval_cpu'] / r[name + '_cpu']:.2f}x CPU"
        )
    print(f"  (load average: {os.getloadavg()[0]:.2f};", end=" ")
    print(f"10**7 additions: {speed_before:.2f} s before, {speed_after:.2f} s after)")


if __name__ == "__main__":
    main()
