"""Run benchmarks: `python -m tests.bench [engine|...]` (see tests/bench/README.md)."""

from __future__ import annotations

import importlib
import sys

BENCHES = {
    "engine": "tests.bench.bench_engine",
    "eval": "tests.bench.bench_eval",
    "account": "tests.bench.bench_account",
    "tui": "tests.bench.bench_tui",
    "live": "tests.bench.bench_live",
    "orglive": "tests.bench.bench_org_live",
    "diff": "tests.bench.bench_diff",
    "fuzz": "tests.bench.fuzz",
    "hang": "tests.bench.bench_hang",
    "org": "tests.bench.bench_org",
}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHES)
    for name in names:
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}", file=sys.stderr)
            return 2
        module = importlib.import_module(BENCHES[name])
        module.main([])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
