"""Helpers for driving the TUI headlessly."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.worker import WorkerState

from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt

USER = "arn:aws:iam::111122223333:user/"


def demo_app(**start: Any) -> SestuiApp:
    return SestuiApp(SourceSpec(demo=True), StartAt(**start) if start else None)


def _owes_a_refresh(app: App[Any]) -> bool:
    screen = app.screen
    return bool(
        screen._callbacks
        or screen._dirty_widgets
        or screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
    )


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until loading, rechecks and glyph columns have finished (workers start others after
    a refresh, so wait for a few quiet rounds in a row) and the screen has caught up."""
    # Each pause lets the screen process what is queued and then waits (20 ms at least) until
    # the process, worker threads included, is idle. A round is quiet only if no worker runs and
    # the screen owes no repaint, layout or after-refresh callback (a busy machine can delay
    # the refresh past a pause). The short sleep lets a worker thread that has just finished
    # post its result: on a starved machine the process looks idle while it waits for a CPU.
    quiet = 0
    for _ in range(100):
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        quiet = 0 if busy or _owes_a_refresh(pilot.app) else quiet + 1
        if quiet >= 3:
            break
        await asyncio.sleep(0.01)
    await pilot.pause()
