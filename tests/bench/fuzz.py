"""A large fuzzing run (the test suite runs a moderate one): `python -m tests.bench fuzz`."""

from __future__ import annotations

import argparse
import time
from typing import Any

from hypothesis import HealthCheck, given, settings

from tests.fuzzing import (
    check_document,
    check_explain,
    check_snapshot,
    documents,
    explain_texts,
    kinds,
    requests,
    snapshots,
)


def _explain(text: str) -> None:
    check_explain(text)  # a @given test must return None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--examples", type=int, default=5000)
    a = ap.parse_args(argv)
    big = settings(
        max_examples=a.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    for name, test in (
        ("policies", given(documents, kinds, requests)(lambda d, k, r: check_document(d, k, r))),
        ("snapshots", given(snapshots())(check_snapshot)),
        ("explain", given(explain_texts)(_explain)),
    ):
        started = time.perf_counter()
        runner: Any = big(test)
        runner()
        print(
            f"fuzz {name}: {a.examples} examples, no failure, {time.perf_counter() - started:.1f} s"
        )


if __name__ == "__main__":
    main()
