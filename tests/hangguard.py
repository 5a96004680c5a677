"""Run a piece of code in a fresh interpreter that must finish well within a time limit.

Not a timed assertion: the limit is 20-100 times what the code needs on a busy 2-core machine,
and the quadratic algorithms these guards replace needed minutes to hours on the same input. It
only fails when something hangs, and it fails with a message instead of freezing the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_S = 20.0


def run_guarded(code: str, limit_s: float = LIMIT_S) -> str:
    """Run `code` (which prints its answer) in a subprocess; its stdout, or a failed test if it
    does not finish in `limit_s` seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            timeout=limit_s,
            cwd=ROOT,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"still running after {limit_s:.0f} s: a hang") from None
    assert proc.returncode == 0, proc.stderr
    return proc.stdout
