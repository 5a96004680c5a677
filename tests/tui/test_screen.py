"""The main screen's two reactives: setting `selection` is all it takes to check a selection, and
a failed check is said in the verdict bar, never leaving the previous verdict on screen."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

import sestui.tui.session as session_module
from sestui.tui.screens.main import Checked
from sestui.tui.widgets.bars import VerdictBar
from sestui.tui.widgets.policy_view import PolicyView
from tests.tui.conftest import USER, demo_app, selection_of, settle, verdict_of

pytestmark = pytest.mark.asyncio


async def test_setting_the_selection_checks_it_and_the_lists_follow() -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.main_screen
        wanted = replace(selection_of(app), principal=USER + "eu-mailer", region="us-east-1")
        assert app.session is not None
        app.session.apply(wanted)
        screen.selection = app.session.selection
        await settle(pilot)
        checked = screen.checked
        assert isinstance(checked, Checked)
        assert checked.selection == wanted and checked.verdict is not None
        assert app.pane("principals").selected == USER + "eu-mailer"
        assert app.pane("regions").selected == "us-east-1"


async def test_a_failed_check_is_shown_and_the_old_verdict_goes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        verdict_of(app)
        before_selection = selection_of(app)
        assert app.pane("checks").options.option_count > 0
        real = session_module.decide

        def broken(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("the engine fell over")

        monkeypatch.setattr(session_module, "decide", broken)
        await pilot.press("j")
        await settle(pilot)
        moved = selection_of(app)
        assert moved.principal != before_selection.principal
        assert app.verdict is None
        shown = app.main_screen.checked
        assert shown is not None and shown.selection is moved
        bar = str(app.screen.query_one(VerdictBar).render())
        assert "The checks failed" in bar and "the engine fell over" in bar
        assert app.pane("checks").options.option_count == 0
        view = app.screen.query_one(PolicyView)
        assert view.shown is None and not view.marked_lines
        # Fixed: the next move checks again.
        monkeypatch.setattr(session_module, "decide", real)
        await pilot.press("k")
        await settle(pilot)
        assert selection_of(app).principal == before_selection.principal
        assert verdict_of(app) is app.verdict and app.main_screen.shown_selection is app.selection
        assert "The checks failed" not in str(app.screen.query_one(VerdictBar).render())


async def test_a_move_in_a_list_lays_nothing_out(monkeypatch: pytest.MonkeyPatch) -> None:
    # Each layout re-renders most of the screen: a move between rows changes no widget's size
    # (steady note and verdict heights, the policy's scrollbar always there, explanations drawn
    # in the policy body), so none is asked for.
    from textual.screen import Screen

    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        layouts: list[object] = []
        real = Screen._refresh_layout

        def counted(screen: Screen[Any], *args: Any, **kwargs: Any) -> None:
            layouts.append(screen)
            real(screen, *args, **kwargs)

        monkeypatch.setattr(Screen, "_refresh_layout", counted)
        shown = set()
        for key in "jjjjjjkk":
            await pilot.press(key)
            await settle(pilot)
            shown.add((selection_of(app).principal, verdict_of(app).outcome))
        assert len(shown) > 3  # the moves reached rows with other verdicts
        assert layouts == []


async def test_a_slow_check_shows_the_move_before_its_verdict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The paint is held for the verdict of the row moved to, but not for long.
    import threading

    from sestui.tui.screens.main import HOLD_PAINT

    app = demo_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        real = session_module.decide
        gate = threading.Event()

        def slow(*args: Any, **kwargs: Any) -> Any:
            gate.wait(10)
            return real(*args, **kwargs)

        monkeypatch.setattr(session_module, "decide", slow)
        await pilot.press("j")
        assert app._batch_count == 1  # held, waiting for the verdict
        await pilot.pause(HOLD_PAINT * 3)
        assert app._batch_count == 0  # painted without it
        assert app.main_screen.checked is not None
        assert app.main_screen.checked.selection is not app.selection  # still the old verdict
        gate.set()
        await settle(pilot)
        assert app.main_screen.shown_selection is app.selection
        assert app._batch_count == 0
