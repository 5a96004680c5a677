"""Helpers for driving the TUI headlessly."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot

from sestui.sources import SourceSpec
from sestui.tui.app import SestuiApp, StartAt

USER = "arn:aws:iam::111122223333:user/"


def demo_app(**start: Any) -> SestuiApp:
    return SestuiApp(SourceSpec(demo=True), StartAt(**start) if start else None)


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until loading and rechecks have finished and the screen has caught up."""
    for _ in range(5):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()
