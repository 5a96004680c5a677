"""Fixtures shared by the whole suite, and the order in which xdist hands the tests out."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from tests.awsfixtures import aws_env  # noqa: F401  (a fixture: clean fake AWS credentials)
from tests.examples import examples

# No timed assertions: on a busy machine Hypothesis's per-example deadline and its "input
# generation is slow" health check fail tests that are right. The properties stay as they are.
# Tests without their own count draw Hypothesis's default 100, halved as tests/examples.py says.
settings.register_profile(
    "sestui",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    max_examples=examples(100),
)
settings.load_profile("sestui")


def _is_long(item: pytest.Item) -> bool:
    """Tests that drive the TUI (Pilot or an SVG snapshot) take seconds each; most others take
    milliseconds."""
    return (
        "tui" in item.path.parts
        or item.get_closest_marker("asyncio") is not None
        or "snap_compare" in getattr(item, "fixturenames", ())
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # xdist (worksteal) gives each worker a contiguous share of this list and lets an idle worker
    # steal from the end of another's share. Dealing the long tests first, in turn, into one
    # share per worker puts long tests at the start of every share and millisecond tests at their
    # ends, so the workers run out of work together instead of one waiting for another's last
    # Pilot test. The order within each kind stays the collection order; `-n 0` runs the same
    # tests. (Each worker collects and orders alike: xdist tells it how many workers there are.)
    ordered = [i for i in items if _is_long(i)] + [i for i in items if not _is_long(i)]
    shares = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    items[:] = [item for k in range(shares) for item in ordered[k::shares]]
