"""Large-account targets: load, recheck, who-can-send matrix.

    python -m tests.bench.bench_account [--seed 7] [--file PATH] [--selections 1000]

Generates the large account (tests/bench/generate.py) unless --file is given, then prints:
1. load: opening the snapshot vs a bare json.load of the same file (median of 5), and the peak
   RSS of a fresh process that opens it;
2. recheck: every check for 1,000 random selections (principal, region, identity): median, p99;
3. matrix: the who-can-send matrix of one region, cold (a fresh process: includes compiling every
   policy of the account once) and warm (median of 3 in this process).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sestui.account import load_snapshot
from sestui.decide import Selection, run
from sestui.matrix.exact import who_can_send
from tests.bench.generate import generate

REGION = "eu-west-1"


def _median_time(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _fresh_process(code: str) -> dict[str, float]:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--file")
    ap.add_argument("--selections", type=int, default=1000)
    a = ap.parse_args(argv)
    if a.file:
        path = Path(a.file)
    else:
        path = Path(tempfile.mkdtemp()) / "large.json"
        t0 = time.perf_counter()
        path.write_text(json.dumps(generate(a.seed)), encoding="utf-8")
        print(
            f"generated {path} ({path.stat().st_size / 1e6:.1f} MB, seed {a.seed}) in "
            f"{time.perf_counter() - t0:.1f}s"
        )

    bare = _median_time(lambda: json.loads(path.read_text(encoding="utf-8")), 5)
    opened = _median_time(lambda: load_snapshot(path), 5)
    rss = _fresh_process(
        "import json, resource, sys; from pathlib import Path; "
        "from sestui.account import load_snapshot; "
        f"a, _ = load_snapshot(Path({str(path)!r})); "
        "print(json.dumps({'rss': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )["rss"]
    print(
        f"1. load: json.load {bare * 1e3:.0f} ms, open snapshot {opened * 1e3:.0f} ms "
        f"= {opened / bare:.2f}x (target <= 3x); peak RSS {rss:.0f} MiB (target < 1024)"
    )

    account, _ = load_snapshot(path)
    rnd = random.Random(a.seed)
    regions = sorted(r for r in account.regions if account.regions[r].identities)
    selections = []
    for _ in range(a.selections):
        p = rnd.choice(account.principals)
        region = rnd.choice(regions)
        selections.append(
            Selection(
                p.arn, region, identity=rnd.choice(sorted(account.regions[region].identities))
            )
        )
    for s in selections:  # first touch compiles the policies, as a session's first views would
        run(account, s)
    times = []
    for s in selections:
        t0 = time.perf_counter()
        run(account, s)
        times.append(time.perf_counter() - t0)
    times.sort()
    p99 = times[max(0, int(len(times) * 0.99) - 1)]
    print(
        f"2. recheck ({len(selections)} random selections, all checks): median "
        f"{statistics.median(times) * 1e3:.2f} ms (target <= 2), p99 {p99 * 1e3:.2f} ms "
        "(target <= 10)"
    )

    cold = _fresh_process(
        "import json, time; from pathlib import Path; from sestui.account import load_snapshot; "
        "from sestui.matrix.exact import who_can_send; "
        f"a, _ = load_snapshot(Path({str(path)!r})); t0 = time.perf_counter(); "
        f"m = who_can_send(a, {REGION!r}); "
        "print(json.dumps({'s': time.perf_counter() - t0, 'p': len(m.principals), "
        "'i': len(m.identities), 'e': m.evaluated}))"
    )
    warm = _median_time(lambda: who_can_send(account, REGION), 3)
    print(
        f"3. matrix {REGION}: {int(cold['p'])} principals x {int(cold['i'])} identities, "
        f"{int(cold['e'])} policy sets evaluated: cold {cold['s']:.2f} s (a fresh process, "
        f"every policy compiled once), warm {warm:.2f} s (target <= 2)"
    )


if __name__ == "__main__":
    main()
