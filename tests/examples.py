"""How many examples the property tests draw.

The suite runs on every change, on 2 cores, within 2 minutes: there each property test draws
half its full count (a fresh random half on every run, so the runs add up). `SESTUI_THOROUGH=1
pytest` draws the full counts, e.g. before a release or after a change to the evaluator."""

from __future__ import annotations

import os

THOROUGH = os.environ.get("SESTUI_THOROUGH", "") not in ("", "0")


def examples(full: int) -> int:
    """The number of examples for a test whose full count is `full`."""
    return full if THOROUGH else max(20, full // 2)
