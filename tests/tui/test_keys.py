"""Zoom, the theme switch, the footer per focused pane, and keys that say why they do nothing."""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.widgets import Footer

from sestui.tui.widgets.panes import ListPane
from sestui.tui.widgets.policy_view import PolicyView
from tests.tui.conftest import demo_app, settle

pytestmark = pytest.mark.asyncio


def _footer_keys(app: object) -> set[str]:
    from textual.app import App

    assert isinstance(app, App)
    footer = app.query_one(Footer)
    return {
        b.description
        for (_n, b, enabled, _t) in footer.screen.active_bindings.values()
        if b.show and enabled
    }


async def test_z_zooms_the_focused_pane_and_restores_it() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await pilot.press("z")
        await pilot.pause()
        view = app.query_one(PolicyView)
        assert app.screen.maximized is view
        assert view.size.width >= 78 and view.outer_size.height >= 20, "fills the screen"
        assert not app.query_one("#checks", ListPane).display or (
            app.query_one("#checks", ListPane).region.area == 0
        )
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is None
        await pilot.press("1")
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.maximized is app.query_one("#principals", ListPane)


async def test_ctrl_t_switches_to_a_light_theme_and_back() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not app.current_theme.dark
        # The marks follow the theme: the verdict word is drawn in the light theme's error colour.
        from sestui.tui.widgets.bars import VerdictBar

        bar = app.query_one(VerdictBar)
        error = app.current_theme.error
        assert error is not None
        spans = [s for strip in bar.render_lines(bar.region.reset_offset) for s in strip]
        denied = [s for s in spans if "DENIED" in s.text]
        assert denied and denied[0].style is not None and denied[0].style.color is not None
        assert denied[0].style.color.triplet is not None
        drawn = denied[0].style.color.triplet
        wanted = Color.parse(error)
        assert all(abs(a - b) <= 2 for a, b in zip(drawn, wanted.rgb, strict=True))
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert app.current_theme.dark


async def test_the_footer_shows_the_keys_of_the_focused_pane() -> None:
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        in_list = _footer_keys(app)
        assert "Filter" in in_list and "Wrap" not in in_list
        await pilot.press("5")
        await pilot.pause()
        in_policy = _footer_keys(app)
        assert "Wrap" in in_policy and "Filter" not in in_policy


async def test_f_and_c_on_a_check_without_a_fix_say_so() -> None:
    app = demo_app(principal="marketing-app", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.main_screen.focused_fix() is None
        for key in ("f", "c"):
            before = len(app._notifications)
            await pilot.press(key)
            await pilot.pause()
            assert len(app._notifications) == before + 1
            assert "no suggested fix" in list(app._notifications)[-1].message


async def test_a_dialog_footer_shows_the_dialog_keys() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # the context editor, the paste dialog, help, the matrix
        for key, close in (
            ("x", "Cancel"),
            ("e", "Cancel"),
            ("question_mark", "Close"),
            ("m", "Close"),
        ):
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is not app.main_screen, key
            footer = app.screen.query_one(Footer)
            shown = {
                b.description for (_n, b, _on, _t) in app.screen.active_bindings.values() if b.show
            }
            assert footer.is_attached and footer.screen is app.screen and close in shown, key
            # not the main screen's keys
            assert "Paste error" not in shown and "Matrix" not in shown, key
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is app.main_screen, key


@pytest.mark.asyncio
async def test_the_filter_shows_what_is_typed() -> None:
    # Input's own focus style draws a tall border: in the pane's one-line field it left no
    # room for the text (the list narrowed, but what was typed could not be seen).
    from textual.widgets import Input

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The lists stop at their ends (Textual's wrap around): k at the top stays there.
        rows = app.pane("principals").options
        await pilot.press("1", "home", "k", "up")
        assert rows.highlighted == 0
        await pilot.press("end", "j", "down")
        assert rows.highlighted == rows.option_count - 1
        await settle(pilot)
        await pilot.press("1", "slash", "o", "p", "s")
        await settle(pilot)
        field = app.pane("principals").query_one(Input)
        assert field.has_focus and field.value == "ops"
        assert field.content_region.height == 1


async def burst(app: object, *keys: str) -> None:
    """Keys that reach the app together (a paste, a slow SSH link): all queued before the first
    is handled, as the terminal driver queues what it reads in one go."""
    from textual import events
    from textual.app import App

    assert isinstance(app, App) and app._driver is not None
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else None)
        event.set_sender(app)
        app._driver.send_message(event)


async def test_keys_that_arrive_together_go_where_the_first_one_sends_them() -> None:
    app = demo_app(principal="support-desk", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        principal, identity = app.selection.principal, app.selection.identity  # type: ignore[union-attr]
        # `2 j`: the identities pane takes the focus, and the `j` moves its row, not a principal.
        await burst(app, "2", "j")
        await settle(pilot)
        assert app.focused is app.pane("identities").options
        assert app.selection is not None and app.selection.principal == principal
        assert app.selection.identity != identity
        # `/` then text: every letter lands in the filter field, none reaches a binding (`e`
        # would open the paste-error dialog, `x` the context editor).
        await burst(app, "1", "slash", "e", "x")
        await settle(pilot)
        assert type(app.screen).__name__ == "MainScreen"
        field = app.pane("principals").query_one("Input")
        assert app.focused is field and getattr(field, "value", None) == "ex"
        # A filter that matches no row says so; what is checked stays what was chosen.
        chosen = app.selection
        await burst(app, "z", "z", "z")
        await settle(pilot)
        options = app.pane("principals").options
        assert [str(o.prompt) for o in options.options] == ["no row matches “exzzz”\nesc clears"]
        assert options.options[0].disabled and app.selection == chosen


async def test_the_footer_dims_and_undims_keys_in_place_as_their_state_changes() -> None:
    from textual.widgets._footer import FooterKey

    # eu-mailer on example.com: one failing check has a fix, the others have none.
    app = demo_app(principal="eu-mailer", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        footer = app.screen.query_one(Footer)
        seen: set[bool] = set()
        composed = list(footer.query(FooterKey))
        for _ in range(len(app.pane("checks").options.options)):
            await pilot.press("j")
            await settle(pilot)
            enabled = {
                (b.key, b.action): on for (_n, b, on, _t) in app.screen.active_bindings.values()
            }
            for key in footer.query(FooterKey):
                off = not enabled[key.key, key.action]
                assert key.has_class("-disabled") is off, (key.key, key.action)
                if key.action == "fix":
                    seen.add(off)
        assert seen == {True, False}, "the walk dims the fix key and undims it"
        # The same keys were shown throughout: dimmed in place, never composed again.
        assert list(footer.query(FooterKey)) == composed
