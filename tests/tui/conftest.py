"""Helpers for driving the TUI headlessly."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerState

from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt

USER = "arn:aws:iam::111122223333:user/"


def demo_app(**start: Any) -> SestuiApp:
    return SestuiApp(SourceSpec(demo=True), StartAt(**start) if start else None)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until loading, rechecks and glyph columns have finished (workers start others after
    a refresh, so wait for a few quiet rounds in a row) and the screen has caught up."""
    quiet = 0
    for _ in range(100):
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        quiet = 0 if busy else quiet + 1
        if quiet >= 3:
            break
        await asyncio.sleep(0.01)
    await pilot.pause()
