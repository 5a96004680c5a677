"""Adversarial sizes for the wildcard matcher and `explain`'s paste parsing (issue 15 §4).

    python -m tests.bench.bench_hang [--repeat R]
    PYTHONPATH=/path/to/older/checkout python tests/bench/bench_hang.py   # the same, on old code

Self-contained (imports only `sestui`), so it can time an older checkout for comparison. Prints
the median of R runs per case, and a baseline measured in the same run (`str.count` over the
same value: one plain linear pass) to read the figures against on a noisy machine.
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable

from sestui.explain.parse import parse_error
from sestui.policy import glob_match

N = 200_000
HALF = 20_000  # a 40,000-character `a?a?…` piece
U = "arn:aws:iam::111122223333:user/iam-user-name"
R = "arn:aws:ses:eu-west-1:111122223333:identity/example.com"

GLOBS: dict[str, tuple[str, str, bool]] = {
    "a?×20k+b vs a×200k (no match)": ("*" + "a?" * HALF + "b*", "a" * N, False),
    "a?×20k vs (ab)×100k (match at 0)": ("*" + "a?" * HALF + "*", "ab" * (N // 2), True),
    "a?×20k vs (ba)×100k (match at 1)": ("*" + "a?" * HALF + "*", "ba" * (N // 2), True),
    # Worst case found: every candidate survives until the last character is checked.
    "a?×20k+a vs (ab)×100k (fails at the end)": (
        "*" + "a?" * (HALF - 1) + "aa*",
        "ab" * (N // 2),
        False,
    ),
    "(a?×40 b)×400 pieces vs (a×80 b)×2.5k": (
        "*" + ("a?" * 40 + "b*") * 400,
        ("a" * 80 + "b") * (N // 81),
        True,
    ),
}

PASTES: dict[str, str] = {
    "100 KB wrapped denials": (
        f"554 Access denied: User `{U[:30]}\n{U[30:]}' is not authorized to perform `ses:Send"
        f"\nRawEmail' on resource `{R[:40]}\n   {R[40:]}'\n"
    )
    * 700,
    "120 KB word after 'not verified'": "Email address is not verified. " + "a-" * 60_000,
    "126 KB of 'configuration set '": "configuration set " * 7_000,
}


def median_s(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", choices=["glob", "explain"], default=None)
    ap.add_argument("--case", default="", help="only the cases whose name contains this")
    a = ap.parse_args(argv)
    base = median_s(lambda: ("a" * N).count("b"), a.repeat)
    print(f"baseline: str.count over {N:,} characters: {base * 1e3:.2f} ms")
    if a.only in (None, "glob"):
        for name, (pattern, value, expected) in GLOBS.items():
            if a.case not in name:
                continue
            glob_match(pattern, value[:10])  # compile the pattern outside the timing
            assert glob_match(pattern, value) is expected, name
            t = median_s(functools.partial(glob_match, pattern, value), a.repeat)
            print(f"glob  {name:42} median {t * 1e3:9.1f} ms")
    if a.only in (None, "explain"):
        for name, text in PASTES.items():
            if a.case not in name:
                continue
            t = median_s(functools.partial(parse_error, text), a.repeat)
            print(f"paste {name:42} median {t * 1e3:9.1f} ms  ({len(text) / 1e3:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
