"""`sestui eval` against the leading open-source evaluator (TypeScript), on the same cases.

    python -m tests.bench.bench_ts [--cases 10000] [--seed 7] [--repeat 5] [--dir DIR]

Installs `@cloud-copilot/iam-simulate` (pinned below) with npm into a temporary folder (or
--dir, kept), writes the 10,000 distinct cases of `bench_eval.make_cases`, and times whole
processes, alternately, median of the runs: (a) `python -c "json.load(...)"`, (b) `sestui eval`,
(c) `node` running a small driver (written here) that reads the same file, maps each case to
the package's `Simulation` (identity policies, boundary, SCP levels root first, the resource
policies' statements as one resource policy, the request and its context) and calls
`runSimulation` once per case. It also counts how often the two agree on the decision, and the
cases the package refuses (its validation is stricter about some generated elements).

The package is AGPL-3.0-or-later: it is installed and run here, at bench time, never copied into
or shipped with sestui.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.bench.bench_eval import CODE, _env, _time, make_cases

PACKAGE = "@cloud-copilot/iam-simulate@0.1.173"

DRIVER = r"""
const fs = require("fs");
const { runSimulation } = require("@cloud-copilot/iam-simulate");

const asDoc = (p) => (typeof p === "string" ? JSON.parse(p) : p);
const statements = (d) => (Array.isArray(d.Statement) ? d.Statement : [d.Statement]);
const accountOf = (arn) => (arn.split(":")[4] || "");

async function main() {
  const cases = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const out = [];
  for (const c of cases) {
    let decision = null;
    try {
      const rp = (c.resource_policies || []).flatMap((p) => statements(asDoc(p)));
      const simulation = {
        request: {
          principal: c.principal,
          action: c.action,
          resource: {
            resource: c.resource,
            // An ARN without an account (S3, "*"): the principal's own, as sestui reads it.
            accountId: accountOf(c.resource) || accountOf(c.principal),
          },
          contextVariables: c.context || {},
        },
        identityPolicies: (c.identity_policies || []).map((p, i) => ({
          name: "identity" + i,
          policy: asDoc(p),
        })),
        serviceControlPolicies: (c.scps || []).map((level, i) => ({
          orgIdentifier: "level" + i,
          policies: level.map((p, j) => ({ name: "scp" + i + "_" + j, policy: asDoc(p) })),
        })),
        resourceControlPolicies: [],
        resourcePolicy: rp.length ? { Version: "2012-10-17", Statement: rp } : undefined,
        permissionBoundaryPolicies: c.permissions_boundary
          ? [{ name: "boundary", policy: asDoc(c.permissions_boundary) }]
          : undefined,
      };
      const result = await runSimulation(simulation, {});
      if (result.resultType !== "error") decision = result.overallResult;
    } catch (e) {
      decision = null;
    }
    out.push(decision);
  }
  if (process.argv[3]) fs.writeFileSync(process.argv[3], JSON.stringify(out));
}
main();
"""


def install(folder: Path) -> None:
    if (folder / "node_modules" / "@cloud-copilot" / "iam-simulate").is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--silent", PACKAGE],
        cwd=folder,
        check=True,
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--dir", help="install the package here and keep it (default: temporary)")
    a = ap.parse_args(argv)
    if shutil.which("node") is None or shutil.which("npm") is None:
        sys.exit("bench_ts: needs node and npm")
    folder = Path(a.dir).resolve() if a.dir else Path(tempfile.mkdtemp(prefix="sestui-ts-"))
    try:
        install(folder)
        (folder / "driver.cjs").write_text(DRIVER, encoding="utf-8")
        cases = make_cases(a.cases, a.seed)
        path = folder / "cases.json"
        path.write_text(json.dumps(cases, indent=1), encoding="utf-8")
        load = [sys.executable, "-c", "import json,sys; json.load(open(sys.argv[1]))", str(path)]
        ev = [sys.executable, "-m", "sestui.cli", "eval", str(path)]
        node = ["node", str(folder / "driver.cjs"), str(path)]
        # Agreement, once (outside the timing).
        answers = folder / "ts.json"
        subprocess.run([*node, str(answers)], check=True, cwd=folder)
        theirs = json.loads(answers.read_text(encoding="utf-8"))
        ours = json.loads(
            subprocess.run(
                ev, check=True, capture_output=True, text=True, env=_env(), cwd=CODE
            ).stdout
        )
        refused = sum(t is None for t in theirs)
        both = [(o["decision"], t) for o, t in zip(ours, theirs, strict=True) if t is not None]
        agree = sum(o == t for o, t in both)
        for cmd in (load, ev):  # warm the page cache and the .pyc files
            _time(cmd)
        subprocess.run(node, check=True, cwd=folder, stdout=subprocess.DEVNULL)
        runs: dict[str, list[tuple[float, float]]] = {"load": [], "eval": [], "node": []}
        for _ in range(a.repeat):
            runs["load"].append(_time(load))
            runs["eval"].append(_time(ev))
            runs["node"].append(_time_in(node, folder))
        med = {
            k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v))
            for k, v in runs.items()
        }
        print(f"{a.cases} distinct cases (seed {a.seed}), {PACKAGE}, median of {a.repeat}")
        print("                         wall        CPU user+sys")
        for label, key in (("python json.load", "load"), ("sestui eval", "eval"), ("node", "node")):
            w, c = med[key]
            print(f"  {label:22} {w * 1e3:8.0f} ms  {c * 1e3:8.0f} ms")
        for label, key in (("sestui eval", "eval"), ("iam-simulate (node)", "node")):
            w, c = med[key]
            print(
                f"  {label} / json.load: {w / med['load'][0]:.2f}x wall, "
                f"{c / med['load'][1]:.2f}x CPU"
            )
        print(
            f"  iam-simulate / sestui eval: {med['node'][0] / med['eval'][0]:.2f}x wall, "
            f"{med['node'][1] / med['eval'][1]:.2f}x CPU"
        )
        print(
            f"  decisions: {agree} of {len(both)} agree; {refused} cases refused by "
            f"iam-simulate (load average {os.getloadavg()[0]:.2f})"
        )
    finally:
        if not a.dir:
            shutil.rmtree(folder, ignore_errors=True)


def _time_in(cmd: list[str], folder: Path) -> tuple[float, float]:
    """`_time` for a command run in another folder (node finds the package from there)."""
    import resource
    import time

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, cwd=folder)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


if __name__ == "__main__":
    main()
