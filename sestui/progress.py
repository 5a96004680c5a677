"""The steps of a live read, as the readers report them and the CLI and the TUI show them. No
boto3 here, so a progress callback is typed wherever it is written."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    """One step of a live read, for a progress display."""

    service: str  # iam | sesv2 | organizations | sts
    region: str | None
    message: str
    regions_done: int
    regions_total: int
    calls: int
    account: str | None = None  # set by an organization read: whose step this is


ProgressFn = Callable[[Progress], None]
