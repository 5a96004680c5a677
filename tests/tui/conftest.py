"""Helpers for driving the TUI headlessly."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.worker import WorkerState

from sestui.account import Account
from sestui.account.accountset import AccountSet
from sestui.decide import Selection, Verdict
from sestui.progress import ProgressFn
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
    # A round lets the screen and its widgets process what is queued, then runs the screen's
    # update (layout, repaint, after-refresh callbacks) at once instead of waiting for its timer.
    # It is quiet only if no worker runs and the screen owes nothing. The short sleep lets a
    # worker thread that has just finished post its result (a thread sets its state before its
    # message arrives). Pilot's own pause() would also wait for the process to look idle (20 ms
    # at least per round): the suite called settle about 700 times, so those waits were a third
    # of its wall time. One pause() at the end keeps the old guarantee for what follows.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    quiet = 0
    while quiet < 3 and loop.time() < deadline:
        await pilot._wait_for_screen()
        pilot.app.screen._on_timer_update()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        quiet = 0 if busy or _owes_a_refresh(pilot.app) else quiet + 1
        await asyncio.sleep(0.005 if quiet else 0.01)
    await pilot.pause()


async def settle_idle(pilot: Pilot[Any]) -> None:
    """`settle`, each round also waiting until the process looks idle (Pilot's pause()): slower,
    but the SVG snapshots need it (a scrollbar thumb drawn a frame early differs by a cell)."""
    quiet = 0
    for _ in range(100):
        await pilot.pause()
        busy = any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in pilot.app.workers)
        quiet = 0 if busy or _owes_a_refresh(pilot.app) else quiet + 1
        if quiet >= 3:
            break
        await asyncio.sleep(0.01)
    await pilot.pause()


async def paste(app: SestuiApp, pilot: Pilot[Any], message: str) -> None:
    """`e`, the message, ctrl+s: the pasted error is checked (and the checks settle)."""
    from textual.widgets import TextArea

    await pilot.press("e")
    app.screen.query_one(TextArea).insert(message)
    await pilot.press("ctrl+s")
    await settle(pilot)


def verdict_of(app: SestuiApp) -> Verdict:
    """The app's verdict, which a test expects to be there (typed: no Optional at each use)."""
    assert app.verdict is not None, "no verdict shown"
    return app.verdict


def selection_of(app: SestuiApp) -> Selection:
    """The app's selection, which a test expects to be there."""
    assert app.selection is not None, "nothing selected"
    return app.selection


def current_screen(app: App[Any]) -> Screen[Any]:
    """The screen on top now (a call, so a type narrowed by an earlier isinstance is not kept)."""
    return app.screen


@dataclass(frozen=True)
class FakeSource:
    """An account source for the app (sestui.sources.AccountSource) whose read a test controls:
    slow, failing, or reporting progress."""

    spec: SourceSpec
    read: Callable[[ProgressFn | None], Account]
    credentials: bool = True

    def has_credentials(self) -> bool:
        return self.credentials

    def open(self, progress: ProgressFn | None = None) -> AccountSet:
        return AccountSet((self.read(progress),))
