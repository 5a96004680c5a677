"""Nothing important is cut off: wrapped policy lines, the whole AWS text, a complete help."""

from __future__ import annotations

import pytest
from textual.binding import Binding
from textual.screen import Screen

from sestui.tui.widgets.bars import VerdictBar
from sestui.tui.widgets.policy_view import PolicyBody, PolicyView
from tests.tui.conftest import demo_app, settle

pytestmark = pytest.mark.asyncio


def _marked_source_lines(view: PolicyView) -> list[str]:
    assert view.shown is not None
    lines = view.shown.text.split("\n")
    return [lines[n - 1] for r in view.marked_lines for n in range(r.first, r.last + 1)]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_marked_lines_wrap_inside_the_policy_view(size: tuple[int, int]) -> None:
    app = demo_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        view = app.query_one(PolicyView)
        body = view.query_one(PolicyBody)
        assert body.wrap
        marked = _marked_source_lines(view)
        assert marked, "the demo's first denial blames a statement"
        longest = max(marked, key=len).strip()
        assert len(longest) + body._gutter > body.size.width, "a marked line longer than the view"
        visual = body.visual_plain
        assert all(len(v.rstrip()) <= body.size.width for v in visual)
        # Every visual line of a marked statement keeps the ▶ mark; the text re-joins whole.
        shown = [v for v in visual if v.startswith("▶")]
        joined = "".join(v[body._gutter :].rstrip() for v in shown)
        assert longest in joined.replace(" ", "") or longest.replace(" ", "") in joined.replace(
            " ", ""
        )
        # The continuation lines carry no line number.
        numbers = [v[1 : body._gutter].strip() for v in shown]
        assert numbers.count("") >= 1
        # The marked lines are on screen, scrolled to.
        screen_text = "\n".join(
            "".join(seg.text for seg in body.render_line(y)) for y in range(body.size.height)
        )
        assert "▶" in screen_text
        await pilot.press("w")
        await pilot.pause()
        assert not body.wrap
        assert body.virtual_size.width > body.size.width
        assert [v.rstrip() for v in body.visual_plain] == [
            line.plain.rstrip() for line in body.lines
        ]
        await pilot.press("w")
        await pilot.pause()
        assert body.wrap


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
async def test_the_verdict_bar_shows_the_whole_aws_text(size: tuple[int, int]) -> None:
    app = demo_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.verdict is not None and app.verdict.error_text
        bar = app.query_one(VerdictBar)
        strips = bar.render_lines(bar.outer_size.region)
        text = "".join(strip.text for strip in strips).replace("█", "").replace("▌", "")
        assert app.verdict.error_text.replace(" ", "") in text.replace(" ", "")
        assert bar.size.height >= len(strips) and len(strips) >= 3


async def test_help_lists_every_binding_and_the_legend() -> None:
    from sestui.tui.screens.help import HelpScreen, key_name, key_sections

    app = demo_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.plain
        import importlib
        import pkgutil

        import sestui.tui.screens
        from sestui.tui.app import SestuiApp
        from sestui.tui.widgets.panes import ListPane

        owners: list[type] = [SestuiApp, ListPane]
        for info in pkgutil.iter_modules(sestui.tui.screens.__path__):
            module = importlib.import_module(f"sestui.tui.screens.{info.name}")
            owners += [
                v
                for v in vars(module).values()
                if isinstance(v, type) and issubclass(v, Screen) and v.__module__ == module.__name__
            ]
        lines = text.splitlines()
        for owner in owners:
            for b in owner.BINDINGS:
                assert isinstance(b, Binding)
                row = f"{key_name(b.key):>18}  {b.description}"
                assert row in lines, f"{owner.__name__}: {b.key} missing from help"
        assert len(key_sections()) == len(owners)  # every dialog has its section
        for word in ("esc", "ctrl+s", "pgup", "w", "Legend", "§", "(1g)", "pending", "verified"):
            assert word in text
