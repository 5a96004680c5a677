"""The exit codes of `sestui check`, `explain`, `diff` and `eval` (README, "Exit codes")."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # allowed; diff: no verdict changed
    DENIED = 1  # AWS would refuse this send; diff: a verdict changed
    USAGE = 2  # any failure of ours or of the input: bad flag, bad file, read failure
    UNDECIDED = 3  # an unknown decides, or the simulator disagrees
