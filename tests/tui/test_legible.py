"""Legible in 16 and 256 colours and under NO_COLOR: focus, marks and unfocused titles."""

from __future__ import annotations

import pytest
from rich.color import Color as RichColor
from rich.color import ColorSystem
from textual.color import Color

from sestui.tui.themes import DARK, LIGHT, NO_COLOR
from sestui.tui.widgets.panes import ListPane
from tests.tui.conftest import demo_app, settle


def _ansi(hex_colour: str, system: ColorSystem) -> int | None:
    return RichColor.parse(hex_colour).downgrade(system).number


@pytest.mark.parametrize("system", [ColorSystem.STANDARD, ColorSystem.EIGHT_BIT])
@pytest.mark.parametrize("theme", [DARK, LIGHT], ids=["dark", "light"])
def test_focus_never_shares_the_error_colour(theme: object, system: ColorSystem) -> None:
    from textual.theme import Theme

    assert isinstance(theme, Theme) and theme.accent and theme.error
    assert _ansi(theme.accent, system) != _ansi(theme.error, system)


def test_no_color_marks_stand_out_from_the_background() -> None:
    # Textual draws each colour as the grey of its luminance under NO_COLOR.
    background = Color.parse(NO_COLOR.background or "#121212")
    for name in ("error", "success", "warning", "accent"):
        colour = Color.parse(getattr(NO_COLOR, name))
        assert colour.brightness - background.brightness > 0.5, name
    # ✗, DENIED and ▶ are as bright as the text, not a dimmer grey beside it.
    text = Color.parse(NO_COLOR.foreground or "#e0e0e0")
    assert Color.parse(NO_COLOR.error or "").brightness >= text.brightness - 0.02
    # Textual's own error red would be a dark grey: the reason for the theme.
    assert Color.parse(DARK.error or "").brightness - background.brightness < 0.4


@pytest.mark.asyncio
async def test_no_color_uses_its_theme_and_ctrl_t_comes_back_to_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.no_color and app.theme == NO_COLOR.name
        await pilot.press("ctrl+t")
        assert app.theme == LIGHT.name
        await pilot.press("ctrl+t")
        assert app.theme == NO_COLOR.name


@pytest.mark.asyncio
async def test_unfocused_titles_and_selected_rows_are_legible() -> None:
    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()
        focused = app.query_one("#principals", ListPane)
        other = app.query_one("#identities", ListPane)
        fg = app.current_theme.foreground
        assert fg is not None
        # The unfocused title is drawn in the text colour, the focused one in the accent.
        assert other.styles.border_title_color.hex.lower() == Color.parse(fg).hex.lower()
        assert (
            focused.styles.border_title_color.hex.lower()
            == Color.parse(app.current_theme.accent or "").hex.lower()
        )
        # The unfocused list's selected row does not rely on its background alone.
        option_list = other.options
        style = option_list.get_component_rich_style("option-list--option-highlighted")
        assert style.bold and style.underline


@pytest.mark.asyncio
async def test_the_context_editor_shows_the_focused_field_at_80x24() -> None:
    from textual.widgets import Button, Input, Label

    from sestui.tui.screens.context import ContextScreen

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        # The first field, one in the middle and the last: each opened in the editor by name.
        names = {"ctx-from": "From address", "ctx-ip": "Source IP", "ctx-template": "Template"}
        for field, name in names.items():
            app.action_edit_context(field)
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ContextScreen)
            focused = screen.focused
            assert isinstance(focused, Input) and focused.id == field
            # The field's name is marked (reversed, so it shows under NO_COLOR too), alone.
            marked = [str(x.render()) for x in screen.query(Label) if x.has_class("-current")]
            assert marked == [name]
            visible = screen.query_one("#ctx-body").content_region
            assert visible.contains_region(focused.region), f"{field} is on screen"
            # tab on to the buttons: they scroll into view too
            for _ in range(12):
                if isinstance(screen.focused, Button):
                    break
                await pilot.press("tab")
                await pilot.pause()
            button = screen.focused
            assert isinstance(button, Button)
            await pilot.pause()
            assert screen.query_one("#ctx-body").content_region.contains_region(button.region)
            assert not [x for x in screen.query(Label) if x.has_class("-current")]
            # Placeholders say they are placeholders, never a value that looks set.
            for box in screen.query(Input):
                assert not box.placeholder or box.placeholder.startswith("unset")
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, ContextScreen)


@pytest.mark.asyncio
@pytest.mark.parametrize("theme", ["sestui-light", "sestui-no-color", "sestui-dark"])
async def test_the_theme_flag_opens_in_that_theme_and_ctrl_t_toggles(theme: str) -> None:
    from sestui.sources import SourceSpec
    from sestui.tui.app import SestuiApp

    app = SestuiApp(SourceSpec(demo=True), theme=theme)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == theme
        await pilot.press("ctrl+t")
        await settle(pilot)
        # light goes to the dark default; a dark theme (the one asked) goes to light and back
        assert app.theme == ("sestui-dark" if theme == "sestui-light" else "sestui-light")
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert app.theme == ("sestui-light" if theme == "sestui-light" else theme)


@pytest.mark.asyncio
async def test_the_matrix_cursor_is_reversed_under_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Every colour is a grey under NO_COLOR: the cursor cell is told apart by reverse video.
    from textual.widgets import DataTable

    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "sestui-no-color"
        await pilot.press("m")
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert table.get_component_rich_style("datatable--cursor").reverse


@pytest.mark.asyncio
async def test_the_focused_lists_row_is_bold_and_underlined_under_no_color(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # OptionList draws no reverse video; under NO_COLOR its highlighted row would be only a
    # lighter grey: it is bold and underlined instead, like the selected row of an unfocused list.
    monkeypatch.setenv("NO_COLOR", "1")
    app = demo_app(principal="eu-mailer", region="eu-west-1", identity="example.com")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        ol = app.pane("principals").options
        assert ol.has_focus and ol.highlighted is not None
        strip = ol.render_line(ol.highlighted - int(ol.scroll_y))
        styles = [seg.style for seg in strip if seg.text.strip() and seg.style is not None]
        assert styles and all(s.underline and s.bold for s in styles)
